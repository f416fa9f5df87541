"""A memory session: one live instance of a memory program, driven by the host operation by operation.

Evaluators talk to every backend through the `MemorySession` protocol: items and queries go in as
JSON-able dicts (the agent's filled schema), `read` results come back as strings, and anything that goes
wrong is a `ProgramFailure` with a machine-readable reason. `InProcessSession` runs the program in this
Python process: fast and exact, but it isolates nothing, so it is for trusted programs (the seeds, tests)
and as the reference the sandboxed backends must agree with.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sandbox.contract import ContractError, ProgramDescription, load_program
from sandbox.toolkit import (
    DEFAULT_LLM_CALLS_PER_OPERATION,
    CapabilityError,
    EmbedBackend,
    LLMBackend,
    Toolkit,
)


class FailureReason(StrEnum):
    """Why an evaluation of a program failed; stored in the archive and counted in reports."""

    CONTRACT = "contract"
    CRASH = "crash"
    WRONG_TYPE = "wrong_type"
    TIMEOUT = "timeout"
    WALL_TIME = "wall_time"
    MEMORY = "memory"
    PROCESSES = "processes"
    """The program hit the limit on processes and threads (a fork bomb, a thread pool gone wild)."""
    DISK = "disk"
    """The program filled its /tmp or wrote a file past the size limit."""
    OUTPUT_LIMIT = "output_limit"
    PROTOCOL = "protocol"
    LLM_BUDGET = "llm_budget"
    LLM_UNAVAILABLE = "llm_unavailable"
    KILLED = "killed"
    SANDBOX = "sandbox"


class ProgramFailure(Exception):
    """The program under evaluation failed; the evaluation ends, the run goes on.

    `logs` holds the program's last log lines (and, for crashes, the end of its traceback), so that
    people and the reflective mutator can see why.
    """

    def __init__(self, reason: FailureReason, message: str, logs: list[str] | None = None) -> None:
        self.reason = FailureReason(reason)
        self.message = message
        self.logs = list(logs or [])
        super().__init__(f"{self.reason.value}: {message}")


@dataclass(frozen=True)
class Capabilities:
    """What the host lends a program: an embedder, optionally an LLM, and the per-operation LLM budget."""

    embed: EmbedBackend
    llm: LLMBackend | None = None
    llm_calls_per_operation: int = DEFAULT_LLM_CALLS_PER_OPERATION


@dataclass(frozen=True)
class OperationStats:
    """The cost of one write or read, as measured by the host."""

    seconds: float
    llm_calls: int = 0
    embed_calls: int = 0


class MemorySession(Protocol):
    """One program instance. Backends: in-process here; Docker and subprocess sandboxes elsewhere."""

    description: ProgramDescription

    def write(self, item: dict[str, Any], raw_text: str) -> OperationStats: ...

    def read(self, query: dict[str, Any]) -> tuple[str, OperationStats]: ...

    def drain_logs(self) -> list[str]: ...

    def close(self) -> None: ...


SessionFactory = Callable[[str, Capabilities], MemorySession]
"""(program source, capabilities) -> a started session; how evaluators stay backend-agnostic."""


class InProcessSession:
    """Runs a program in this process: no isolation, no timeouts; the reference behaviour."""

    def __init__(self, source: str, capabilities: Capabilities) -> None:
        try:
            self._program = load_program(source)
        except ContractError as error:
            raise ProgramFailure(FailureReason.CONTRACT, str(error)) from error
        self.description = self._program.description
        self._toolkit = Toolkit(capabilities.embed, capabilities.llm, capabilities.llm_calls_per_operation)
        self._kb = self._run("__init__", lambda: self._program.new_knowledge_base(self._toolkit))

    def write(self, item: dict[str, Any], raw_text: str) -> OperationStats:
        built = self._run("building KnowledgeItem", lambda: self._program.make_item(item))
        return self._measure("write", lambda: self._kb.write(built, raw_text))[1]

    def read(self, query: dict[str, Any]) -> tuple[str, OperationStats]:
        built = self._run("building Query", lambda: self._program.make_query(query))
        result, stats = self._measure("read", lambda: self._kb.read(built))
        if not isinstance(result, str):
            raise ProgramFailure(
                FailureReason.WRONG_TYPE,
                f"read() returned {type(result).__name__}, not str",
                self.drain_logs(),
            )
        return result, stats

    def drain_logs(self) -> list[str]:
        return self._toolkit.logger.drain()

    def close(self) -> None:
        self._toolkit.close()

    def _measure(self, operation: str, call: Callable[[], Any]) -> tuple[Any, OperationStats]:
        llm_before, embed_before = self._toolkit.llm_calls, self._toolkit.embed_calls
        self._toolkit.begin_operation()
        started = time.perf_counter()
        result = self._run(operation, call)
        stats = OperationStats(
            seconds=time.perf_counter() - started,
            llm_calls=self._toolkit.llm_calls - llm_before,
            embed_calls=self._toolkit.embed_calls - embed_before,
        )
        return result, stats

    def _run(self, operation: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except CapabilityError as error:
            raise ProgramFailure(FailureReason(error.reason), str(error), self.drain_logs()) from error
        except Exception as error:
            trace = traceback.format_exception(error)[-3:]
            raise ProgramFailure(
                FailureReason.CRASH,
                f"{operation} raised {type(error).__name__}: {error}",
                self.drain_logs() + [line.rstrip() for line in trace],
            ) from error
