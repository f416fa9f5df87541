"""One evaluation of a split from evaluations of its disjoint parts.

The cascade (`evolve.cascade`) evaluates a candidate on a first part of `select` and, if it goes on, on
the rest: never on the first part twice. What the archive keeps as the candidate's `select` evaluation
is then joined from the two. Units are played with a fresh memory each, so a case scores the same
whichever part it was played in: the joined score and metrics are exactly those of one evaluation of
all of `select`. Costs are joined as totals, or as the mean of the parts' per-operation figures
weighted by their cases (a median so joined is close to, not exactly, the median of all operations).
"""

from __future__ import annotations

from collections.abc import Sequence

from evaluators.result import EvaluationResult
from evaluators.runner import PER_OPERATION_COSTS
from evaluators.summary import Summarize, aggregate


def join_parts(
    parts: Sequence[EvaluationResult], split: str, fingerprint: str, summarize: Summarize
) -> EvaluationResult:
    """The evaluation of `split` (with its `fingerprint`) made of `parts`, each with its cases (texts
    may be left out). Failed if a part failed: then with the first failure's reason, message and logs."""
    if not parts:
        raise ValueError("joining evaluations needs at least one part")
    first = parts[0]
    if any(
        (part.domain, part.agent, part.data_name) != (first.domain, first.agent, first.data_name)
        for part in parts
    ):
        raise ValueError("only parts of one domain, agent and dataset can be joined")
    cost = _joined_cost(parts)
    identity = {"domain": first.domain, "split": split, "agent": first.agent, "data_name": first.data_name}
    failed = next((part for part in parts if not part.ok), None)
    if failed is not None:
        return EvaluationResult(
            **identity,
            data_fingerprint=fingerprint,
            status="failed",
            score=0.0,
            cost=cost,
            failure_reason=failed.failure_reason,
            failure_message=failed.failure_message,
            logs=failed.logs,
        )
    cases = tuple(case for part in parts for case in part.cases)
    metrics, by_category = aggregate(cases, summarize)
    return EvaluationResult(
        **identity,
        data_fingerprint=fingerprint,
        status="ok",
        score=float(metrics.get("score") or 0.0),
        metrics=metrics,
        by_category=by_category,
        cost=cost,
        cases=cases,
    )


def _joined_cost(parts: Sequence[EvaluationResult]) -> dict[str, float]:
    weights = [max(len(part.cases), 1) for part in parts]
    keys = {key for part in parts for key in part.cost}
    joined: dict[str, float] = {}
    for key in sorted(keys):
        values = [float(part.cost.get(key) or 0.0) for part in parts]
        if key in PER_OPERATION_COSTS:
            joined[key] = sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)
        else:
            joined[key] = sum(values)
    return joined
