"""Cascade evaluation (as in AlphaEvolve and OpenEvolve): a cheap first look before the full evaluation.

Most children are worse than the best program of their island, and an evaluation on all of `select` is
what a candidate costs (hundreds of model calls with the LLM agent). So a candidate is first evaluated
on a fixed, small part of `select` (the `cascade` split: a quarter of its units, see `evaluators.splits`),
and goes on to all of `select` only when that score is within `margin` of what its island's best program
scored on the same part. A candidate stopped there never enters the population.

Scores on the part are only ever compared with scores on the same part: every program that can be an
island's best (seeds, and candidates that went on) has one. They are evaluations of their own split, with
the part's own data fingerprint, so the archive reuses them on resume like any other evaluation and no
query for `select` ever sees them. With fewer select units than the part needs, the part is all of
`select` (same fingerprint) and the cascade is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cascade:
    """The run's cascade: its margin (None: off), and every score on the part seen so far."""

    margin: float | None
    scores: dict[str, float] = field(default_factory=dict)
    """Program id -> its score on the cascade part."""

    @property
    def on(self) -> bool:
        return self.margin is not None

    def needs_first_look(self, program_id: str) -> bool:
        """Whether a `select` evaluation of this program should be a cascade one first."""
        return self.on and program_id not in self.scores

    def goes_on(self, program_id: str, score: float, best_id: str | None) -> bool:
        """Record the program's score on the part; True when it deserves all of `select`: within the
        margin of the island's best on the same part, or nothing there to compare with."""
        self.scores[program_id] = score
        best = self.scores.get(best_id) if best_id is not None else None
        return best is None or self.margin is None or score >= best - self.margin
