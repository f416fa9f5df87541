"""The LLM agent: a language model fills the program's schemas and answers from what its memory returned.

It follows M★'s task-agent protocol, so that programs evolved there behave the same here:
- write: the program's INSTRUCTION_KNOWLEDGE_ITEM, the raw text, and the KnowledgeItem JSON Schema;
  the model answers with the JSON object.
- read: INSTRUCTION_QUERY, the question (and the date it is asked), and the Query JSON Schema.
- answer: what `read()` returned inside <retrieved_memory>, the question, then INSTRUCTION_RESPONSE.
ALWAYS_ON_KNOWLEDGE is "text always shown to the agent" (DESIGN section 2), so it is in the system
prompt of all three calls.

Schemas go to the provider as native structured output where it has one, and into the prompt always;
the answer is validated and, if wrong, repaired once (`providers.structured`). If it is still wrong,
the agent falls back to the offline agent's deterministic filling rather than crash the episode: a
model that cannot fill a schema is a (bad) result for that program, not an error. `stats` counts
repairs and fallbacks so that scores can be read with them in mind.

All calls use temperature 0, so repeated evaluations are answered from the response cache. The agent is
thread-safe: an episode overlaps its calls up to the client's concurrency limit.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.schema_filling import fill_with_model, schema_prompt
from providers.llm import LLMClient
from sandbox.contract import ProgramDescription

AGENT_ROLE = (
    "You are the task agent of a memory system. You turn conversations into memory items, questions "
    "into memory queries, and answer questions from what the memory returns."
)
NOTHING_RETRIEVED = "(the memory returned nothing)"


@dataclass
class AgentStats:
    """Counts of what the agent did; `repairs` and `fallbacks` show how well the model fit the schemas."""

    items: int = 0
    queries: int = 0
    answers: int = 0
    repairs: int = 0
    fallbacks: int = 0

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class LLMConversationAgent:
    """A `ConversationAgent` backed by an `LLMClient`; `name` is "llm:" plus the model string."""

    def __init__(
        self,
        client: LLMClient,
        item_max_tokens: int = 1024,
        query_max_tokens: int = 300,
        answer_max_tokens: int = 300,
    ) -> None:
        self.client = client
        self.name = f"llm:{client.name}"
        self.concurrency = client.settings.max_concurrency
        """How many of its calls an episode may have in flight (`evaluators.agent_calls`): the client's
        limit, which it enforces anyway."""
        self.item_max_tokens = item_max_tokens
        self.query_max_tokens = query_max_tokens
        self.answer_max_tokens = answer_max_tokens
        self.stats = AgentStats()
        self._lock = threading.Lock()
        self._offline = OfflineAgent()

    def fill_item(self, program: ProgramDescription, raw_text: str) -> dict[str, Any]:
        prompt = schema_prompt(
            program.instructions["INSTRUCTION_KNOWLEDGE_ITEM"],
            f"Text:\n{raw_text}",
            "KnowledgeItem",
            program.knowledge_item_schema,
        )
        self._count("items")
        filled = self._fill(program, prompt, program.knowledge_item_schema, self.item_max_tokens)
        return filled if filled is not None else self._offline.fill_item(program, raw_text)

    def fill_query(self, program: ProgramDescription, question: str, date: str) -> dict[str, Any]:
        asked = f"Question: {question}" + (f"\nAsked on: {date}" if date else "")
        prompt = schema_prompt(
            program.instructions["INSTRUCTION_QUERY"], asked, "Query", program.query_schema
        )
        self._count("queries")
        filled = self._fill(program, prompt, program.query_schema, self.query_max_tokens)
        return filled if filled is not None else self._offline.fill_query(program, question, date)

    def answer(self, program: ProgramDescription, question: str, context: str, date: str) -> str:
        prompt = answer_prompt(program.instructions["INSTRUCTION_RESPONSE"], question, context, date)
        self._count("answers")
        completion = self.client.complete(
            prompt, system=system_prompt(program), max_tokens=self.answer_max_tokens, purpose="agent"
        )
        return completion.text.strip()

    def _fill(
        self, program: ProgramDescription, prompt: str, schema: dict[str, Any], max_tokens: int
    ) -> dict[str, Any] | None:
        """The model's object when it is valid (after at most one repair); None to fall back."""
        filled = fill_with_model(self.client, prompt, schema, system_prompt(program), max_tokens)
        if filled.repaired:
            self._count("repairs")
        if filled.value is None:
            self._count("fallbacks")
        return filled.value

    def _count(self, field: str) -> None:
        with self._lock:
            setattr(self.stats, field, getattr(self.stats, field) + 1)


def system_prompt(program: ProgramDescription) -> str:
    knowledge = program.instructions.get("ALWAYS_ON_KNOWLEDGE", "").strip()
    return f"{AGENT_ROLE}\n\n{knowledge}" if knowledge else AGENT_ROLE


def answer_prompt(instruction: str, question: str, context: str, date: str) -> str:
    asked = f"Question: {question}" + (f"\nAsked on: {date}" if date else "")
    return (
        f"<retrieved_memory>\n{context.strip() or NOTHING_RETRIEVED}\n</retrieved_memory>\n\n"
        f"{asked}\n\n"
        f"{instruction.strip()}"
    )
