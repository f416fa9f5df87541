"""What an evaluation of a memory program produces, in any domain.

The evolution loop knows a domain only through `EvaluationResult` (as GEPA's search knows a task only
through its evaluation batch): `score` drives selection, `metrics` and `by_category` explain it, `cost`
feeds the behaviour descriptors and the reports, and `cases` are what the reflective mutator reads to
understand failures. Everything here is JSON-able, because it is stored in the archive.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class CaseResult:
    """One scored case (a question, a task): the input, the gold, what the agent said, what memory gave."""

    case_id: str
    category: str
    score: float
    prompt: str
    expected: str
    output: str
    context: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    unit: str = ""
    """The unit the case belongs to (its conversation, its layout): what a bootstrap resamples."""

    def scored(self) -> CaseResult:
        """The case without its texts: enough to recompute scores and intervals, small enough to keep
        for every held-out evaluation."""
        return replace(self, prompt="", expected="", output="", context="")


@dataclass(frozen=True)
class EvaluationResult:
    """The outcome of evaluating one program on one split of one dataset with one agent.

    `score` is the selection score in [0, 1] (0 for a failed evaluation); `status` is "ok" or "failed",
    and a failed one carries `failure_reason` (a `sandbox.session.FailureReason` value), its message and
    the program's last log lines.
    """

    domain: str
    split: str
    agent: str
    data_name: str
    data_fingerprint: str
    status: str
    score: float
    metrics: dict[str, float | None] = field(default_factory=dict)
    by_category: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    failure_reason: str | None = None
    failure_message: str | None = None
    logs: tuple[str, ...] = ()
    cases: tuple[CaseResult, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self, include_cases: bool = True) -> dict[str, Any]:
        # Field by field: `asdict` would deep-copy every case even when they are left out.
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "cases"}
        data["logs"] = list(self.logs)
        data["cases"] = [asdict(c) for c in self.cases] if include_cases else []
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EvaluationResult:
        values = dict(data)
        values["logs"] = tuple(values.get("logs", ()))
        values["cases"] = tuple(CaseResult(**c) for c in values.get("cases", ()))
        return cls(**values)
