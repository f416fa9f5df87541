"""The archive's tables: runs, programs and their parents, evaluations, candidates and LLM calls.

Everything stored is plain data (text, numbers, JSON), so an archive can be read without mnemoforge.
Times are UTC-aware datetimes on every backend. Rows returned by `ArchiveStore` are detached copies:
read their fields freely, and change the archive only through the store.
"""

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

RUN_STATUSES = ("running", "finished", "interrupted", "failed")
EVALUATION_STATUSES = ("ok", "failed")
CANDIDATE_STATUSES = ("accepted", "rejected", "duplicate")


def program_id_for(source: str) -> str:
    """A program's id: the SHA-256 hex digest of its exact source (UTF-8)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def new_run_id() -> str:
    """A short random hex id for a run (8 characters; the store retries on the rare collision)."""
    return secrets.token_hex(4)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(nullable: bool = False, index: bool = False) -> Any:
    column = Column(UTCDateTime(), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


def _json(default_factory: Any = None, nullable: bool = False) -> Any:
    if default_factory is None:
        return Field(default=None, sa_column=Column(JSON, nullable=nullable))
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable))


def _text(nullable: bool = False, default: str | None = "") -> Any:
    return Field(default=default, sa_column=Column(Text, nullable=nullable))


def _reference(target: str, nullable: bool, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(String, ForeignKey(target), nullable=nullable, index=index),
    )


class Run(SQLModel, table=True):
    """One evolution run: its domain, config as saved, random seed and where it stands.

    `agent` and `data_fingerprints` (split -> its fingerprints, one per dataset; a single string in runs
    of one dataset) say which evaluations belong to the run's reports when the same programs were also
    evaluated on other data; both are optional. Split `all` holds the data of the run's transfer tests.
    """

    __tablename__ = "runs"

    id: str = Field(primary_key=True)
    domain: str = Field(index=True)
    config: dict[str, Any] = _json(dict)
    seed: int
    status: str = Field(default="running", index=True)
    agent: str | None = None
    data_fingerprints: dict[str, str | list[str]] = _json(dict)
    summary: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = _time(index=True)
    updated_at: datetime = _time()
    finished_at: datetime | None = _time(nullable=True)


class Program(SQLModel, table=True):
    """A memory program, identified by the hash of its source; the first run that created it is kept.

    `parent_ids` is ordered, primary parent first; seeds have none. `island` and `generation` are
    those of the creating run (each run's own are in `RunProgram`).
    """

    __tablename__ = "programs"

    id: str = Field(primary_key=True)
    source: str = _text()
    domain: str = Field(index=True)
    parent_ids: list[str] = _json(list)
    mutator: str
    commit_message: str = _text()
    seed_name: str | None = Field(default=None, index=True)
    run_id: str | None = _reference("runs.id", nullable=True)
    island: int | None = None
    generation: int = 0
    created_at: datetime = _time(index=True)


class ProgramParent(SQLModel, table=True):
    """One parent edge of a program (position 0 = primary parent), so children are found by index."""

    __tablename__ = "program_parents"

    child_id: str = Field(sa_column=Column(String, ForeignKey("programs.id"), primary_key=True))
    position: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    parent_id: str = _reference("programs.id", nullable=False)


class RunProgram(SQLModel, table=True):
    """A program taking part in a run (created by it or reused, like seeds), on an island."""

    __tablename__ = "run_programs"

    run_id: str = Field(sa_column=Column(String, ForeignKey("runs.id"), primary_key=True))
    program_id: str = Field(sa_column=Column(String, ForeignKey("programs.id"), primary_key=True, index=True))
    island: int | None = None
    generation: int = 0
    added_at: datetime = _time()


class Evaluation(SQLModel, table=True):
    """One program evaluated on one split of one dataset by one agent; at most one row per such key.

    `score` is the selection score (0 for a failed evaluation). The scored cases, when stored, are in
    `EvaluationCases` (read them with `ArchiveStore.evaluation_cases`), so listing stays light.
    """

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint(
            "program_id", "domain", "split", "data_fingerprint", "agent", name="uq_evaluation_key"
        ),
        Index("ix_evaluations_ranking", "domain", "split", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = _reference("programs.id", nullable=False, index=False)
    run_id: str | None = _reference("runs.id", nullable=True)
    domain: str
    split: str
    data_fingerprint: str
    agent: str
    data_name: str = ""
    status: str
    score: float
    metrics: dict[str, Any] = _json(dict)
    by_category: dict[str, Any] = _json(dict)
    cost: dict[str, Any] = _json(dict)
    failure_reason: str | None = None
    failure_message: str | None = _text(nullable=True, default=None)
    logs: list[str] = _json(list)
    seconds: float | None = None
    worker: str | None = None
    created_at: datetime = _time()

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class EvaluationCases(SQLModel, table=True):
    """The per-case results of one evaluation (kept for the reflect split; may be large)."""

    __tablename__ = "evaluation_cases"

    evaluation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluations.id"), primary_key=True, autoincrement=False)
    )
    cases: list[dict[str, Any]] = _json(list)


class Candidate(SQLModel, table=True):
    """One mutation attempt of a run, accepted or not, numbered from 1 in the order the run made them.

    `reason` is a short, countable cause of a rejection (e.g. "edits_do_not_apply"), `detail` its
    message; `program_id` is set for accepted candidates and for duplicates (the existing program).
    """

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("run_id", "sequence", name="uq_candidate_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = _reference("runs.id", nullable=False, index=False)
    sequence: int
    parent_ids: list[str] = _json(list)
    mutator: str
    status: str
    reason: str | None = None
    detail: str | None = _text(nullable=True, default=None)
    repair_attempts: int = 0
    program_id: str | None = _reference("programs.id", nullable=True)
    island: int | None = None
    commit_message: str = _text()
    seconds: float | None = None
    created_at: datetime = _time()


class LLMCall(SQLModel, table=True):
    """One model call, as the providers' ledger recorded it; `cost_usd` is None when unpriced."""

    __tablename__ = "llm_calls"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str | None = _reference("runs.id", nullable=True)
    program_id: str | None = None
    purpose: str = Field(index=True)
    provider: str = ""
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    latency_s: float = 0.0
    outcome: str = "ok"
    cached: bool = False
    attempts: int = 1
    error: str = _text()
    created_at: datetime = _time()


class ArchiveMeta(SQLModel, table=True):
    """Facts about the archive itself; "schema_version" says which layout of the tables it has."""

    __tablename__ = "archive_meta"

    key: str = Field(primary_key=True)
    value: str


SCHEMA_VERSION = "1"
"""Raise when the tables change; an archive of another version is refused with a clear sentence."""

ARCHIVE_TABLES = [
    model.__table__  # type: ignore[attr-defined]
    for model in (
        ArchiveMeta,
        Run,
        Program,
        ProgramParent,
        RunProgram,
        Evaluation,
        EvaluationCases,
        Candidate,
        LLMCall,
    )
]
