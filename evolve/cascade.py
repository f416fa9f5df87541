"""Cascade evaluation (as in AlphaEvolve and OpenEvolve): a cheap first look before the full evaluation.

Most children are worse than the best program of their island, and an evaluation on all of `select` is
what a candidate costs (hundreds of model calls with the LLM agent). So a candidate is first evaluated
on a fixed, small part of `select` (the `cascade` part: a quarter of its units, see `evaluators.splits`),
and goes on only if that part shows something new about it, and does not show it clearly worse. Going
on, it is evaluated on the rest of `select` (`select_rest`), never on the first part again, and its
`select` evaluation is joined from the two (`evaluators.parts`): exactly what an evaluation of all of
`select` would have given. A candidate stopped on the first part never enters the population.

The decision compares the candidate's cases on the part with those of every program evaluated there
before it in the run, and with its island's best's (`evolve.paired`); it stops when
- every case scored exactly as some program seen before scored it: its behaviour there is already known,
  as the loop already refuses a program whose syntax tree it has seen. In runs without a cascade
  (offline structural mutator, default data), 37-40% of children score every case of `select` as their
  parent did (a constant that never comes into play), and most children that match an earlier program
  on the part score what it scores on all of `select`; the other children unchanged on the part changed
  some questions of the other conversations, about as often for the better as for the worse
  (benchmarks/results/cascade_children.md, docs/cascade.md). Stopping them costs the search those that
  were better: about a third of its improving children, each by under 0.01 of `select`'s score in the
  runs inspected;
- or its score is below the island best's by more than `margin` plus `Z` standard errors of their
  paired difference: clearly worse, not just a few questions unlucky on one conversation (a child
  slightly better on all of `select` is often slightly worse on one conversation of it).
Anything else goes on, a child a little below the best on the part among them.

The first rule rests on the part telling different behaviours apart, and the run checks that on its own
data: once two programs evaluated on both parts (the seeds, at first) score every case of the part alike
but differ on the rest, a tie on the part is known to prove nothing here, and from then on only the
second rule stops a candidate. On the built-in data's part, a conversation of 35 questions, no two of
38 programs of a run tied; on LongMemEval, whose units are single questions, the part holds four, and 26
pairs of 20 programs tied there while every one of them differed on the rest. With the tie rule on, a
run there stopped 42 of its 48 candidates; checked, none.

Scores on the first part are only ever compared with scores on the same part: every program that can be
an island's best (seeds, and candidates that went on) has one. Both parts are evaluations of their own,
with their own data fingerprints, so the archive reuses them on resume like any other evaluation and no
query for `select` ever sees them. With fewer select units than the part needs, the part is all of
`select` (the rest holds none) and the cascade is off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from archive import ArchiveStore, Evaluation
from evaluators.parts import join_parts
from evaluators.result import CaseResult, EvaluationResult
from evaluators.splits import CASCADE, SELECT_REST
from evaluators.summary import Summarize
from evolve.paired import CaseValues, PairedDifference, paired_difference

JOINED = "joined from the cascade's parts"
"""The `worker` of a joined `select` evaluation: the workers are on its two parts."""


Z = 1.96
"""Standard errors below the island's best at which a candidate is clearly worse on the part: a one-sided
test at 2.5%, the usual level, not a value fitted to any run."""


@dataclass(frozen=True)
class PartResult:
    """A program's evaluation of the cascade part: its score (the mean over datasets) and, per dataset,
    each case's own selection score by case key."""

    score: float
    cases: tuple[CaseValues, ...]


@dataclass
class Cascade:
    """The run's cascade: its margin (None: off), and every result on the part seen so far.

    Each result carries its program's ordinal: its place in the run's proposal order (the seeds 0,
    candidates 1, 2, ...). The loop decides candidates in that order, and a decision sees the parts of
    the programs proposed before it, never those of later ones that happened to finish sooner; whether
    ties still tell is judged on the rests of the candidates whose outcomes were in when it was
    proposed (`known`). So a run seed decides the same, whatever order the workers finish in."""

    margin: float | None
    parts: dict[str, tuple[int, PartResult]] = field(default_factory=dict)
    """Program id -> its ordinal and its result on the cascade part."""
    rests: dict[tuple[str, int], CaseValues] = field(default_factory=dict)
    """(program id, dataset position) -> its cases on the rest of `select`, for programs that went on."""
    ties_broken_at: int | None = None
    """The first ordinal by which two programs had tied on every case of the part and differed on the
    rest (None: no such pair yet): from then on a tie on the part proves nothing."""

    @property
    def on(self) -> bool:
        return self.margin is not None

    def needs_first_look(self, program_id: str) -> bool:
        """Whether a `select` evaluation of this program should be a cascade one first."""
        return self.on and program_id not in self.parts

    def ties_tell(self, known: int | None = None) -> bool:
        """Whether a tie on the part still meant the same behaviour once the first `known` outcomes were
        in (None: everything recorded)."""
        return self.ties_broken_at is None or (known is not None and self.ties_broken_at > known)

    def goes_on(
        self,
        program_id: str,
        part: PartResult,
        best_id: str | None,
        *,
        ordinal: int | None = None,
        known: int | None = None,
    ) -> bool:
        """Record the program's result on the part; True when it deserves the rest of `select`: the part
        shows something new (it scored some case otherwise than every program seen there before) and not
        clearly worse than the island's best, or there is no best to compare with (see the module
        docstring). Programs seen are those of lower `ordinal` (None: every one recorded, and this one is
        recorded as known from the start); ties tell as they did once `known` outcomes were in (None:
        as they do now)."""
        seen = [
            other
            for other_id, (other_ordinal, other) in self.parts.items()
            if other_id != program_id and (ordinal is None or other_ordinal < ordinal)
        ]
        self.parts[program_id] = (ordinal or 0, part)
        best = self.parts.get(best_id) if best_id is not None else None
        if best is None or self.margin is None:
            return True
        if self.ties_tell(known) and any(not self._difference(part, other).differs for other in seen):
            return False
        difference = self._difference(part, best[1])
        return difference.mean >= -(self.margin + Z * difference.standard_error)

    def record_rest(self, program_id: str, dataset: int, rest: CaseValues) -> None:
        """Record a program's cases on the rest of `select` of one dataset (its position in the run's
        data); a program that tied another on every case of that dataset's part but scored the rest
        otherwise shows that ties on the part prove nothing on this data, from the later of their two
        ordinals on (`ties_broken_at`)."""
        self.rests[(program_id, dataset)] = rest
        if program_id not in self.parts:
            return
        ordinal, part = self.parts[program_id]
        for (other_id, other_dataset), other_rest in self.rests.items():
            if other_id == program_id or other_dataset != dataset or other_id not in self.parts:
                continue
            other_ordinal, other_part = self.parts[other_id]
            if other_part.cases[dataset] == part.cases[dataset] and other_rest != rest:
                broken = max(ordinal, other_ordinal)
                if self.ties_broken_at is None or broken < self.ties_broken_at:
                    self.ties_broken_at = broken

    @staticmethod
    def _difference(part: PartResult, other: PartResult) -> PairedDifference:
        return paired_difference(part.score - other.score, part.cases, other.cases)


def record_joined_select(
    store: ArchiveStore,
    parts: tuple[Evaluation, Evaluation],
    fingerprint: str,
    summarize: Summarize,
    run_id: str,
) -> Evaluation:
    """Record (once) the `select` evaluation, with `select`'s `fingerprint`, joined from a program's
    evaluations on the cascade part and on the rest, with both parts' scored cases; return it."""
    first, rest = parts
    if (first.split, rest.split) != (CASCADE, SELECT_REST) or first.program_id != rest.program_id:
        raise ValueError("a select evaluation is joined from one program's cascade part and its rest")
    joined = join_parts([_result(store, first), _result(store, rest)], "select", fingerprint, summarize)
    evaluation, _ = store.record_evaluation(
        first.program_id,
        **joined.to_json(),
        run_id=run_id,
        seconds=joined.cost.get("seconds"),
        worker=JOINED,
    )
    return evaluation


def case_values(
    store: ArchiveStore, evaluation: Evaluation, score_cases: Callable[[list[CaseResult]], float]
) -> CaseValues:
    """Each case of a stored evaluation of the part, keyed by its unit and id, with its own selection
    score (`score_cases` of the case alone): what a paired comparison pairs."""
    return {f"{case.unit}/{case.case_id}": score_cases([case]) for case in _result(store, evaluation).cases}


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
