"""Scores are shown with their data: a program evaluated in several runs on different data never shows
one run's score as another's (the seed of a LoCoMo run showed its score from an earlier synthetic run)."""

from __future__ import annotations

import json
from pathlib import Path

from archive import ArchiveStore
from seeds import get_seed
from tests.browse.conftest import evaluation, run_cli

SYNTHETIC, LOCOMO = "feedfacecafebeef", "0123456789abcdef"


def build(url: str) -> tuple[str, str, str]:
    """A synthetic run where seed bm25_turns scored 0.512, then a LoCoMo run where it scored 0.400 and its
    child 0.450: (the LoCoMo run, the seed, the child)."""
    seed_source = get_seed("bm25_turns").source
    child_source = seed_source.replace("TOP_K = 30", "TOP_K = 24")
    with ArchiveStore(url) as store:
        first = store.create_run("conversation", {"data": "synthetic"}, 0, agent="offline")
        store.set_run_data(first.id, data_fingerprints={"select": SYNTHETIC})
        seed = store.add_program(seed_source, "conversation", run_id=first.id, seed_name="bm25_turns")
        on_synthetic = {**evaluation(0.512), "data_fingerprint": SYNTHETIC, "data_name": "synthetic(seed=0)"}
        store.record_evaluation(seed.id, run_id=first.id, **on_synthetic)

        second = store.create_run("conversation", {"data": ["locomo:dev2.json"]}, 0, agent="offline")
        store.set_run_data(second.id, data_fingerprints={"select": [LOCOMO]})
        store.add_program(seed_source, "conversation", run_id=second.id, seed_name="bm25_turns")
        child = store.add_program(child_source, "conversation", [seed.id], "structural", "TOP_K", second.id)
        for program_id, score in ((seed.id, 0.400), (child.id, 0.450)):
            on_locomo = {**evaluation(score), "data_fingerprint": LOCOMO, "data_name": "locomo:dev2.json"}
            store.record_evaluation(program_id, run_id=second.id, **on_locomo)
    return second.id, seed.id, child.id


def test_lineage_scores_every_ancestor_on_the_data_of_the_childs_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    run_id, _, child_id = build(url)
    result = run_cli("archive", "lineage", child_id[:10], "--archive", url)
    assert result.code == 0, result.stderr
    assert "select 0.450" in result.stdout and "select 0.400" in result.stdout
    assert "0.512" not in result.stdout
    assert f"select scores on the data of run {run_id}: locomo:dev2.json" in result.stdout


def test_list_of_a_run_shows_its_data_and_without_a_run_labels_each_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    run_id, seed_id, _ = build(url)
    of_run = json.loads(run_cli("archive", "list", "--run", run_id, "--archive", url, "--json").stdout)
    seed_row = next(row for row in of_run["conversation"] if row["id"] == seed_id)
    assert (seed_row["select"], seed_row["data"]) == (0.400, "locomo:dev2.json")

    every = json.loads(run_cli("archive", "list", "--archive", url, "--json").stdout)
    seed_row = next(row for row in every["conversation"] if row["id"] == seed_id)
    assert (seed_row["select"], seed_row["data"]) == (0.512, "synthetic(seed=0)")
    shown = run_cli("archive", "show", seed_id[:10], "--archive", url, "--no-source")
    assert "synthetic(seed=0)" in shown.stdout and "locomo:dev2.json" in shown.stdout
