"""Several processes writing one archive at once (as Ray workers do) lose nothing and double nothing."""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
from typing import Any

from archive import ArchiveStore
from tests.archive.builders import DOMAIN, FINGERPRINT, source

WRITERS = 4
SHARED_PROGRAMS = 10
CANDIDATES_PER_WRITER = 10
_fork = multiprocessing.get_context("fork")  # fast to start; each writer opens its own store


def _record_programs_and_evaluations(url: str, writer: int, barrier: Any, results: Any) -> None:
    store = ArchiveStore(url)
    work = [(n, FINGERPRINT) for n in range(SHARED_PROGRAMS)]  # the same keys in every writer
    work += [(n, f"writer-{writer}") for n in range(SHARED_PROGRAMS)]  # keys of this writer only
    random.Random(writer).shuffle(work)
    barrier.wait()
    outcomes = []
    for n, fingerprint in work:
        program = store.add_program(source(n), DOMAIN, mutator=f"writer-{writer}")
        evaluation, created = store.record_evaluation(
            program.id,
            domain=DOMAIN,
            split="select",
            data_fingerprint=fingerprint,
            agent="offline",
            status="ok",
            score=n / SHARED_PROGRAMS,
            worker=f"writer-{writer}",
        )
        outcomes.append((program.id, fingerprint, evaluation.id, created))
    store.close()
    results.put(outcomes)


def _record_candidates(url: str, run_id: str, writer: int, barrier: Any, results: Any) -> None:
    store = ArchiveStore(url)
    barrier.wait()
    sequences = [
        store.record_candidate(
            run_id, parent_ids=[], mutator=f"writer-{writer}", status="rejected", reason="contract"
        ).sequence
        for _ in range(CANDIDATES_PER_WRITER)
    ]
    store.close()
    results.put(sequences)


def _open_and_write(url: str, writer: int, barrier: Any, results: Any) -> None:
    barrier.wait()
    store = ArchiveStore(url)  # every writer creates the (missing) tables at the same moment
    run = store.create_run(DOMAIN, {"writer": writer}, seed=writer)
    program = store.add_program(source(0), DOMAIN, run_id=run.id)
    store.close()
    results.put((run.id, program.id))


def _in_parallel(target: Any, *args: Any) -> list[Any]:
    barrier, results = _fork.Barrier(WRITERS), _fork.Queue()
    writers = [_fork.Process(target=target, args=(*args, n, barrier, results)) for n in range(WRITERS)]
    for process in writers:
        process.start()
    collected: list[Any] = []
    deadline = time.monotonic() + 240
    try:
        while len(collected) < WRITERS:
            try:
                collected.append(results.get(timeout=0.5))
            except queue.Empty:
                failed = [p.exitcode for p in writers if p.exitcode not in (None, 0)]
                assert not failed, f"a writer process failed (exit codes {failed}); its traceback is above"
                assert time.monotonic() < deadline, "the writer processes did not finish in 240 s"
        for process in writers:
            process.join(timeout=60)
            assert process.exitcode == 0
    finally:
        for process in writers:
            if process.is_alive():
                process.terminate()
    return collected


def test_concurrent_writers_record_each_evaluation_exactly_once(store: ArchiveStore) -> None:
    outcomes = [row for rows in _in_parallel(_record_programs_and_evaluations, store.url) for row in rows]

    assert len(store.list_programs()) == SHARED_PROGRAMS
    by_key: dict[tuple[str, str], set[int]] = {}
    created: dict[tuple[str, str], int] = {}
    for program_id, fingerprint, evaluation_id, was_created in outcomes:
        by_key.setdefault((program_id, fingerprint), set()).add(evaluation_id)
        created[(program_id, fingerprint)] = created.get((program_id, fingerprint), 0) + was_created
    assert len(by_key) == SHARED_PROGRAMS * (1 + WRITERS)
    assert all(len(ids) == 1 for ids in by_key.values())  # every writer got the same row back
    assert all(count == 1 for count in created.values())  # and exactly one of them created it
    stored = [e for program in store.list_programs() for e in store.program_evaluations(program.id)]
    assert len(stored) == len(by_key)
    assert {(e.program_id, e.data_fingerprint) for e in stored} == set(by_key)


def test_concurrent_writers_never_share_a_candidate_number(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)

    sequences = sorted(n for batch in _in_parallel(_record_candidates, store.url, run.id) for n in batch)

    assert sequences == list(range(1, WRITERS * CANDIDATES_PER_WRITER + 1))
    assert [c.sequence for c in store.candidates(run.id)] == sequences


def test_processes_can_open_a_new_archive_at_the_same_moment(archive_url: str) -> None:
    written = _in_parallel(_open_and_write, archive_url)

    with ArchiveStore(archive_url) as store:
        assert len(store.list_runs()) == WRITERS == len({run_id for run_id, _ in written})
        assert len({program_id for _, program_id in written}) == 1
        assert len(store.list_programs()) == 1
