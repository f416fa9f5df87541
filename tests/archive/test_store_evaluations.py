"""Evaluations: recorded once per key, stored faithfully, and ranked into the best programs."""

from __future__ import annotations

import math

import pytest

from archive import ArchiveError, ArchiveLookupError, ArchiveStore
from tests.archive.builders import DOMAIN, FINGERPRINT, evaluate, source


def test_recording_an_identical_evaluation_twice_returns_the_first(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    key = {"domain": DOMAIN, "split": "select", "data_fingerprint": FINGERPRINT, "agent": "offline"}

    first, created = store.record_evaluation(program.id, status="ok", score=0.4, **key)
    again, created_again = store.record_evaluation(program.id, status="ok", score=0.9, **key)

    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.score == 0.4
    assert store.find_evaluation(program.id, DOMAIN, "select", FINGERPRINT, "offline").id == first.id
    assert store.find_evaluation(program.id, DOMAIN, "select", "other-data", "offline") is None
    assert store.find_evaluation(program.id, DOMAIN, "select", FINGERPRINT, "llm:openai:gpt-4.1") is None
    assert len(store.program_evaluations(program.id)) == 1


def test_every_part_of_the_key_makes_a_different_evaluation(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    evaluate(store, program.id, 0.1)
    evaluate(store, program.id, 0.2, split="reflect")
    evaluate(store, program.id, 0.3, data_fingerprint="ffff000011112222")
    evaluate(store, program.id, 0.4, agent="llm:openai:gpt-4.1-mini")
    evaluate(store, program.id, 0.5, domain="planning")

    assert [e.score for e in store.program_evaluations(program.id)] == [0.1, 0.2, 0.3, 0.4, 0.5]


def test_an_evaluation_result_is_stored_as_given(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    program = store.add_program(source(1), DOMAIN, run_id=run.id)
    result = {  # the shape of EvaluationResult.to_json()
        "domain": DOMAIN,
        "split": "reflect",
        "agent": "offline",
        "data_name": "synthetic",
        "data_fingerprint": FINGERPRINT,
        "status": "failed",
        "score": 0.0,
        "metrics": {"evidence_recall": 0.25, "answer_f1": None, "broken": math.nan},
        "by_category": {"temporal": {"evidence_recall": 0.5}},
        "cost": {"read_chars": 2900.0, "llm_calls": 0.0},
        "failure_reason": "crash",
        "failure_message": "ZeroDivisionError in read()\x00",
        "logs": ["write 12 turns", "boom \x00 here"],
        "cases": [{"case_id": "c1", "score": 0.0, "context": "x" * 50_000, "metrics": {"f1": math.inf}}],
    }
    stored, _ = store.record_evaluation(program.id, run_id=run.id, seconds=3.5, worker="node-1", **result)
    again = store.run_evaluations(run.id)[0]

    assert again.id == stored.id and again.status == "failed" and not again.ok
    assert again.metrics == {"evidence_recall": 0.25, "answer_f1": None, "broken": None}
    assert again.by_category == result["by_category"] and again.cost == result["cost"]
    assert (again.failure_reason, again.seconds, again.worker, again.data_name) == (
        "crash",
        3.5,
        "node-1",
        "synthetic",
    )
    assert again.failure_message == "ZeroDivisionError in read()\ufffd"
    assert again.logs == ["write 12 turns", "boom \ufffd here"]
    cases = store.evaluation_cases(stored.id)
    assert cases is not None and len(cases[0]["context"]) == 50_000 and cases[0]["metrics"] == {"f1": None}
    assert again.created_at.tzinfo is not None


def test_cases_are_kept_only_when_given(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    assert store.evaluation_cases(evaluate(store, program.id, 0.5).id) is None
    assert store.evaluation_cases(evaluate(store, program.id, 0.5, split="test", cases=[]).id) is None


def test_bad_evaluations_are_refused_with_a_sentence(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    with pytest.raises(ArchiveError, match="finite"):
        evaluate(store, program.id, math.nan)
    with pytest.raises(ArchiveError, match="not an evaluation status"):
        evaluate(store, program.id, 0.5, status="crashed")
    with pytest.raises(ArchiveLookupError, match="no program has the id"):
        evaluate(store, "0" * 64, 0.5)
    assert store.program_evaluations(program.id) == []


def test_best_programs_rank_each_program_by_its_best_select_score(store: ArchiveStore) -> None:
    a, b, c, d, e = (store.add_program(source(n), DOMAIN) for n in range(1, 6))
    evaluate(store, a.id, 0.50)
    evaluate(store, a.id, 0.90, agent="llm:openai:gpt-4.1-mini")  # a's best, on another agent
    evaluate(store, b.id, 0.70)
    evaluate(store, c.id, 0.70)  # ties b; b was created first
    evaluate(store, d.id, 0.99, split="test")  # not a select score
    evaluate(store, e.id, 0.0, status="failed", failure_reason="timeout")
    evaluate(store, e.id, 0.95, domain="planning")

    ranked = store.best_programs(DOMAIN)
    assert [(p.id, ev.score) for p, ev in ranked] == [(a.id, 0.90), (b.id, 0.70), (c.id, 0.70)]
    assert [p.id for p, _ in store.best_programs(DOMAIN, limit=2)] == [a.id, b.id]
    assert [p.id for p, _ in store.best_programs(DOMAIN, agent="offline")] == [b.id, c.id, a.id]
    assert [p.id for p, _ in store.best_programs(DOMAIN, split="test")] == [d.id]
    assert [p.id for p, _ in store.best_programs("planning")] == [e.id]
    assert store.best_programs(DOMAIN, data_fingerprint="none-such") == []


def test_a_run_sees_the_evaluations_of_its_programs_even_when_another_run_made_them(
    store: ArchiveStore,
) -> None:
    first = store.create_run(DOMAIN, {}, seed=0, agent="offline", data_fingerprints={"select": FINGERPRINT})
    seed = store.add_program(source(1), DOMAIN, run_id=first.id, seed_name="bm25_turns")
    evaluate(store, seed.id, 0.5, run_id=first.id)
    evaluate(store, seed.id, 0.8, data_fingerprint="other-dataset", run_id=first.id)

    second = store.create_run(DOMAIN, {}, seed=1)
    store.add_program(source(1), DOMAIN, run_id=second.id)  # the seed again: reused, not re-evaluated
    child = store.add_program(source(2), DOMAIN, [seed.id], "structural", run_id=second.id, generation=1)
    evaluate(store, child.id, 0.6, run_id=second.id)
    store.set_run_data(second.id, agent="offline", data_fingerprints={"select": FINGERPRINT})

    assert [(p.id, ev.score) for p, ev in store.best_programs(DOMAIN, run_id=second.id)] == [
        (child.id, 0.6),
        (seed.id, 0.5),
    ]
    assert {ev.score for ev in store.run_evaluations(second.id, split="select")} == {0.5, 0.6}
    assert {ev.score for ev in store.run_evaluations(first.id)} == {0.5}  # its data only
    assert store.get_run(second.id).data_fingerprints == {"select": FINGERPRINT}
