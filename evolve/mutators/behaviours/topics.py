"""Topic routing: keep only what the memory read from the topics nearest the question.

A long history that mixes unrelated chats (LongMemEval's haystacks: an assistant asked about recipes,
taxes and a trip in fifty separate sessions) is full of look-alikes: turns that share the question's
words but belong to another subject, which a retriever ranks high and an answerer picks. MoM's router
keeps them out by searching only the memories whose topic is nearest the question; that router is why
`mixture_of_memories` leads on LongMemEval S (with one memory it falls to `bm25_turns`' level). This
operator gives any memory that router: the wrapper files every turn under its TOPICS_WRITE nearest of
TOPICS clusters (online k-means over the host's embeddings, as MoM), and a read keeps the program's
lines whose turn is filed under one of the TOPICS_READ clusters nearest the question. Where two
friends mix every topic in every session (LoCoMo), the clusters separate little and the filter can cost
evidence: the search keeps it where it pays.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import wrap
from evolve.mutators.program_text import ProgramText

NAME = "topics"
WRAPPER = '''
class KnowledgeBase:
    """{inner}, its read() kept to the turns of the topics nearest the question (a router over online
    k-means clusters of the turns' embeddings)."""

    def __init__(self, toolkit):
        self.inner = {inner}(toolkit)
        self.toolkit = toolkit
        self.ledger = _TurnLedger()
        self.topics = _TopicRouter(TOPICS, TOPICS_WRITE)

    def write(self, item, raw_text):
        self.inner.write(item, raw_text)
        known = len(self.ledger.places)
        self.ledger.add_session(raw_text)
        places = self.ledger.places[known:]
        if places:
            turns = [self.ledger.sessions[session][1][index] for session, index in places]
            self.topics.add(places, self.toolkit.embed(turns))

    def read(self, query):
        text = self.inner.read(query)
        question = _query_text(query)
        if not question or not self.ledger.places:
            return text
        chosen = self.topics.nearest(self.toolkit.embed([question])[0], TOPICS_READ)
        return _routed_lines(text, self.ledger, self.topics, chosen, TOPICS_READ_CHARS)
'''


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    constants = {
        "TOPICS": "4",
        "TOPICS_WRITE": "2",
        "TOPICS_READ": "2",
        "TOPICS_READ_CHARS": str(context.read_chars),
    }
    helpers = {"_TurnLedger", "_TopicRouter", "_routed_lines", "_query_text"}
    source = wrap(program, constants, helpers, WRAPPER)
    if source is None:
        return None
    description = "topics: read() kept to the turns of the 2 of 4 topic clusters nearest the question"
    return Behaviour(source, description)
