"""An exact recent window, a fading summary state and innovation-selected long-term storage, after B'MOJO.

Re-implements, for conversational memory, the memory layout of B'MOJO (Zancato et al., 2024, "B'MOJO:
Hybrid State Space Realizations of Foundation Models with Eidetic and Fading Memory"): short-term
eidetic memory (the last EIDETIC_TURNS turns, verbatim, like a sliding attention window), fading memory
(a bounded state that summarises everything seen, in which old content decays), and long-term
eidetic memory "in storage", retrieved on demand. What enters storage is chosen by B'MOJO's innovation
test: a turn is kept verbatim when the fading state cannot predict it, i.e. when enough of its words are
new or long faded; predictable turns (small talk said before, restatements) live on only in the state.
Keeps: the three memories and their roles, decay of the state, innovation-selected storage, reads that
combine all three. Simplifies: the state is a decayed bag of words plus a fading list of summary
sentences rather than an SSM's hidden state; innovation is the share of a turn's content words the state
does not know; storage is BM25-searched. No LLM is needed.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: B'MOJO-style eidetic window, fading summary state, innovation-selected storage."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Rewrite the question as a search query made of its key words (names, objects, events)."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Recent turns are exact; the summary is a fading overview; stored turns are "
    "exact recalls of older moments. Resolve relative dates against the date shown. If nothing says, "
    "answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

EIDETIC_TURNS = 6
STATE_DECAY = 0.9
"""Per session, every word's weight in the fading state is multiplied by this."""
STATE_FLOOR = 0.05
KNOWN_WEIGHT = 0.5
"""A word whose state weight is at least this is predictable from the state."""
INNOVATION_THRESHOLD = 0.2
"""Least share of unpredictable content words for a turn to be stored verbatim in long-term storage."""
SUMMARY_SENTENCES = 6
SUMMARY_FADE = 0.7
STORAGE_TOP_K = 30
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a about all am an and are as at be been but by can do for from get got had has have he her his how i if "
    "in is it its just like me my no not now of oh on or our really she so that the their them then there "
    "they this to too was we were what when where which who will with would yeah yes you your"
)
_STOP = frozenset(_STOP_WORDS.split())


def _content(text):
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """A keyword query."""

    query: str = field(metadata={"description": "The question or its key words"})


class KnowledgeBase:
    """`window`: recent turns. `state` + `summary`: the fading memory. `storage`: innovative turns."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.window: list[str] = []
        self.state: dict[str, float] = defaultdict(float)
        self.summary: list[tuple[float, str]] = []  # (weight, dated sentence), fading each session
        self.storage: list[str] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: list[int] = []

    def innovation(self, text):
        """The share of a turn's content words the fading state cannot predict."""
        words = set(_content(text.partition(": ")[2] or text))
        return sum(1 for w in words if self.state[w] < KNOWN_WEIGHT) / len(words) if words else 0.0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        # The state fades: every weight decays, and words faded to almost nothing leave it (it stays bounded).
        self.state = defaultdict(
            float, {w: v * STATE_DECAY for w, v in self.state.items() if v * STATE_DECAY >= STATE_FLOOR}
        )
        self.summary = [(w * SUMMARY_FADE, s) for w, s in self.summary if w * SUMMARY_FADE > 0.05]
        stored = 0
        scored = []
        for line in lines:
            turn = f"[{date}] {line}" if date else line
            surprise = self.innovation(line)
            scored.append((surprise, turn))
            self.window.append(turn)
            if len(self.window) > EIDETIC_TURNS:
                self.window.pop(0)
            if surprise >= INNOVATION_THRESHOLD:
                self._store(turn)
                stored += 1
            for word in set(_content(line)):
                self.state[word] += 1.0
        # The session enters the fading summary through its most innovative turns.
        for surprise, turn in sorted(scored, key=lambda pair: -pair[0])[:2]:
            self.summary.append((surprise, turn))
        self.summary = sorted(self.summary, key=lambda pair: -pair[0])[:SUMMARY_SENTENCES]
        self.toolkit.logger.debug(
            f"{len(lines)} turns, {stored} innovative ones stored; storage {len(self.storage)}"
        )

    def _store(self, turn):
        terms = _content(turn)
        for term, count in Counter(terms).items():
            self.postings[term][len(self.storage)] = count
        self.lengths.append(len(terms))
        self.storage.append(turn)

    def _retrieve(self, text):
        if not self.storage:
            return []
        average = sum(self.lengths) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_content(text)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.storage) - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[doc] / average
                scores[doc] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return [self.storage[d] for d in sorted(scores, key=lambda d: (-scores[d], d))[:STORAGE_TOP_K]]

    def read(self, query: Query) -> str:
        recent = "Recent turns:\n" + "\n".join(self.window)
        summary = "Fading summary:\n" + "\n".join(s for _, s in self.summary)
        used = len(recent) + len(summary) + len("Stored recalls:\n") + 4
        recalls = []
        for turn in self._retrieve(query.query):
            if turn in self.window:
                continue
            if used + len(turn) + 1 > READ_CHAR_BUDGET:
                break
            recalls.append(turn)
            used += len(turn) + 1
        return "Stored recalls:\n" + "\n".join(recalls) + "\n\n" + summary + "\n\n" + recent
