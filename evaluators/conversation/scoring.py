"""Aggregate per-question results into metrics, and the selection score evolution maximizes.

The selection score (in [0, 1]):

    score = 0.6 * evidence_recall + 0.4 * answer_score

- `evidence_recall`: mean over answerable questions with evidence of the share of evidence turns whose
  wording (at least 80% of their word trigrams) is in what `read()` returned, within the character cap.
  It does not depend on the agent, and it cannot be gamed by a bag of frequent words, an echo of the
  question, or random stored text: only returning the right turns, nearly verbatim, earns it.
- `answer_score`: mean over all questions of LoCoMo's official per-category answer score of the agent's
  answer, including unanswerable questions (credit for saying it is not known). It keeps the score tied
  to the task, and rewards memories whose output an agent can actually use (dates kept, facts current).

A memory that returns nothing earns only the unanswerable questions' share of the answer term
(0.4 x about 0.2); a failed evaluation scores 0.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from evaluators.result import CaseResult

EVIDENCE_WEIGHT = 0.6
ANSWER_WEIGHT = 0.4
CASE_METRICS = ("answer_score", "exact_match", "evidence_recall", "answer_token_recall", "llm_judge")


def aggregate(
    cases: Iterable[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Overall metrics and metrics per category: means of each case metric over the cases that have it."""
    cases = list(cases)
    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        by_category[case.category].append(case)
    overall = _means(cases)
    overall["score"] = selection_score(overall)
    return overall, {category: _means(group) for category, group in sorted(by_category.items())}


def selection_score(metrics: dict[str, float | None]) -> float:
    """The documented combination above; a missing term counts as 0."""
    return EVIDENCE_WEIGHT * (metrics.get("evidence_recall") or 0.0) + ANSWER_WEIGHT * (
        metrics.get("answer_score") or 0.0
    )


def _means(cases: list[CaseResult]) -> dict[str, float | None]:
    result: dict[str, float | None] = {"questions": float(len(cases))}
    for metric in CASE_METRICS:
        values = [c.metrics[metric] for c in cases if c.metrics.get(metric) is not None]
        result[metric] = statistics.fmean(values) if values else None
    return result
