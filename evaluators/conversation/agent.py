"""The task agent's side of a conversation episode: what any agent that uses a memory must do.

An agent fills the program's schemas and answers from what `read()` returned. Two implementations
exist: the offline agent (deterministic, no LLM) and the LLM agent (the program's instructions in
its prompts). Scores always record `agent.name`, because the same memory scores differently under each.
"""

from __future__ import annotations

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
