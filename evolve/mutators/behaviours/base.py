"""What every behavioural operator shares: what it is given, and what it gives back."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evolve.mutators.program_text import ProgramText


@dataclass(frozen=True)
class OperatorContext:
    """What an operator may use besides the parent: the candidate's random stream, the host's read cap
    (no budget is set past it) and the other elites (id, parsed source) it may take a part from."""

    rng: random.Random
    read_chars: int
    donors: Sequence[tuple[str, ProgramText]] = ()


@dataclass(frozen=True)
class Behaviour:
    """A child made by a behavioural operator: its source, the sentence saying what changed, and the
    elite it took something from (None when it took nothing)."""

    source: str
    description: str
    donor_id: str | None = None


Operator = Callable[[ProgramText, OperatorContext], Behaviour | None]
"""Makes a child from a parent, or None where the parent's structure does not allow it."""
