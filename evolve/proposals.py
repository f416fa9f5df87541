"""Proposing a candidate where it costs the run least: a mutator that needs nothing of the driver runs
in a Ray worker.

The offline structural mutator parses, recombines and smoke-runs programs: tens of milliseconds of CPU
per candidate. On the driver that time is spent while workers wait for their next candidate, and it
caps how many workers one driver can feed. So the driver only selects the parent and its inspirations
and ships them, with the mutator (and its random stream), to a worker, which returns the child, or why
there is none, with the child's shape for the driver's novelty check. A mutator that needs the driver
(the reflective one reads the archive and calls the run's model) runs on the driver, through the same
`propose`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import ray

from evolve.mutators.base import Mutation, MutationRejected, Mutator
from evolve.mutators.program_text import program_shape


@dataclass(frozen=True)
class Proposal:
    """What a mutator made of one candidate: a child with its shape, or the reason there is none."""

    mutation: Mutation | None
    shape: str = ""
    reason: str = ""
    detail: str = ""
    repair_attempts: int = 0
    seconds: float = 0.0
    """The mutator's own time, wherever it ran."""


def propose(
    mutator: Mutator, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]]
) -> Proposal:
    """Run the mutator once; a rejection or an empty result is a `Proposal` without a mutation."""
    started = time.perf_counter()
    try:
        mutation = mutator.mutate(parent_source, parent_id, others)
    except MutationRejected as rejection:
        return Proposal(
            None,
            reason=rejection.reason,
            detail=rejection.detail,
            repair_attempts=rejection.repair_attempts,
            seconds=time.perf_counter() - started,
        )
    if mutation is None:
        return Proposal(
            None,
            reason="no_valid_child",
            detail="the mutator could not make a child that passes",
            seconds=time.perf_counter() - started,
        )
    shape = program_shape(mutation.source)
    return Proposal(mutation, shape, seconds=time.perf_counter() - started)


@ray.remote(max_retries=1)
def propose_on_worker(
    mutator: Mutator, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]]
) -> Proposal:
    """The Ray task of a mutator with `runs_anywhere`."""
    return propose(mutator, parent_source, parent_id, others)
