"""The paired bootstrap behind every reported gain: deterministic, and honest about what units can show."""

from __future__ import annotations

import random
import statistics

import pytest

from evolve.bootstrap import Paired, fewest_units_higher, paired_gain


def mean(cases: list[float]) -> float:
    return statistics.fmean(cases) if cases else 0.0


def units(scores: list[list[float]]) -> dict[str, list[float]]:
    return {f"u{index}": cases for index, cases in enumerate(scores)}


def test_a_gain_on_every_unit_has_an_interval_that_excludes_zero() -> None:
    rng = random.Random(1)
    seed = [[rng.random() * 0.5 for _ in range(5)] for _ in range(20)]
    winner = [[score + 0.1 + rng.random() * 0.05 for score in cases] for cases in seed]
    gain = paired_gain([Paired(units(winner), units(seed))], mean)
    assert 0.1 < gain.gain < 0.15
    assert 0.0 < gain.low <= gain.gain <= gain.high
    assert not gain.includes_zero
    assert gain.units == 20


def test_a_gain_carried_by_one_unit_of_many_has_an_interval_that_includes_zero() -> None:
    rng = random.Random(2)
    seed = [[rng.random() for _ in range(5)] for _ in range(10)]
    # Better on one conversation, worse on another, equal elsewhere: the mean gain is luck of the draw.
    winner = [list(cases) for cases in seed]
    winner[0] = [score + 0.8 for score in winner[0]]
    winner[1] = [score - 0.5 for score in winner[1]]
    gain = paired_gain([Paired(units(winner), units(seed))], mean)
    assert gain.gain > 0
    assert gain.includes_zero


def test_two_units_that_disagree_cannot_show_a_gain() -> None:
    seed = [[0.5, 0.5], [0.5, 0.5]]
    winner = [[0.9, 0.9], [0.3, 0.3]]
    gain = paired_gain([Paired(units(winner), units(seed))], mean)
    assert gain.gain == pytest.approx(0.1)
    assert gain.low == pytest.approx(-0.2) and gain.high == pytest.approx(0.4)


def test_the_interval_is_the_same_for_the_same_seed_and_moves_with_another() -> None:
    rng = random.Random(3)
    seed = [[rng.random() for _ in range(3)] for _ in range(15)]
    winner = [[rng.random() for _ in range(3)] for _ in range(15)]
    strata = [Paired(units(winner), units(seed))]
    first, again = paired_gain(strata, mean, seed=7), paired_gain(strata, mean, seed=7)
    assert first == again
    assert paired_gain(strata, mean, seed=8) != first


def test_strata_average_their_gains_as_a_run_averages_its_datasets() -> None:
    up = Paired(units([[1.0], [1.0]]), units([[0.0], [0.0]]))
    flat = Paired(units([[0.5], [0.5]]), units([[0.5], [0.5]]))
    gain = paired_gain([up, flat], mean)
    assert gain.gain == gain.low == gain.high == pytest.approx(0.5)
    assert gain.units == 4


def test_programs_without_a_shared_unit_are_refused() -> None:
    with pytest.raises(ValueError, match="units that both programs"):
        paired_gain([Paired({"a": [1.0]}, {"b": [0.0]})], mean)


def test_a_gain_says_on_how_many_units_each_alone_the_first_program_scored_higher_and_lower() -> None:
    seed = [[0.5, 0.5] for _ in range(6)]
    winner = [[0.9, 0.9], [0.7, 0.5], [0.4, 0.4], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    gain = paired_gain([Paired(units(winner), units(seed))], mean)
    assert (gain.higher, gain.lower, gain.units) == (2, 1, 6)
    assert gain.to_json()["higher"] == 2 and gain.to_json()["lower"] == 1


@pytest.mark.parametrize("units_count", [4, 6, 12, 18, 45])
def test_a_gain_carried_by_fewer_units_than_fewest_units_higher_cannot_leave_out_zero(
    units_count: int,
) -> None:
    """With none lower and the rest tied, the interval leaves out zero from `fewest_units_higher` units
    higher, and not from one fewer: what a run's summary tells a user whose candidate was turned down."""
    needed = fewest_units_higher(units_count)
    seed = [[0.5] for _ in range(units_count)]
    for higher, excludes_zero in ((needed - 1, False), (needed, True)):
        winner = [[0.6] if index < higher else [0.5] for index in range(units_count)]
        gain = paired_gain([Paired(units(winner), units(seed))], mean)
        assert (gain.low > 0.0) is excludes_zero, (units_count, higher, gain)
