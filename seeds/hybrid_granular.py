"""Dual-granular memory after HyMem: session summaries for simple questions, raw turns for complex ones.

Re-implements HyMem (Zhao et al., 2026, "HyMem: Hybrid Memory Architecture with Dynamic Retrieval
Scheduling"). Storage is dual-granular: Level 1 holds one summary per session, Level 2 the session's raw
turns, linked to it. Retrieval is two-tier: a lightweight tier answers from the summaries nearest to the
question; a deep tier, activated only when the question is judged complex, goes down to the raw turns of the
best sessions, and one reflection round widens the search to every session when the raw turns found still
miss a key word of the question.
Keeps: both granularities and their link, the lightweight tier as the default, the complexity judgement that
schedules the deep tier, raw text in the deep tier. With an LLM, a write spends its one call on the session
summary and a read spends its one call on the complexity judgement (SIMPLE or COMPLEX, given the summaries).
Offline (no LLM): a summary is extractive, the session's SUMMARY_TURNS most salient turns (rare words, names,
numbers) kept verbatim; a question is complex when it has an ordering, counting or time cue, or when no
summary line covers SUFFICIENT_COVERAGE of its key words.
Simplifies: HyMem's deep module reasons with the LLM over raw text and reflects iteratively; here the deep
tier ranks raw turns with BM25 and reflects once, by rule.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

COMMIT_MESSAGE = (
    "Seed: HyMem dual-granular memory, summary tier for simple questions, raw tier for complex ones."
)
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Copy the question as asked, keeping every name, object and time expression."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the session summaries and, when given, the raw turns. Resolve relative "
    "dates against the date shown. If neither says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

SUMMARY_TURNS = 6
SUMMARY_TOP_K = 6
SUFFICIENT_COVERAGE = 0.75
DEEP_SESSIONS = 6
DEEP_TOP_TURNS = 18
BM25_K1 = 1.2
BM25_B = 0.75
READ_CHAR_BUDGET = 3000

COMPLEX_CUES = re.compile(
    r"\b(when|before|after|first|both|how many|how often|how long|why|compare|between|since|until|ever)\b",
    re.I,
)
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their what which who whom when where why how
    that this so as if then there here can could would should will just also very really oh yeah yes
    no not too
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9]+")


def key_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass
class KnowledgeItem:
    """When the session took place; summary and turns come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The question."""

    text: str = field(metadata={"description": "The question, with its names and time expressions"})


class KnowledgeBase:
    """Level 1: a summary collection (one per session). Level 2: raw turns with a BM25 index, by session."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.summaries = toolkit.chroma.get_or_create_collection(
            "summaries", metadata={"hnsw:space": "cosine"}
        )
        self.summary_text: list[str] = []
        self.dates: list[str] = []
        self.turns: list[str] = []
        self.session_turns: list[range] = []
        self.session_of: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.arrays: dict[str, np.ndarray] = {}  # postings as arrays, rebuilt lazily after a write
        self.lengths: list[int] = []

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        start = len(self.turns)
        for line in lines:
            counts = Counter(key_terms(line))
            for term, count in counts.items():
                self.postings[term].append((len(self.turns), count))
                self.arrays.pop(term, None)
            self.lengths.append(sum(counts.values()))
            self.session_of.append(len(self.session_turns))
            self.turns.append(f"[{date}] {line}" if date else line)
        session = len(self.session_turns)
        self.session_turns.append(range(start, len(self.turns)))
        self.dates.append(date)
        summary = self.summarise(lines)
        self.summary_text.append(summary)
        self.summaries.add(ids=[str(session)], documents=[summary], metadatas=[{"date": date}])

    def summarise(self, lines: list[str]) -> str:
        """Level 1: an LLM summary, or offline the session's most salient turns, verbatim and in order."""
        try:
            return self.toolkit.llm(
                "Summarise this conversation session in a few sentences, keeping names, places, dates and "
                "every fact a later question could ask about:\n" + "\n".join(lines),
                system="You write faithful, dense summaries.",
                max_tokens=300,
            ).strip()
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
        said = [line.partition(": ")[2] or line for line in lines]
        salience = [
            sum(self.idf(t) for t in set(key_terms(t))) + 2 * len(re.findall(r"\b[A-Z][a-z]+|\d+", t))
            for t in said
        ]
        best = sorted(range(len(lines)), key=lambda i: -salience[i])[:SUMMARY_TURNS]
        return "\n".join(lines[i] for i in sorted(best))

    def idf(self, term: str) -> float:
        n, df = len(self.lengths), len(self.postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def read(self, query: Query) -> str:
        if not self.session_turns:
            return ""
        found = self.summaries.query(query_texts=[query.text], n_results=SUMMARY_TOP_K, include=["distances"])
        sessions = [int(i) for i in found["ids"][0]]
        light = [f"[{self.dates[s]}] session summary:\n{self.summary_text[s]}" for s in sessions]
        if not self.is_complex(query.text, sessions):
            self.toolkit.logger.debug("lightweight tier: answered from summaries")
            return _fit(light)
        ranked = self.deep(query.text, sessions)
        kept, used = [], len(light[0])
        for index in ranked:
            if used + len(self.turns[index]) + 1 > READ_CHAR_BUDGET - len("Raw turns:\n\n"):
                break
            kept.append(index)
            used += len(self.turns[index]) + 1
        self.toolkit.logger.debug(f"deep tier: {len(kept)} raw turns")
        return _fit(["Raw turns:\n" + "\n".join(self.turns[i] for i in sorted(kept)), light[0]])

    def is_complex(self, question: str, sessions: list[int]) -> bool:
        """The scheduler: the LLM's judgement on the summaries, or offline the cue and coverage rules."""
        context = "\n".join(self.summary_text[s] for s in sessions)
        try:
            reply = self.toolkit.llm(
                f"Summaries:\n{context}\n\nQuestion: {question}\n\nCan the question be answered from the "
                "summaries alone? Reply SIMPLE if yes, COMPLEX if it needs the raw conversation.",
                max_tokens=5,
            )
            return "COMPLEX" in reply.upper()
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
        if COMPLEX_CUES.search(question):
            return True
        weights = {t: self.idf(t) for t in set(key_terms(question))}
        total = sum(weights.values()) or 1.0
        lines = context.splitlines()
        best = max(
            (sum(w for t, w in weights.items() if t in set(key_terms(line))) for line in lines), default=0
        )
        return best / total < SUFFICIENT_COVERAGE

    def deep(self, question: str, sessions: list[int]) -> list[int]:
        """Raw turns of the best sessions, best first, by BM25; a reflection round widens to every session."""
        terms = set(key_terms(question))
        scores = self.bm25(terms)
        session_of = np.asarray(self.session_of)
        best_per_session = np.zeros(len(self.session_turns), dtype=np.float32)
        np.maximum.at(best_per_session, session_of, scores)
        best = [int(s) for s in np.argsort(-best_per_session, kind="stable") if best_per_session[s] > 0]
        chosen = list(dict.fromkeys(sessions[: DEEP_SESSIONS // 2] + best))[:DEEP_SESSIONS]
        inside = np.isin(session_of, chosen) & (scores > 0)
        order = np.lexsort((np.arange(len(scores)), -scores))
        ranked = [int(i) for i in order if inside[i]][:DEEP_TOP_TURNS]
        found = set().union(*(key_terms(self.turns[i]) for i in ranked)) if ranked else set()
        if terms - found:
            self.toolkit.logger.debug(f"reflection: {sorted(terms - found)} missing, searching every session")
            outside = (~inside) & (scores > 0)
            ranked += [int(i) for i in order if outside[i]][: DEEP_TOP_TURNS // 3]
        return ranked

    def bm25(self, terms: set[str]) -> np.ndarray:
        """Okapi BM25 of every raw turn, computed over the postings of the question's terms only."""
        lengths = np.asarray(self.lengths, dtype=np.float32)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(float(lengths.mean()), 1e-9))
        scores = np.zeros(len(self.turns), dtype=np.float32)
        for term in terms & self.postings.keys():
            if term not in self.arrays:
                self.arrays[term] = np.asarray(self.postings[term], dtype=np.int64).T
            docs, tf = self.arrays[term]
            scores[docs] += self.idf(term) * tf * (BM25_K1 + 1) / (tf + norm[docs])
        return scores


def _fit(blocks: list[str]) -> str:
    lines, used = [], 0
    for line in "\n\n".join(blocks).splitlines():
        if used + len(line) + 1 > READ_CHAR_BUDGET:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
