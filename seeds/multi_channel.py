"""Multi-channel memory after SuperLocalMemory: five channels fused by RRF, and Ebbinghaus forgetting.

Re-implements the zero-LLM mode of SuperLocalMemory (Bhardwaj, 2026, "SuperLocalMemory V3.3: The Living
Brain"). Every turn is a memory. A read runs five channels and fuses their rankings by weighted reciprocal
rank fusion (score = sum of weight / (RRF_K + rank)): semantic (vector similarity), keyword (BM25), entity
graph (memories naming the question's entities, then those naming entities co-mentioned with them), temporal
(closeness to a date the question names, recency for "now" questions, time expressions for "when" questions)
and spreading activation (the best semantic and keyword hits activate their entities, which activate the
other memories naming them, with decay and a fan effect that divides activation by an entity's number of
memories). Memories fade on an Ebbinghaus curve, retention = exp(-days since last access / stability), where
stability grows with the memory's importance (rare words, names, numbers) and with every time it is recalled
(spaced repetition). Retention puts a memory in the active, warm or cold zone, which weighs its fused score;
memories whose retention falls below FORGET_RETENTION are forgotten: deleted from every index.
Keeps: the five channels named above, weighted RRF, the forgetting curve with reinforcement on recall and
the three zones. Simplifies: no Fisher-Rao distance, quantisation by zone, consolidation or Hopfield
channels; entities are capitalised names, not NER; no LLM is used anywhere, as in SuperLocalMemory's mode A.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date as calendar_date

import numpy as np

COMMIT_MESSAGE = (
    "Seed: SuperLocalMemory five-channel retrieval fused by weighted RRF, with Ebbinghaus forgetting."
)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Copy the question as asked, keeping every name, object and time expression."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the recalled turns. Resolve relative dates ('yesterday', 'last month') "
    "against the date shown with the turn. If they do not say, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

CHANNEL_WEIGHTS = {"semantic": 1.0, "keyword": 1.2, "entity": 0.8, "temporal": 0.6, "activation": 0.7}
CHANNEL_DEPTH = 40
RRF_K = 60
GRAPH_NEIGHBOURS = 1
SPREAD_SEEDS = 10
SPREAD_DECAY = 0.5
MAX_FAN = 150
BASE_STABILITY_DAYS = 14.0
IMPORTANCE_GAIN = 14.0
IMPORTANCE_SATURATION = 20.0
ZONE_WEIGHTS = {"active": 1.0, "warm": 0.8, "cold": 0.5}
ACTIVE_RETENTION = 0.6
WARM_RETENTION = 0.25
FORGET_RETENTION = 0.1
BM25_K1 = 1.2
BM25_B = 0.75
READ_CHAR_BUDGET = 3000

MONTHS = """
    january february march april may june july august september october november december
    """.split()  # noqa: SIM905 - a word list reads best as text
TIME_WORDS = re.compile(
    r"\b(yesterday|today|tonight|ago|last (week|month|year|weekend|\w+day)|this (week|morning))\b"
)
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their what which who whom when where why how
    that this so as if then there here can could would should will just also very really oh yeah yes
    no not too
    """.split()  # noqa: SIM905 - a word list reads best as text
)
NOT_NAMES = frozenset(
    """
    the then guess big sounds thanks good great okay wow well sure yes also anyway
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9]+")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")


def key_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def entities(text: str) -> set[str]:
    return {n.lower() for n in _NAME.findall(text) if n.lower() not in NOT_NAMES | STOP_WORDS}


def parse_day(text: str) -> int | None:
    """The date in `text` as a day number (LoCoMo's "8 May, 2023" or ISO), None if there is none."""
    match = re.search(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*,?\s+(\d{4})", text)
    if match and match.group(2).lower() in [m[:3] for m in MONTHS]:
        month = [m[:3] for m in MONTHS].index(match.group(2).lower()) + 1
        return calendar_date(int(match.group(3)), month, min(int(match.group(1)), 28)).toordinal()
    match = re.search(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    return calendar_date(*(int(g) for g in match.groups())).toordinal() if match else None


@dataclass
class KnowledgeItem:
    """When the session took place; the turns come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The question."""

    text: str = field(metadata={"description": "The question, with its names and time expressions"})


class KnowledgeBase:
    """Memories as parallel lists (text, day, terms, entities, importance, recalls) plus channel indexes."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.buffer = np.zeros((0, 0), dtype=np.float32)  # unit embeddings of the memories, in rows
        self.text, self.day, self.terms, self.names = [], [], [], []
        self.importance, self.recalls, self.last_access, self.alive = [], [], [], []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.by_entity: dict[str, set[int]] = defaultdict(set)
        self.graph: dict[str, Counter] = defaultdict(Counter)  # entity -> co-mentioned entities
        self.total_length = 0
        self.now = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        self.now = parse_day(date) or self.now + 7  # undated sessions: a week apart
        start = len(self.text)
        for line in lines:
            index = len(self.text)
            terms = Counter(key_terms(line))
            names = entities(line)
            self.text.append(f"[{date}] {line}" if date else line)
            self.day.append(self.now)
            self.terms.append(terms)
            self.total_length += sum(terms.values())
            self.names.append(names)
            self.importance.append(self.salience(line))
            self.recalls.append(0)
            self.last_access.append(self.now)
            self.alive.append(True)
            for term in terms:
                self.postings[term].append(index)
            for name in names:
                self.by_entity[name].add(index)
                self.graph[name].update(names - {name})
        if lines:
            self.embed_rows(start)
        self.forget()

    def embed_rows(self, start: int) -> None:
        vectors = np.asarray(self.toolkit.embed(self.text[start:]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        if len(self.text) > len(self.buffer):  # doubling, so n appends cost O(n)
            grown = np.zeros((max(2 * len(self.buffer), len(self.text)), vectors.shape[1]), dtype=np.float32)
            if self.buffer.size:
                grown[: len(self.buffer)] = self.buffer
            self.buffer = grown
        self.buffer[start : len(self.text)] = vectors

    def salience(self, line: str) -> float:
        """Importance in [0, 1] of what was said (not who said it): rare words, names, numbers."""
        said = line.partition(": ")[2] or line
        specifics = entities(said) | set(re.findall(r"\d+", said))
        rarity = sum(self.idf(t) for t in set(key_terms(said))) + 3 * len(specifics)
        return min(1.0, rarity / IMPORTANCE_SATURATION)

    def retention(self, index: int) -> float:
        stability = (
            BASE_STABILITY_DAYS * (1 + IMPORTANCE_GAIN * self.importance[index]) * (1 + self.recalls[index])
        )
        return math.exp(-max(0, self.now - self.last_access[index]) / stability)

    def zone(self, index: int) -> str:
        r = self.retention(index)
        return "active" if r >= ACTIVE_RETENTION else "warm" if r >= WARM_RETENTION else "cold"

    def forget(self) -> None:
        """Delete every memory whose retention fell below FORGET_RETENTION from all indexes."""
        faded = [i for i, alive in enumerate(self.alive) if alive and self.retention(i) < FORGET_RETENTION]
        for index in faded:
            self.alive[index] = False
            for name in self.names[index]:
                self.by_entity[name].discard(index)
        if faded:
            self.buffer[faded] = 0.0
            self.toolkit.logger.debug(f"forgot {len(faded)} memories; {sum(self.alive)} remain")

    def read(self, query: Query) -> str:
        if not any(self.alive):
            return ""
        channels = {
            "semantic": self.semantic(query.text),
            "keyword": self.keyword(query.text),
            "entity": self.entity(query.text),
            "temporal": self.temporal(query.text),
        }
        channels["activation"] = self.spread(
            channels["semantic"][:SPREAD_SEEDS] + channels["keyword"][:SPREAD_SEEDS]
        )
        fused: dict[int, float] = defaultdict(float)
        for name, ranking in channels.items():
            for rank, index in enumerate(ranking[:CHANNEL_DEPTH]):
                fused[index] += CHANNEL_WEIGHTS[name] / (RRF_K + rank + 1)
        ranked = sorted(fused, key=lambda i: (-fused[i] * ZONE_WEIGHTS[self.zone(i)], i))
        selected, used = [], 0
        for index in ranked:
            if used + len(self.text[index]) + 1 > READ_CHAR_BUDGET:
                break
            selected.append(index)
            used += len(self.text[index]) + 1
        for index in selected:  # recall reinforces: spaced repetition
            self.recalls[index] += 1
            self.last_access[index] = self.now
        self.toolkit.logger.debug(
            "channels "
            + ", ".join(f"{n} {len(r)}" for n, r in channels.items())
            + f"; returned {len(selected)}"
        )
        return "\n".join(self.text[i] for i in selected)

    def semantic(self, question: str) -> list[int]:
        vector = np.asarray(self.toolkit.embed([question])[0], dtype=np.float32)
        similarity = self.buffer[: len(self.text)] @ (vector / max(float(np.linalg.norm(vector)), 1e-9))
        similarity[~np.asarray(self.alive)] = -np.inf
        k = min(CHANNEL_DEPTH, len(self.text))
        top = np.argpartition(-similarity, k - 1)[:k]
        return [int(i) for i in top[np.lexsort((top, -similarity[top]))] if similarity[i] > -np.inf]

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (len(self.text) - df + 0.5) / (df + 0.5))

    def keyword(self, question: str) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        average = self.total_length / max(1, len(self.terms)) or 1.0
        for term in set(key_terms(question)):
            idf = self.idf(term)
            for index in self.postings.get(term, ()):
                if self.alive[index]:
                    tf, length = self.terms[index][term], sum(self.terms[index].values())
                    scores[index] += (
                        idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average))
                    )
        return sorted(scores, key=lambda i: (-scores[i], i))[:CHANNEL_DEPTH]

    def entity(self, question: str) -> list[int]:
        """Memories naming the question's entities, then (at half weight) their graph neighbours'."""
        asked = entities(question) | {w for w in key_terms(question) if w in self.by_entity}
        hits: Counter = Counter()
        for name in asked:
            hits.update(self.by_entity.get(name, ()))
            for neighbour, _ in self.graph[name].most_common(GRAPH_NEIGHBOURS):
                if len(self.by_entity[neighbour]) <= MAX_FAN:
                    hits.update({i: 0.5 for i in self.by_entity[neighbour]})
        return sorted(hits, key=lambda i: (-hits[i], -self.importance[i], -i))[:CHANNEL_DEPTH]

    def temporal(self, question: str) -> list[int]:
        lowered = question.lower()
        matching = {i for t in set(key_terms(question)) for i in self.postings.get(t, ()) if self.alive[i]}
        named = parse_day(question)
        if named:
            return sorted(matching, key=lambda i: (abs(self.day[i] - named), i))[:CHANNEL_DEPTH]
        if re.search(r"\b(now|currently|current|latest|recently|these days)\b", lowered):
            return sorted(matching, key=lambda i: -i)[:CHANNEL_DEPTH]
        if re.search(r"\b(when|what (day|date|month|year))\b", lowered):
            timed = [i for i in matching if TIME_WORDS.search(self.text[i].lower())]
            return sorted(timed, key=lambda i: -sum(self.idf(t) for t in self.terms[i] if t in lowered))[
                :CHANNEL_DEPTH
            ]
        return []

    def spread(self, seeds: list[int]) -> list[int]:
        """Spreading activation over the memory-entity graph: seeds -> their entities -> other memories."""
        activation: dict[int, float] = defaultdict(float)
        for rank, seed in enumerate(dict.fromkeys(seeds)):
            for name in self.names[seed]:
                fan = len(self.by_entity[name])
                if 1 < fan <= MAX_FAN:
                    for index in self.by_entity[name]:
                        if index != seed:
                            activation[index] += SPREAD_DECAY / (rank + 1) / fan
        return sorted(activation, key=lambda i: (-activation[i], i))[:CHANNEL_DEPTH]
