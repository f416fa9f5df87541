"""A main memory for what was said and a side memory for updates, with a router, after WISE.

Re-implements, for conversational memory, the design of WISE (Wang et al., 2024, "WISE: Rethinking the
Knowledge Memory for Lifelong Model Editing of Large Language Models"): knowledge lives in two memories.
The main memory holds what was learned first and is never edited; edits go only to a side memory. At
read time a router measures how strongly the query activates the side memory and, above a threshold
(WISE's epsilon), trusts the side memory: its edits come first, each with the main-memory statement it
revises, followed by main-memory context; below the threshold the main memory answers alone, so
unrelated queries are untouched by edits (WISE's locality). Keeps: the main/side split, edits written
only to the side memory, an activation router with a threshold, side-first answers for edited facts.
Simplifies: memories are stored turns, not feed-forward weights; an edit is a turn with an update cue
("moved", "quit", "new job", "no longer", "... now." ...) and the statement it revises is the most
similar earlier turn of the same speaker; activation is the cosine similarity (the host's embeddings)
of the query to the nearest edit's key (the edit with its speaker and "now, currently"), and the
threshold is a constant, not trained; WISE's knowledge sharding and merging of side memories is not
reproduced. No LLM is needed.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: WISE-style main memory plus side memory of updates, routed by activation threshold."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as the fact being looked for, keeping names and objects."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Updated facts override the earlier statements they revise; use the earlier "
    "ones only for questions about the past. Resolve relative dates against the date shown. If nothing "
    "says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

ROUTER_THRESHOLD = 0.35
"""Activation (cosine similarity to the nearest edit) above which the side memory is trusted."""
SIDE_TOP_K = 4
MAIN_TOP_K = 30
MIN_REVISION_SCORE = 2.0
"""Least BM25 score for an earlier turn of the same speaker to count as the statement an edit revises."""
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75
UPDATE_CUES = re.compile(
    r"\b(moved|moving|relocat\w*|switch\w*|chang\w*|quit|adopt\w*|no longer|anymore|instead|"
    r"new (?:job|place|home|apartment|house|city|role|position)|left my|(?:so|and) now (?:i|we)\b|"
    r"(?<!for )now[.!,])",
    re.IGNORECASE,
)

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a an and are at be been but by do for get got had has have i in is it just me my now of on or really "
    "so that the this to was we what with you"
)
_STOP = frozenset(_STOP_WORDS.split())


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The fact being looked for."""

    text: str = field(metadata={"description": "The fact the question asks about, with its names"})


class KnowledgeBase:
    """Main memory: every turn, BM25-indexed, never edited. Side memory: edits, in a vector collection."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.turns: list[str] = []
        self.speakers: list[str] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: list[int] = []
        self.side = toolkit.chroma.get_or_create_collection("side_memory", metadata={"hnsw:space": "cosine"})
        self.revises: dict[int, int] = {}  # edit turn -> the earlier main-memory turn it revises

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        first = len(self.turns)
        edits = []
        for line in lines:
            speaker, _, text = line.partition(": ")
            if text and UPDATE_CUES.search(text):
                # an edit's key, like WISE's edit prompts: what it says, whose state it is, that it is current
                key = f"{speaker} now, currently: {line}"
                edits.append((len(self.turns), self._revised(speaker, text, before=first), key))
            self._remember(f"[{date}] {line}" if date else line, speaker)
        for turn, revised, _ in edits:
            self.revises[turn] = revised
        if edits:
            self.side.add(
                ids=[str(turn) for turn, _, _ in edits],
                documents=[key for _, _, key in edits],
                metadatas=[{"revises": revised} for _, revised, _ in edits],
            )
        self.toolkit.logger.debug(
            f"main memory {len(self.turns)} turns; {len(edits)} edits to the side memory"
        )

    def _remember(self, turn, speaker):
        terms = [w for w in _WORD.findall(turn.lower()) if w not in _STOP]
        for term, count in Counter(terms).items():
            self.postings[term][len(self.turns)] = count
        self.lengths.append(len(terms))
        self.turns.append(turn)
        self.speakers.append(speaker)

    def _search(self, text, among=None):
        if not self.turns:
            return {}
        average = sum(self.lengths) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_WORD.findall(text.lower())) - _STOP:
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.turns) - len(docs) + 0.5) / (len(docs) + 0.5))
            for turn, tf in docs.items():
                if among is None or among(turn):
                    norm = 1 - BM25_B + BM25_B * self.lengths[turn] / average
                    scores[turn] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return scores

    def _revised(self, speaker, text, before):
        """The earlier turn of the same speaker most like this edit, if any is close enough."""
        scores = self._search(text, among=lambda t: t < before and self.speakers[t] == speaker)
        best = max(scores, key=scores.get, default=-1)
        return best if best >= 0 and scores[best] >= MIN_REVISION_SCORE else -1

    def read(self, query: Query) -> str:
        lines, shown = [], set()
        activation = 0.0
        if self.side.count():
            found = self.side.query(query_texts=[query.text], n_results=SIDE_TOP_K)
            similarities = [1 - d for d in found["distances"][0]]
            activation = max(similarities, default=0.0)
            if activation >= ROUTER_THRESHOLD:
                lines.append("Updated facts (side memory, trusted):")
                for turn_id, similarity in zip(found["ids"][0], similarities, strict=True):
                    turn = int(turn_id)
                    if similarity < ROUTER_THRESHOLD:
                        continue
                    lines.append(self.turns[turn])
                    shown.add(turn)
                    revised = self.revises.get(turn, -1)
                    if revised >= 0 and revised not in shown:
                        lines.append(f"  (revises the earlier: {self.turns[revised]})")
                        shown.add(revised)
                lines.append("Main memory:")
        scores = self._search(query.text)
        used = sum(len(line) + 1 for line in lines)
        for turn in sorted(scores, key=lambda t: (-scores[t], t))[:MAIN_TOP_K]:
            if turn in shown:
                continue
            if used + len(self.turns[turn]) + 1 > READ_CHAR_BUDGET:
                break
            lines.append(self.turns[turn])
            used += len(self.turns[turn]) + 1
        routed = "side" if activation >= ROUTER_THRESHOLD else "main"
        self.toolkit.logger.debug(
            f"query {query.text[:50]!r}: activation {activation:.2f}, routed to {routed}"
        )
        return "\n".join(lines)
