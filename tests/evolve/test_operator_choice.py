"""The adaptive operator choice: it follows what improved parents in the run, deterministically."""

from __future__ import annotations

import random
from collections import Counter

from archive.operator_stats import OperatorStats
from evolve.mutators.operator_choice import choose_operator
from evolve.mutators.structural import OPERATORS

KINDS = ("constant", "neighbours", "fusion")


def picks(stats: list[OperatorStats], n: int = 400) -> Counter[str]:
    return Counter(choose_operator(random.Random(f"7:{i}"), stats, KINDS) for i in range(n))


def test_with_no_record_no_operator_is_favoured():
    counts = picks([])
    assert set(counts) == set(KINDS) and min(counts.values()) > 100


def test_an_operator_that_keeps_beating_its_parents_is_preferred_and_an_untried_one_still_gets_tried():
    stats = [
        OperatorStats("neighbours", tried=10, accepted=10, improved=7, gains=(0.01,) * 10),
        OperatorStats("constant", tried=20, accepted=12, improved=1, gains=(0.0,) * 12),
    ]
    counts = picks(stats)
    assert counts.most_common(1)[0][0] == "neighbours"
    assert counts["constant"] < picks([])["constant"] and counts["fusion"] > 20


def test_the_same_random_stream_and_record_give_the_same_operator():
    stats = [OperatorStats("fusion", tried=3, accepted=3, improved=2, gains=(0.02, 0.01, -0.01))]
    first = [choose_operator(random.Random(f"3:{i}"), stats) for i in range(50)]
    assert first == [choose_operator(random.Random(f"3:{i}"), stats) for i in range(50)]
    assert set(first) <= set(OPERATORS)
