"""The LLM planning agent: fills the program's schemas and acts ReAct-style with its instructions.

Per task it makes one call per command (Thought, then Action), seeing the program's always-on knowledge
and what `read()` returned, the task, its recent steps and the admissible commands; the program's
`INSTRUCTION_RESPONSE` goes into the system prompt as the rule for using memory. A Query or a
KnowledgeItem is filled as every LLM agent fills one (`evaluators.schema_filling.fill_with_model`: the
schema natively where the provider can, one repair); an answer that still does not fit falls back to the
offline agent's deterministic fill, so a bad answer costs the memory its input's quality, never the
evaluation.

The model is a `providers` client (its calls accounted under the purpose "agent"), or a plain callable
`(prompt, system) -> text`, which is given the client's `complete` so that it is used the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evaluators.planning.data import Observation
from evaluators.planning.offline_agent import OfflinePlanningAgent
from evaluators.schema_filling import fill_with_model, schema_prompt
from sandbox.contract import ProgramDescription

Complete = Callable[[str, str | None], str]
"""(prompt, system) -> the model's text."""

HISTORY_STEPS = 12
"""Recent (command, observation) pairs shown each step; older ones are summarised by count."""
MAX_ACTION_TOKENS = 160
MAX_FILL_TOKENS = MAX_ACTION_TOKENS * 4
FILL_SYSTEM = "You fill memory items and queries for an agent. Answer with one JSON object only."

SYSTEM = (
    "You are an agent in a household text world. Each turn, think briefly, then give exactly one "
    "command from the admissible list. Answer in two lines:\nThought: <one sentence>\nAction: <command>"
)
_ACTION = re.compile(r"^\s*action\s*:\s*(.+?)\s*$", re.I | re.M)


@dataclass(frozen=True)
class _Text:
    text: str


class CallableModel:
    """A plain `(prompt, system) -> text` callable with a providers client's `complete`: a message list (a
    repair turn) is shown as one prompt, and a schema only in the prompt, as to a provider without native
    structured output."""

    def __init__(self, complete: Complete) -> None:
        self._complete = complete

    def complete(self, prompt: str | Sequence[Any], *, system: str | None = None, **_options: Any) -> _Text:
        if not isinstance(prompt, str):
            # `complete_json`'s messages: the schema prompt, then (on a repair) the answer and the problems
            prompt = "\n\n".join(
                m.content if m.role == "user" else f"[{m.role}]: {m.content}" for m in prompt
            )
        return _Text(self._complete(prompt, system))


def as_client(llm: Any) -> Any:
    """A providers client as it is; a callable as a `CallableModel`."""
    if hasattr(llm, "complete"):
        return llm
    if callable(llm):
        return CallableModel(llm)
    raise TypeError(f"an LLM agent needs a callable or a providers client, not {type(llm).__name__}")


class LLMPlanningAgent:
    """ReAct over the admissible commands; see the module docstring."""

    name = "llm"

    def __init__(self, llm: Any) -> None:
        self._client = as_client(llm)
        self._fallback = OfflinePlanningAgent()
        self.llm_calls = 0

    def call(self, prompt: str, system: str | None) -> str:
        self.llm_calls += 1
        return self._client.complete(
            prompt, system=system, max_tokens=MAX_ACTION_TOKENS * 4, purpose="agent"
        ).text

    def fill_query(self, program: ProgramDescription, goal_text: str, task_number: int) -> dict[str, Any]:
        instruction = program.instructions.get("INSTRUCTION_QUERY", "")
        subject = f"The task you are about to do: {goal_text}"
        filled = self._fill(
            schema_prompt(instruction, subject, "Query", program.query_schema), program.query_schema
        )
        return filled if filled is not None else self._fallback.fill_query(program, goal_text, task_number)

    def fill_item(self, program: ProgramDescription, raw_text: str, task_number: int) -> dict[str, Any]:
        instruction = program.instructions.get("INSTRUCTION_KNOWLEDGE_ITEM", "")
        schema = program.knowledge_item_schema
        prompt = schema_prompt(instruction, f"What just happened:\n{raw_text}", "KnowledgeItem", schema)
        filled = self._fill(prompt, schema)
        return filled if filled is not None else self._fallback.fill_item(program, raw_text, task_number)

    def start(self, program: ProgramDescription, first: Observation, memory: str) -> ReActPolicy:
        return ReActPolicy(self, program, first.text, memory)

    def _fill(self, prompt: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        filled = fill_with_model(self._client, prompt, schema, FILL_SYSTEM, MAX_FILL_TOKENS)
        self.llm_calls += filled.calls
        return filled.value


class ReActPolicy:
    """One task: a Thought/Action call per command."""

    def __init__(self, agent: LLMPlanningAgent, program: ProgramDescription, intro: str, memory: str) -> None:
        self.agent = agent
        instructions = program.instructions
        self.system = f"{SYSTEM}\n\nHow to use your memory: {instructions.get('INSTRUCTION_RESPONSE', '')}"
        knowledge = instructions.get("ALWAYS_ON_KNOWLEDGE", "").strip()
        self.preamble = "\n\n".join(
            part
            for part in (
                f"What you always know:\n{knowledge}" if knowledge else "",
                f"What your memory returned for this task:\n{memory.strip() or '(nothing)'}",
                intro.strip(),
            )
            if part
        )
        self.history: list[tuple[str, str]] = []
        self.last_command: str | None = None

    def act(self, observation: Observation) -> str:
        if self.last_command is not None:
            self.history.append((self.last_command, observation.text))
        shown = self.history[-HISTORY_STEPS:]
        earlier = len(self.history) - len(shown)
        steps = "\n".join(f"> {command}\n{text}" for command, text in shown)
        prompt = "\n\n".join(
            part
            for part in (
                self.preamble,
                f"({earlier} earlier steps not shown)" if earlier else "",
                f"Your steps so far:\n{steps}" if steps else "",
                f"Admissible commands: {', '.join(observation.admissible)}",
            )
            if part
        )
        reply = self.agent.call(prompt, self.system)
        self.last_command = choose_command(reply, observation.admissible)
        return self.last_command


def choose_command(reply: str, admissible: tuple[str, ...]) -> str:
    """The admissible command the reply's Action names (the closest one if it is slightly off)."""
    actions = _ACTION.findall(reply)
    wanted = (actions[-1] if actions else reply.strip().splitlines()[-1] if reply.strip() else "").strip()
    wanted = wanted.strip("`'\". ").lower()
    lowered = {c.lower(): c for c in admissible}
    if wanted in lowered:
        return lowered[wanted]
    close = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else wanted or "look"
