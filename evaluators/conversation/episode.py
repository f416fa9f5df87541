"""One conversation episode: write every session into a fresh memory, then ask every question.

The host keeps the gold answers and evidence; the program only ever sees the agent's filled
KnowledgeItems and Queries. `read()` output is capped (by `evaluators.runner.Memory`) before the agent
or any metric sees it, so a program gains nothing by returning more than the budget.
"""

from __future__ import annotations

import time

from evaluators.conversation.agent import ConversationAgent, Judge
from evaluators.conversation.data import Conversation, format_session
from evaluators.metrics import answer_token_recall, evidence_recall, exact_match, locomo_answer_score
from evaluators.result import CaseResult
from evaluators.runner import Memory


def run_episode(
    conversation: Conversation,
    memory: Memory,
    agent: ConversationAgent,
    judge: Judge | None = None,
) -> list[CaseResult]:
    """Play one conversation through `memory`: one case per question. A program failure passes
    (`ProgramFailure`); the runner records it.

    With a `judge`, each answer is also judged (metric `llm_judge`)."""
    program = memory.program
    for conversation_session in conversation.sessions:
        raw_text = format_session(conversation_session)
        memory.write(agent.fill_item(program, raw_text), raw_text)
    turns = conversation.turns_by_id()
    cases = []
    for question in conversation.questions:
        context = memory.read(agent.fill_query(program, question.question, question.date))
        started = time.perf_counter()
        prediction = agent.answer(program, question.question, context, question.date)
        judged = judge(question.question, question.answer, prediction) if judge is not None else None
        evidence = [turns[turn_id].text for turn_id in question.evidence if turn_id in turns]
        answer_score = locomo_answer_score(prediction, question.answer, question.category)
        cases.append(
            CaseResult(
                case_id=question.question_id,
                category=question.category_name,
                score=answer_score,
                prompt=question.question,
                expected=question.answer,
                output=prediction,
                context=context,
                metrics={
                    "answer_score": answer_score,
                    "exact_match": exact_match(prediction, question.answer),
                    "evidence_recall": evidence_recall(context, evidence) if question.answerable else None,
                    "answer_token_recall": (
                        answer_token_recall(context, question.answer) if question.answerable else None
                    ),
                    "llm_judge": judged,
                    "answer_seconds": time.perf_counter() - started,
                },
            )
        )
    return cases
