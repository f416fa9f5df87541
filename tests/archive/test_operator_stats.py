"""Operator statistics: per operator, candidates tried, programs made, and children that beat their parent."""

from __future__ import annotations

import pytest

from archive import ArchiveStore
from archive.operator_stats import operator_stats
from tests.archive.builders import DOMAIN, evaluate, source


def test_each_operator_counts_its_tries_its_programs_and_the_children_that_beat_their_parent(
    store: ArchiveStore,
) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    seed = store.add_program(source(1), DOMAIN, run_id=run.id, seed_name="bm25_turns")
    evaluate(store, seed.id, 0.50)
    children = {}
    for n, (mutator, score) in enumerate(
        [("structural:neighbours", 0.56), ("structural:neighbours", 0.48), ("structural:constant", 0.51)],
        start=2,
    ):
        child = store.add_program(source(n), DOMAIN, [seed.id], mutator, run_id=run.id, generation=n)
        evaluate(store, child.id, score)
        children[n] = child
        store.record_candidate(
            run.id, parent_ids=[seed.id], mutator=mutator, status="accepted", program_id=child.id
        )
    grandchild = store.add_program(source(9), DOMAIN, [children[2].id], "structural:fusion", run_id=run.id)
    store.record_candidate(
        run.id,
        parent_ids=[children[2].id],
        mutator="structural:fusion",
        status="accepted",
        program_id=grandchild.id,
    )  # accepted, not yet evaluated: made, not counted as a gain
    store.record_candidate(
        run.id, parent_ids=[seed.id], mutator="structural:fusion", status="rejected", reason="x"
    )
    store.record_candidate(
        run.id,
        parent_ids=[seed.id],
        mutator="llm:openai:gpt-4.1-mini",
        status="duplicate",
        program_id=seed.id,
    )

    stats = {row.operator: row for row in operator_stats(store, run.id)}
    assert list(stats) == ["fusion", "neighbours", "constant", "llm:openai:gpt-4.1-mini"]
    neighbours = stats["neighbours"]
    assert (neighbours.tried, neighbours.accepted, neighbours.improved) == (2, 2, 1)
    assert neighbours.best_gain == pytest.approx(0.06) and neighbours.mean_gain == pytest.approx(0.02)
    assert (stats["fusion"].tried, stats["fusion"].accepted, stats["fusion"].gains) == (2, 1, ())
    assert stats["constant"].improved == 1 and stats["constant"].to_json()["evaluated"] == 1
    assert stats["llm:openai:gpt-4.1-mini"].accepted == 0
