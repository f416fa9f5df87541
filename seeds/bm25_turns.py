"""BM25 over single turns: the lexical baseline of the memory literature.

Re-implements the LLM-free retrieval baseline that LoCoMo (Maharana et al., 2024) and LongMemEval
(Wu et al., 2025) report: every dialogue turn is a document, the question is the query, Okapi BM25
(Robertson & Zaragoza, 2009) ranks turns, and the best turns fill the read budget. Keeps: turn
granularity, BM25 with k1/b, the session date on each turn. Simplifies: no stemming beyond lowercasing,
no query expansion. Written with the standard library only.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: Okapi BM25 over single dialogue turns, each tagged with its session date."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Rewrite the question as a search query made of its key words (names, objects, events)."
INSTRUCTION_RESPONSE = (
    "Answer the question in a few words using only the retrieved turns. Resolve relative dates "
    "('yesterday', 'last month') against the date shown with the turn. If the turns do not contain "
    "the answer, say that it is not mentioned in the conversation."
)
ALWAYS_ON_KNOWLEDGE = ""

BM25_K1 = 1.2
BM25_B = 0.75
TOP_K = 30
READ_CHAR_BUDGET = 3000

_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class KnowledgeItem:
    """When the session took place; the turns themselves come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """A keyword query."""

    query: str = field(metadata={"description": "The question or its key words"})


class KnowledgeBase:
    """Stores every turn as `[date] Speaker: text`; BM25 statistics are kept incrementally."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.turns: list[str] = []
        self.term_counts: list[Counter] = []
        self.document_frequency: Counter = Counter()
        self.total_length = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        for line in lines:
            terms = Counter(_WORD.findall(line.lower()))
            self.turns.append(f"[{date}] {line}" if date else line)
            self.term_counts.append(terms)
            self.document_frequency.update(terms.keys())
            self.total_length += sum(terms.values())
        self.toolkit.logger.debug(f"stored {len(lines)} turns from session dated {date!r}")

    def read(self, query: Query) -> str:
        terms = set(_WORD.findall(query.query.lower()))
        if not self.turns or not terms:
            return ""
        n = len(self.turns)
        average_length = self.total_length / n
        idf = {
            t: math.log(1 + (n - self.document_frequency[t] + 0.5) / (self.document_frequency[t] + 0.5))
            for t in terms
        }
        scores = []
        for index, counts in enumerate(self.term_counts):
            length = sum(counts.values())
            score = 0.0
            for term in terms & counts.keys():
                tf = counts[term]
                score += (
                    idf[term]
                    * tf
                    * (BM25_K1 + 1)
                    / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average_length))
                )
            if score > 0:
                scores.append((score, index))
        scores.sort(key=lambda pair: (-pair[0], pair[1]))
        selected, used = [], 0
        for _, index in scores[:TOP_K]:
            turn = self.turns[index]
            if used + len(turn) + 1 > READ_CHAR_BUDGET:
                break
            selected.append(turn)
            used += len(turn) + 1
        self.toolkit.logger.debug(
            f"query {query.query[:60]!r}: {len(scores)} matching turns, returned {len(selected)}"
        )
        return "\n".join(selected)
