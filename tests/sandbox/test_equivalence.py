"""A sandbox changes where a program runs, never what it scores: every seed, sandboxed vs in-process.

Both sides run in one subprocess whose hash seed is the sandbox's (`HASH_SEED`): some seeds sum floats
over sets and the offline agent picks among ties, and both follow the hash seed, so only runs that share
it can be expected to agree to the last bit. With it, they must agree on everything: score, metrics,
every retrieved context and answer, and the counted costs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from typing import Any

import pytest

from evaluators.conversation import domain
from evaluators.conversation.offline_agent import OfflineAgent
from providers.embedders import HashedLexicalEmbedder
from sandbox.backends import close_factory
from sandbox.docker_backend import docker_session_factory
from sandbox.process_backend import process_session_factory
from sandbox.protocol import HASH_SEED
from sandbox.session import Capabilities, InProcessSession, SessionFactory
from seeds import SEEDS
from tests.conftest import LOCOMO_DEV
from tests.sandbox.conftest import TEST_LIMITS, Backend

OFFLINE_SEEDS = [seed.name for seed in SEEDS if "llm" not in seed.requires]
SYNTHETIC = "synthetic:conversations=2"
LOCOMO = f"locomo:{LOCOMO_DEV}"

_COMPARE = """
import json, sys
from tests.sandbox.test_equivalence import compare
print(json.dumps(compare(sys.argv[1], json.loads(sys.argv[2]))))
"""


def compare(backend: str, pairs: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """In the subprocess: each (seed, data) evaluated in-process and in the sandbox, as summaries."""
    make = docker_session_factory if backend == "docker" else process_session_factory
    factory = make(TEST_LIMITS)
    try:
        return {
            f"{seed} {spec}": {
                "in-process": summary(evaluate(seed, spec, InProcessSession)),
                "sandboxed": summary(evaluate(seed, spec, factory)),
            }
            for seed, spec in pairs
        }
    finally:
        close_factory(factory)


def evaluate(seed: str, spec: str, factory: SessionFactory) -> Any:
    source = next(s for s in SEEDS if s.name == seed).source
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    return domain.evaluate(source, _dataset(spec), "all", OfflineAgent(), factory, capabilities)


def summary(result: Any) -> dict[str, Any]:
    """Everything that must match."""
    if not result.ok:
        return {"failed": f"{result.failure_reason}: {result.failure_message}"}
    return {
        "score": result.score,
        "metrics": result.metrics,
        "contexts": [case.context for case in result.cases],
        "outputs": [case.output for case in result.cases],
        "embed_calls": result.cost["embed_calls"],
        "truncated_reads": result.cost["truncated_reads"],
    }


@cache
def _dataset(spec: str) -> Any:
    return domain.load_dataset(spec)


def _run_comparison(backend: str, pairs: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    completed = subprocess.run(
        [sys.executable, "-c", _COMPARE, backend, json.dumps(pairs)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": HASH_SEED},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def docker_comparison(sandbox_image: str) -> dict[str, dict[str, Any]]:
    return _run_comparison("docker", [(seed, data) for data in (SYNTHETIC, LOCOMO) for seed in OFFLINE_SEEDS])


@pytest.fixture(scope="session")
def process_comparison() -> dict[str, dict[str, Any]]:
    return _run_comparison("process", [(seed, SYNTHETIC) for seed in OFFLINE_SEEDS])


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_sandboxed_as_in_process(
    backend: Backend, seed: str, request: pytest.FixtureRequest
) -> None:
    result = request.getfixturevalue(f"{backend.name}_comparison")[f"{seed} {SYNTHETIC}"]
    assert "failed" not in result["in-process"], result["in-process"]
    assert result["sandboxed"] == result["in-process"]


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_in_docker_on_locomo(
    seed: str, docker_comparison: dict[str, dict[str, Any]]
) -> None:
    result = docker_comparison[f"{seed} {LOCOMO}"]
    assert "failed" not in result["in-process"], result["in-process"]
    assert result["sandboxed"] == result["in-process"]
