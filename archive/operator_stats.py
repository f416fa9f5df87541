"""What each mutation operator did in a run: how often it was tried, made a program, and beat its parent.

A candidate's operator is the part of an offline mutator's name after "structural:"
("structural:neighbours" -> "neighbours"); any other mutator counts as itself (e.g. "llm:openai:...").
A child improved its parent when its `select` score (on the run's data) is above its primary parent's.
Everything is read from the archive, so the numbers are the same during a run, after it, and after a
resume.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from archive.store import ArchiveStore


@dataclass(frozen=True)
class OperatorStats:
    """One operator's record in a run. `gains` are child minus parent `select` scores, one per child
    evaluated with its parent."""

    operator: str
    tried: int
    accepted: int
    improved: int
    gains: tuple[float, ...]

    @property
    def best_gain(self) -> float | None:
        return max(self.gains) if self.gains else None

    @property
    def mean_gain(self) -> float | None:
        return sum(self.gains) / len(self.gains) if self.gains else None

    def to_json(self) -> dict[str, object]:
        return {
            "operator": self.operator,
            "tried": self.tried,
            "accepted": self.accepted,
            "evaluated": len(self.gains),
            "improved": self.improved,
            "best_gain": self.best_gain,
            "mean_gain": self.mean_gain,
        }


def operator_of(mutator: str) -> str:
    return mutator.removeprefix("structural:")


def operator_stats(
    store: ArchiveStore, run_id: str, leaving_out: Collection[int] = ()
) -> list[OperatorStats]:
    """Per operator of the run's candidates, most tried first (ties by name), leaving out the candidates
    whose sequence numbers are in `leaving_out` (a running loop's: those whose outcome it has not taken
    in yet, recorded or not, so that its choices do not hang on which of them finished first)."""
    run = store.get_run(run_id)
    scores = store.run_scores(run.id, "select")  # the mean over the run's datasets, as it selected
    tried: dict[str, int] = defaultdict(int)
    accepted: dict[str, int] = defaultdict(int)
    improved: dict[str, int] = defaultdict(int)
    gains: dict[str, list[float]] = defaultdict(list)
    for candidate in store.candidates(run.id):
        if candidate.sequence in leaving_out:
            continue
        operator = operator_of(candidate.mutator)
        tried[operator] += 1
        if candidate.status != "accepted":
            continue
        accepted[operator] += 1
        child = scores.get(candidate.program_id or "")
        parent = scores.get(candidate.parent_ids[0]) if candidate.parent_ids else None
        if child is not None and parent is not None:
            gains[operator].append(child - parent)
            improved[operator] += child > parent
    return sorted(
        (
            OperatorStats(name, tried[name], accepted[name], improved[name], tuple(gains[name]))
            for name in tried
        ),
        key=lambda stats: (-stats.tried, stats.operator),
    )
