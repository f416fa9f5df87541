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

from evaluators.result import CaseResult
from evaluators.summary import Metrics, case_means

EVIDENCE_WEIGHT = 0.6
ANSWER_WEIGHT = 0.4
CASE_METRICS = ("answer_score", "exact_match", "evidence_recall", "answer_token_recall", "llm_judge")


def summarize(cases: list[CaseResult]) -> Metrics:
    """The metrics of a group of questions: their count, the mean of each case metric over the questions
    that have it, and the selection score."""
    metrics: Metrics = {"questions": float(len(cases)), **case_means(cases, CASE_METRICS)}
    metrics["score"] = selection_score(metrics)
    return metrics


def selection_score(metrics: Metrics) -> float:
    """The documented combination above; a missing term counts as 0."""
    return EVIDENCE_WEIGHT * (metrics.get("evidence_recall") or 0.0) + ANSWER_WEIGHT * (
        metrics.get("answer_score") or 0.0
    )
