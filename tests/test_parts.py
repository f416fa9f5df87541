"""A `select` evaluation joined from the cascade's two parts is the evaluation of all of `select`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evaluators.domains import get_domain
from evaluators.parts import join_parts
from evaluators.result import EvaluationResult
from evaluators.splits import CASCADE, SELECT_REST
from providers.embedders import make_embedder
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import get_seed

CASES = [
    # Ten synthetic conversations: four in select, one of them the cascade's part.
    ("conversation", "synthetic:conversations=10", "bm25_turns"),
    ("planning", "household:seed=0,households=10,tasks=4", "experience_learner"),
]


def evaluate(domain_name: str, spec: str, seed: str, split: str) -> EvaluationResult:
    domain = get_domain(domain_name)
    dataset = domain.load_dataset(spec)
    agent = domain.make_agent("offline")
    capabilities = Capabilities(embed=make_embedder("hashed"))
    return domain.evaluate(get_seed(seed).source, dataset, split, agent, InProcessSession, capabilities)


@pytest.mark.parametrize(("domain_name", "spec", "seed"), CASES)
def test_the_joined_parts_score_as_all_of_select(domain_name: str, spec: str, seed: str) -> None:
    domain = get_domain(domain_name)
    first, rest, whole = (evaluate(domain_name, spec, seed, s) for s in (CASCADE, SELECT_REST, "select"))
    assert first.ok and rest.ok and whole.ok
    assert {c.unit for c in first.cases}.isdisjoint({c.unit for c in rest.cases})
    assert {c.unit for c in first.cases} | {c.unit for c in rest.cases} == {c.unit for c in whole.cases}

    joined = join_parts([first, rest], "select", whole.data_fingerprint, domain.summarize)

    assert (joined.split, joined.data_fingerprint, joined.status) == ("select", whole.data_fingerprint, "ok")
    assert joined.score == pytest.approx(whole.score)
    assert joined.metrics == pytest.approx(whole.metrics)
    assert joined.by_category.keys() == whole.by_category.keys()
    for category, metrics in whole.by_category.items():
        assert joined.by_category[category] == pytest.approx(metrics)
    for total in ("llm_calls", "embed_calls", "truncated_reads"):
        assert joined.cost[total] == whole.cost[total]
    assert joined.cost["seconds"] == pytest.approx(first.cost["seconds"] + rest.cost["seconds"])
    if domain_name == "conversation":  # one read per question: the weighted mean is exact
        assert joined.cost["read_chars_mean"] == pytest.approx(whole.cost["read_chars_mean"])


def test_a_failed_part_fails_the_joined_evaluation_with_its_reason() -> None:
    first = evaluate("conversation", "synthetic:conversations=10", "bm25_turns", CASCADE)
    failed = replace(
        first,
        split=SELECT_REST,
        status="failed",
        score=0.0,
        failure_reason="timeout",
        failure_message="read() took too long",
        logs=("last line",),
        cases=(),
    )
    joined = join_parts([first, failed], "select", "f" * 16, get_domain("conversation").summarize)
    assert (joined.status, joined.score, joined.failure_reason) == ("failed", 0.0, "timeout")
    assert joined.logs == ("last line",) and joined.cases == ()


def test_parts_of_different_data_are_not_joined() -> None:
    first = evaluate("conversation", "synthetic:conversations=10", "bm25_turns", CASCADE)
    with pytest.raises(ValueError, match="one domain, agent and dataset"):
        join_parts([first, replace(first, data_name="other")], "select", "f" * 16, lambda cases: {})
