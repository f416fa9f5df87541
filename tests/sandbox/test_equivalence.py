"""A sandbox changes where a program runs, never what it scores: every seed, sandboxed vs in-process.

The in-process reference runs in a subprocess with the sandbox's hash seed (`HASH_SEED`): some seeds
sum floats over sets, whose order follows the hash seed, so only runs with the same seed can be
expected to agree to the last bit. With it, they must agree on everything: score, metrics, every
retrieved context and answer, and the counted costs.
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
from sandbox.protocol import HASH_SEED
from sandbox.session import Capabilities, SessionFactory
from seeds import SEEDS
from tests.conftest import LOCOMO_DEV
from tests.sandbox.conftest import Backend

OFFLINE_SEEDS = [seed.name for seed in SEEDS if "llm" not in seed.requires]
SYNTHETIC = "synthetic:conversations=2"
LOCOMO = f"locomo:{LOCOMO_DEV}"

_REFERENCE = """
import json, sys
from tests.sandbox.test_equivalence import evaluate, summary
from sandbox.session import InProcessSession
pairs = json.loads(sys.argv[1])
print(json.dumps({f"{seed} {spec}": summary(evaluate(seed, spec, InProcessSession)) for seed, spec in pairs}))
"""


def evaluate(seed: str, spec: str, factory: SessionFactory) -> Any:
    source = next(s for s in SEEDS if s.name == seed).source
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    return domain.evaluate(source, _dataset(spec), "all", OfflineAgent(), factory, capabilities)


def summary(result: Any) -> dict[str, Any]:
    """Everything that must match, as JSON (what the reference subprocess sends back)."""
    assert result.ok, result.failure_message
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


@pytest.fixture(scope="session")
def references() -> dict[str, dict[str, Any]]:
    """In-process results of every (seed, data) pair, computed once, with the sandbox's hash seed."""
    pairs = [(seed, SYNTHETIC) for seed in OFFLINE_SEEDS] + [(seed, LOCOMO) for seed in OFFLINE_SEEDS]
    completed = subprocess.run(
        [sys.executable, "-c", _REFERENCE, json.dumps(pairs)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": HASH_SEED},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_sandboxed_as_in_process(
    backend: Backend, seed: str, references: dict[str, dict[str, Any]]
) -> None:
    assert summary(evaluate(seed, SYNTHETIC, backend.factory)) == references[f"{seed} {SYNTHETIC}"]


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_in_docker_on_locomo(
    docker_factory: SessionFactory, seed: str, references: dict[str, dict[str, Any]]
) -> None:
    assert summary(evaluate(seed, LOCOMO, docker_factory)) == references[f"{seed} {LOCOMO}"]
