"""A run's reported gains with their intervals, from the per-case scores its archive keeps.

A run's evaluations (`select`, held-out `test`, and `all` on transfer data) store their cases without
texts, each with its unit (see `evolve.workers`); this module groups them by unit and hands them to the
paired bootstrap (`evolve.bootstrap`) with the domain's own scoring, so an interval is about exactly the
reported gain. `results_gain` does the same for two results not stored (benchmarks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from archive import ArchiveStore, Evaluation
from evaluators.domains import TaskDomain
from evaluators.result import CaseResult, EvaluationResult
from evolve.bootstrap import Paired, paired_gain

MIN_UNITS = 4
"""Fewer units than this per dataset give no interval. Of n units resampled n times, a share
n * n**-n of the resamples repeat one unit: a half with 2 units, a ninth with 3, so the 2.5% and 97.5%
percentiles would be single units' gains, the spread of the units rather than an interval. From 4 units
(1.6%) the percentiles are first made of mixed resamples."""


def measured_gain(
    store: ArchiveStore,
    domain: TaskDomain,
    pairs: Sequence[tuple[Evaluation | None, Evaluation | None]],
    seed: int,
) -> dict[str, Any] | None:
    """The gain of the first programs over the second (mean over the pairs, one per dataset) as JSON:
    gain, low, high, units, includes_zero, and `why` when there is no interval (low, high None).

    None when a pair lacks a successful evaluation: there is no gain to report.
    """
    if not pairs or any(a is None or b is None or not a.ok or not b.ok for a, b in pairs):
        return None
    complete = [(a, b) for a, b in pairs if a is not None and b is not None]
    gain = sum(a.score - b.score for a, b in complete) / len(complete)
    strata = []
    for first, second in complete:
        first_units, second_units = _units(store, first), _units(store, second)
        if first_units is None or second_units is None:
            return _without_interval(gain, 0, "per-unit scores were not kept for this evaluation")
        strata.append(Paired(first_units, second_units))
    return gain_with_interval(domain, strata, gain, seed)


def gain_with_interval(
    domain: TaskDomain, strata: Sequence[Paired[CaseResult]], gain: float, seed: int
) -> dict[str, Any]:
    """`gain` (first minus second, the mean over `strata`) as JSON with its paired bootstrap interval,
    or without one (and `why`) when a stratum has fewer than `MIN_UNITS` units both programs share."""
    units = min(len(set(s.first) & set(s.second)) for s in strata)
    if units < MIN_UNITS:
        return _without_interval(gain, units, f"{units} unit(s): an interval needs {MIN_UNITS}")
    measured = paired_gain(strata, domain.score_cases, seed=seed)
    return {**measured.to_json(), "gain": gain, "why": None}


def results_gain(
    domain: TaskDomain, first: EvaluationResult, second: EvaluationResult, seed: int
) -> dict[str, Any] | None:
    """`first` minus `second` (two evaluations of one split of one dataset) as `gain_with_interval` gives
    it; None when either evaluation failed. Raises ValueError when a case lacks its unit: every domain
    gives each case one, so that is a bug, not data to report without an interval."""
    if not (first.ok and second.ok):
        return None
    units = cases_by_unit(first.cases), cases_by_unit(second.cases)
    if units[0] is None or units[1] is None:
        raise ValueError(f"an evaluation of the {domain.name} domain gave a case without its unit")
    return gain_with_interval(domain, [Paired(*units)], first.score - second.score, seed)


def cases_by_unit(cases: Sequence[CaseResult]) -> dict[str, list[CaseResult]] | None:
    """The cases grouped by their unit (what the bootstrap resamples), or None when one has no unit."""
    grouped: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        if not case.unit:
            return None
        grouped[case.unit].append(case)
    return dict(grouped)


def describe_gain(gain: dict[str, Any] | None) -> str:
    """'+0.012 [-0.004, +0.030] ~0' for a table cell: the gain, its interval, '~0' when that includes
    zero; '(no interval)' when there is none (the summary's sentence says why)."""
    if gain is None:
        return "–"
    if gain.get("low") is None:
        return f"{gain['gain']:+.3f} (no interval)"
    interval = f"{gain['gain']:+.3f} [{gain['low']:+.3f}, {gain['high']:+.3f}]"
    return interval + (" ~0" if gain["includes_zero"] else "")


def _without_interval(gain: float, units: int, why: str) -> dict[str, Any]:
    return {"gain": gain, "low": None, "high": None, "units": units, "includes_zero": None, "why": why}


def _units(store: ArchiveStore, evaluation: Evaluation) -> dict[str, list[CaseResult]] | None:
    """The evaluation's cases by unit, or None when they were not kept (or kept without units)."""
    stored = store.evaluation_cases(evaluation.id) if evaluation.id is not None else None
    if not stored:
        return None
    return cases_by_unit([CaseResult(**case) for case in stored])
