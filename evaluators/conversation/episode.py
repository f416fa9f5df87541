"""One conversation episode: write every session into a fresh memory, then ask every question.

The host keeps the gold answers and evidence; the program only ever sees the agent's filled
KnowledgeItems and Queries. `read()` output is capped before the agent or any metric sees it, so a
program gains nothing by returning more than the budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from evaluators.agent_calls import AgentCalls, Pending, agent_concurrency
from evaluators.conversation.agent import ConversationAgent, Judge
from evaluators.conversation.data import Conversation, Question, Turn, format_session
from evaluators.metrics import answer_token_recall, evidence_recall, exact_match, locomo_answer_score
from evaluators.result import CaseResult
from sandbox.contract import ProgramDescription
from sandbox.session import MemorySession

DEFAULT_READ_CHAR_LIMIT = 3000


@dataclass
class EpisodeCosts:
    """Measured costs of one episode; seconds are host-side wall time of each program operation."""

    write_seconds: list[float] = field(default_factory=list)
    read_seconds: list[float] = field(default_factory=list)
    read_chars: list[int] = field(default_factory=list)
    truncated_reads: int = 0
    llm_calls: int = 0
    embed_calls: int = 0


@dataclass
class EpisodeResult:
    conversation_id: str
    cases: list[CaseResult]
    costs: EpisodeCosts
    logs: list[str]


def run_episode(
    conversation: Conversation,
    session: MemorySession,
    agent: ConversationAgent,
    read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
    judge: Judge | None = None,
) -> EpisodeResult:
    """Play one conversation through `session`; raises `ProgramFailure` if the program fails.

    With a `judge`, each answer is also judged (metric `llm_judge`). The agent's calls run ahead of the
    memory as far as they can (`evaluators.agent_calls`): every session's item and every question's query
    at once, each answer as soon as its read is done; writes and reads themselves stay in order."""
    program = session.description
    costs = EpisodeCosts()
    logs: list[str] = []
    turns = conversation.turns_by_id()
    cases = []
    with AgentCalls(agent_concurrency(agent)) as calls:
        raw_texts = [format_session(conversation_session) for conversation_session in conversation.sessions]
        items = [calls.submit(agent.fill_item, program, raw_text) for raw_text in raw_texts]
        queries = [
            calls.submit(agent.fill_query, program, question.question, question.date)
            for question in conversation.questions
        ]
        for raw_text, item in zip(raw_texts, items, strict=True):
            stats = session.write(item.result(), raw_text)
            costs.write_seconds.append(stats.seconds)
            costs.llm_calls += stats.llm_calls
            costs.embed_calls += stats.embed_calls
        logs.extend(session.drain_logs())
        read: list[tuple[Question, str, Pending[tuple[str, float | None, float]]]] = []
        for question, query in zip(conversation.questions, queries, strict=True):
            context, stats = session.read(query.result())
            costs.read_seconds.append(stats.seconds)
            costs.llm_calls += stats.llm_calls
            costs.embed_calls += stats.embed_calls
            if len(context) > read_char_limit:
                costs.truncated_reads += 1
                context = context[:read_char_limit]
            costs.read_chars.append(len(context))
            read.append((question, context, calls.submit(_answer, agent, judge, program, question, context)))
            logs.extend(session.drain_logs())
        for question, context, answered in read:
            prediction, judged, seconds = answered.result()
            cases.append(_case(question, context, prediction, judged, seconds, turns))
    return EpisodeResult(conversation.conversation_id, cases, costs, logs)


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
