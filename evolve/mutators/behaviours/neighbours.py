"""Neighbours: each retrieved turn comes with the turns said just before and after it in its session.

A question's evidence is often a short answer ("Yes, in Lisbon") whose subject was said one turn earlier,
or a fact spread over two turns; a memory that ranks single turns returns one half. The wrapper keeps
every turn by session and, after the program's own `read`, puts each of the first NEIGHBOUR_HITS
retrieved turns back among its NEIGHBOUR_TURNS neighbours on either side (neighbours longer than
NEIGHBOUR_MAX_CHARS are left out, so one long turn does not crowd the rest out of the read cap).
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "neighbours"
WRAPPER = ledger_wrapper(
    "with each retrieved turn shown among the turns said just before and after it",
    """
    return _with_neighbours(
        self.inner.read(query),
        self.ledger,
        NEIGHBOUR_TURNS,
        NEIGHBOUR_HITS,
        NEIGHBOUR_MAX_CHARS,
        NEIGHBOUR_READ_CHARS,
    )
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    hits = context.rng.choice((3, 5, 8))
    constants = {
        "NEIGHBOUR_TURNS": "1",
        "NEIGHBOUR_HITS": str(hits),
        "NEIGHBOUR_MAX_CHARS": "400",
        "NEIGHBOUR_READ_CHARS": str(context.read_chars),
    }
    source = wrap(program, constants, {"_TurnLedger", "_with_neighbours"}, WRAPPER)
    if source is None:
        return None
    return Behaviour(
        source, f"neighbours: the first {hits} retrieved turns come with the turn before and after"
    )
