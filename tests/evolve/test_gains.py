"""A run's gains from the archive's per-case scores: the interval is about the reported number, and data
with fewer than four units (or evaluations kept without units) gives no interval, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import ArchiveStore, Evaluation
from evaluators.domains import get_domain
from evaluators.result import CaseResult, EvaluationResult
from evolve.gains import measured_gain, results_gain
from seeds import get_seed

DOMAIN = get_domain("conversation")


def case(unit: str, number: int, recall: float, answer: float) -> dict:
    return {
        "case_id": f"{unit}-q{number}",
        "category": "single-hop",
        "score": answer,
        "prompt": "",
        "expected": "",
        "output": "",
        "context": "",
        "metrics": {"evidence_recall": recall, "answer_score": answer},
        "unit": unit,
    }


def record(store: ArchiveStore, seed: str, cases: list[dict]) -> Evaluation:
    program = store.add_program(get_seed(seed).source, "conversation", seed_name=seed)
    score = DOMAIN.score_cases([_case(c) for c in cases])
    evaluation, _ = store.record_evaluation(
        program.id,
        domain="conversation",
        split="test",
        data_fingerprint="f",
        agent="offline",
        status="ok",
        score=score,
        cases=cases,
    )
    return evaluation


def _case(values: dict) -> CaseResult:
    return CaseResult(**values)


@pytest.fixture
def store(tmp_path: Path) -> ArchiveStore:
    return ArchiveStore(f"sqlite:///{tmp_path / 'archive.db'}")


def test_a_gain_on_every_conversation_has_an_interval_above_zero(store: ArchiveStore) -> None:
    units = [f"c{index}" for index in range(6)]
    better = record(store, "bm25_turns", [case(u, n, 0.8, 1.0) for u in units for n in range(3)])
    worse = record(store, "vector_rag", [case(u, n, 0.5 + 0.05 * n, 0.5) for u in units for n in range(3)])
    gain = measured_gain(store, DOMAIN, [(better, worse)], seed=0)
    assert gain is not None
    assert gain["gain"] == pytest.approx(better.score - worse.score)
    assert 0 < gain["low"] <= gain["gain"] <= gain["high"] and gain["includes_zero"] is False
    assert gain["units"] == 6


@pytest.mark.parametrize("conversations", [1, 2, 3])
def test_fewer_than_four_conversations_give_no_interval_and_say_why(
    store: ArchiveStore, conversations: int
) -> None:
    """With 2 or 3 units the bootstrap's 2.5% and 97.5% percentiles would be single units' gains (a half,
    a ninth of the resamples repeat one unit): the spread of the units, not an interval."""
    units = [f"c{index}" for index in range(conversations)]
    first = record(store, "bm25_turns", [case(u, n, 0.8, 1.0) for u in units for n in range(3)])
    second = record(store, "vector_rag", [case(u, n, 0.5, 0.5) for u in units for n in range(3)])
    gain = measured_gain(store, DOMAIN, [(first, second)], seed=0)
    assert gain is not None and gain["low"] is None and gain["high"] is None
    assert gain["why"] == f"{conversations} unit(s): an interval needs 4"
    assert gain["gain"] == pytest.approx(first.score - second.score)


def test_cases_kept_without_units_give_no_interval(store: ArchiveStore) -> None:
    cases = [{**case("c0", 0, 0.8, 1.0), "unit": ""}, {**case("c1", 0, 0.8, 1.0), "unit": ""}]
    first = record(store, "bm25_turns", cases)
    second = record(store, "vector_rag", [case("c0", 0, 0.5, 0.5), case("c1", 0, 0.5, 0.5)])
    gain = measured_gain(store, DOMAIN, [(first, second)], seed=0)
    assert gain is not None and gain["low"] is None
    assert "per-unit scores were not kept" in gain["why"]


def test_no_gain_without_a_successful_evaluation_of_both(store: ArchiveStore) -> None:
    first = record(store, "bm25_turns", [case("c0", 0, 0.8, 1.0)])
    assert measured_gain(store, DOMAIN, [(first, None)], seed=0) is None


def result(cases: list[dict], status: str = "ok") -> EvaluationResult:
    """An evaluation as a benchmark holds it (not stored): its cases and the score they give."""
    scored = tuple(_case(c) for c in cases)
    score = DOMAIN.score_cases(list(scored)) if status == "ok" else 0.0
    return EvaluationResult("conversation", "test", "offline", "d", "f", status, score, cases=scored)


def test_two_results_not_stored_get_the_gain_a_run_reports_for_them() -> None:
    units = [f"c{index}" for index in range(6)]
    better = result([case(u, n, 0.8, 1.0) for u in units for n in range(3)])
    worse = result([case(u, n, 0.5 + 0.05 * n, 0.5) for u in units for n in range(3)])
    gain = results_gain(DOMAIN, better, worse, seed=0)
    assert gain is not None and gain["gain"] == pytest.approx(better.score - worse.score)
    assert 0 < gain["low"] <= gain["gain"] <= gain["high"] and gain["units"] == 6
    assert results_gain(DOMAIN, better, result([], status="failed"), seed=0) is None
    with pytest.raises(ValueError, match="a case without its unit"):
        results_gain(DOMAIN, better, result([{**case("c0", 0, 0.5, 0.5), "unit": ""}]), seed=0)
