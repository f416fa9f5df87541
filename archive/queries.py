"""The questions the archive answers, as queries on an open session; `ArchiveStore` is their public face.

Id prefixes, the best programs per domain, a program's lineage, a run's evaluations, progress,
failures and model costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from archive.errors import ArchiveLookupError
from archive.models import (
    Candidate,
    Evaluation,
    EvaluationCases,
    LLMCall,
    Program,
    ProgramParent,
    Run,
    RunProgram,
)
from providers.accounting import CallTally, LedgerTotals

_HEX = frozenset("0123456789abcdef")
SHOWN_ID_CHARS = 12


@dataclass(frozen=True)
class ProgressPoint:
    """One candidate of a run. `score` is its program's (None if rejected or not evaluated yet);
    `best_score` is the run's best so far, counting the programs it started from (its seeds), and
    `island_best_score` the same on the candidate's island."""

    sequence: int
    created_at: datetime
    island: int | None
    status: str
    program_id: str | None
    score: float | None
    best_score: float | None
    island_best_score: float | None


@dataclass(frozen=True)
class FailureCounts:
    """Why things failed in a run: evaluations by failure reason, rejected candidates by reason."""

    evaluations: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.evaluations.values()) + sum(self.candidates.values())


def resolve_id(session: Session, model: Any, id_or_prefix: str, noun: str) -> str:
    """The one id of `model` that is or starts with `id_or_prefix`, or `ArchiveLookupError`."""
    prefix = id_or_prefix.strip().lower()
    if not prefix or not set(prefix) <= _HEX:
        raise ArchiveLookupError(f"'{id_or_prefix}' is not a {noun} id; {noun} ids are hexadecimal")
    # A range instead of LIKE: it uses the primary key's index under any collation.
    query = select(model.id).where(model.id >= prefix, model.id < prefix + "g").order_by(model.id).limit(6)
    found = list(session.scalars(query))
    if not found:
        raise ArchiveLookupError(f"no {noun} id starts with '{prefix}'")
    if len(found) > 1 and prefix not in found:
        shown = ", ".join(found_id[:SHOWN_ID_CHARS] for found_id in found[:5])
        more = ", …" if len(found) > 5 else ""
        raise ArchiveLookupError(
            f"'{prefix}' starts the ids of several {noun}s ({shown}{more}); give more characters"
        )
    return prefix if prefix in found else found[0]


def require(session: Session, model: Any, key: str, noun: str) -> Any:
    """The row of `model` with exactly this id, or `ArchiveLookupError`."""
    found = session.get(model, key)
    if found is None:
        raise ArchiveLookupError(f"no {noun} has the id '{key}'")
    return found


def members(run_id: str) -> Select[Any]:
    """The ids of the programs taking part in a run, as a subquery."""
    return select(RunProgram.program_id).where(RunProgram.run_id == run_id)


def lock_run(session: Session, run_id: str) -> Run:
    """The run, row-locked until the transaction ends (SQLite's write transaction locks anyway)."""
    run = session.scalars(select(Run).where(Run.id == run_id).with_for_update()).one_or_none()
    if run is None:
        raise ArchiveLookupError(f"no run has the id '{run_id}'")
    return run


def is_empty(session: Session) -> bool:
    return not session.scalar(select(exists(select(Run.id)) | exists(select(Program.id))))


def program_domains(session: Session) -> list[str]:
    return list(session.scalars(select(Program.domain).distinct().order_by(Program.domain)))


def next_sequence(session: Session, run_id: str) -> int:
    last = session.scalar(select(func.max(Candidate.sequence)).where(Candidate.run_id == run_id))
    return (last or 0) + 1


def evaluation_by_key(
    session: Session, program_id: str, domain: str, split: str, data_fingerprint: str, agent: str
) -> Evaluation | None:
    query = select(Evaluation).where(
        Evaluation.program_id == program_id,
        Evaluation.domain == domain,
        Evaluation.split == split,
        Evaluation.data_fingerprint == data_fingerprint,
        Evaluation.agent == agent,
    )
    return session.scalars(query).one_or_none()


def evaluation_cases(session: Session, evaluation_id: int) -> list[dict[str, Any]] | None:
    stored = session.get(EvaluationCases, evaluation_id)
    return None if stored is None else stored.cases


def _of_run(run: Run, split: str | None) -> list[ColumnElement[bool]]:
    """Conditions selecting a run's evaluations: its own, or its programs' on its domain, agent, data."""
    conditions = [
        Evaluation.domain == run.domain,
        or_(Evaluation.run_id == run.id, Evaluation.program_id.in_(members(run.id))),
    ]
    if run.agent:
        conditions.append(Evaluation.agent == run.agent)
    if split is not None:
        conditions.append(Evaluation.split == split)
    if run.data_fingerprints:
        known = [
            and_(Evaluation.split == name, Evaluation.data_fingerprint.in_(run_fingerprints(run, name)))
            for name in run.data_fingerprints
        ]
        conditions.append(or_(Evaluation.split.not_in(list(run.data_fingerprints)), *known))
    return conditions


def run_fingerprints(run: Run, split: str) -> list[str]:
    """The fingerprints of the data a run evaluates `split` on: one per dataset (a run may select on
    several), stored as one string by runs that had one."""
    known = run.data_fingerprints.get(split, [])
    return [known] if isinstance(known, str) else list(known)


def run_evaluations(session: Session, run: Run, split: str | None) -> list[Evaluation]:
    return list(session.scalars(select(Evaluation).where(*_of_run(run, split)).order_by(Evaluation.id)))


def best_programs(
    session: Session,
    domain: str,
    split: str,
    limit: int | None,
    run: Run | None,
    data_fingerprint: str | None,
    agent: str | None,
) -> list[tuple[Program, Evaluation]]:
    conditions = [Evaluation.domain == domain, Evaluation.split == split, Evaluation.status == "ok"]
    if run is not None:
        conditions += _of_run(run, split)
    if data_fingerprint is not None:
        conditions.append(Evaluation.data_fingerprint == data_fingerprint)
    if agent is not None:
        conditions.append(Evaluation.agent == agent)
    order = (Evaluation.score.desc(), Evaluation.id)
    rank = func.row_number().over(partition_by=Evaluation.program_id, order_by=order).label("rank")
    ranked = select(Evaluation.id.label("evaluation_id"), rank).where(*conditions).subquery()
    query = (
        select(Program, Evaluation)
        .join(Evaluation, Evaluation.program_id == Program.id)
        .join(ranked, ranked.c.evaluation_id == Evaluation.id)
        .where(ranked.c.rank == 1)
        .order_by(Evaluation.score.desc(), Program.created_at, Program.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(program, evaluation) for program, evaluation in session.execute(query)]


def lineage(session: Session, program_id: str) -> list[Program]:
    chain: list[Program] = []
    current = session.get(Program, program_id)
    while current is not None and all(current.id != seen.id for seen in chain):
        chain.append(current)
        current = session.get(Program, current.parent_ids[0]) if current.parent_ids else None
    return chain[::-1]


def ancestors(session: Session, program_id: str) -> list[Program]:
    found: dict[str, Program] = {}
    frontier = {program_id}
    while frontier:
        level = list(session.scalars(select(Program).where(Program.id.in_(frontier))))
        found.update((program.id, program) for program in level)
        frontier = {parent for program in level for parent in program.parent_ids if parent not in found}
    return sorted(found.values(), key=lambda program: (program.created_at, program.id))


def children(session: Session, program_id: str) -> list[Program]:
    child_ids = select(ProgramParent.child_id).where(ProgramParent.parent_id == program_id)
    query = select(Program).where(Program.id.in_(child_ids)).order_by(Program.created_at, Program.id)
    return list(session.scalars(query))


def run_scores(session: Session, run: Run, split: str) -> dict[str, float]:
    """Each program's score on `split` of the run's data: the mean of its successful evaluations over
    the run's datasets (a program missing one has no score), as the run selected on it. A run that does
    not say its data (runs before it was recorded) gives each program its best evaluation there."""
    conditions = [*_of_run(run, split), Evaluation.status == "ok"]
    best_of = (
        select(Evaluation.program_id, Evaluation.data_fingerprint, func.max(Evaluation.score))
        .where(*conditions)
        .group_by(Evaluation.program_id, Evaluation.data_fingerprint)
    )
    per_data: dict[str, dict[str, float]] = {}
    for program_id, fingerprint, score in session.execute(best_of):
        per_data.setdefault(program_id, {})[fingerprint] = score
    fingerprints = run_fingerprints(run, split)
    if not fingerprints:
        return {program_id: max(scores.values()) for program_id, scores in per_data.items()}
    return {
        program_id: sum(scores[f] for f in fingerprints) / len(fingerprints)
        for program_id, scores in per_data.items()
        if all(f in scores for f in fingerprints)
    }


def run_progress(session: Session, run: Run, split: str) -> list[ProgressPoint]:
    scores = run_scores(session, run, split)
    candidates = list(
        session.scalars(select(Candidate).where(Candidate.run_id == run.id).order_by(Candidate.sequence))
    )
    produced = {candidate.program_id for candidate in candidates if candidate.status == "accepted"}
    start = select(RunProgram.program_id, RunProgram.island).where(RunProgram.run_id == run.id)
    best: float | None = None
    island_best: dict[int | None, float] = {}
    for program_id, island in session.execute(start):
        if program_id not in produced and program_id in scores:
            best = max(best if best is not None else scores[program_id], scores[program_id])
            island_best[island] = max(island_best.get(island, scores[program_id]), scores[program_id])
    points = []
    for candidate in candidates:
        score = None if candidate.status == "rejected" else scores.get(candidate.program_id or "")
        if score is not None:
            best = score if best is None else max(best, score)
            island_best[candidate.island] = max(island_best.get(candidate.island, score), score)
        points.append(
            ProgressPoint(
                sequence=candidate.sequence,
                created_at=candidate.created_at,
                island=candidate.island,
                status=candidate.status,
                program_id=candidate.program_id,
                score=score,
                best_score=best,
                island_best_score=island_best.get(candidate.island),
            )
        )
    return points


def failure_counts(session: Session, run_id: str) -> FailureCounts:
    failed = (
        select(Evaluation.failure_reason, func.count())
        .where(Evaluation.run_id == run_id, Evaluation.status == "failed")
        .group_by(Evaluation.failure_reason)
    )
    rejected = (
        select(Candidate.reason, func.count())
        .where(Candidate.run_id == run_id, Candidate.status == "rejected")
        .group_by(Candidate.reason)
    )
    return FailureCounts(_counted(session, failed), _counted(session, rejected))


def _counted(session: Session, query: Select[Any]) -> dict[str, int]:
    counts = {(reason or "unknown"): int(count) for reason, count in session.execute(query)}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def llm_cost(session: Session, run_id: str | None) -> LedgerTotals:
    query = select(
        LLMCall.purpose,
        LLMCall.cached,
        LLMCall.outcome,
        func.count(),
        func.count(LLMCall.cost_usd),
        func.coalesce(func.sum(LLMCall.input_tokens), 0),
        func.coalesce(func.sum(LLMCall.output_tokens), 0),
        func.coalesce(func.sum(LLMCall.cost_usd), 0.0),
    ).group_by(LLMCall.purpose, LLMCall.cached, LLMCall.outcome)
    if run_id is not None:
        query = query.where(LLMCall.run_id == run_id)
    tally = CallTally()
    for purpose, cached, outcome, count, priced, tokens_in, tokens_out, dollars in session.execute(query):
        tally.add(
            purpose,
            cached=bool(cached),
            failed=outcome == "error",
            input_tokens=int(tokens_in),
            output_tokens=int(tokens_out),
            cost_usd=float(dollars),
            unpriced=count - priced if outcome == "ok" else 0,
            count=count,
        )
    return tally.totals()
