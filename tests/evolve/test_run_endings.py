"""However a run ends, the archive says how: "finished", "interrupted", or "failed" with the reason.

A run left "running" after it died looks, to every reader of the archive, like one still going. These end
runs the ways they really end (no seed evaluates, the archive refuses a write, a worker is lost while a
mutator waits for a parent's reflection) and read the archive afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
from typer.testing import CliRunner

from archive import ArchiveStore
from archive.errors import ArchiveError
from evolve.cli import app
from evolve.config import RunConfig
from evolve.reflection import ReflectionContexts
from evolve.run import mutator_factory, run_evolution
from evolve.workers import WORKER_LOST, EvaluationRequest
from providers.config import LLMSettings
from tests.evolve.test_evolve_runs import evolve_args
from tests.providers.fake_llm_server import FakeLLMServer, Fault
from tests.sandbox.attacks import program
from tests.sandbox.helpers import host_processes_with


def test_a_run_where_no_seed_evaluates_is_failed_with_its_reason_in_one_sentence(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = tmp_path / "run.toml"
    config.write_text('seeds = ["bm25_turns"]\n[llm]\nmax_attempts = 1\n')
    with FakeLLMServer() as server:
        # the driver's and the worker's model checks pass; every agent call after them is refused
        server.script(Fault(), Fault(), *[Fault(status=403, message="scripted refusal")] * 50)
        model = f"openai-compatible:{server.openai_url}:fake-model"
        args = evolve_args(archive, "--config", str(config), "--agent", "llm", "--agent-model", model)
        args += ["--sandbox", "inprocess", "--data", "synthetic:conversations=3", "--workers", "1"]
        env = {**os.environ, "MNEMOFORGE_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, env=env)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]  # after the note that inprocess isolates nothing
    assert last.startswith("error: no seed could be evaluated successfully (failures: llm_unavailable 1)")
    [run] = ArchiveStore(archive).list_runs()
    assert run.status == "failed" and run.finished_at is not None
    assert "no seed could be evaluated" in (run.summary or {})["failure"]
    listed = CliRunner().invoke(app, ["archive", "runs", "--archive", archive], terminal_width=200)
    assert f"run {run.id} failed: UserError: no seed could be evaluated" in listed.stdout


class RefusingArchive(ArchiveStore):
    """A real archive that refuses to record candidates, as one whose disk filled up mid-run would."""

    def record_candidate(self, run_id: str, **fields: Any) -> Any:
        raise ArchiveError("the archive refused the candidate: database or disk is full")


def test_a_run_the_archive_fails_is_failed_with_the_archives_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    config = RunConfig(
        seeds=("bm25_turns",), sandbox="inprocess", data="synthetic:conversations=3", workers=1
    )
    config = config.model_copy(update={"max_candidates": 1})
    run = ArchiveStore(url).create_run(config.domain, config.model_dump(mode="json"), config.seed)
    with pytest.raises(ArchiveError, match="disk is full"):
        run_evolution(config, RefusingArchive(url), run.id)
    ended = ArchiveStore(url).get_run(run.id)
    assert ended.status == "failed"
    assert ended.summary == {
        "failure": "ArchiveError: the archive refused the candidate: database or disk is full"
    }


@pytest.fixture
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=1, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


KILLS_ITS_WORKER = program(write="os._exit(3)")
"""Run in-process, a program that exits takes its Ray worker with it: a lost worker, twice (Ray retries)."""


def test_a_worker_lost_during_a_reflection_is_a_failed_reflect_evaluation_and_the_run_goes_on(
    tmp_path: Path, local_ray: None
) -> None:
    store = ArchiveStore(f"sqlite:///{tmp_path / 'archive.db'}")
    config = RunConfig(sandbox="inprocess", data="synthetic:conversations=3", workers=1)
    run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
    parent = store.add_program(KILLS_ITS_WORKER, config.domain, [], "seed", "", run.id)
    fingerprints = {"reflect": "fp-reflect", "select": "fp-select", "test": "fp-test"}

    def request_for(program_id: str, source: str, split: str) -> EvaluationRequest:
        return EvaluationRequest(
            program_id,
            source,
            config.domain,
            config.data or "",
            split,
            "offline",
            "hashed",
            "inprocess",
            3000,
        )

    contexts = ReflectionContexts(
        config, store, run.id, "conversation", fingerprints, "synthetic", request_for
    )
    context = contexts(parent.id)
    assert context.logs[0].startswith("the worker was lost twice")
    [reflect] = store.program_evaluations(parent.id)
    assert (reflect.split, reflect.status, reflect.failure_reason) == ("reflect", "failed", WORKER_LOST)
    assert contexts(parent.id) == context, "the lost reflection was evaluated again"


def _my_harnesses() -> list[int]:
    """Harness processes descended from this test process (other tests on the machine may run theirs)."""
    found = []
    for line in host_processes_with("from sandbox.harness import main"):
        pid = int(line.split()[0])
        ancestor = pid
        while ancestor > 1:
            try:
                stat = Path(f"/proc/{ancestor}/stat").read_text()
            except OSError:
                break
            ancestor = int(stat.rsplit(")", 1)[1].split()[1])
            if ancestor == os.getpid():
                found.append(pid)
                break
    return found


def test_the_smoke_sandbox_of_a_reflective_run_closes_when_the_run_ends(tmp_path: Path) -> None:
    store = ArchiveStore(f"sqlite:///{tmp_path / 'archive.db'}")
    with FakeLLMServer() as server:
        model = f"openai-compatible:{server.openai_url}:fake-model"
        config = RunConfig(mutation_model=model, sandbox="process", llm=LLMSettings(cache=False))
        run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
        before = set(_my_harnesses())
        with contextlib.ExitStack() as resources:
            mutator_factory(config, store, run.id, resources)
            # The spare's command is a chain (rlimits, namespaces, privileges dropped, then Python): the
            # harness shows its command line only once the last of them has started.
            deadline = time.monotonic() + 20
            while not set(_my_harnesses()) - before and time.monotonic() < deadline:
                time.sleep(0.1)
            assert set(_my_harnesses()) - before, "the smoke sandbox keeps no spare: nothing to check"
    deadline = time.monotonic() + 20
    while set(_my_harnesses()) - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(_my_harnesses()) - before == set(), "the smoke sandbox outlived its run"
