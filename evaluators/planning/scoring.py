"""Planning metrics, and the selection score evolution maximizes.

Every task is played twice by the same agent: with the program's memory, and with no memory at all
(the baseline, `baseline.NO_MEMORY_PROGRAM`). A task's score is

    task_score = max(0, success * (1 + saved) / 2 - READ_COST * read_chars / read_char_limit)
    saved = clip((b - n) / b, -1, 1)

where n is the commands used with the memory and b without (a failed task counts the step limit),
and read_chars what `read()` returned before the task (after the cap). So a success earns half, the
other half is the share of the no-memory steps the memory saved, and a memory that leads the agent
astray (n > b) loses part of the half it earned. The selection score is the mean task score, in
[0, 1]: half the baseline's success rate for a memory that helps with nothing, and below 1 for any
memory, since a task takes some steps however well it is remembered.

It is measured in commands played in the world, never in text, so nothing a program returns scores by
itself: echoing the task names no place; a dump of every place makes the agent try them one by one,
which is what exploring costs anyway; and returning everything stored is cut at the read budget
before the agent sees it and pays READ_COST at the full budget, so of two memories that save the
same steps the more concise wins (an LLM agent pays for every character it reads).
"""

from __future__ import annotations

import statistics

from evaluators.result import CaseResult
from evaluators.summary import Metrics, case_means, mean_score

CASE_METRICS = (
    "success",
    "steps",
    "baseline_success",
    "baseline_steps",
    "steps_saved",
    "saved_share",
    "expert_steps",
    "read_chars",
)


READ_COST = 0.05
"""What returning the whole read budget costs a task's score."""


def task_score(
    success: bool, steps: int, baseline_steps: int, read_chars: int = 0, read_char_limit: int = 1
) -> tuple[float, float]:
    """(task score, saved share) of one task; see the module docstring."""
    saved = max(-1.0, min(1.0, (baseline_steps - steps) / max(baseline_steps, 1)))
    reading = READ_COST * min(1.0, read_chars / max(read_char_limit, 1))
    return (max(0.0, float(success) * (1.0 + saved) / 2.0 - reading), saved)


def summarize(cases: list[CaseResult]) -> Metrics:
    """The metrics of a group of tasks: their count, the mean of each case metric, success rates, the
    steps of successful tasks, and the score (the mean task score)."""
    result: Metrics = {"tasks": float(len(cases)), **case_means(cases, CASE_METRICS)}
    result["success_rate"] = result.pop("success")
    result["baseline_success_rate"] = result.pop("baseline_success")
    successful = [c.metrics["steps"] for c in cases if c.metrics.get("success")]
    result["steps_when_successful"] = statistics.fmean(successful) if successful else None  # type: ignore[arg-type]
    result["score"] = mean_score(cases)
    return result
