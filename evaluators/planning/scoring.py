"""Planning metrics, and the selection score evolution maximizes.

Every task is played twice by the same agent: with the program's memory, and with no memory at all
(the baseline, `baseline.NO_MEMORY_PROGRAM`). A task's score is

    task_score = success * (1 + saved) / 2,    saved = clip((b - n) / b, -1, 1)

where n is the commands used with the memory and b without (a failed task counts the step limit).
So a success earns half, and the other half is the share of the no-memory steps the memory saved;
a memory that leads the agent astray (n > b) loses part of the half it earned. The selection score is
the mean task score, in [0, 1]: about half the baseline's success rate for a memory that helps with
nothing, and below 1 for any memory, since a task takes some steps however well it is remembered.

It is measured in commands played in the world, never in text, so nothing a program returns scores by
itself: echoing the task names no place; returning everything stored is cut at the read budget before
the agent sees it, and a dump that names every place makes the agent try them one by one, which is
what exploring costs anyway.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from evaluators.result import CaseResult

CASE_METRICS = (
    "success",
    "steps",
    "baseline_success",
    "baseline_steps",
    "steps_saved",
    "saved_share",
    "expert_steps",
)


def task_score(success: bool, steps: int, baseline_steps: int) -> tuple[float, float]:
    """(task score, saved share) of one task; see the module docstring."""
    saved = max(-1.0, min(1.0, (baseline_steps - steps) / max(baseline_steps, 1)))
    return (float(success) * (1.0 + saved) / 2.0, saved)


def aggregate(
    cases: Iterable[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Overall metrics and metrics per task kind: means of each case metric, plus the score."""
    cases = list(cases)
    by_kind: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        by_kind[case.category].append(case)
    overall = _means(cases)
    return overall, {kind: _means(group) for kind, group in sorted(by_kind.items())}


def _means(cases: list[CaseResult]) -> dict[str, float | None]:
    result: dict[str, float | None] = {"tasks": float(len(cases))}
    for metric in CASE_METRICS:
        values = [c.metrics[metric] for c in cases if c.metrics.get(metric) is not None]
        result[metric] = statistics.fmean(values) if values else None
    result["success_rate"] = result.pop("success")
    result["baseline_success_rate"] = result.pop("baseline_success")
    successful = [c.metrics["steps"] for c in cases if c.metrics.get("success")]
    result["steps_when_successful"] = statistics.fmean(successful) if successful else None
    result["score"] = statistics.fmean(c.score for c in cases) if cases else 0.0
    return result
