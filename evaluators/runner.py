"""The evaluation loop every domain shares: a fresh memory per unit, its costs and logs, failures as results.

A domain says what one episode is: a function that plays one unit (a conversation, a household) through
the `Memory` it is given and returns what it observed. This module does the rest, the same way for every
domain: it starts the program's session for each unit, caps what `read()` returns before anyone sees it,
counts what each operation costs (`Costs`), keeps the program's log lines, closes the session whatever
happens, and turns a `ProgramFailure` into a failed `EvaluationResult` with the program's last log lines.
A failing program never raises out of an evaluation.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from evaluators.result import CaseResult, EvaluationResult
from evaluators.summary import Summarize, aggregate
from sandbox.contract import ProgramDescription
from sandbox.session import Capabilities, MemorySession, OperationStats, ProgramFailure, SessionFactory

DEFAULT_READ_CHAR_LIMIT = 3000
"""The characters of each read() result that count, unless a run or `eval` says otherwise: what an agent
sees of its memory, in every domain."""
LOG_LINES = 40
"""How many of the program's last log lines a result keeps (for people and the reflective mutator)."""

Unit = TypeVar("Unit")
Outcome = TypeVar("Outcome")


@dataclass
class Costs:
    """What an evaluation cost, measured by the host: seconds per program operation, characters read,
    model and embedding calls. `agent_llm_calls` is None when the agent does not count its model calls."""

    write_seconds: list[float] = field(default_factory=list)
    read_seconds: list[float] = field(default_factory=list)
    read_chars: list[int] = field(default_factory=list)
    truncated_reads: int = 0
    program_llm_calls: int = 0
    embed_calls: int = 0
    agent_llm_calls: int | None = None

    def add_write(self, stats: OperationStats) -> None:
        self.write_seconds.append(stats.seconds)
        self._add_calls(stats)

    def add_read(self, stats: OperationStats, chars: int, truncated: bool) -> None:
        self.read_seconds.append(stats.seconds)
        self._add_calls(stats)
        self.read_chars.append(chars)
        self.truncated_reads += int(truncated)

    def _add_calls(self, stats: OperationStats) -> None:
        self.program_llm_calls += stats.llm_calls
        self.embed_calls += stats.embed_calls

    def summary(self, seconds: float) -> dict[str, float]:
        """The `cost` of a result: means and medians per operation, totals of calls, wall seconds.

        `llm_calls` counts the program's calls and, when the agent counts its own, the agent's too (then
        also given apart); `llm_calls_per_operation` is the program's alone, a trait of the memory."""
        operations = len(self.write_seconds) + len(self.read_seconds)
        agent_calls = self.agent_llm_calls or 0
        cost = {
            "read_chars_mean": statistics.fmean(self.read_chars) if self.read_chars else 0.0,
            "truncated_reads": float(self.truncated_reads),
            "write_seconds_median": statistics.median(self.write_seconds) if self.write_seconds else 0.0,
            "read_seconds_median": statistics.median(self.read_seconds) if self.read_seconds else 0.0,
            "llm_calls": float(self.program_llm_calls + agent_calls),
            "llm_calls_per_operation": self.program_llm_calls / operations if operations else 0.0,
            "embed_calls": float(self.embed_calls),
            "seconds": seconds,
        }
        if self.agent_llm_calls is not None:
            cost["program_llm_calls"] = float(self.program_llm_calls)
            cost["agent_llm_calls"] = float(agent_calls)
        return cost


PER_OPERATION_COSTS = frozenset(
    {"read_chars_mean", "write_seconds_median", "read_seconds_median", "llm_calls_per_operation"}
)
"""The keys of `Costs.summary` that are per operation; every other one is a total over the evaluation."""


class Memory:
    """The memory program under evaluation, as an episode uses it.

    `write` and `read` take the agent's filled KnowledgeItem and Query (JSON objects); `read` returns
    what the program returned, cut at the read budget, so neither the agent nor any metric ever sees
    more. Every operation is counted in the evaluation's costs and its log lines are kept. A program
    failure raises `ProgramFailure`, which the runner turns into a failed result: episodes let it pass.
    """

    def __init__(self, session: MemorySession, read_char_limit: int, costs: Costs, logs: list[str]) -> None:
        self._session = session
        self._read_char_limit = read_char_limit
        self._costs = costs
        self._logs = logs

    @property
    def program(self) -> ProgramDescription:
        """The program's schemas and instructions: what an agent needs to fill its items and queries."""
        return self._session.description

    def write(self, item: dict[str, Any], raw_text: str) -> None:
        self._costs.add_write(self._session.write(item, raw_text))
        self._logs.extend(self._session.drain_logs())

    def read(self, query: dict[str, Any]) -> str:
        context, stats = self._session.read(query)
        truncated = len(context) > self._read_char_limit
        context = context[: self._read_char_limit]
        self._costs.add_read(stats, len(context), truncated)
        self._logs.extend(self._session.drain_logs())
        return context


@dataclass
class Played(Generic[Outcome]):
    """What playing a split's units gave: every episode's outcomes in order, the costs, the log lines, and
    the program's failure if one ended it (then `outcomes` holds only the episodes before it)."""

    outcomes: list[Outcome]
    costs: Costs
    logs: list[str]
    failure: ProgramFailure | None = None


def play_units(
    units: Iterable[Unit],
    play: Callable[[Unit, Memory], Iterable[Outcome]],
    source: str,
    session_factory: SessionFactory,
    capabilities: Capabilities,
    read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
    agent: object = None,
    on_episode: Callable[[], None] | None = None,
) -> Played[Outcome]:
    """Play each unit with a fresh instance of `source`; stop at the first program failure.

    An `agent` with an `llm_calls` counter has its calls counted in the costs (`agent_llm_calls`);
    `on_episode` is called after each episode played to its end.
    """
    counting = isinstance(getattr(agent, "llm_calls", None), int)
    costs = Costs(agent_llm_calls=0 if counting else None)
    outcomes: list[Outcome] = []
    logs: list[str] = []
    for unit in units:
        session = None
        calls_before = getattr(agent, "llm_calls", 0)
        try:
            session = session_factory(source, capabilities)
            outcomes.extend(play(unit, Memory(session, read_char_limit, costs, logs)))
        except ProgramFailure as failure:
            return Played(outcomes, costs, logs + failure.logs, failure)
        finally:
            if costs.agent_llm_calls is not None:
                costs.agent_llm_calls += agent.llm_calls - calls_before  # type: ignore[union-attr]
            if session is not None:
                session.close()
        if on_episode is not None:
            on_episode()
    return Played(outcomes, costs, logs)


@dataclass(frozen=True)
class ResultHeader:
    """What names an evaluation: domain, split, agent, and the data (name and split fingerprint)."""

    domain: str
    split: str
    agent: str
    data_name: str
    data_fingerprint: str


def to_result(
    header: ResultHeader,
    played: Played[Any],
    cases: Sequence[CaseResult],
    summarize: Summarize,
    seconds: float,
    extra_cost: dict[str, float] | None = None,
) -> EvaluationResult:
    """The evaluation's result: failed (score 0, with the failure and the last log lines) if the program
    failed, else its cases summarized overall and per category; `metrics["score"]` is the score."""
    identity = {name: getattr(header, name) for name in header.__dataclass_fields__}
    cost = played.costs.summary(seconds) | (extra_cost or {})
    logs = tuple(played.logs[-LOG_LINES:])
    if played.failure is not None:
        return EvaluationResult(
            **identity,
            status="failed",
            score=0.0,
            cost=cost,
            failure_reason=played.failure.reason.value,
            failure_message=played.failure.message,
            logs=logs,
        )
    metrics, by_category = aggregate(cases, summarize)
    return EvaluationResult(
        **identity,
        status="ok",
        score=float(metrics.get("score") or 0.0),
        metrics=metrics,
        by_category=by_category,
        cost=cost,
        logs=logs,
        cases=tuple(cases),
    )
