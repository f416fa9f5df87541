"""The task agent's side of a conversation episode: what any agent that uses a memory must do.

An agent fills the program's schemas and answers from what `read()` returned. Two implementations
exist: the offline agent (deterministic, no LLM) and the LLM agent (the program's instructions in
its prompts). Scores always record `agent.name`, because the same memory scores differently under each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sandbox.contract import ProgramDescription


class ConversationAgent(Protocol):
    """Fills `KnowledgeItem`s and `Query`s as JSON objects and answers questions."""

    name: str

    def fill_item(self, program: ProgramDescription, raw_text: str) -> dict[str, Any]:
        """The KnowledgeItem for one session's `raw_text`, as a JSON object matching the program's schema."""
        ...

    def fill_query(self, program: ProgramDescription, question: str, date: str) -> dict[str, Any]:
        """The Query for a question asked on `date` ("" when unknown)."""
        ...

    def answer(self, program: ProgramDescription, question: str, context: str, date: str) -> str:
        """A short answer from `context` (what `read()` returned), or a statement that it is not known."""
        ...


Judge = Callable[[str, str, str], float]
"""(question, gold answer, prediction) -> 1.0 correct / 0.0 wrong, e.g. `evaluators.judge.LLMJudge.score`."""


class JudgedAgent:
    """An agent whose answers are also scored by a judge; the episode records `llm_judge` per question.

    Its name says so, because judged and unjudged evaluations hold different metrics.
    """

    def __init__(self, agent: ConversationAgent, judge: Judge, judge_name: str) -> None:
        self.agent = agent
        self.judge = judge
        self.name = f"{agent.name}+{judge_name}"
        self.concurrency = getattr(agent, "concurrency", 1)

    def fill_item(self, program: ProgramDescription, raw_text: str) -> dict[str, Any]:
        return self.agent.fill_item(program, raw_text)

    def fill_query(self, program: ProgramDescription, question: str, date: str) -> dict[str, Any]:
        return self.agent.fill_query(program, question, date)

    def answer(self, program: ProgramDescription, question: str, context: str, date: str) -> str:
        return self.agent.answer(program, question, context, date)
