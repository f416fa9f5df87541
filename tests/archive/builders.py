"""Small builders shared by the archive tests: a program source and an evaluation with defaults."""

from __future__ import annotations

from typing import Any

from archive import ArchiveStore, Evaluation

DOMAIN = "conversation"
FINGERPRINT = "a1b2c3d4e5f60718"


def source(n: int) -> str:
    """A distinct, valid memory-program-like source per `n`."""
    return f"TOP_K = {n}\n\n\nclass KnowledgeBase:\n    pass\n"


def evaluate(
    store: ArchiveStore, program_id: str, score: float, split: str = "select", **overrides: Any
) -> Evaluation:
    values: dict[str, Any] = {
        "domain": DOMAIN,
        "split": split,
        "data_fingerprint": FINGERPRINT,
        "agent": "offline",
        "status": "ok",
        "score": score,
        "metrics": {"evidence_recall": score},
    }
    values.update(overrides)
    evaluation, _created = store.record_evaluation(program_id, **values)
    return evaluation
