"""Speaker: a question about one party of a conversation is answered from what that party said.

In a dialogue between friends most questions are about one of them ("When did Caroline go to a pride
parade?"), and the evidence is mostly what that person said; the other's turns about the same subject
("Last weekend our city held a pride parade!") are look-alikes an agent answers from. An agent's memory of
its chats with one user is asked by that user: a question pointing back at what the assistant said
("the vegan eatery you recommended", "how many eggs did you say") is answered by the assistant's turns;
any other is about the user's own life and the people in it ("How long is my daily commute?", "Who
became a parent first, Rachel or Alex?"), which only the user told of, the assistant's long replies on
the subject being the look-alikes. When a question is about one party -- the one speaker it names, or in
a chat between `user` and `assistant` the role it points to -- the wrapper leaves the other parties'
lines out of what the program read, fills the room with that party's SPEAKER_TURNS best turns for the
question (BM25, a long turn discounted by SPEAKER_LENGTH_WEIGHT), dated, and then with the party's replies
to the lines it left out: the other's line matched the question's words, as a question put to the party
does ("What pet does Caroline have?" matches Melanie's "Also, do you have any pets?"), and the answer is
the party's next turn, in words of its own ("And yup, I do- Oscar, my guinea pig."). The replies come
last because they are a guess: in place of the other's lines they crowd out the party's best turns when
a program reads many of them. Other questions read what the program reads.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "speaker"
WRAPPER = ledger_wrapper(
    "reading only what the one party a question is about said",
    """
    return _asked_party_first(
        self.inner.read(query), query, self.ledger, SPEAKER_TURNS, SPEAKER_READ_CHARS, SPEAKER_LENGTH_WEIGHT
    )
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    constants = {
        "SPEAKER_TURNS": "10",
        "SPEAKER_READ_CHARS": str(context.read_chars),
        "SPEAKER_LENGTH_WEIGHT": "0.75",
    }
    source = wrap(program, constants, {"_TurnLedger", "_asked_party_first"}, WRAPPER)
    if source is None:
        return None
    return Behaviour(source, "speaker: a question about one party reads only what that party said")
