"""The adaptive operator choice: it follows what improved parents in the run, deterministically."""

from __future__ import annotations

import random
from collections import Counter

from archive.operator_stats import OperatorStats
from evolve.mutators.operator_choice import choose_operator
from evolve.mutators.structural import OPERATORS

WEIGHTS = (("constant", 5.0), ("neighbours", 1.0), ("fusion", 1.5))


def picks(stats: list[OperatorStats], n: int = 400) -> Counter[str]:
    return Counter(choose_operator(random.Random(f"7:{i}"), stats, WEIGHTS) for i in range(n))


def test_with_no_record_the_choice_follows_the_mutators_weights():
    counts = picks([])
    assert counts["constant"] > counts["fusion"] > counts["neighbours"] > 0


def test_an_operator_that_keeps_beating_its_parents_is_preferred_and_a_failing_one_is_not_starved():
    stats = [
        OperatorStats("neighbours", tried=10, accepted=10, improved=7, gains=(0.01,) * 10),
        OperatorStats("constant", tried=20, accepted=12, improved=1, gains=(0.0,) * 12),
    ]
    counts = picks(stats)
    assert counts.most_common(1)[0][0] == "neighbours"
    assert counts["constant"] > 0 and counts["fusion"] > 0


def test_the_same_random_stream_and_record_give_the_same_operator():
    stats = [OperatorStats("fusion", tried=3, accepted=3, improved=2, gains=(0.02, 0.01, -0.01))]
    first = [choose_operator(random.Random(f"3:{i}"), stats) for i in range(50)]
    assert first == [choose_operator(random.Random(f"3:{i}"), stats) for i in range(50)]
    assert set(first) <= set(OPERATORS)
