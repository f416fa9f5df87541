"""Whole evolution runs through the CLI: a run completes, survives SIGKILL, and spreads over a Ray cluster.

These start real Ray clusters and real processes; programs run in-process here (the sandbox has its own
suite) so that a run takes seconds, not minutes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from ray.cluster_utils import Cluster

from archive import ArchiveStore
from sandbox.docker_api import labelled_containers

SMALL_RUN = [
    "--sandbox",
    "inprocess",
    "--data",
    "synthetic:conversations=5",
    "--workers",
    "2",
    "--islands",
    "2",
]
SEEDS = ["bm25_turns", "vector_rag", "multi_channel"]


def evolve_args(archive: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "evolve", "evolve", "--archive", archive, *extra, "--json"]


def run_cli(args: list[str], timeout: float = 600, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def write_config(tmp_path: Path, budget: int) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(f"max_candidates = {budget}\nseeds = {json.dumps(SEEDS)}\nmigration_interval = 3\n")
    return path


def assert_consistent(store: ArchiveStore, run_id: str, budget: int) -> None:
    """Every candidate number once; every accepted candidate evaluated exactly once on select."""
    candidates = store.candidates(run_id)
    assert [c.sequence for c in candidates] == list(range(1, budget + 1))
    select = [e for e in store.run_evaluations(run_id) if e.split == "select"]
    per_program = Counter(e.program_id for e in select)
    assert max(per_program.values()) == 1, "an evaluation was done twice"
    for candidate in candidates:
        if candidate.status == "accepted":
            assert per_program[candidate.program_id] == 1, (
                f"candidate {candidate.sequence} lost its evaluation"
            )
            assert store.get_program(candidate.program_id).parent_ids, "a child without its parents"
    assert store.get_run(run_id).status == "finished"


def test_a_run_records_every_candidate_and_reports_select_and_test(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    summary = run_cli(evolve_args(archive, "--config", str(write_config(tmp_path, 6)), *SMALL_RUN))
    assert set(summary) >= {
        "run_id",
        "best_program_id",
        "best_select",
        "best_test",
        "seed_select",
        "seed_test",
    }
    assert summary["best_select"] >= summary["seed_select"]
    assert summary["best_test"] is not None and summary["seed_test"] is not None
    store = ArchiveStore(archive)
    assert_consistent(store, summary["run_id"], 6)
    assert {e.split for e in store.run_evaluations(summary["run_id"])} == {"select", "test"}


def test_a_run_in_the_docker_sandbox_leaves_no_container_behind(tmp_path: Path) -> None:
    """Ray workers keep their sandbox factory (a spare, a kept container) and are killed at shutdown
    without cleaning up: the driver removes what they leave."""
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    docker_run = [arg if arg != "inprocess" else "docker" for arg in SMALL_RUN]
    before = set(labelled_containers())  # other tests' factories may hold some
    summary = run_cli(evolve_args(archive, "--config", str(write_config(tmp_path, 6)), *docker_run))
    store = ArchiveStore(archive)
    assert_consistent(store, summary["run_id"], 6)
    assert all(e.status == "ok" for e in store.run_evaluations(summary["run_id"]))
    assert set(labelled_containers()) - before == set(), "the run left sandbox containers behind"


def test_sigkill_at_any_point_then_resume_loses_and_repeats_nothing(tmp_path: Path) -> None:
    budget = 10
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = write_config(tmp_path, budget)
    store = ArchiveStore(archive)
    run_id = None
    # Kill after the first seed evaluation, mid-evolution, and late in evolution.
    for kill_after in (1, 6, 11):
        args = (
            evolve_args(archive, "--resume", run_id, "--workers", "2")
            if run_id
            else evolve_args(archive, "--config", str(config), *SMALL_RUN)
        )
        process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            runs = store.list_runs()
            if runs and len(store.run_evaluations(runs[0].id)) >= kill_after:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        run_id = store.list_runs()[0].id
        assert store.get_run(run_id).status == "running"
    assert run_id is not None
    summary = run_cli(evolve_args(archive, "--resume", run_id[:6]))
    assert summary["run_id"] == run_id
    assert_consistent(store, run_id, budget)


CLUSTER_ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
"""A throwaway cluster on loopback: no usage reports, no token (nothing but this machine can reach it)."""


@pytest.fixture
def two_node_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A Ray head and a second node on this machine, one CPU each; only their own processes are stopped
    afterwards (`ray stop` would stop every Ray on the machine)."""
    for key in ("RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE"):
        monkeypatch.setenv(key, CLUSTER_ENV[key])
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        yield cluster.address
    finally:
        cluster.shutdown()


def test_a_run_spreads_evaluations_over_both_nodes_of_a_cluster(
    tmp_path: Path, two_node_cluster: str
) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = write_config(tmp_path, 8)
    args = evolve_args(archive, "--config", str(config), *SMALL_RUN, "--ray-address", two_node_cluster)
    summary = run_cli(args, env=CLUSTER_ENV)
    store = ArchiveStore(archive)
    workers = {e.worker.split("/")[-1] for e in store.run_evaluations(summary["run_id"]) if e.worker}
    assert len(workers) == 2, f"evaluations ran on {workers}"
    assert_consistent(store, summary["run_id"], 8)


def test_a_run_without_a_ray_address_starts_its_own_ray_beside_a_cluster_already_running(
    tmp_path: Path, two_node_cluster: str
) -> None:
    """Without --ray-address a run uses a Ray of its own with --workers CPUs: a cluster someone started
    on the same machine is neither joined nor in the way."""
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = write_config(tmp_path, 4)
    summary = run_cli(evolve_args(archive, "--config", str(config), *SMALL_RUN), env=CLUSTER_ENV)
    store = ArchiveStore(archive)
    workers = {e.worker.split("/")[-1] for e in store.run_evaluations(summary["run_id"]) if e.worker}
    assert len(workers) == 1, f"evaluations ran on {workers}, not on the run's own single node"
    assert_consistent(store, summary["run_id"], 4)


def test_a_planning_run_on_the_built_in_household_world(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    args = ["--domain", "planning", "--budget", "2", "--seeds", "bm25_turns", "--sandbox", "inprocess"]
    summary = run_cli(
        evolve_args(archive, *args, "--data", "household:households=5,tasks=3", "--workers", "2")
    )
    assert summary["best_seed"] == "bm25_turns"
    assert summary["best_test"] is not None and summary["seed_test"] is not None
    store = ArchiveStore(archive)
    assert store.get_run(summary["run_id"]).domain == "planning"
    assert_consistent(store, summary["run_id"], 2)
