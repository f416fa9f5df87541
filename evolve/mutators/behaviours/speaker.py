"""Speaker: a question about one person is answered from what that person said.

In a dialogue between friends most questions are about one of them ("When did Caroline go to a pride
parade?"), and the evidence is mostly what that person said; the other's turns about the same subject
("Last weekend our city held a pride parade!") are look-alikes an agent answers from. The wrapper knows
each turn's speaker and, when a question names exactly one of them, leaves the other speakers' lines out
of what the program read and fills the room with that person's SPEAKER_TURNS best turns for the question
(BM25), dated. Questions naming nobody or several people read what the program reads.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "speaker"
WRAPPER = ledger_wrapper(
    "reading only what the one person a question names said",
    """
    return _named_speaker_first(self.inner.read(query), query, self.ledger, SPEAKER_TURNS, SPEAKER_READ_CHARS)
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    constants = {"SPEAKER_TURNS": "10", "SPEAKER_READ_CHARS": str(context.read_chars)}
    source = wrap(program, constants, {"_TurnLedger", "_named_speaker_first"}, WRAPPER)
    if source is None:
        return None
    return Behaviour(source, "speaker: a question naming one speaker reads only what that speaker said")
