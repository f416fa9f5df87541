"""Reflective proposals in flight at once, against a slow local fake model on 127.0.0.1.

The loop keeps up to `--proposals` mutation calls waiting for the model, never more; replies coming back
in another order change nothing a run seed decides; a run killed with proposals in flight resumes,
proposes the lost candidates again, and ends with every candidate number recorded once and every
accepted candidate evaluated once.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import threading
import time
import zlib
from pathlib import Path

from archive import ArchiveStore
from tests.evolve.test_evolve_runs import assert_consistent, evolve_args, run_cli
from tests.evolve.test_reflective_run import CURRENT_PROGRAM, TOP_K, edit
from tests.providers.fake_llm_server import FakeLLMServer, SeenRequest


class SlowGoodModel:
    """Waits `latency` seconds, then raises the program's TOP_K by a number no other reply used."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    def __call__(self, request: SeenRequest) -> str:
        time.sleep(self.latency)
        program = CURRENT_PROGRAM.search(request.messages[0]["content"])
        assert program is not None, "the prompt shows no current program"
        top_k = int(TOP_K.search(program.group(1)).group(1))
        with self.lock:
            raise_by = next(self.numbers)
        return edit(f"TOP_K = {top_k}", f"TOP_K = {top_k + raise_by}", f"retrieve {raise_by} more turns")


class JitteryModel:
    """Answers after a random delay, new in every run (so replies come back in another order each time),
    with an edit that depends only on the prompt (the program, its inspirations, its failures), not on
    the measured times it shows."""

    def __init__(self) -> None:
        self.delays = random.Random()  # unseeded on purpose

    def __call__(self, request: SeenRequest) -> str:
        time.sleep(self.delays.uniform(0.0, 0.4))
        program = CURRENT_PROGRAM.search(request.messages[0]["content"])
        assert program is not None, "the prompt shows no current program"
        top_k = int(TOP_K.search(program.group(1)).group(1))
        shown = [line for line in request.messages[0]["content"].splitlines() if not line.startswith("Cost:")]
        step = 1 + zlib.crc32("\n".join(shown).encode()) % 50  # wide: two parents seldom make one child
        return edit(f"TOP_K = {top_k}", f"TOP_K = {top_k + step}", f"retrieve {step} more turns")


def run_args(
    archive: str,
    tmp_path: Path,
    server: FakeLLMServer,
    budget: int,
    proposals: int,
    data: str = "synthetic:conversations=5",
    workers: int = 1,
    seeds: str = '["bm25_turns"]',
) -> list[str]:
    config = tmp_path / "run.toml"
    config.write_text(f"max_candidates = {budget}\nseeds = {seeds}\nislands = 2\n")
    model = f"openai-compatible:{server.openai_url}:fake-coder"
    return evolve_args(
        archive,
        "--config",
        str(config),
        "--model",
        model,
        "--sandbox",
        "inprocess",
        "--data",
        data,
        "--workers",
        str(workers),
        "--proposals",
        str(proposals),
    )


def test_proposals_wait_for_the_model_together_up_to_their_limit(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    with FakeLLMServer(reply=SlowGoodModel(latency=0.5)) as server:
        summary = run_cli(run_args(archive, tmp_path, server, budget=8, proposals=3))
        answered = server.count("/chat/completions")
        most_at_once = server.max_in_flight
    assert most_at_once == 3, f"{most_at_once} mutation calls were in flight at once, not 3"
    store = ArchiveStore(archive)
    assert_consistent(store, summary["run_id"], 8)
    # every reply is a good edit (two may still make the same child from two parents: a duplicate)
    assert {c.status for c in store.candidates(summary["run_id"])} <= {"accepted", "duplicate"}
    assert store.llm_cost(summary["run_id"]).calls == answered == 8


def test_a_run_seed_gives_the_same_run_whatever_order_the_replies_and_results_come_back_in(
    tmp_path: Path,
) -> None:
    """Two runs of one seed, with the model's replies and two workers' evaluations finishing in another
    order each time (the cascade on: 10 conversations): the same candidates from the same parents, the
    same outcomes, the same winner."""
    runs = []
    for attempt in ("first", "second"):
        archive = f"sqlite:///{tmp_path / f'{attempt}.db'}"
        with FakeLLMServer(reply=JitteryModel()) as server:
            args = run_args(
                archive,
                tmp_path,
                server,
                budget=10,
                proposals=4,
                data="synthetic",
                workers=2,
                seeds='["bm25_turns", "vector_rag"]',
            )
            summary = run_cli(args)
        store = ArchiveStore(archive)
        candidates = store.candidates(summary["run_id"])
        assert sum(c.status == "accepted" for c in candidates) >= 5, "too few children to tell runs apart"
        runs.append(
            (
                [
                    (
                        c.sequence,
                        c.status,
                        [store.get_program(p).source for p in c.parent_ids],
                        store.get_program(c.program_id).source if c.program_id else None,
                    )
                    for c in candidates
                ],
                store.get_program(summary["best_program_id"]).source,
                summary["best_select"],
                summary["stopped_early"],
            )
        )
    assert runs[0] == runs[1]


def test_a_run_killed_with_proposals_in_flight_resumes_losing_and_repeating_nothing(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    store = ArchiveStore(archive)
    budget = 12
    with FakeLLMServer(reply=SlowGoodModel(latency=1.0)) as server:
        process = subprocess.Popen(
            # Two workers: the window (workers + proposals) keeps four proposals at the model while the
            # first children are evaluated.
            run_args(archive, tmp_path, server, budget, proposals=4, workers=2),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            runs = store.list_runs()
            if runs and store.candidates(runs[0].id) and server.in_flight >= 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be killed"
        in_flight_at_kill = server.in_flight
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        run_id = store.list_runs()[0].id
        recorded = len(store.candidates(run_id))
        assert in_flight_at_kill >= 3 and 1 <= recorded < budget
        summary = run_cli(evolve_args(archive, "--resume", run_id[:6]))
    assert summary["run_id"] == run_id
    assert_consistent(store, run_id, budget)
