"""Sessions first: the question's best turns inside the sessions that match it best as a whole.

In a long history the answer sits in one or two sessions whose whole talk is about what the question
asks, while turns sharing its words are spread over many others (LongMemEval's haystacks hold about fifty
chats; LoCoMo's friends come back to the same topics session after session). A memory that ranks single
turns sees each look-alike on its own; one that ranks sessions first (BM25 over all of a session's words)
finds the session the question is about, and the turns to read inside it. The wrapper keeps every turn
by session and puts the best SESSION_TURNS turns of each of the best SESSIONS_TOP sessions, dated, before
what the program's own `read` returns (hierarchical retrieval: session, then turn).
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "sessions"
WRAPPER = ledger_wrapper(
    "with the question's best turns in its best-matching sessions read first",
    """
    return _session_first(
        self.inner.read(query), query, self.ledger, SESSIONS_TOP, SESSION_TURNS, SESSIONS_READ_CHARS
    )
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    sessions = context.rng.choice((1, 2, 3))
    constants = {
        "SESSIONS_TOP": str(sessions),
        "SESSION_TURNS": "2",
        "SESSIONS_READ_CHARS": str(context.read_chars),
    }
    source = wrap(program, constants, {"_TurnLedger", "_session_first"}, WRAPPER)
    if source is None:
        return None
    description = f"sessions: the best 2 turns of the {sessions} best-matching sessions read first"
    return Behaviour(source, description)
