"""The program database: islands of evaluated programs, parent selection, inspirations, migration.

As in FunSearch, the population is split into islands that evolve apart (so one lucky lineage cannot take
over everything) and periodically receive each other's best. Within an island, parent selection is a
softmax over scores, never pure greedy, and is biased towards rare behaviours: each member has a
behaviour descriptor (how much `read()` returns, how many LLM calls it makes), and members sharing a
descriptor cell share its selection weight. When an island is full, the member evicted is the worst of
the most crowded cell, so diverse designs survive next to the best one.

Deterministic: every random choice takes the `random.Random` it is given, and takes one number from it
whatever the island holds. Each member's share of the choice is then drawn from that number and the
member's id (common random numbers, the Gumbel-max form of the softmax): two populations that differ by
one member make the same choice unless that member wins it, and the mutator's own draws that follow
are the same. So two runs of one seed that part on one candidate (one stopped by the cascade, say) do
not part on every later choice by the draws alone. They still part soon when that candidate is drawn as
a parent: 10-17 of 48 candidates kept their parents across a cascade's runs, against 6-14 with the
draws taken in turn (`benchmarks/results/cascade_paths.md`, docs/cascade.md).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from dataclasses import dataclass, field

READ_CHARS_BUCKET = 1000
"""Width of a descriptor bucket of mean read() characters."""


@dataclass(frozen=True)
class Member:
    """An evaluated program as the database sees it."""

    program_id: str
    source: str
    score: float
    descriptor: tuple[int, int]


def behaviour_descriptor(cost: dict[str, float]) -> tuple[int, int]:
    """(read-size bucket, LLM use: 0 none, 1 up to one call per operation, 2 more) from a cost summary."""
    read_bucket = min(3, int(cost.get("read_chars_mean", 0.0) // READ_CHARS_BUCKET))
    calls = cost.get("llm_calls_per_operation", 0.0)
    return read_bucket, 0 if calls == 0 else 1 if calls <= 1 else 2


@dataclass
class Island:
    capacity: int
    members: dict[str, Member] = field(default_factory=dict)

    def add(self, member: Member) -> None:
        if member.program_id in self.members:
            return
        self.members[member.program_id] = member
        if len(self.members) > self.capacity:
            del self.members[self._eviction_candidate().program_id]

    def best(self) -> Member | None:
        return max(self.members.values(), key=_rank, default=None)

    def _eviction_candidate(self) -> Member:
        crowding = Counter(m.descriptor for m in self.members.values())
        best = self.best()
        candidates = [m for m in self.members.values() if m is not best]
        # The most crowded cell loses its worst member; among equally crowded cells, the worst overall.
        return min(candidates, key=lambda m: (-crowding[m.descriptor], *_rank(m)))


class ProgramDatabase:
    """Islands with softmax, diversity-weighted selection and ring migration of elites."""

    def __init__(self, islands: int, capacity: int, temperature: float) -> None:
        self.islands = [Island(capacity) for _ in range(islands)]
        self.temperature = temperature

    def add(self, member: Member, island: int | None = None) -> None:
        """Add to one island, or to every island (`None`, for seeds)."""
        targets = self.islands if island is None else [self.islands[island % len(self.islands)]]
        for target in targets:
            target.add(member)

    def select_parent(self, island: int, rng: random.Random) -> Member:
        members = sorted(self.islands[island].members.values(), key=lambda m: m.program_id)
        if not members:
            raise LookupError(f"island {island} is empty: no program has been evaluated successfully yet")
        crowding = Counter(m.descriptor for m in members)
        draw = rng.getrandbits(64)

        def weight_and_noise(member: Member) -> float:
            log_weight = member.score / self.temperature - math.log(crowding[member.descriptor])
            return log_weight - math.log(-math.log(_member_uniform(draw, member.program_id)))

        return max(members, key=weight_and_noise)

    def inspirations(self, island: int, parent: Member, count: int, rng: random.Random) -> list[Member]:
        """Up to `count` other elites: the best of other islands first, then random members of this one."""
        chosen: list[Member] = []
        others = [isl.best() for index, isl in enumerate(self.islands) if index != island]
        pool = sorted((m for m in others if m is not None), key=_rank, reverse=True)
        draw = rng.getrandbits(64)
        own = sorted(
            (m for m in self.islands[island].members.values() if m.program_id != parent.program_id),
            key=lambda m: _member_uniform(draw, m.program_id),
        )
        for member in [*pool, *own]:
            if len(chosen) == count:
                break
            if member.program_id != parent.program_id and member not in chosen:
                chosen.append(member)
        return chosen

    def migrate(self) -> None:
        """Ring migration: each island's best joins the next island."""
        bests = [island.best() for island in self.islands]
        for index, best in enumerate(bests):
            if best is not None and len(self.islands) > 1:
                self.islands[(index + 1) % len(self.islands)].add(best)

    def best(self) -> Member | None:
        return max((m for island in self.islands for m in island.members.values()), key=_rank, default=None)

    def best_per_island(self) -> list[float | None]:
        return [best.score if (best := island.best()) else None for island in self.islands]


def _member_uniform(draw: int, program_id: str) -> float:
    """A number in (0, 1), uniform over draws, fixed by the draw and the member: its share of one choice."""
    digest = hashlib.blake2b(f"{draw}:{program_id}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 0.5) / 2**64


def _rank(member: Member) -> tuple[float, str]:
    """Score first; the program id breaks ties so that order never depends on insertion."""
    return member.score, member.program_id
