"""What the run report shows, gathered from the archive into plain dataclasses.

Kept apart from the rendering so that the numbers can be tested without HTML, and so that the
template only formats. A program's score here is its `select` score on the run's data (the mean over
the run's datasets, as the run selected: `ArchiveStore.run_scores`), never a score on other data; "the
best program" is the one the run itself reported in its summary (the island database's best), falling
back to the best `select` score for unfinished runs. Per-dataset scores, transfer results and the
gains' intervals come from the run's summary, as the run computed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archive.diffs import DiffLine, change_size, diff_lines
from archive.errors import ArchiveError
from archive.models import Candidate, Evaluation, Program, Run
from archive.operator_stats import OperatorStats, operator_stats
from archive.queries import SHOWN_ID_CHARS, FailureCounts, ProgressPoint
from archive.store import ArchiveStore
from providers.accounting import LedgerTotals

_FULL_ID = re.compile(rf"\b([0-9a-f]{{{SHOWN_ID_CHARS}}})[0-9a-f]{{{64 - SHOWN_ID_CHARS}}}\b")


def abbreviate_ids(text: str) -> str:
    """`text` with every full program id (64 hex digits, as mutators write them) cut to its shown prefix."""
    return _FULL_ID.sub(r"\1", text)


@dataclass(frozen=True)
class ScoredProgram:
    """A program of the run with its `select` score on the run's data (None if it has none) and one
    of its successful `select` evaluations there, whose costs and categories the report shows."""

    program: Program
    select: Evaluation | None
    score: float | None = None

    @property
    def is_seed(self) -> bool:
        return not self.program.parent_ids

    @property
    def label(self) -> str:
        return self.program.seed_name or self.program.id[:SHOWN_ID_CHARS]

    def cost(self, key: str) -> float:
        return float((self.select.cost if self.select else {}).get(key) or 0.0)


@dataclass(frozen=True)
class LineageStep:
    """One step of the best program's primary-parent chain and the diff that made it."""

    program: Program
    score: float | None
    parent_label: str | None
    diff: list[DiffLine]
    other_parents: list[str]

    @property
    def label(self) -> str:
        return self.program.seed_name or self.program.id[:SHOWN_ID_CHARS]

    @property
    def size(self) -> tuple[int, int]:
        return change_size(self.diff)


@dataclass(frozen=True)
class RunReport:
    """Everything the report page shows about one run."""

    run: Run
    generated_at: datetime
    best: ScoredProgram
    best_test: float | None
    best_seed: ScoredProgram
    seed_test: float | None
    programs: list[ScoredProgram]
    candidates: list[Candidate]
    progress: list[ProgressPoint]
    islands: int
    lineage: list[LineageStep]
    failures: FailureCounts
    llm_cost: LedgerTotals
    operators: list[OperatorStats] = field(default_factory=list)
    """What each mutation operator did (tried, made, improved its parent), most tried first."""

    @property
    def data_specs(self) -> list[str]:
        """The data the run selected on, as its config names it (one spec in runs before several)."""
        specs = self.run.config.get("data") or []
        return [specs] if isinstance(specs, str) else list(specs)

    @property
    def per_data(self) -> list[dict[str, Any]]:
        """The run's summary per dataset (scores of the winner and the best seed, test gain)."""
        return list((self.run.summary or {}).get("data") or [])

    @property
    def test_gain(self) -> dict[str, Any] | None:
        return (self.run.summary or {}).get("test_gain")

    @property
    def select_gain(self) -> dict[str, Any] | None:
        """The best candidate's gain over the best seed on `select` with its interval (runs since the
        winner had to beat the seed beyond that interval; None before, or when no candidate was higher)."""
        return (self.run.summary or {}).get("select_gain")

    @property
    def best_candidate_id(self) -> str | None:
        """The best program on `select`, which is not the winner when its gain there is within noise."""
        return (self.run.summary or {}).get("best_candidate_id")

    @property
    def transfer(self) -> list[dict[str, Any]]:
        """The winner against every seed on data the run never saw, as the run's summary has it."""
        return list((self.run.summary or {}).get("transfer") or [])

    @property
    def seeds(self) -> list[ScoredProgram]:
        return [p for p in self.programs if p.is_seed and p.select is not None]

    @property
    def evaluated(self) -> list[ScoredProgram]:
        return [p for p in self.programs if p.select is not None]

    def count(self, status: str) -> int:
        return sum(candidate.status == status for candidate in self.candidates)


def collect_report(store: ArchiveStore, run_id: str) -> RunReport:
    """The report of the run `run_id` (or id prefix); `ArchiveError` if it has nothing evaluated yet."""
    run = store.get_run(run_id)
    ranked = store.best_programs(run.domain, "select", limit=None, run_id=run.id)
    best_select = {program.id: evaluation for program, evaluation in ranked}
    on_run = store.run_scores(run.id, "select")
    programs = [
        ScoredProgram(
            program, best_select.get(program.id) if program.id in on_run else None, on_run.get(program.id)
        )
        for program, _ in store.run_programs(run.id)
    ]
    by_id = {p.program.id: p for p in programs}
    seeds = [p for p in programs if p.is_seed and p.select is not None]
    if not on_run or not seeds:
        raise ArchiveError(
            f"run {run.id} has no successful evaluation of a seed yet; report it once its seeds are evaluated"
        )
    summary = run.summary or {}
    best = by_id.get(summary.get("best_program_id", "")) or max(
        (p for p in programs if p.score is not None), key=lambda p: (p.score or 0.0, p.program.id)
    )
    best_seed = by_id.get(summary.get("best_seed_program_id", "")) or max(
        seeds, key=lambda p: (p.score or 0.0, p.program.id)
    )
    tests = store.run_scores(run.id, "test")
    candidates = store.candidates(run.id)
    islands = int(run.config.get("islands") or 0) or 1 + max(
        (c.island for c in candidates if c.island is not None), default=0
    )
    return RunReport(
        run=run,
        generated_at=datetime.now(UTC),
        best=best,
        best_test=tests.get(best.program.id),
        best_seed=best_seed,
        seed_test=tests.get(best_seed.program.id),
        programs=programs,
        candidates=candidates,
        progress=store.run_progress(run.id),
        islands=islands,
        lineage=_lineage(store, best.program.id, by_id),
        failures=store.failure_counts(run.id),
        llm_cost=store.llm_cost(run.id),
        operators=operator_stats(store, run.id),
    )


def _lineage(store: ArchiveStore, program_id: str, scored: dict[str, ScoredProgram]) -> list[LineageStep]:
    chain = store.lineage(program_id)
    steps = []
    for index, program in enumerate(chain):
        parent = chain[index - 1] if index else None
        known = scored.get(program.id)
        label = program.seed_name or program.id[:SHOWN_ID_CHARS]
        steps.append(
            LineageStep(
                program=program,
                score=known.score if known else None,
                parent_label=None if parent is None else (parent.seed_name or parent.id[:SHOWN_ID_CHARS]),
                diff=[]
                if parent is None
                else diff_lines(
                    parent.source,
                    program.source,
                    parent.seed_name or parent.id[:SHOWN_ID_CHARS],
                    label,
                ),
                other_parents=[pid[:SHOWN_ID_CHARS] for pid in program.parent_ids[1:]],
            )
        )
    return steps


def pareto_front(points: list[tuple[float, float]]) -> set[int]:
    """Indices of the (cost, score) points no other point beats: lower-or-equal cost and higher-or-equal
    score with one of them strict. Equal points are all on the front."""
    front = set()
    for index, (cost, score) in enumerate(points):
        dominated = any(
            other_cost <= cost and other_score >= score and (other_cost < cost or other_score > score)
            for other_cost, other_score in points
        )
        if not dominated:
            front.add(index)
    return front
