"""The cascade's decision on its first part: case by case against the programs seen there and the best.

A child that scores every case of the part as a program seen before did shows nothing new and stops;
one a few questions below the best (within the noise of the part's cases) goes on; one clearly below
stops. The old rule compared means only: it sent every tie on and stopped every child a hair below.
"""

from __future__ import annotations

import math

import pytest

from evolve.cascade import Cascade, PartResult
from evolve.paired import paired_difference

BEST = {f"c/{i}": value for i, value in enumerate([1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 0.5, 0.0])}
"""The island best's cases on the part: eight cases, mean 0.5."""


def part(cases: dict[str, float]) -> PartResult:
    return PartResult(sum(cases.values()) / len(cases), (cases,))


def cascade_with_best(margin: float = 0.0) -> Cascade:
    cascade = Cascade(margin)
    assert cascade.goes_on("best", part(BEST), None), "with nothing to compare with, it goes on"
    return cascade


def test_a_child_that_scores_every_case_as_the_best_stops() -> None:
    cascade = cascade_with_best()
    assert not cascade.goes_on("copy", part(dict(BEST)), "best")
    assert "copy" in cascade.parts and not cascade.needs_first_look("copy")


def test_a_child_that_scores_every_case_as_any_program_seen_before_stops() -> None:
    cascade = cascade_with_best()
    parent = {**BEST, "c/0": 0.5}  # within the noise below the best: it went on
    assert cascade.goes_on("parent", part(parent), "best")
    assert not cascade.goes_on("child", part(dict(parent)), "best")
    assert cascade.goes_on("changed", part({**parent, "c/1": 0.5}), "best")
    assert not cascade.goes_on("cousin", part(dict(parent)), "best"), "a copy of any program seen stops"
    # What was seen is the part's cases, not a score: the same score from other cases is new.
    assert cascade.goes_on("shuffled", part({**parent, "c/0": 1.0, "c/2": 0.0}), "best")


def test_a_child_a_little_below_the_best_within_the_noise_goes_on() -> None:
    # One question lost and one half gained: 1/16 below the best, far inside two standard errors.
    child = {**BEST, "c/0": 0.0, "c/1": 0.5}
    assert part(child).score < part(BEST).score
    assert cascade_with_best().goes_on("child", part(child), "best")


def test_a_child_clearly_below_the_best_stops() -> None:
    child = {key: max(0.0, value - 0.5) for key, value in BEST.items()}
    assert not cascade_with_best().goes_on("child", part(child), "best")


def test_a_child_that_differs_and_scores_the_same_mean_goes_on() -> None:
    child = {**BEST, "c/0": 0.5, "c/2": 1.0}  # -0.5 on one case, +0.5 on another
    assert part(child).score == part(BEST).score
    assert cascade_with_best().goes_on("child", part(child), "best")


def test_the_margin_lets_a_clearly_lower_child_on() -> None:
    child = {key: max(0.0, value - 0.5) for key, value in BEST.items()}
    assert cascade_with_best(margin=0.5).goes_on("child", part(child), "best")


def test_with_the_cascade_off_everything_goes_on() -> None:
    cascade = Cascade(None)
    cascade.parts["best"] = (0, part(BEST))
    assert cascade.goes_on("copy", part(dict(BEST)), "best")
    assert not cascade.needs_first_look("other")


def test_the_paired_difference_keeps_the_score_difference_and_pairs_by_case() -> None:
    ours = [{"a": 1.0, "b": 0.0, "c": 1.0}, {"x": 0.5}]
    theirs = [{"c": 0.0, "a": 1.0, "b": 0.0}, {"x": 0.5}]
    difference = paired_difference(0.25, ours, theirs)
    assert difference.mean == 0.25 and difference.differs
    # One dataset's differences are (0, 0, 1): variance 1/3 over 3 cases; the other has one case.
    assert difference.standard_error == pytest.approx(math.sqrt(1 / 9) / 2)
    assert not paired_difference(0.0, theirs, theirs).differs
    assert paired_difference(0.0, [{"a": 1.0}], [{"b": 1.0}]).differs, "different cases are a difference"
    with pytest.raises(ValueError):
        paired_difference(0.0, ours, theirs[:1])
