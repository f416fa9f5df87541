"""Several independent memories behind a router, after MoM (Mixture-of-Memories).

Re-implements, at the level of stored turns, the architecture of MoM (Du et al., 2025, "MoM: Linear
Sequence Modeling with Mixture-of-Memories"): instead of one memory that every input overwrites, there
are NUM_MEMORIES independent memories, and a router sends each input to the TOP_K_WRITE memories it
scores highest, so unrelated inputs do not interfere; a shared memory is updated by every input.
Reading routes the query the same way, searches only the chosen memories, and merges their results
weighted by the router's gate. Keeps: independent stores, top-k routing of writes, a shared memory, a
router with a load-balancing term, routed and gate-weighted reads. Simplifies: the router is not
trained by gradient; each memory's router key is the running mean of the inputs routed to it first
(online k-means over the host's embeddings); each memory is a BM25 index of turns instead of a
linear-attention state; the shared memory is a bounded window of the most recent turns. No LLM.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

COMMIT_MESSAGE = (
    "Seed: MoM-style router over independent turn memories, a shared recent memory, merged reads."
)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Rewrite the question as a search query made of its key words (names, objects, events)."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the retrieved turns; resolve relative dates ('yesterday', 'last month') "
    "against the date shown with the turn. If the turns do not say, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

NUM_MEMORIES = 4
TOP_K_WRITE = 2
TOP_K_READ = 2
LOAD_BALANCE = 0.2
"""How strongly the router avoids memories that already hold more than their share."""
GATE_TEMPERATURE = 0.1
SHARED_TURNS = 12
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = "a an and are at be but by do for i in is it me my of on or so the to was we with you"
_STOP = frozenset(_STOP_WORDS.split())


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """A keyword query."""

    query: str = field(metadata={"description": "The question or its key words"})


class Memory:
    """One independent memory: the ids of its turns, a BM25 index over them, and its router key."""

    def __init__(self, dimensions):
        self.turns: list[int] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: dict[int, int] = {}
        self.key = np.zeros(dimensions)
        self.owned = 0

    def add(self, turn, text, vector, owner):
        terms = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
        for term, count in Counter(terms).items():
            self.postings[term][turn] = count
        self.lengths[turn] = len(terms)
        self.turns.append(turn)
        if owner:  # the router key follows the inputs this memory wins (online k-means)
            self.owned += 1
            self.key += (vector - self.key) / self.owned

    def search(self, text):
        if not self.turns:
            return {}
        average = sum(self.lengths.values()) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_WORD.findall(text.lower())) - _STOP:
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.turns) - len(docs) + 0.5) / (len(docs) + 0.5))
            for turn, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[turn] / average
                scores[turn] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return scores


class KnowledgeBase:
    """NUM_MEMORIES routed memories plus a shared window of recent turns; turns are kept once, by id."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.turns: list[str] = []
        self.memories: list[Memory] = []
        self.shared: list[int] = []

    def _router(self, vectors):
        """Cosine of each input to each memory's key, minus a penalty on memories over their share."""
        keys = np.stack([m.key for m in self.memories])
        keys = keys / np.maximum(np.linalg.norm(keys, axis=1, keepdims=True), 1e-9)
        loads = np.array([len(m.turns) for m in self.memories], dtype=float)
        overload = loads / max(loads.mean(), 1.0) - 1.0
        return vectors @ keys.T - LOAD_BALANCE * overload

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        if not lines:
            return
        vectors = np.array(self.toolkit.embed(lines))
        if not self.memories:
            self.memories = [Memory(vectors.shape[1]) for _ in range(NUM_MEMORIES)]
        routed = Counter()
        for line, vector in zip(lines, vectors, strict=True):
            turn = len(self.turns)
            self.turns.append(f"[{date}] {line}" if date else line)
            empty = [i for i, m in enumerate(self.memories) if not m.turns]
            chosen = empty[:1] or list(np.argsort(-self._router(vector[None])[0])[:TOP_K_WRITE])
            for rank, index in enumerate(chosen):
                self.memories[index].add(turn, line, vector, owner=rank == 0)
                routed[int(index)] += 1
            self.shared = [*self.shared, turn][-SHARED_TURNS:]
        self.toolkit.logger.debug(
            f"routed {len(lines)} turns: {dict(routed)}; sizes {[len(m.turns) for m in self.memories]}"
        )

    def read(self, query: Query) -> str:
        if not self.turns:
            return ""
        scores = self._router(np.array(self.toolkit.embed([query.query])))[0]
        chosen = np.argsort(-scores)[:TOP_K_READ]
        gates = np.exp(scores[chosen] / GATE_TEMPERATURE)
        gates /= gates.sum()
        merged = defaultdict(float)
        for index, gate in zip(chosen, gates, strict=True):
            found = self.memories[index].search(query.query)
            top = max(found.values(), default=1.0)
            for turn, score in found.items():
                merged[turn] += gate * score / top
        for turn, score in _window_scores(self.shared, self.turns, query.query).items():
            merged[turn] = max(merged[turn], score)
        selected, used = [], 0
        for turn in sorted(merged, key=lambda t: (-merged[t], t)):
            if merged[turn] <= 0:
                break
            if used + len(self.turns[turn]) + 1 > READ_CHAR_BUDGET:
                break
            selected.append(self.turns[turn])
            used += len(self.turns[turn]) + 1
        self.toolkit.logger.debug(
            f"query routed to memories {chosen.tolist()} with gates {np.round(gates, 2).tolist()}"
        )
        return "\n".join(selected)


def _window_scores(window, turns, text):
    """Share of the query's words each recent turn contains: the shared memory's contribution."""
    wanted = set(_WORD.findall(text.lower())) - _STOP
    if not wanted:
        return {}
    return {t: len(wanted & set(_WORD.findall(turns[t].lower()))) / len(wanted) for t in window}
