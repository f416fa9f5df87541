"""The no-memory baseline every planning score is measured against, and its per-process cache.

The baseline is a memory program that stores nothing and returns nothing, played by the same agent on
the same tasks. It depends only on (dataset fingerprint, split, agent, step limit), not on the program
under evaluation, so an evolution run pays for it once per split (an LLM agent pays real calls for it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

NO_MEMORY_PROGRAM = '''
"""No memory: stores nothing, returns nothing. The planning domain's baseline."""

from dataclasses import dataclass, field

INSTRUCTION_KNOWLEDGE_ITEM = "Nothing is kept."
INSTRUCTION_QUERY = "Nothing is asked."
INSTRUCTION_RESPONSE = "Act from what you observe."
ALWAYS_ON_KNOWLEDGE = ""


@dataclass
class KnowledgeItem:
    note: str = field(default="", metadata={"description": "Ignored"})


@dataclass
class Query:
    text: str = field(default="", metadata={"description": "Ignored"})


class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        pass

    def read(self, query: Query) -> str:
        return ""
'''


@dataclass(frozen=True)
class BaselineRun:
    """The no-memory outcome of each task: task id -> (success, steps)."""

    outcomes: dict[str, tuple[bool, int]]
    agent_llm_calls: int


class BaselineCache:
    """Baseline runs by (dataset fingerprint, split, agent name, step limit); thread-safe."""

    def __init__(self) -> None:
        self._runs: dict[tuple[str, str, str, int], BaselineRun] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str, int]) -> BaselineRun | None:
        with self._lock:
            return self._runs.get(key)

    def put(self, key: tuple[str, str, str, int], run: BaselineRun) -> None:
        with self._lock:
            self._runs[key] = run
