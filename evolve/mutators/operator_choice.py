"""Choosing the next candidate's operator by what has worked in this run: Thompson sampling (a bandit).

Each operator's chance of making a child that beats its parent is a Beta distribution: a prior whose
mean follows the structural mutator's fixed weights (constants are tried most at first), updated with
the run's record from the archive (a child that beat its parent is a success; a child that did not, a
candidate it could not make, or a duplicate, a failure). The operator with the highest draw is preferred.
So operators that raise scores on this data are tried more, and none is ever starved.

The state is the archive, not memory: a resumed run chooses as the uninterrupted run would have, and
the draws come from the candidate's own random stream (`Random(f"{seed}:{sequence}")`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from archive.operator_stats import OperatorStats
from evolve.mutators.structural import OPERATOR_WEIGHTS

PRIOR_STRENGTH = 4.0
"""How many candidates' worth of evidence the prior is: small, so a few results move the choice."""
PRIOR_BEST_RATE = 0.5
"""The prior chance of success of the most-weighted operator; the others' scale with their weights."""


def choose_operator(
    rng: random.Random,
    stats: Sequence[OperatorStats],
    weights: Sequence[tuple[str, float]] = OPERATOR_WEIGHTS,
) -> str:
    """The operator with the highest Thompson draw; ties (and equal draws) go to the first listed."""
    by_name = {row.operator: row for row in stats}
    heaviest = max(weight for _, weight in weights)
    best, best_draw = weights[0][0], -1.0
    for kind, weight in weights:
        prior = PRIOR_BEST_RATE * weight / heaviest
        row = by_name.get(kind)
        successes = row.improved if row else 0
        failures = row.tried - row.improved if row else 0
        draw = rng.betavariate(PRIOR_STRENGTH * prior + successes, PRIOR_STRENGTH * (1 - prior) + failures)
        if draw > best_draw:
            best, best_draw = kind, draw
    return best
