"""Proposals that must run in the driver's process, several at once: in threads, off the loop's path.

The reflective mutator cannot run in a Ray worker: it holds the run's model client (whose key stays in
this process's environment, never in a task's arguments or the archive) and the run's smoke sandbox. Its
time is almost all waiting for the model (20-60 s a call with a real one), so one proposal at a time
leaves the workers idle. Here up to `size` proposals wait for their models at once, each in a thread;
the loop goes on recording, selecting and evaluating, and takes a finished proposal in when it has
one (`take_finished`), exactly as it takes one back from a Ray worker.

What a mutator needs of the run (the archive, evaluations on `reflect`) it reads in its thread first,
through its `prepare(parent_id, others)` method when it has one: a new parent's `reflect` evaluation is
then waited for there, not by the loop (`Evolution.reflection_context` is thread-safe). Only one thread
at a time does host work (parsing, checking, smoke runs: `evolve.host_work`). The archive is still
written by the ledger's subscriber as each call ends, from the thread that made it (the store is
thread-safe), so a driver killed with proposals in flight has still recorded every call it paid for;
those proposals' sequence numbers are not recorded, and a resumed run proposes them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

from evolve.host_work import host_work
from evolve.mutators.base import Mutator
from evolve.proposals import Proposal, propose

Candidate = TypeVar("Candidate")


class ProposalPool(Generic[Candidate]):
    """Up to `size` proposals running at once (more wait in its queue, their parents already chosen),
    each tagged with the loop's record of its candidate."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="proposal")
        self._running: dict[Future[Proposal], Candidate] = {}

    def __len__(self) -> int:
        return len(self._running)

    def submit(
        self,
        candidate: Candidate,
        mutator: Mutator,
        parent_source: str,
        parent_id: str,
        others: Sequence[tuple[str, str]],
    ) -> None:
        """Run the mutator (its `prepare` first, if it has one) in one of the pool's threads."""
        future = self._executor.submit(_propose_in_thread, mutator, parent_source, parent_id, others)
        self._running[future] = candidate

    def take_finished(self, timeout: float | None = 0.0) -> tuple[Candidate, Proposal] | None:
        """A finished proposal, waiting at most `timeout` seconds (None: until one finishes); None if none.

        Of several finished, the one submitted first: with replies in the same order, a run takes its
        proposals in the same order. A mutator's bug is raised here, as it would be on the driver.
        """
        if not self._running:
            return None
        done, _ = wait(self._running, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in self._running:
            if future in done:
                candidate = self._running.pop(future)
                return candidate, future.result()
        return None

    def close(self) -> None:
        """Drop proposals not started; those waiting for a model end on their own (their calls are
        recorded as they end), without holding up the caller."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _propose_in_thread(
    mutator: Mutator, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]]
) -> Proposal:
    prepare = getattr(mutator, "prepare", None)
    if prepare is not None:
        prepare(parent_id, others)  # reads the archive, may wait for an evaluation: not host work
    with host_work():
        return propose(mutator, parent_source, parent_id, others)
