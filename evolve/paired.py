"""A paired comparison of two programs on the same cases: how far apart they are, and how surely.

Two programs evaluated on the same questions differ case by case; the difference of their scores is the
mean of those differences, and its standard error says how much of it one small sample can be trusted
with. The cascade (`evolve.cascade`) decides on this rather than on the two means alone: on one
conversation, a child slightly better on all of `select` is often a few questions worse there
(docs/cascade.md), and a comparison of means stops it for that noise.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CaseValues = Mapping[str, float]
"""One dataset's cases of one evaluation: case key -> the case's own selection score."""


@dataclass(frozen=True)
class PairedDifference:
    """Candidate minus reference: the score difference, its standard error, and whether any case differs."""

    mean: float
    standard_error: float
    differs: bool


def paired_difference(
    score_difference: float,
    candidate: Sequence[CaseValues],
    reference: Sequence[CaseValues],
) -> PairedDifference:
    """The paired comparison of two evaluations of the same data (one `CaseValues` per dataset, in the
    same order). `score_difference` is the difference of their selection scores (the mean of the
    datasets' scores), kept exactly; the standard error is that of the mean of the datasets' mean case
    differences, each over the cases both evaluations hold."""
    if len(candidate) != len(reference) or not candidate:
        raise ValueError("a paired comparison needs the same datasets on both sides, at least one")
    variance = 0.0
    differs = score_difference != 0.0
    for ours, theirs in zip(candidate, reference, strict=True):
        differs = differs or ours.keys() != theirs.keys()
        differences = [ours[key] - theirs[key] for key in sorted(ours.keys() & theirs.keys())]
        differs = differs or any(difference != 0.0 for difference in differences)
        if len(differences) > 1:
            variance += statistics.variance(differences) / len(differences)
    return PairedDifference(score_difference, math.sqrt(variance) / len(candidate), differs)
