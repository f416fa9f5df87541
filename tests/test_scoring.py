"""The selection score: its formula, and its resistance to the loopholes evolution would find."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.conversation import domain
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.conversation.scoring import selection_score, summarize
from evaluators.result import CaseResult
from evaluators.splits import SPLITS, assign_splits, take_split
from evaluators.summary import aggregate
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed
from tests import programs

DEGENERATE = {
    "bag of frequent words": programs.BAG_OF_FREQUENT_WORDS,
    "random stored text": programs.RANDOM_STORED_TEXT,
    "question echoed back": programs.QUESTION_ECHO,
    "whole store truncated": programs.WHOLE_STORE_TRUNCATED,
    "empty memory": programs.EMPTY_MEMORY,
}


def score_of(source: str, data: str) -> float:
    result = domain.evaluate(
        source,
        domain.load_dataset(data),
        "all",
        OfflineAgent(),
        InProcessSession,
        Capabilities(embed=HashedLexicalEmbedder()),
    )
    assert result.ok, result.failure_message
    return result.score


@pytest.fixture(scope="module")
def bm25_scores(locomo_path: Path) -> dict[str, float]:
    return {
        "locomo": score_of(get_seed("bm25_turns").source, f"locomo:{locomo_path}"),
        "synthetic": score_of(get_seed("bm25_turns").source, "synthetic"),
    }


@pytest.mark.parametrize("data", ["locomo", "synthetic"])
@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_programs_score_far_below_bm25(
    name: str, data: str, bm25_scores: dict[str, float], locomo_path: Path
) -> None:
    spec = f"locomo:{locomo_path}" if data == "locomo" else "synthetic"
    degenerate = score_of(DEGENERATE[name], spec)
    assert degenerate < 0.5 * bm25_scores[data], (
        f"{name} scores {degenerate:.3f} vs bm25 {bm25_scores[data]:.3f}"
    )


def case(category: str, answer: float, evidence: float | None) -> CaseResult:
    metrics = {
        "answer_score": answer,
        "exact_match": 0.0,
        "evidence_recall": evidence,
        "answer_token_recall": None,
    }
    return CaseResult("id", category, answer, "q", "a", "out", "ctx", metrics)


def test_score_is_weighted_evidence_recall_plus_answer_score() -> None:
    cases = [case("single-hop", 1.0, 0.5), case("single-hop", 0.0, 1.0), case("adversarial", 1.0, None)]
    overall, by_category = aggregate(cases, summarize)
    # evidence recall: mean(0.5, 1.0) = 0.75 (adversarial has none); answer: mean(1, 0, 1) = 2/3
    assert overall["evidence_recall"] == pytest.approx(0.75)
    assert overall["answer_score"] == pytest.approx(2 / 3)
    assert overall["score"] == pytest.approx(0.6 * 0.75 + 0.4 * 2 / 3)
    assert by_category["adversarial"]["evidence_recall"] is None
    assert by_category["single-hop"]["questions"] == 2
    assert selection_score({"evidence_recall": None, "answer_score": None}) == 0.0


def test_splits_are_by_unit_deterministic_and_disjoint() -> None:
    ids = [f"conv-{i}" for i in range(10)]
    assignment = assign_splits(ids)
    assert assignment == assign_splits(list(reversed(ids)))
    counts = {split: sum(1 for s in assignment.values() if s == split) for split in SPLITS}
    assert counts == {"reflect": 2, "select": 4, "test": 4}
    chosen = [take_split(ids, split, str) for split in SPLITS]
    assert sorted(uid for split in chosen for uid in split) == sorted(ids)
    assert take_split(ids, "all", str) == ids
    with pytest.raises(ValueError, match="unknown split"):
        take_split(ids, "train", str)


def test_evaluation_records_the_fingerprint_of_the_split_it_used() -> None:
    dataset = domain.load_dataset("synthetic:conversations=5")
    source = get_seed("bm25_turns").source
    kwargs = {
        "agent": OfflineAgent(),
        "session_factory": InProcessSession,
        "capabilities": Capabilities(embed=HashedLexicalEmbedder()),
    }
    select = domain.evaluate(source, dataset, "select", **kwargs)
    test = domain.evaluate(source, dataset, "test", **kwargs)
    assert select.data_fingerprint != test.data_fingerprint
    assert select.data_fingerprint == domain.evaluate(source, dataset, "select", **kwargs).data_fingerprint
