"""The redrawn-split arithmetic `benchmarks/split_agreement.py` reports how much a run can tell with."""

import pytest

from benchmarks.split_agreement import draw_pairs, score
from evaluators.result import CaseResult


def case(unit: str, recall: float, answer: float) -> CaseResult:
    metrics = {"evidence_recall": recall, "answer_score": answer}
    return CaseResult(unit, "single-hop", answer, "q", "gold", "said", "", metrics, unit)


def seed(values: dict[str, float]) -> dict[str, list[CaseResult]]:
    """A seed's cases: one question per unit, with the same evidence recall and answer score."""
    return {unit: [case(unit, value, value)] for unit, value in values.items()}


UNITS = [f"u{n}" for n in range(8)]


def test_score_of_units_is_the_domains_selection_score_of_their_cases() -> None:
    cases = {"a": [case("a", 1.0, 0.0)], "b": [case("b", 0.0, 1.0)]}
    assert score(cases, ["a"]) == pytest.approx(0.6)
    assert score(cases, ["b"]) == pytest.approx(0.4)
    assert score(cases, ["a", "b"]) == pytest.approx(0.5)


def test_a_seed_better_on_every_unit_is_picked_on_every_draw_and_costs_nothing() -> None:
    by_seed = {
        "strong": seed({unit: 0.8 for unit in UNITS}),
        "middle": seed({unit: 0.5 + 0.01 * n for n, unit in enumerate(UNITS)}),
        "weak": seed({unit: 0.2 for unit in UNITS}),
    }
    correlations, same_best, regrets = draw_pairs(by_seed, UNITS, 3, 3, 50)
    assert same_best == 50
    assert regrets == [0.0] * 50
    assert correlations == [pytest.approx(1.0)] * 50


def test_seeds_that_trade_places_unit_by_unit_are_picked_by_chance_and_the_choice_costs_score() -> None:
    odd = {unit: 0.9 if n % 2 else 0.1 for n, unit in enumerate(UNITS)}
    even = {unit: 0.1 if n % 2 else 0.9 for n, unit in enumerate(UNITS)}
    by_seed = {"odd": seed(odd), "even": seed(even)}
    _, same_best, regrets = draw_pairs(by_seed, UNITS, 2, 2, 400)
    assert 0 < same_best < 400
    assert max(regrets) > 0.5
    assert all(regret >= 0 for regret in regrets)
