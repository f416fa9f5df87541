"""The rank-reliability arithmetic the planning transfer benchmark reports its ceiling with."""

import random
import statistics

import pytest

from benchmarks.rank_reliability import (
    ceiling,
    pairwise_reliability,
    random_split_halves,
    ranks,
    spearman,
    spearman_brown,
    split_half_reliability,
)


def test_ties_share_their_mean_rank() -> None:
    assert ranks([3.0, 1.0, 3.0, 2.0]) == [3.5, 1.0, 3.5, 2.0]


def test_spearman_of_orders() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) == 0.0


def test_spearman_brown_steps_up_positive_reliability_only() -> None:
    assert spearman_brown(0.5, 2) == pytest.approx(2 / 3)
    assert spearman_brown(0.5, 1) == pytest.approx(0.5)
    assert spearman_brown(-0.2, 4) == -0.2


def test_ceiling_is_the_geometric_mean_of_reliabilities() -> None:
    assert ceiling(0.81, 0.49) == pytest.approx(0.63)
    assert ceiling(-0.1, 0.9) == 0.0


def test_units_that_agree_are_reliable_and_units_that_disagree_are_not() -> None:
    agreeing = [[1.0, 2.0, 3.0, 4.0]] * 4
    assert pairwise_reliability(4, lambda idx: [sum(agreeing[i][s] for i in idx) for s in range(4)]) == (
        pytest.approx(1.0),
        pytest.approx(1.0),
    )
    shuffled = [[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]]
    half, stepped = split_half_reliability(
        4, lambda idx: [sum(shuffled[i][s] for i in idx) for s in range(4)]
    )
    assert (half, stepped) == (pytest.approx(-1.0), pytest.approx(-1.0))  # even units rise, odd fall
    pair, pooled = pairwise_reliability(4, lambda idx: [sum(shuffled[i][s] for i in idx) for s in range(4)])
    assert pair == pytest.approx(-1 / 3) and pooled == pytest.approx(-1 / 3)


def test_random_halves_of_groups_tell_a_shared_ranking_from_group_noise() -> None:
    """Groups that rank the items alike give halves that agree; groups each ranking them at random give
    halves that agree only by chance; a shared ranking under the noise shows through."""
    items = [float(i) for i in range(12)]

    def mean_of_halves(columns: list[list[float]], splits: int) -> float:
        def pool(idx):
            return [sum(columns[i][s] for i in idx) for s in range(len(items))]

        halves = random_split_halves(len(columns), pool, splits)
        assert len(halves) == splits
        return statistics.fmean(halves)

    assert mean_of_halves([items] * 8, 20) == pytest.approx(1.0)
    rng = random.Random(1)
    noise = [rng.sample(items, len(items)) for _ in range(40)]
    assert abs(mean_of_halves(noise, 200)) < 0.35
    shared = [[a + b for a, b in zip(column, items, strict=True)] for column in noise]
    assert mean_of_halves(shared, 200) > 0.8
