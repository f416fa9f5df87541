"""A static memory of stable facts and a dynamic memory of recent, changing states, after Mem4D / DMN.

Re-implements, for conversational memory, the dual-memory design of Mem4D (Cai et al., 2025, "Mem4D:
Decoupling Static and Dynamic Memory for Dynamic Scene Reconstruction") and Dual Memory Networks (Zhang
et al., 2024): one memory cannot serve both long-term stability and fast-changing detail, so they are
decoupled. The static memory (Mem4D's persistent structure memory, DMN's static memory) holds stable
statements, compressed: a restatement by the same speaker only strengthens the statement already kept.
The dynamic memory (the transient dynamics memory, DMN's dynamic memory) keeps the most recent
DYNAMIC_CAPACITY statements of changing state (what happened yesterday, what someone does now, a move),
verbatim and ranked with a recency bonus; states that fall out of it are consolidated into the static
memory as history. A read queries the two memories alternately and interleaves their answers. Keeps:
the decoupling, compression of the static side, a bounded recency-weighted dynamic side, consolidation,
alternating reads. Simplifies: a statement is dynamic when it carries a time or change cue (a rule, not
a learned split); memories are BM25-indexed turns rather than feature caches. No LLM is needed.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: decoupled static (stable facts) and dynamic (recent changing states) memories."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Rewrite the question as a search query made of its key words (names, objects, events)."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Stable facts hold unless a more recent state changes them; resolve relative "
    "dates against the date shown. If nothing says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

DYNAMIC_CAPACITY = 120
RECENCY_BONUS = 0.5
"""The newest dynamic state's score is multiplied by 1 + RECENCY_BONUS, the oldest by 1."""
MERGE_SIMILARITY = 0.7
TOP_K = 20
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75
CHANGE_CUES = re.compile(
    r"\b(now|currently|today|tonight|yesterday|tomorrow|lately|recently|just|soon|ago|these days|"
    r"this (?:week|weekend|morning|month|year)|last (?:week|weekend|night|month|year)|next (?:week|month)|"
    r"moved|moving|started|new|switched|quit|adopted|anymore|no longer)\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a about all am an and are as at be been but by can do for from get got had has have i in is it just "
    "me my no not of oh on or our really so that the this to too was we what with yeah yes you your"
)
_STOP = frozenset(_STOP_WORDS.split())


def _content(text):
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """A keyword query."""

    query: str = field(metadata={"description": "The question or its key words"})


class Memory:
    """Statements with a BM25 index; removal keeps ids stable (a removed statement is just unindexed)."""

    def __init__(self):
        self.statements: dict[int, str] = {}
        self.strength: Counter = Counter()
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: dict[int, int] = {}

    def add(self, number, statement):
        self.statements[number] = statement
        self.strength[number] += 1
        terms = _content(statement.partition("] ")[2])
        for term, count in Counter(terms).items():
            self.postings[term][number] = count
        self.lengths[number] = len(terms)

    def remove(self, number):
        for term in set(_content(self.statements.pop(number).partition("] ")[2])):
            self.postings[term].pop(number, None)
        del self.lengths[number]

    def restatement_of(self, speaker, text):
        words = set(_content(text))
        rarest = sorted(words, key=lambda w: len(self.postings.get(w, ())))[:2]
        for number in {n for w in rarest for n in self.postings.get(w, {})}:
            said = self.statements[number].partition("] ")[2]
            theirs = set(_content(said.partition(": ")[2]))
            if (
                said.startswith(f"{speaker}: ")
                and len(words & theirs) / len(words | theirs) >= MERGE_SIMILARITY
            ):
                return number
        return None

    def search(self, text):
        if not self.lengths:
            return {}
        average = sum(self.lengths.values()) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_content(text)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.lengths) - len(docs) + 0.5) / (len(docs) + 0.5))
            for number, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[number] / average
                scores[number] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return scores


class KnowledgeBase:
    """`static`: stable statements. `dynamic`: the recent changing states, oldest first in `queue`."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.static = Memory()
        self.dynamic = Memory()
        self.queue: list[int] = []
        self.count = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        changing = 0
        for line in lines:
            speaker, _, text = line.partition(": ")
            statement = f"[{date}] {line}"
            self.count += 1
            if CHANGE_CUES.search(text or line):
                self.dynamic.add(self.count, statement)
                self.queue.append(self.count)
                changing += 1
            else:
                self._consolidate(self.count, speaker, text or line, statement)
        while len(self.queue) > DYNAMIC_CAPACITY:  # the oldest states become history in the static memory
            number = self.queue.pop(0)
            statement = self.dynamic.statements[number]
            self.dynamic.remove(number)
            said = statement.partition("] ")[2]
            self._consolidate(number, said.partition(": ")[0], said.partition(": ")[2] or said, statement)
        self.toolkit.logger.debug(
            f"{changing} of {len(lines)} turns dynamic; sizes: static {len(self.static.lengths)}, "
            f"dynamic {len(self.queue)}"
        )

    def _consolidate(self, number, speaker, text, statement):
        known = self.static.restatement_of(speaker, text)
        if known is None:
            self.static.add(number, statement)
        else:
            self.static.strength[known] += 1

    def read(self, query: Query) -> str:
        static = self.static.search(query.query)
        static_ranked = sorted(
            static, key=lambda n: (-static[n] * (1 + 0.1 * math.log(self.static.strength[n])), n)
        )
        dynamic = self.dynamic.search(query.query)
        age = {number: position / max(len(self.queue) - 1, 1) for position, number in enumerate(self.queue)}
        dynamic_ranked = sorted(dynamic, key=lambda n: (-dynamic[n] * (1 + RECENCY_BONUS * age[n]), n))
        lines, used = [], 0
        for rank in range(TOP_K):  # alternate: a stable fact, then a current state, and so on
            for memory, ranked in ((self.static, static_ranked), (self.dynamic, dynamic_ranked)):
                if rank < len(ranked):
                    statement = memory.statements[ranked[rank]]
                    if used + len(statement) + 1 <= READ_CHAR_BUDGET:
                        lines.append(statement)
                        used += len(statement) + 1
        return "\n".join(lines)
