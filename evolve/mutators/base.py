"""What every mutator shares with the loop: the child it proposes, and how it gives up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Mutation:
    """A proposed child. `parent_ids` lists the primary parent first (then crossover donors)."""

    source: str
    parent_ids: tuple[str, ...]
    mutator: str
    commit_message: str
    changes: tuple[str, ...] = ()
    repair_attempts: int = 0


class Mutator(Protocol):
    """Makes a child from a parent and a few other elites (program id, source)."""

    name: str
    runs_anywhere: bool
    """True when `mutate` needs nothing of the driver's process (no archive, no model client): the loop
    then ships the mutator, random stream included, to a Ray worker to run there."""

    def mutate(
        self, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]]
    ) -> Mutation | None:
        """A valid child (it passed the contract check), or None when none could be made."""
        ...


class MutationRejected(Exception):
    """A mutator gave up on a candidate. `reason` is a short code the archive counts by (e.g.
    "edits_do_not_apply"); `detail` is the sentence saying what went wrong."""

    def __init__(self, reason: str, detail: str, repair_attempts: int = 0) -> None:
        self.reason = reason
        self.detail = detail
        self.repair_attempts = repair_attempts
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class ParentContext:
    """What the mutator is told about a parent: its scores on `select` and its failures on `reflect`."""

    program_id: str
    source: str
    score: float
    by_category: dict[str, dict[str, Any]]
    cost: dict[str, float]
    failed_cases: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
