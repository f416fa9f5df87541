"""The LLM planning agent: fills the program's schemas and acts ReAct-style with its instructions.

Per task it makes one call per command (Thought, then Action), seeing the program's always-on knowledge
and what `read()` returned, the task, its recent steps and the admissible commands; the program's
`INSTRUCTION_RESPONSE` goes into the system prompt as the rule for using memory. Filling a Query or a
KnowledgeItem is one call each, with the program's instruction and the schema; an answer that does
not fit the schema falls back to the offline agent's deterministic fill, so a bad answer costs the
memory its input's quality, never the evaluation.

The model is anything `complete(prompt, system) -> text`: a plain callable, or a `providers` client
(`LLMClient.complete(...)` is wrapped, its calls accounted under the purpose "agent").
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from typing import Any

from evaluators.planning.data import Observation
from evaluators.planning.offline_agent import OfflinePlanningAgent
from sandbox.contract import ProgramDescription

Complete = Callable[[str, str | None], str]
"""(prompt, system) -> the model's text."""

HISTORY_STEPS = 12
"""Recent (command, observation) pairs shown each step; older ones are summarised by count."""
MAX_ACTION_TOKENS = 160

SYSTEM = (
    "You are an agent in a household text world. Each turn, think briefly, then give exactly one "
    "command from the admissible list. Answer in two lines:\nThought: <one sentence>\nAction: <command>"
)
_ACTION = re.compile(r"^\s*action\s*:\s*(.+?)\s*$", re.I | re.M)


def as_complete(llm: Any) -> Complete:
    """A `Complete` from a providers client (anything with `.complete(prompt, system=...)`) or a callable."""
    if hasattr(llm, "complete"):

        def complete(prompt: str, system: str | None) -> str:
            return llm.complete(prompt, system=system, max_tokens=MAX_ACTION_TOKENS * 4, purpose="agent").text

        return complete
    if callable(llm):
        return llm
    raise TypeError(f"an LLM agent needs a callable or a providers client, not {type(llm).__name__}")


class LLMPlanningAgent:
    """ReAct over the admissible commands; see the module docstring."""

    name = "llm"

    def __init__(self, llm: Any) -> None:
        self._complete = as_complete(llm)
        self._fallback = OfflinePlanningAgent()
        self.llm_calls = 0

    def call(self, prompt: str, system: str | None) -> str:
        self.llm_calls += 1
        return self._complete(prompt, system)

    def fill_query(self, program: ProgramDescription, goal_text: str, task_number: int) -> dict[str, Any]:
        prompt = (
            f"{program.instructions.get('INSTRUCTION_QUERY', '')}\n\n"
            f"The task you are about to do: {goal_text}\n\n"
            f"Write the query to your memory as a JSON object with this schema:\n"
            f"{json.dumps(program.query_schema)}"
        )
        filled = self._json(prompt, program.query_schema)
        return filled if filled is not None else self._fallback.fill_query(program, goal_text, task_number)

    def fill_item(self, program: ProgramDescription, raw_text: str, task_number: int) -> dict[str, Any]:
        prompt = (
            f"{program.instructions.get('INSTRUCTION_KNOWLEDGE_ITEM', '')}\n\n"
            f"What just happened:\n{raw_text}\n\n"
            f"Write what to remember as a JSON object with this schema:\n"
            f"{json.dumps(program.knowledge_item_schema)}"
        )
        filled = self._json(prompt, program.knowledge_item_schema)
        return filled if filled is not None else self._fallback.fill_item(program, raw_text, task_number)

    def start(self, program: ProgramDescription, first: Observation, memory: str) -> ReActPolicy:
        return ReActPolicy(self, program, first.text, memory)

    def _json(self, prompt: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        from providers.structured import parse_and_validate  # the providers layer loads SDKs: only when used

        value, errors = parse_and_validate(self.call(prompt, "Answer with one JSON object only."), schema)
        return value if value is not None and not errors else None


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
