"""Cascade evaluation (as in AlphaEvolve and OpenEvolve): a cheap first look before the full evaluation.

Most children are worse than the best program of their island, and an evaluation on all of `select` is
what a candidate costs (hundreds of model calls with the LLM agent). So a candidate is first evaluated
on a fixed, small part of `select` (the `cascade` part: a quarter of its units, see `evaluators.splits`),
and goes on only when that score is within `margin` of what its island's best program scored on the same
part. Going on, it is evaluated on the rest of `select` (`select_rest`), never on the first part again,
and its `select` evaluation is joined from the two (`evaluators.parts`): exactly what an evaluation of
all of `select` would have given. A candidate stopped on the first part never enters the population.

Scores on the first part are only ever compared with scores on the same part: every program that can be
an island's best (seeds, and candidates that went on) has one. Both parts are evaluations of their own,
with their own data fingerprints, so the archive reuses them on resume like any other evaluation and no
query for `select` ever sees them. With fewer select units than the part needs, the part is all of
`select` (the rest holds none) and the cascade is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive import ArchiveStore, Evaluation
from evaluators.parts import join_parts
from evaluators.result import CaseResult, EvaluationResult
from evaluators.splits import CASCADE, SELECT_REST
from evaluators.summary import Summarize

JOINED = "joined from the cascade's parts"
"""The `worker` of a joined `select` evaluation: the workers are on its two parts."""


@dataclass
class Cascade:
    """The run's cascade: its margin (None: off), and every score on the part seen so far."""

    margin: float | None
    scores: dict[str, float] = field(default_factory=dict)
    """Program id -> its score on the cascade part."""

    @property
    def on(self) -> bool:
        return self.margin is not None

    def needs_first_look(self, program_id: str) -> bool:
        """Whether a `select` evaluation of this program should be a cascade one first."""
        return self.on and program_id not in self.scores

    def goes_on(self, program_id: str, score: float, best_id: str | None) -> bool:
        """Record the program's score on the part; True when it deserves the rest of `select`: within the
        margin of the island's best on the same part, or nothing there to compare with."""
        self.scores[program_id] = score
        best = self.scores.get(best_id) if best_id is not None else None
        return best is None or self.margin is None or score >= best - self.margin


def record_joined_select(
    store: ArchiveStore,
    parts: tuple[Evaluation, Evaluation],
    fingerprint: str,
    summarize: Summarize,
    run_id: str,
) -> Evaluation:
    """Record (once) the `select` evaluation, with `select`'s `fingerprint`, joined from a program's
    evaluations on the cascade part and on the rest; return it."""
    first, rest = parts
    if (first.split, rest.split) != (CASCADE, SELECT_REST) or first.program_id != rest.program_id:
        raise ValueError("a select evaluation is joined from one program's cascade part and its rest")
    joined = join_parts([_result(store, first), _result(store, rest)], "select", fingerprint, summarize)
    evaluation, _ = store.record_evaluation(
        first.program_id,
        **joined.to_json(include_cases=False),
        run_id=run_id,
        seconds=joined.cost.get("seconds"),
        worker=JOINED,
    )
    return evaluation


def _result(store: ArchiveStore, evaluation: Evaluation) -> EvaluationResult:
    """A stored evaluation as the result it was recorded from, its cases without their texts."""
    stored = store.evaluation_cases(evaluation.id) if evaluation.id is not None else None
    if evaluation.ok and stored is None:
        raise ValueError(f"evaluation {evaluation.id} of a cascade part was stored without its cases")
    return EvaluationResult(
        domain=evaluation.domain,
        split=evaluation.split,
        agent=evaluation.agent,
        data_name=evaluation.data_name,
        data_fingerprint=evaluation.data_fingerprint,
        status=evaluation.status,
        score=evaluation.score,
        metrics=evaluation.metrics,
        by_category=evaluation.by_category,
        cost=evaluation.cost,
        failure_reason=evaluation.failure_reason,
        failure_message=evaluation.failure_message,
        logs=tuple(evaluation.logs),
        cases=tuple(CaseResult(**case) for case in stored or ()),
    )
