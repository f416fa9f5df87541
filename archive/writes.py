"""How the archive writes, inside one transaction each: every write may be repeated or raced safely.

Rows are inserted with "insert unless the key exists", so a second identical write (by a resumed run,
or by another process at the same moment) changes nothing and reads back the first. Values are checked
here, so a wrong status or a non-finite score is a one-sentence `ArchiveError`, not a database error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive import queries
from archive.engine import clean_json, clean_text, insert_ignoring_duplicates
from archive.errors import ArchiveError, ArchiveLookupError
from archive.models import (
    CANDIDATE_STATUSES,
    EVALUATION_STATUSES,
    Candidate,
    Evaluation,
    EvaluationCases,
    LLMCall,
    Program,
    ProgramParent,
    Run,
    RunProgram,
    utcnow,
)

_LLM_CALL_FIELDS = ("purpose", "provider", "model", "input_tokens", "output_tokens", "cost_usd", "latency_s")
_LLM_CALL_FIELDS += ("outcome", "attempts", "error", "program_id")


def insert_new(session: Session, *rows: Any) -> bool:
    """Insert model rows (all of one table) unless their keys exist; True when every row was new."""
    if not rows:
        return True
    table = type(rows[0]).__table__
    values = [{column.name: getattr(row, column.name) for column in table.columns} for row in rows]
    for value in values:
        if "id" in value and value["id"] is None:
            del value["id"]  # autoincremented
    return insert_ignoring_duplicates(session.connection(), table, values) == len(rows)


def add_program(session: Session, program: Program, island: int | None, generation: int) -> Program:
    if program.run_id is not None:
        queries.require(session, Run, program.run_id, "run")
    known = set(session.scalars(select(Program.id).where(Program.id.in_(program.parent_ids))))
    for parent in program.parent_ids:
        if parent not in known:
            raise ArchiveLookupError(f"the parent program {parent} is not in the archive; add it first")
    if insert_new(session, program):
        parents = enumerate(program.parent_ids)
        insert_new(
            session, *(ProgramParent(child_id=program.id, position=i, parent_id=p) for i, p in parents)
        )
    if program.run_id is not None:
        member = RunProgram(
            run_id=program.run_id, program_id=program.id, island=island, generation=generation
        )
        insert_new(session, member)
    return session.get_one(Program, program.id)


def check_evaluation(status: str, score: float) -> None:
    if status not in EVALUATION_STATUSES:
        raise ArchiveError(
            f"'{status}' is not an evaluation status; use one of {', '.join(EVALUATION_STATUSES)}"
        )
    if not math.isfinite(score):
        raise ArchiveError(f"an evaluation's score must be a finite number, not {score}")


def record_evaluation(
    session: Session, evaluation: Evaluation, cases: Iterable[Mapping[str, Any]] | None
) -> tuple[Evaluation, bool]:
    queries.require(session, Program, evaluation.program_id, "program")
    if evaluation.run_id is not None:
        queries.require(session, Run, evaluation.run_id, "run")
    created = insert_new(session, evaluation)
    key = (evaluation.domain, evaluation.split, evaluation.data_fingerprint, evaluation.agent)
    stored = queries.evaluation_by_key(session, evaluation.program_id, *key)
    assert stored is not None and stored.id is not None
    cases = list(cases or ())
    if created and cases:
        insert_new(session, EvaluationCases(evaluation_id=stored.id, cases=clean_json(cases, "cases")))
    return stored, created


def check_candidate(status: str, program_id: str | None, reason: str | None) -> None:
    if status not in CANDIDATE_STATUSES:
        raise ArchiveError(
            f"'{status}' is not a candidate status; use one of {', '.join(CANDIDATE_STATUSES)}"
        )
    if status == "accepted" and program_id is None:
        raise ArchiveError("an accepted candidate needs the program_id of the program it produced")
    if status == "rejected" and not reason:
        raise ArchiveError("a rejected candidate needs a short reason")


def record_candidate(session: Session, candidate: Candidate) -> Candidate:
    """Insert the candidate, numbered next in its run when it has no sequence; a known number is kept."""
    queries.lock_run(session, candidate.run_id)  # serializes numbering per run on every backend
    if candidate.sequence is None:
        candidate.sequence = queries.next_sequence(session, candidate.run_id)
    if insert_new(session, candidate):
        touched = update(Run).where(Run.id == candidate.run_id).values(updated_at=candidate.created_at)
        session.execute(touched)
    where = (Candidate.run_id == candidate.run_id, Candidate.sequence == candidate.sequence)
    return session.scalars(select(Candidate).where(*where)).one()


def llm_call_rows(records: Iterable[Mapping[str, Any]], run_id: str | None) -> list[LLMCall]:
    """Rows for `CallRecord.to_json()`-shaped dicts (see `ArchiveStore.record_llm_calls`)."""
    rows = []
    for record in records:
        fields = {key: record[key] for key in _LLM_CALL_FIELDS if record.get(key) is not None}
        fields["error"] = clean_text(fields.get("error", "")) or ""
        started = record.get("started_at")
        created = datetime.fromtimestamp(started, UTC) if started is not None else utcnow()
        cached = bool(record.get("cached", record.get("outcome") == "cached"))
        rows.append(LLMCall(**fields, run_id=record.get("run_id", run_id), cached=cached, created_at=created))
    return rows


def update_run(session: Session, run_id: str, change: Callable[[Run], dict[str, Any]]) -> Run:
    """Apply `change(run)` (the columns to set) to the row-locked run and return it updated."""
    run = queries.lock_run(session, run_id)
    session.execute(update(Run).where(Run.id == run_id).values(**change(run)))
    session.expire_all()
    return session.get_one(Run, run_id)
