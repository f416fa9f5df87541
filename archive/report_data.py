"""What the run report shows, gathered from the archive into plain dataclasses.

Kept apart from the rendering so that the numbers can be tested without HTML, and so that the
template only formats. A program's score here is its best successful `select` evaluation in the run,
as `ArchiveStore.best_programs` ranks them; "the best program" is the one the run itself reported in
its summary (the island database's best), falling back to the best `select` score for unfinished runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from archive.diffs import DiffLine, change_size, diff_lines
from archive.errors import ArchiveError
from archive.models import Candidate, Evaluation, Program, Run
from archive.operator_stats import OperatorStats, operator_stats
from archive.queries import SHOWN_ID_CHARS, FailureCounts, LLMCost, ProgressPoint
from archive.store import ArchiveStore

_FULL_ID = re.compile(rf"\b([0-9a-f]{{{SHOWN_ID_CHARS}}})[0-9a-f]{{{64 - SHOWN_ID_CHARS}}}\b")


def abbreviate_ids(text: str) -> str:
    """`text` with every full program id (64 hex digits, as mutators write them) cut to its shown prefix."""
    return _FULL_ID.sub(r"\1", text)


@dataclass(frozen=True)
class ScoredProgram:
    """A program of the run with its best successful `select` evaluation (None if it has none)."""

    program: Program
    select: Evaluation | None

    @property
    def is_seed(self) -> bool:
        return not self.program.parent_ids

    @property
    def label(self) -> str:
        return self.program.seed_name or self.program.id[:SHOWN_ID_CHARS]

    @property
    def score(self) -> float | None:
        return None if self.select is None else self.select.score

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
    best_test: Evaluation | None
    best_seed: ScoredProgram
    seed_test: Evaluation | None
    programs: list[ScoredProgram]
    candidates: list[Candidate]
    progress: list[ProgressPoint]
    islands: int
    lineage: list[LineageStep]
    failures: FailureCounts
    llm_cost: LLMCost
    operators: list[OperatorStats] = field(default_factory=list)
    """What each mutation operator did (tried, made, improved its parent), most tried first."""

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
    programs = [
        ScoredProgram(program, best_select.get(program.id)) for program, _ in store.run_programs(run.id)
    ]
    by_id = {p.program.id: p for p in programs}
    seeds = [p for p in programs if p.is_seed and p.select is not None]
    if not ranked or not seeds:
        raise ArchiveError(
            f"run {run.id} has no successful evaluation of a seed yet; report it once its seeds are evaluated"
        )
    summary = run.summary or {}
    best = by_id.get(summary.get("best_program_id", "")) or by_id[ranked[0][0].id]
    best_seed = by_id.get(summary.get("best_seed_program_id", "")) or max(
        seeds, key=lambda p: (p.score or 0.0, p.program.id)
    )
    tests = _latest_ok(store.run_evaluations(run.id, split="test"))
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


def _latest_ok(evaluations: list[Evaluation]) -> dict[str, Evaluation]:
    latest: dict[str, Evaluation] = {}
    for evaluation in evaluations:  # oldest first, so the last one kept is the latest
        if evaluation.ok:
            latest[evaluation.program_id] = evaluation
    return latest


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
