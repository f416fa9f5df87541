"""Results that come back in any order, handed out in the order their candidates were proposed.

The loop's workers and model threads finish in whatever order they manage; what the loop does with a
result (settle a proposal, decide on the cascade's part, take an outcome in) must not hang on that order,
or a run seed would not give the same run twice (`evolve.loop`). Each of those steps keeps one of these.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Ordered(Protocol):
    @property
    def ordinal(self) -> int:
        """The candidate's place in the order of proposals (1, 2, ...)."""
        ...


C = TypeVar("C", bound=Ordered)
T = TypeVar("T")


class InProposalOrder(Generic[C, T]):
    """Candidates expected, in proposal order, and the results of those already back."""

    def __init__(self) -> None:
        self._waiting: deque[C] = deque()
        self._back: dict[int, T] = {}

    def expect(self, candidate: C) -> None:
        """Wait for `candidate`'s result after those of every candidate expected before it."""
        self._waiting.append(candidate)

    def arrive(self, candidate: C, result: T) -> None:
        """`candidate`'s result is back; it is handed out once every earlier one has been."""
        self._back[candidate.ordinal] = result

    def ready(self) -> Iterator[tuple[C, T]]:
        """Hand out results while the earliest candidate waited for has its result back.

        What the caller does with one may expect or receive more (a proposal made after an outcome, a
        result found in the archive at once): they are handed out in this same pass when their turn comes.
        """
        while self._waiting and self._waiting[0].ordinal in self._back:
            candidate = self._waiting.popleft()
            yield candidate, self._back.pop(candidate.ordinal)

    def __iter__(self) -> Iterator[C]:
        """The candidates still waited for, earliest first."""
        return iter(self._waiting)

    def __len__(self) -> int:
        return len(self._waiting)
