"""A run's Ray workers evaluate programs as the sandboxes run them: with the sandbox's hash seed.

In-process programs run in the workers' own interpreters; a program that iterates over a set of
strings (`tiered_os` does) scored differently in each worker before, so a run seed did not give the
same run with `--sandbox inprocess`."""

from __future__ import annotations

import os
import subprocess
import sys

import ray

from evolve.config import RunConfig
from evolve.run import start_ray
from sandbox.protocol import HASH_SEED


@ray.remote
def _hash(text: str) -> int:
    return hash(text)


def test_a_run_s_ray_workers_hash_strings_as_the_sandbox_does() -> None:
    sandboxed = subprocess.run(
        [sys.executable, "-c", "print(hash('tiered_os'))"],
        env={**os.environ, "PYTHONHASHSEED": HASH_SEED},
        capture_output=True,
        text=True,
        check=True,
    )
    start_ray(RunConfig(workers=1))
    try:
        seen = ray.get([_hash.remote("tiered_os") for _ in range(3)])
    finally:
        ray.shutdown()
    assert seen == [int(sandboxed.stdout)] * 3
