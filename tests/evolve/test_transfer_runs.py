"""Runs over several datasets, transfer to data the run never saw, intervals, and data too small to split.

Real runs through the CLI (Ray, the archive on disk), with programs in-process and small data so that each
takes seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from archive import ArchiveStore
from archive.report import render_report
from archive.report_data import collect_report
from tests.evolve.test_evolve_runs import evolve_args, run_cli

FIRST, SECOND = "synthetic:conversations=5", "synthetic:seed=1,conversations=4"
TRANSFER = "synthetic:seed=2,conversations=3"
SEEDS = "bm25_turns,vector_rag,multi_channel"
FAST = ["--sandbox", "inprocess", "--workers", "2", "--seeds", SEEDS]


def select_evaluations_per_program(store: ArchiveStore, run_id: str) -> Counter[tuple[str, str]]:
    return Counter((e.program_id, e.data_fingerprint) for e in store.run_evaluations(run_id, split="select"))


def assert_each_program_once_per_dataset(store: ArchiveStore, run_id: str, budget: int) -> None:
    """Every candidate number once; every accepted candidate evaluated exactly once on each dataset."""
    candidates = store.candidates(run_id)
    assert [c.sequence for c in candidates] == list(range(1, budget + 1))
    fingerprints = store.get_run(run_id).data_fingerprints["select"]
    assert len(fingerprints) == 2
    counted = select_evaluations_per_program(store, run_id)
    assert max(counted.values()) == 1, "an evaluation was done twice"
    for candidate in candidates:
        if candidate.status == "accepted":
            for fingerprint in fingerprints:
                assert counted[(candidate.program_id, fingerprint)] == 1, (
                    f"candidate {candidate.sequence} lost its evaluation on {fingerprint}"
                )
    assert store.get_run(run_id).status == "finished"


def test_a_run_on_two_datasets_selects_on_their_mean_and_transfers_to_a_third(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    args = ["--data", FIRST, "--data", SECOND, "--transfer", TRANSFER, "--budget", "3", *FAST]
    summary = run_cli(evolve_args(archive, *args))
    store = ArchiveStore(archive)
    run_id = summary["run_id"]
    assert_each_program_once_per_dataset(store, run_id, 3)

    first, second = summary["data"]
    assert (first["spec"], second["spec"]) == (FIRST, SECOND)
    assert first["name"] != second["name"]
    assert summary["best_select"] == pytest.approx((first["best_select"] + second["best_select"]) / 2)
    assert summary["seed_test"] == pytest.approx((first["seed_test"] + second["seed_test"]) / 2)
    by_program = {
        (e.program_id, e.data_fingerprint): e.score for e in store.run_evaluations(run_id, split="select")
    }
    fingerprints = store.get_run(run_id).data_fingerprints["select"]
    best = [by_program[(summary["best_program_id"], fingerprint)] for fingerprint in fingerprints]
    assert summary["best_select"] == pytest.approx(sum(best) / 2)

    (transfer,) = summary["transfer"]
    assert transfer["spec"] == TRANSFER
    assert set(transfer["seeds"]) == set(SEEDS.split(","))
    assert transfer["best_seed_score"] == max(transfer["seeds"].values())
    assert transfer["winner"] is not None
    held_out = store.run_evaluations(run_id, split="all")
    assert {e.program_id for e in held_out} >= {summary["best_program_id"], summary["best_seed_program_id"]}
    assert len({e.data_fingerprint for e in held_out}) == 1
    for gain in (summary["test_gain"], first["test_gain"], transfer["gain"]):
        if gain is None:  # the winner is that seed itself
            continue
        if gain["low"] is None:  # too few units to resample, and the gain says so
            assert gain["why"] and gain["includes_zero"] is None
            continue
        assert gain["low"] <= gain["gain"] <= gain["high"]
        assert gain["includes_zero"] == (gain["low"] <= 0 <= gain["high"])
    # The transfer evaluations keep their per-conversation scores (for the intervals), texts left out;
    # so do the select evaluations, for the interval that decides whether the best candidate won.
    cases = store.evaluation_cases(held_out[0].id)
    assert cases and all(case["unit"] and case["context"] == "" for case in cases)
    for evaluation in store.run_evaluations(run_id, split="select"):
        cases = store.evaluation_cases(evaluation.id)
        assert cases and all(case["unit"] and case["output"] == "" for case in cases)
    select_gain = summary["select_gain"]
    if select_gain is None:  # no candidate above the best seed on select
        assert summary["best_program_id"] == summary["best_seed_program_id"]
    else:
        beyond_noise = select_gain["low"] is None or select_gain["low"] > 0
        assert select_gain["gain"] > 0
        assert (summary["best_program_id"] == summary["best_candidate_id"]) == beyond_noise

    # The report scores programs on the mean over the run's datasets, and shows each and the transfer.
    report = collect_report(store, run_id)
    assert report.best.score == pytest.approx(summary["best_select"])
    assert report.best_test == pytest.approx(summary["best_test"])
    html = render_report(report)
    assert 'id="datasets"' in html and 'id="transfer"' in html
    assert all(data["name"] in html for data in (first, second, transfer))


def test_the_summary_says_so_when_the_winner_loses_on_transfer_data(tmp_path: Path) -> None:
    """One seed to start from and no candidate: the winner is that seed, and the other seeds transfer."""
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    args = ["--data", FIRST, "--transfer", TRANSFER, "--budget", "0"]
    done = subprocess.run(
        [sys.executable, "-m", "evolve", "evolve", "--archive", archive, *args, *FAST],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    store = ArchiveStore(archive)
    (transfer,) = store.list_runs()[0].summary["transfer"]
    winner = transfer["winner"]
    said = " ".join(done.stdout.split())  # the verdict wraps wherever the terminal's width falls
    if winner < transfer["best_seed_score"]:
        assert f"the winner ({winner:.3f}) LOSES to the best seed there, {transfer['best_seed']}" in said
    else:
        assert "LOSES" not in said
    assert "transfer: data the run never saw" in said


def test_two_conversations_make_a_run_with_the_offline_mutator(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    summary = run_cli(evolve_args(archive, "--data", "synthetic:conversations=2", "--budget", "2", *FAST))
    assert summary["best_test"] is not None and summary["seed_test"] is not None
    assert len(summary["data"]) == 1
    if summary["test_gain"] is None:  # the winner is the best seed itself: no gain to qualify
        assert summary["best_program_id"] == summary["best_seed_program_id"]
    else:  # one conversation to test on: no interval, and the summary says why
        assert summary["test_gain"]["low"] is None
        assert summary["test_gain"]["why"] == "1 unit(s): an interval needs 4"
    run = ArchiveStore(archive).get_run(summary["run_id"])
    assert set(run.data_fingerprints) == {"select", "test"}  # no reflect split, and none needed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "synthetic:conversations=1"], "holds 1 conversation(s) and a run needs at least 2"),
        (
            ["--data", "synthetic:conversations=2", "--model", "openai:gpt-4.1-mini"],
            "holds 2 conversation(s) and a run needs at least 3",
        ),
        (["--data", "synthetic", "--data", "synthetic"], "synthetic is given twice"),
        (["--data", "nonsense"], "unknown data spec 'nonsense'"),
        (["--transfer", "locomo:/nonexistent/locomo.json"], "/nonexistent/locomo.json does not exist"),
        (["--transfer", "locomo"], "needs a path"),
        (["--transfer", "synthetic"], "the run selects on synthetic; --transfer is for data the run never"),
    ],
)
def test_bad_or_too_small_data_is_one_sentence_and_exit_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "evolve", "evolve", "--archive", archive, *args, "--sandbox", "inprocess"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "--split" not in done.stderr  # `evolve` has no such flag
    assert ArchiveStore(archive).list_runs() == [], "a refused run was recorded"


def test_sigkill_then_resume_on_two_datasets_loses_and_repeats_nothing(tmp_path: Path) -> None:
    budget = 6
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    store = ArchiveStore(archive)
    args = evolve_args(archive, "--data", FIRST, "--data", SECOND, "--budget", str(budget), *FAST)
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        runs = store.list_runs()
        # Mid-evolution: past the seeds (3 programs x 2 datasets), some candidates on one dataset only.
        if runs and len(store.run_evaluations(runs[0].id, split="select")) >= 9:
            break
        time.sleep(0.1)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    run_id = store.list_runs()[0].id
    summary = run_cli(evolve_args(archive, "--resume", run_id))
    assert summary["run_id"] == run_id and len(summary["data"]) == 2
    assert_each_program_once_per_dataset(store, run_id, budget)
