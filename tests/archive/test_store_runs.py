"""Runs: their lifecycle, candidates in order, progress over candidates, failures and model costs."""

from __future__ import annotations

import pytest

from archive import ArchiveError, ArchiveLookupError, ArchiveStore
from tests.archive.builders import DOMAIN, evaluate, source


def test_a_run_goes_from_running_to_finished_and_back_when_resumed(store: ArchiveStore) -> None:
    config = {"domain": DOMAIN, "budget": {"candidates": 40, "dollars": 1.5}, "islands": [1, 2]}
    run = store.create_run(DOMAIN, config, seed=7)
    assert (run.status, run.finished_at, run.seed, run.config) == ("running", None, 7, config)
    assert len(run.id) == 8 and int(run.id, 16) >= 0

    interrupted = store.set_run_status(run.id, "interrupted")
    assert interrupted.finished_at is not None and interrupted.summary is None
    resumed = store.set_run_status(run.id, "running")
    assert resumed.finished_at is None and resumed.updated_at >= interrupted.updated_at
    finished = store.set_run_status(run.id, "finished", summary={"best": "abc", "select": 0.61})
    assert finished.status == "finished" and finished.finished_at >= finished.created_at
    assert store.get_run(run.id[:4]).summary == {"best": "abc", "select": 0.61}
    assert store.set_run_status(run.id, "failed").summary == {"best": "abc", "select": 0.61}

    with pytest.raises(ArchiveError, match="not a run status"):
        store.set_run_status(run.id, "paused")
    with pytest.raises(ArchiveLookupError, match="no run has the id"):
        store.set_run_status("00000000", "finished")


def test_runs_are_listed_newest_first_and_found_by_prefix(store: ArchiveStore) -> None:
    runs = [store.create_run(domain, {}, seed=n) for n, domain in enumerate([DOMAIN, "planning", DOMAIN])]
    store.set_run_status(runs[0].id, "finished")

    assert [r.id for r in store.list_runs()] == [r.id for r in reversed(runs)]
    assert [r.id for r in store.list_runs(domain=DOMAIN)] == [runs[2].id, runs[0].id]
    assert [r.id for r in store.list_runs(status="finished")] == [runs[0].id]
    assert store.get_run(runs[1].id).domain == "planning"
    with pytest.raises(ArchiveLookupError, match="no run id starts with"):
        store.get_run("abcdef0123")


def test_candidates_are_numbered_in_order_and_a_number_is_never_reused(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    seed = store.add_program(source(1), DOMAIN, run_id=run.id)
    child = store.add_program(source(2), DOMAIN, [seed.id], "structural", run_id=run.id, generation=1)

    accepted = store.record_candidate(
        run.id,
        parent_ids=[seed.id],
        mutator="structural",
        status="accepted",
        program_id=child.id,
        commit_message="TOP_K 20 -> 12",
        island=1,
        seconds=0.02,
    )
    rejected = store.record_candidate(
        run.id,
        parent_ids=[child.id],
        mutator="llm:openai:gpt-4.1-mini",
        status="rejected",
        reason="edits_do_not_apply",
        detail="SEARCH block 2 matches nothing",
        repair_attempts=2,
    )
    duplicate = store.record_candidate(
        run.id, parent_ids=[seed.id], mutator="structural", status="duplicate", program_id=child.id
    )
    replayed = store.record_candidate(
        run.id, parent_ids=[], mutator="structural", status="rejected", reason="other", sequence=2
    )

    assert [c.sequence for c in (accepted, rejected, duplicate)] == [1, 2, 3]
    assert replayed.id == rejected.id and replayed.reason == "edits_do_not_apply"
    listed = store.candidates(run.id)
    assert [(c.sequence, c.status, c.repair_attempts) for c in listed] == [
        (1, "accepted", 0),
        (2, "rejected", 2),
        (3, "duplicate", 0),
    ]
    assert [c.sequence for c in store.candidates(run.id, status="rejected")] == [2]
    other = store.create_run(DOMAIN, {}, seed=1)
    unnumbered = {"parent_ids": [], "mutator": "m", "status": "rejected", "reason": "r"}
    assert store.record_candidate(other.id, **unnumbered).sequence == 1  # each run numbers its own


def test_a_candidate_must_say_what_it_produced_or_why_it_failed(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    with pytest.raises(ArchiveError, match="accepted candidate needs the program_id"):
        store.record_candidate(run.id, parent_ids=[], mutator="m", status="accepted")
    with pytest.raises(ArchiveError, match="rejected candidate needs a short reason"):
        store.record_candidate(run.id, parent_ids=[], mutator="m", status="rejected")
    with pytest.raises(ArchiveError, match="not a candidate status"):
        store.record_candidate(run.id, parent_ids=[], mutator="m", status="maybe")
    with pytest.raises(ArchiveLookupError, match="no run has the id"):
        store.record_candidate("12345678", parent_ids=[], mutator="m", status="rejected", reason="x")
    assert store.candidates(run.id) == []


def test_progress_is_the_best_score_so_far_from_the_seeds_on(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    seed = store.add_program(source(1), DOMAIN, run_id=run.id, island=0)
    evaluate(store, seed.id, 0.50, run_id=run.id)
    steps = [(2, 0.45, 0), (3, 0.62, 1), (None, None, 0), (4, 0.58, 0)]
    for n, score, island in steps:
        if n is None:
            store.record_candidate(
                run.id, parent_ids=[seed.id], mutator="m", status="rejected", reason="contract", island=island
            )
            continue
        child = store.add_program(source(n), DOMAIN, [seed.id], "m", run_id=run.id, island=island)
        store.record_candidate(
            run.id, parent_ids=[seed.id], mutator="m", status="accepted", program_id=child.id, island=island
        )
        evaluate(store, child.id, score, run_id=run.id)
    pending = store.add_program(source(5), DOMAIN, [seed.id], "m", run_id=run.id, island=0)
    store.record_candidate(
        run.id, parent_ids=[seed.id], mutator="m", status="accepted", program_id=pending.id
    )

    progress = store.run_progress(run.id)
    assert [p.sequence for p in progress] == [1, 2, 3, 4, 5]
    assert [p.score for p in progress] == [0.45, 0.62, None, 0.58, None]
    assert [p.best_score for p in progress] == [0.50, 0.62, 0.62, 0.62, 0.62]
    assert [p.island_best_score for p in progress] == [0.50, 0.62, 0.50, 0.58, None]
    assert progress[0].created_at <= progress[-1].created_at


def test_failures_are_counted_by_reason(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    for n, reason in enumerate(["timeout", "crash", "timeout"], start=1):
        program = store.add_program(source(n), DOMAIN, run_id=run.id)
        evaluate(store, program.id, 0.0, status="failed", failure_reason=reason, run_id=run.id)
    evaluate(store, store.add_program(source(9), DOMAIN).id, 0.0, status="failed", failure_reason="memory")
    for reason in ["contract", "edits_do_not_apply", "contract"]:
        store.record_candidate(run.id, parent_ids=[], mutator="m", status="rejected", reason=reason)

    counts = store.failure_counts(run.id)
    assert counts.evaluations == {"timeout": 2, "crash": 1}
    assert counts.candidates == {"contract": 2, "edits_do_not_apply": 1}
    assert counts.total == 6
    assert store.failure_counts(store.create_run(DOMAIN, {}, seed=1).id).total == 0


def test_llm_costs_add_up_as_the_ledger_counts_them(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    call = {"provider": "openai", "model": "gpt-4.1-mini", "latency_s": 0.8, "attempts": 1, "error": ""}
    records = [
        {
            **call,
            "purpose": "mutation",
            "input_tokens": 1000,
            "output_tokens": 200,
            "cost_usd": 0.00072,
            "outcome": "ok",
            "started_at": 1_700_000_000.0,
        },
        {
            **call,
            "purpose": "mutation",
            "input_tokens": 1000,
            "output_tokens": 200,
            "cost_usd": 0.0,
            "outcome": "cached",
        },
        {
            **call,
            "purpose": "agent",
            "input_tokens": 500,
            "output_tokens": 0,
            "cost_usd": None,
            "outcome": "error",
            "error": "429 Too Many Requests",
            "attempts": 3,
        },
        {
            **call,
            "purpose": "agent",
            "input_tokens": 300,
            "output_tokens": 20,
            "cost_usd": None,
            "outcome": "ok",
            "extra_field": "ignored",
        },
    ]
    assert store.record_llm_calls(records, run_id=run.id) == 4
    store.record_llm_calls([{**records[0], "run_id": None}])  # another run's (none's) call
    assert store.record_llm_calls([]) == 0

    cost = store.llm_cost(run.id)
    assert (cost.calls, cost.cached_calls, cost.failed_calls, cost.unpriced_calls) == (3, 1, 1, 1)
    assert (cost.input_tokens, cost.output_tokens) == (1800, 220)
    assert cost.cost_usd == pytest.approx(0.00072)
    assert cost.by_purpose["mutation"] == {"calls": 1, "cached_calls": 1, "tokens": 1200, "cost_usd": 0.00072}
    assert cost.by_purpose["agent"]["calls"] == 2 and cost.by_purpose["agent"]["tokens"] == 820
    assert store.llm_cost().calls == 4 and store.llm_cost().cost_usd == pytest.approx(0.00144)
