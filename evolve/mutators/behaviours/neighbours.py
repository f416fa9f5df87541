"""Neighbours: each retrieved turn comes with the turns said just before and after it in its session.

A question's evidence is often a short answer ("Yes, in Lisbon") whose subject was said one turn earlier,
or a fact spread over two turns; a memory that ranks single turns returns one half. The wrapper keeps
every turn by session and, after the program's own `read`, puts each of the first NEIGHBOUR_HITS
retrieved turns back among its NEIGHBOUR_TURNS neighbours on either side (neighbours longer than
NEIGHBOUR_MAX_CHARS are left out, so one long turn does not crowd the rest out of the read cap).
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import wrap
from evolve.mutators.program_text import ProgramText

NAME = "neighbours"
WRAPPER = '''
class KnowledgeBase:
    """{inner}, with each retrieved turn shown among the turns said just before and after it."""

    def __init__(self, toolkit):
        self.inner = {inner}(toolkit)
        self.ledger = _TurnLedger()

    def write(self, item, raw_text):
        self.inner.write(item, raw_text)
        self.ledger.add_session(raw_text)

    def read(self, query):
        return _with_neighbours(
            self.inner.read(query),
            self.ledger,
            NEIGHBOUR_TURNS,
            NEIGHBOUR_HITS,
            NEIGHBOUR_MAX_CHARS,
            NEIGHBOUR_READ_CHARS,
        )
'''


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
