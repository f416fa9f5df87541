"""Choosing the next candidate's operator by what has worked in this run: Thompson sampling (a bandit).

Each operator's chance of making a child that beats its parent is a Beta distribution: the same weak
prior for every operator (before the run has a record, none is favoured: the mutator's fixed weights
would spend most candidates on constants, the knob-turning this choice exists to get past), updated with
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
from evolve.mutators.structural import OPERATORS

PRIOR_STRENGTH = 4.0
"""How many candidates' worth of evidence the prior is: small, so a few results move the choice."""
PRIOR_RATE = 0.3
"""The prior chance that an operator's child beats its parent."""


def choose_operator(
    rng: random.Random, stats: Sequence[OperatorStats], operators: Sequence[str] = OPERATORS
) -> str:
    """The operator with the highest Thompson draw; equal draws go to the first listed."""
    by_name = {row.operator: row for row in stats}
    best, best_draw = operators[0], -1.0
    for kind in operators:
        row = by_name.get(kind)
        successes = row.improved if row else 0
        failures = row.tried - row.improved if row else 0
        draw = rng.betavariate(
            PRIOR_STRENGTH * PRIOR_RATE + successes, PRIOR_STRENGTH * (1 - PRIOR_RATE) + failures
        )
        if draw > best_draw:
            best, best_draw = kind, draw
    return best
