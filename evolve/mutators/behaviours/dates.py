"""Session dates: every returned turn shows the date of the session it was said in.

Temporal questions ("When did Maya adopt Pixel?", "How long after the move...") need the date of the
session a turn belongs to; a memory that stores bare turns loses it, and an agent cannot resolve
"yesterday" without it. The wrapper keeps each session's date (from the session header of `raw_text`)
and prefixes every line of `read` output that shows a stored turn without its date.

Applies only to a program that drops dates: the parent is run on the smoke sessions (in-process, as
every offline child is) and must return a stored turn without its session's date.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.runtime import _date_shown, _TurnLedger
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText
from evolve.mutators.smoke import smoke_read

NAME = "dates"
WRAPPER = ledger_wrapper(
    "with the session date next to every turn it returns",
    """
    return _with_dates(self.inner.read(query), self.ledger, DATED_READ_CHARS)
    """,
)


def drops_dates(source: str) -> bool:
    """Whether the program, on the smoke sessions, returns a stored turn without its session's date."""
    made = smoke_read(source)
    if made is None:
        return False
    sessions, output = made
    ledger = _TurnLedger()
    for raw_text in sessions:
        ledger.add_session(raw_text)
    for line in output.splitlines():
        found = ledger.locate(line) if line.strip() else None
        if found is not None and not _date_shown(ledger.date(found), line):
            return True
    return False


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    if not drops_dates(program.source):
        return None
    source = wrap(
        program, {"DATED_READ_CHARS": str(context.read_chars)}, {"_TurnLedger", "_with_dates"}, WRAPPER
    )
    if source is None:
        return None
    return Behaviour(source, "dates: every returned turn is shown with its session's date")
