"""From scored cases to a result's metrics: overall and per category, the same way in every domain.

A domain says how one group of cases is summarized (`Summarize`: the metrics of a group, `score` among
them); `aggregate` applies it to all cases and to each category's. `case_means` is the usual body of a
summary: the mean of each case metric over the cases that have it (None where none has it).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from evaluators.result import CaseResult

Metrics = dict[str, float | None]
Summarize = Callable[[list[CaseResult]], Metrics]
"""The metrics of a group of cases, including its selection `score`."""


def aggregate(cases: Iterable[CaseResult], summarize: Summarize) -> tuple[Metrics, dict[str, Metrics]]:
    """(metrics over all cases, metrics per category in category order)."""
    cases = list(cases)
    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        by_category[case.category].append(case)
    return summarize(cases), {category: summarize(group) for category, group in sorted(by_category.items())}


def case_means(cases: Sequence[CaseResult], names: Iterable[str]) -> Metrics:
    """The mean of each named case metric over the cases that have a value for it; None if none has."""
    result: Metrics = {}
    for name in names:
        values = [c.metrics[name] for c in cases if c.metrics.get(name) is not None]
        result[name] = statistics.fmean(values) if values else None  # type: ignore[arg-type]
    return result


def mean_score(cases: Sequence[CaseResult]) -> float:
    """The mean case score (0 for no case): the selection score of a domain that says no other."""
    return statistics.fmean(c.score for c in cases) if cases else 0.0


def default_summary(cases: list[CaseResult]) -> Metrics:
    """A summary for a domain that gives none: the case count, the mean of every case metric, and the
    mean case score as `score`."""
    names = sorted({name for case in cases for name in case.metrics})
    return {"cases": float(len(cases)), **case_means(cases, names), "score": mean_score(cases)}
