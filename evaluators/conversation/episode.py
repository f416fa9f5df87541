"""One conversation episode: write every session into a fresh memory, then ask every question.

The host keeps the gold answers and evidence; the program only ever sees the agent's filled
KnowledgeItems and Queries. `read()` output is capped (by `evaluators.runner.Memory`) before the agent
or any metric sees it, so a program gains nothing by returning more than the budget.
"""

from __future__ import annotations

import time

from evaluators.agent_calls import AgentCalls, Pending, agent_concurrency
from evaluators.conversation.agent import ConversationAgent, Judge
from evaluators.conversation.data import Conversation, Question, Turn, format_session
from evaluators.metrics import answer_token_recall, evidence_recall, exact_match, locomo_answer_score
from evaluators.result import CaseResult
from evaluators.runner import Memory
from sandbox.contract import ProgramDescription


def run_episode(
    conversation: Conversation,
    memory: Memory,
    agent: ConversationAgent,
    judge: Judge | None = None,
) -> list[CaseResult]:
    """Play one conversation through `memory`: one case per question. A program failure passes
    (`ProgramFailure`); the runner records it.

    With a `judge`, each answer is also judged (metric `llm_judge`). The agent's calls run ahead of the
    memory as far as they can (`evaluators.agent_calls`): every session's item and every question's query
    at once, each answer as soon as its read is done; writes and reads themselves stay in order."""
    program = memory.program
    turns = conversation.turns_by_id()
    with AgentCalls(agent_concurrency(agent)) as calls:
        raw_texts = [format_session(conversation_session) for conversation_session in conversation.sessions]
        items = [calls.submit(agent.fill_item, program, raw_text) for raw_text in raw_texts]
        queries = [
            calls.submit(agent.fill_query, program, question.question, question.date)
            for question in conversation.questions
        ]
        for raw_text, item in zip(raw_texts, items, strict=True):
            memory.write(item.result(), raw_text)
        read: list[tuple[Question, str, Pending[tuple[str, float | None, float]]]] = []
        for question, query in zip(conversation.questions, queries, strict=True):
            context = memory.read(query.result())
            read.append((question, context, calls.submit(_answer, agent, judge, program, question, context)))
        cases = []
        for question, context, answered in read:
            prediction, judged, seconds = answered.result()
            cases.append(_case(question, context, prediction, judged, seconds, turns))
    return cases


def _answer(
    agent: ConversationAgent,
    judge: Judge | None,
    program: ProgramDescription,
    question: Question,
    context: str,
) -> tuple[str, float | None, float]:
    """(the agent's answer, the judge's verdict or None, seconds both took)."""
    started = time.perf_counter()
    prediction = agent.answer(program, question.question, context, question.date)
    judged = judge(question.question, question.answer, prediction) if judge is not None else None
    return prediction, judged, time.perf_counter() - started


def _case(
    question: Question,
    context: str,
    prediction: str,
    judged: float | None,
    seconds: float,
    turns: dict[str, Turn],
) -> CaseResult:
    evidence = [turns[turn_id].text for turn_id in question.evidence if turn_id in turns]
    answer_score = locomo_answer_score(prediction, question.answer, question.category)
    return CaseResult(
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
            "answer_seconds": seconds,
        },
    )
