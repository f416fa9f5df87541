"""`ArchiveStore`: the one way mnemoforge reads and writes its archive of runs, programs and evaluations.

    store = ArchiveStore("sqlite:///mnemoforge.db")        # or any SQLAlchemy URL, e.g. postgresql+psycopg://
    run = store.create_run("conversation", config={"budget": 50}, seed=0)
    seed = store.add_program(source, "conversation", mutator="seed", run_id=run.id, seed_name="bm25_turns")
    if store.find_evaluation(seed.id, "conversation", "select", fingerprint, "offline") is None:
        store.record_evaluation(seed.id, run_id=run.id, seconds=12.5, **result.to_json())

Writes are idempotent where evolution needs them to be: the same source is one program, and the same
evaluation key (program, domain, split, data fingerprint, agent) is one evaluation, also when several
processes record it at once, so a resumed run never repeats or loses one. A store may be pickled (to a
Ray worker): it reopens its URL on the other side. Ids may be given as unique prefixes where noted.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import queries, writes
from archive.engine import clean_json, clean_text, open_engine, reader, writer
from archive.errors import ArchiveError
from archive.models import (
    RUN_STATUSES,
    Candidate,
    Evaluation,
    Program,
    Run,
    RunProgram,
    new_run_id,
    program_id_for,
    utcnow,
)
from archive.queries import FailureCounts, ProgressPoint
from providers.accounting import LedgerTotals

DEFAULT_URL = "sqlite:///mnemoforge.db"


class ArchiveStore:
    """The archive at `url` (its tables are created on first use); safe to use from several processes."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        self._engine = open_engine(url)
        self._reader, self._writer = reader(self._engine), writer(self._engine)
        self._pid = os.getpid()
        self._open_transaction = threading.local()

    def __reduce__(self) -> tuple[type[ArchiveStore], tuple[str]]:
        return (ArchiveStore, (self.url,))

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ArchiveStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------- runs

    def create_run(
        self,
        domain: str,
        config: Mapping[str, Any],
        seed: int,
        *,
        agent: str | None = None,
        data_fingerprints: Mapping[str, str] | None = None,
    ) -> Run:
        """A new run, status "running", with a fresh short id; `config` is saved as given (JSON)."""
        config = clean_json(config, "a run's config")
        for _attempt in range(20):  # a collision of random 32-bit ids is rare; twenty in a row is a bug
            run = Run(
                id=new_run_id(),
                domain=domain,
                config=config,
                seed=seed,
                agent=agent,
                data_fingerprints=dict(data_fingerprints or {}),
            )
            with self._writing() as session:
                if writes.insert_new(session, run):
                    return run
        raise ArchiveError("could not find a free run id; the archive's runs table may be damaged")

    def get_run(self, id_or_prefix: str) -> Run:
        """The run whose id is or starts with `id_or_prefix`; `ArchiveLookupError` if none or several."""
        with self._reading() as session:
            return session.get_one(Run, queries.resolve_id(session, Run, id_or_prefix, "run"))

    def is_empty(self) -> bool:
        """True when the archive holds no run and no program (reads no row)."""
        with self._reading() as session:
            return queries.is_empty(session)

    def program_domains(self) -> list[str]:
        """The domains the archive's programs belong to, sorted (reads no program's source)."""
        with self._reading() as session:
            return queries.program_domains(session)

    def list_runs(self, domain: str | None = None, status: str | None = None) -> list[Run]:
        """Runs, newest first."""
        query = select(Run).order_by(Run.created_at.desc(), Run.id)
        if domain is not None:
            query = query.where(Run.domain == domain)
        if status is not None:
            query = query.where(Run.status == status)
        with self._reading() as session:
            return list(session.scalars(query))

    def set_run_status(self, run_id: str, status: str, summary: Mapping[str, Any] | None = None) -> Run:
        """Move a run to `status`; a status other than "running" stamps `finished_at`, "running" clears it.

        Any status may follow any other, so a run interrupted, failed or finished can be resumed.
        `summary` replaces the stored one when given.
        """
        if status not in RUN_STATUSES:
            raise ArchiveError(f"'{status}' is not a run status; use one of {', '.join(RUN_STATUSES)}")
        now = utcnow()
        values: dict[str, Any] = {"status": status, "updated_at": now}
        values["finished_at"] = None if status == "running" else now
        if summary is not None:
            values["summary"] = clean_json(summary, "a run's summary")
        with self._writing() as session:
            return writes.update_run(session, run_id, lambda _run: values)

    def set_run_data(
        self,
        run_id: str,
        agent: str | None = None,
        data_fingerprints: Mapping[str, str | Sequence[str]] | None = None,
    ) -> Run:
        """Record which agent and data (split -> fingerprint, or one per dataset) the run evaluates on;
        splits merge, a split given again is replaced."""

        def change(run: Run) -> dict[str, Any]:
            values: dict[str, Any] = {"updated_at": utcnow()}
            if agent is not None:
                values["agent"] = agent
            if data_fingerprints:
                given = {
                    split: v if isinstance(v, str) else list(v) for split, v in data_fingerprints.items()
                }
                values["data_fingerprints"] = {**run.data_fingerprints, **given}
            return values

        with self._writing() as session:
            return writes.update_run(session, run_id, change)

    # ------------------------------------------------------------------------------------- programs

    def add_program(
        self,
        source: str,
        domain: str,
        parent_ids: Sequence[str] = (),
        mutator: str = "seed",
        commit_message: str = "",
        run_id: str | None = None,
        island: int | None = None,
        generation: int = 0,
        seed_name: str | None = None,
    ) -> Program:
        """The program with this exact source, added if new (the first creator's fields are kept).

        The program also joins run `run_id` (on `island`, at `generation`) if it has not already.
        Parents must be in the archive already, given by full id, primary parent first.
        """
        if "\x00" in source:
            raise ArchiveError("a program's source cannot contain NUL characters")
        program = Program(
            id=program_id_for(source),
            source=source,
            domain=domain,
            parent_ids=list(parent_ids),
            mutator=mutator,
            commit_message=clean_text(commit_message) or "",
            seed_name=seed_name,
            run_id=run_id,
            island=island,
            generation=generation,
        )
        with self._writing() as session:
            return writes.add_program(session, program, island, generation)

    def get_program(self, id_or_prefix: str) -> Program:
        """The program whose id is or starts with `id_or_prefix`; `ArchiveLookupError` if none or several."""
        with self._reading() as session:
            return session.get_one(Program, queries.resolve_id(session, Program, id_or_prefix, "program"))

    def list_programs(self, domain: str | None = None, run_id: str | None = None) -> list[Program]:
        """Programs (of a domain, or taking part in a run), oldest first."""
        query = select(Program).order_by(Program.created_at, Program.id)
        if domain is not None:
            query = query.where(Program.domain == domain)
        if run_id is not None:
            query = query.where(Program.id.in_(queries.members(run_id)))
        with self._reading() as session:
            return list(session.scalars(query))

    def run_programs(self, run_id: str) -> list[tuple[Program, RunProgram]]:
        """The programs taking part in a run with their island and generation there, in joining order."""
        query = (
            select(Program, RunProgram)
            .join(RunProgram, RunProgram.program_id == Program.id)
            .where(RunProgram.run_id == run_id)
            .order_by(RunProgram.added_at, Program.id)
        )
        with self._reading() as session:
            return [(program, member) for program, member in session.execute(query)]

    # ---------------------------------------------------------------------------------- evaluations

    def find_evaluation(
        self, program_id: str, domain: str, split: str, data_fingerprint: str, agent: str
    ) -> Evaluation | None:
        """The evaluation recorded under this key, or None: check it before evaluating a program."""
        with self._reading() as session:
            return queries.evaluation_by_key(session, program_id, domain, split, data_fingerprint, agent)

    def record_evaluation(
        self,
        program_id: str,
        *,
        domain: str,
        split: str,
        data_fingerprint: str,
        agent: str,
        status: str,
        score: float,
        metrics: Mapping[str, Any] | None = None,
        by_category: Mapping[str, Any] | None = None,
        cost: Mapping[str, Any] | None = None,
        failure_reason: str | None = None,
        failure_message: str | None = None,
        logs: Sequence[str] = (),
        cases: Sequence[Mapping[str, Any]] | None = None,
        seconds: float | None = None,
        worker: str | None = None,
        run_id: str | None = None,
        data_name: str = "",
    ) -> tuple[Evaluation, bool]:
        """Record an evaluation; returns it and whether it is new.

        When its key (program, domain, split, data fingerprint, agent) is already recorded, by this
        process or a concurrent one, nothing is written and the recorded evaluation is returned with
        False. The keywords are those of `EvaluationResult.to_json()`, so `**result.to_json()` fits;
        `cases` are stored only when given and non-empty (keep them for the reflect split).
        """
        writes.check_evaluation(status, float(score))
        evaluation = Evaluation(
            program_id=program_id,
            run_id=run_id,
            domain=domain,
            split=split,
            data_fingerprint=data_fingerprint,
            agent=agent,
            data_name=data_name,
            status=status,
            score=float(score),
            metrics=clean_json(metrics or {}, "metrics"),
            by_category=clean_json(by_category or {}, "by_category"),
            cost=clean_json(cost or {}, "cost"),
            failure_reason=failure_reason,
            failure_message=clean_text(failure_message),
            logs=[clean_text(str(line)) or "" for line in logs],
            seconds=seconds,
            worker=worker,
        )
        with self._writing() as session:
            return writes.record_evaluation(session, evaluation, cases)

    def evaluation_cases(self, evaluation_id: int) -> list[dict[str, Any]] | None:
        """The per-case results stored with an evaluation, or None when they were not kept."""
        with self._reading() as session:
            return queries.evaluation_cases(session, evaluation_id)

    def program_evaluations(self, program_id: str) -> list[Evaluation]:
        """Every evaluation of a program (all splits, data and agents), oldest first."""
        query = select(Evaluation).where(Evaluation.program_id == program_id).order_by(Evaluation.id)
        with self._reading() as session:
            return list(session.scalars(query))

    def run_evaluations(self, run_id: str, split: str | None = None) -> list[Evaluation]:
        """The evaluations a run recorded or reused: those of its programs on its domain, agent and data.

        Agent and data filter only when the run knows them (`create_run`/`set_run_data`). Oldest first.
        """
        with self._reading() as session:
            return queries.run_evaluations(session, queries.require(session, Run, run_id, "run"), split)

    # ----------------------------------------------------------------------------------- candidates

    def record_candidate(
        self,
        run_id: str,
        *,
        parent_ids: Sequence[str],
        mutator: str,
        status: str,
        reason: str | None = None,
        detail: str | None = None,
        repair_attempts: int = 0,
        program_id: str | None = None,
        island: int | None = None,
        commit_message: str = "",
        seconds: float | None = None,
        sequence: int | None = None,
    ) -> Candidate:
        """Record a mutation attempt as the run's next candidate (or as number `sequence`).

        "accepted" needs `program_id`, "rejected" a short `reason`. Recording a `sequence` the run
        already has returns the candidate recorded first and writes nothing.
        """
        writes.check_candidate(status, program_id, reason)
        candidate = Candidate(
            run_id=run_id,
            sequence=sequence,  # None: numbered next inside the write transaction
            parent_ids=list(parent_ids),
            mutator=mutator,
            status=status,
            reason=reason,
            detail=clean_text(detail),
            repair_attempts=repair_attempts,
            program_id=program_id,
            island=island,
            commit_message=clean_text(commit_message) or "",
            seconds=seconds,
        )
        with self._writing() as session:
            return writes.record_candidate(session, candidate)

    def candidates(self, run_id: str, status: str | None = None) -> list[Candidate]:
        """A run's candidates in sequence order."""
        query = select(Candidate).where(Candidate.run_id == run_id).order_by(Candidate.sequence)
        if status is not None:
            query = query.where(Candidate.status == status)
        with self._reading() as session:
            return list(session.scalars(query))

    # ------------------------------------------------------------------------------------ LLM calls

    def record_llm_calls(self, records: Iterable[Mapping[str, Any]], run_id: str | None = None) -> int:
        """Store model calls (dicts as `CallRecord.to_json()` makes them); returns how many were stored.

        A record's own "run_id" wins over `run_id`; "started_at" (epoch seconds) becomes `created_at`;
        `cached` defaults to outcome == "cached"; other keys are ignored.
        """
        rows = writes.llm_call_rows(records, run_id)
        if rows:
            with self._writing() as session:
                session.add_all(rows)
        return len(rows)

    # ------------------------------------------------------------------------------------- insights

    def best_programs(
        self,
        domain: str,
        split: str = "select",
        limit: int | None = 10,
        run_id: str | None = None,
        data_fingerprint: str | None = None,
        agent: str | None = None,
    ) -> list[tuple[Program, Evaluation]]:
        """Programs ranked by their best successful evaluation on `split`, best first, ties oldest first.

        With `run_id`: the run's programs, on the run's agent and data when it knows them.
        """
        with self._reading() as session:
            run = queries.require(session, Run, run_id, "run") if run_id is not None else None
            return queries.best_programs(session, domain, split, limit, run, data_fingerprint, agent)

    def lineage(self, program_id: str) -> list[Program]:
        """The primary-parent chain from the oldest ancestor to the program itself (prefix allowed)."""
        with self._reading() as session:
            return queries.lineage(session, queries.resolve_id(session, Program, program_id, "program"))

    def ancestors(self, program_id: str) -> list[Program]:
        """The program and all its ancestors through every parent, oldest first: a tree by `parent_ids`."""
        with self._reading() as session:
            return queries.ancestors(session, queries.resolve_id(session, Program, program_id, "program"))

    def children(self, program_id: str) -> list[Program]:
        """The programs that have this one among their parents, oldest first (prefix allowed)."""
        with self._reading() as session:
            return queries.children(session, queries.resolve_id(session, Program, program_id, "program"))

    def run_scores(self, run_id: str, split: str = "select") -> dict[str, float]:
        """Program id -> its score on `split` of the run's data: the mean over the run's datasets, as
        the run selected on it (a program not evaluated on all of them is left out)."""
        with self._reading() as session:
            return queries.run_scores(session, queries.require(session, Run, run_id, "run"), split)

    def run_progress(self, run_id: str, split: str = "select") -> list[ProgressPoint]:
        """Per candidate, in sequence order: its score and the best score of the run so far."""
        with self._reading() as session:
            return queries.run_progress(session, queries.require(session, Run, run_id, "run"), split)

    def failure_counts(self, run_id: str) -> FailureCounts:
        """Failed evaluations the run recorded, by failure reason, and rejected candidates, by reason."""
        with self._reading() as session:
            return queries.failure_counts(session, run_id)

    def llm_cost(self, run_id: str | None = None) -> LedgerTotals:
        """Totals of the model calls of a run (or of the whole archive), computed as the ledger does."""
        with self._reading() as session:
            return queries.llm_cost(session, run_id)

    # -------------------------------------------------------------------------------------- helpers

    def _in_this_process(self) -> None:
        if os.getpid() != self._pid:  # a forked child must not reuse the parent's connections
            self._engine.dispose(close=False)
            self._pid = os.getpid()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        self._in_this_process()
        with Session(self._reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make the writes this thread does inside one transaction: all committed at the end, or none.

        The evolution loop records a program and the candidate that made it together: one commit on
        the driver's path instead of two, and no crash can leave one without the other. Reads inside
        do not see the writes before the end. Nested use joins the outer transaction.
        """
        if getattr(self._open_transaction, "session", None) is not None:
            yield
            return
        with self._writing() as session:
            self._open_transaction.session = session
            try:
                yield
            finally:
                self._open_transaction.session = None

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        shared = getattr(self._open_transaction, "session", None)
        if shared is not None:
            yield shared
            return
        self._in_this_process()
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session


__all__ = ["DEFAULT_URL", "ArchiveStore", "FailureCounts", "ProgressPoint"]
