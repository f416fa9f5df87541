"""A sandbox changes where a program runs, never what it scores: every seed, sandboxed vs in-process."""

from __future__ import annotations

from functools import cache

import pytest

from evaluators.conversation import domain
from evaluators.conversation.data import ConversationDataset
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.result import EvaluationResult
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession, SessionFactory
from seeds import SEEDS
from tests.conftest import LOCOMO_DEV
from tests.sandbox.conftest import Backend

OFFLINE_SEEDS = [seed.name for seed in SEEDS if "llm" not in seed.requires]
DATASETS = {"synthetic": "synthetic:conversations=2", "locomo-dev": f"locomo:{LOCOMO_DEV}"}


@cache
def dataset(spec: str) -> ConversationDataset:
    return domain.load_dataset(spec)


def evaluate(seed: str, spec: str, factory: SessionFactory) -> EvaluationResult:
    source = next(s for s in SEEDS if s.name == seed).source
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    return domain.evaluate(source, dataset(spec), "all", OfflineAgent(), factory, capabilities)


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_sandboxed_as_in_process(backend: Backend, seed: str) -> None:
    assert_same_evaluation(seed, DATASETS["synthetic"], backend.factory)


@pytest.mark.parametrize("seed", OFFLINE_SEEDS)
def test_every_seed_scores_the_same_in_docker_on_locomo(docker_factory: SessionFactory, seed: str) -> None:
    assert_same_evaluation(seed, DATASETS["locomo-dev"], docker_factory)


def assert_same_evaluation(seed: str, spec: str, factory: SessionFactory) -> None:
    """Same score, metrics, retrieved contexts, answers and counted costs as the in-process reference."""
    reference = evaluate(seed, spec, InProcessSession)
    sandboxed = evaluate(seed, spec, factory)
    assert reference.ok and sandboxed.ok, sandboxed.failure_message
    assert sandboxed.score == reference.score
    assert sandboxed.metrics == reference.metrics
    assert [case.context for case in sandboxed.cases] == [case.context for case in reference.cases]
    assert [case.output for case in sandboxed.cases] == [case.output for case in reference.cases]
    assert sandboxed.cost["embed_calls"] == reference.cost["embed_calls"]
    assert sandboxed.cost["truncated_reads"] == reference.cost["truncated_reads"]
