"""Dual-process memory after D-Mem: fast vector recall, with a quality gate falling back to full deliberation.

Re-implements D-Mem (You, Yuan & Cai, 2026, "D-Mem: A Dual-Process Memory System for LLM Agents"). System 1
is lightweight vector retrieval of the FAST_TOP_K stored memories nearest to the question; System 2, Full
Deliberation, is an exhaustive pass over everything stored; a multi-dimensional quality gate decides per
question whether the fast result is good enough or the slow pass must run.
Keeps: both processes over one store; a gate of independent dimensions, each with its own threshold
(relevance: similarity of the best hit; coverage: share of the question's key words the fast result holds;
focus: whether one memory holds most of them; simplicity: no ordering, counting or comparison cue), and the
fallback only when a dimension fails; deliberation that scores every stored turn (an inverted-index BM25,
so it stays fast) and keeps each hit's neighbouring turns for cross-turn reasoning. With an LLM, one call
reads the deliberation candidates and picks the evidence lines, which are returned verbatim.
Simplifies: D-Mem's fast path holds Mem0-style extracted facts and its gate judges a drafted answer; here the
fast path holds raw turns and the gate judges the retrieved context, since the agent, not the memory,
drafts answers. Offline (no LLM), deliberation returns its exhaustive lexical ranking as is.
"""

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

COMMIT_MESSAGE = (
    "Seed: D-Mem dual-process memory, vector fast path, quality gate, full-deliberation fallback."
)
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Copy the question as asked, keeping every name, object and time expression."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the retrieved turns. Resolve relative dates ('yesterday', 'last month') "
    "against the date shown with the turn. If the turns do not say, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

FAST_TOP_K = 30
GATE_RELEVANCE = 0.35  # least cosine similarity of the best fast hit
GATE_COVERAGE = 0.75  # least IDF-weighted share of the question's key words in the fast result
GATE_FOCUS = 0.75  # least share held by a single fast hit
GATE_SIMPLICITY = 0.5  # 1 without an ordering / counting / comparison cue, 0 with one
DELIBERATION_HITS = 40
DELIBERATION_NEIGHBOURS = 1
LLM_CANDIDATE_CHARS = 9000
BM25_K1 = 1.2
BM25_B = 0.75
READ_CHAR_BUDGET = 3000

MULTI_PART_CUES = re.compile(
    r"\b(before|after|first|both|how many|how often|how long|compare|between|since|until|ever|all the)\b",
    re.I,
)
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their what which who whom when where why how
    that this these those have has had not no so as if then than there here can could would should
    will just also very really some any
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9]+")


def key_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass
class KnowledgeItem:
    """When the session took place; the turns come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The question."""

    text: str = field(metadata={"description": "The question, with its names and time expressions"})


class KnowledgeBase:
    """Turns with unit embeddings in a numpy matrix (System 1) and an inverted BM25 index (System 2)."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.buffer = np.zeros((0, 0), dtype=np.float32)  # unit embeddings of the turns, in rows
        self.turns: list[str] = []
        self.session_of: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.arrays: dict[str, np.ndarray] = {}  # postings as arrays, rebuilt lazily after a write
        self.lengths: list[int] = []
        self.sessions = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        if not lines:
            return
        for line in lines:
            index = len(self.turns)
            self.turns.append(f"[{date}] {line}" if date else line)
            self.session_of.append(self.sessions)
            counts = Counter(key_terms(line))
            for term, count in counts.items():
                self.postings[term].append((index, count))
                self.arrays.pop(term, None)
            self.lengths.append(sum(counts.values()))
        self.sessions += 1
        new = np.asarray(self.toolkit.embed(self.turns[-len(lines) :]), dtype=np.float32)
        new /= np.maximum(np.linalg.norm(new, axis=1, keepdims=True), 1e-9)
        used = len(self.turns) - len(lines)
        if len(self.turns) > len(self.buffer):  # doubling, so n appends cost O(n)
            grown = np.zeros((max(2 * len(self.buffer), len(self.turns)), new.shape[1]), dtype=np.float32)
            grown[:used] = self.buffer[:used] if used else 0.0
            self.buffer = grown
        self.buffer[used : len(self.turns)] = new

    def read(self, query: Query) -> str:
        if not self.turns:
            return ""
        question = np.asarray(self.toolkit.embed([query.text])[0], dtype=np.float32)
        similarity = self.buffer[: len(self.turns)] @ (question / max(float(np.linalg.norm(question)), 1e-9))
        k = min(FAST_TOP_K, len(self.turns))
        top = np.argpartition(-similarity, k - 1)[:k]
        hits = [int(i) for i in top[np.argsort(-similarity[top], kind="stable")]]
        gate = self.quality_gate(query.text, hits, float(similarity[hits[0]]))
        failed = [name for name, (score, threshold) in gate.items() if score < threshold]
        summary = ", ".join(f"{name} {score:.2f}" for name, (score, _) in gate.items())
        if not failed:
            self.toolkit.logger.debug(f"fast path ({summary})")
            return _fit([self.turns[i] for i in hits])
        self.toolkit.logger.debug(f"full deliberation, gate failed on {', '.join(failed)} ({summary})")
        return self.deliberate(query.text)

    def quality_gate(self, question: str, hits: list[int], best_similarity: float) -> dict:
        """Each dimension as (score, threshold); the fast result is used only if every score passes."""
        weights = {term: self.idf(term) for term in set(key_terms(question))}
        total = sum(weights.values()) or 1.0
        bags = [set(key_terms(self.turns[i])) for i in hits]
        pooled = set().union(*bags) if bags else set()
        focus = max((sum(w for t, w in weights.items() if t in bag) / total for bag in bags), default=0.0)
        return {
            "relevance": (best_similarity, GATE_RELEVANCE),
            "coverage": (sum(w for t, w in weights.items() if t in pooled) / total, GATE_COVERAGE),
            "focus": (focus, GATE_FOCUS),
            "simplicity": (0.0 if MULTI_PART_CUES.search(question) else 1.0, GATE_SIMPLICITY),
        }

    def idf(self, term: str) -> float:
        n, df = len(self.turns), len(self.postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def bm25(self, question: str) -> np.ndarray:
        """Okapi BM25 of every stored turn, computed over the postings of the question's terms only."""
        lengths = np.asarray(self.lengths, dtype=np.float32)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(float(lengths.mean()), 1e-9))
        scores = np.zeros(len(self.turns), dtype=np.float32)
        for term in set(key_terms(question)):
            if term not in self.postings:
                continue
            if term not in self.arrays:
                self.arrays[term] = np.asarray(self.postings[term], dtype=np.int64).T
            docs, tf = self.arrays[term]
            scores[docs] += self.idf(term) * tf * (BM25_K1 + 1) / (tf + norm[docs])
        return scores

    def deliberate(self, question: str) -> str:
        """Score every stored turn, widen the hits to their neighbours, let an LLM pick the evidence."""
        scores = self.bm25(question)
        k = min(DELIBERATION_HITS, int(np.count_nonzero(scores)))
        top = np.argpartition(-scores, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
        ranked = [int(i) for i in top[np.lexsort((top, -scores[top]))]]
        candidates: list[int] = []
        for index in ranked:
            for near in range(index - DELIBERATION_NEIGHBOURS, index + DELIBERATION_NEIGHBOURS + 1):
                same_session = 0 <= near < len(self.turns) and self.session_of[near] == self.session_of[index]
                if same_session and near not in candidates:
                    candidates.append(near)
        chosen = self.llm_pick(question, candidates)
        rest = [i for i in candidates if i not in chosen]
        selected = _budgeted(chosen + rest, self.turns)
        return "\n".join(self.turns[i] for i in sorted(selected))

    def llm_pick(self, question: str, candidates: list[int]) -> list[int]:
        """The candidates an LLM names as evidence, most useful first; [] when no LLM is configured."""
        shown, used = [], 0
        for number, index in enumerate(candidates):
            line = f"{number}. {self.turns[index]}"
            if used + len(line) > LLM_CANDIDATE_CHARS:
                break
            shown.append(line)
            used += len(line) + 1
        prompt = (
            f"Question: {question}\n\nConversation lines:\n" + "\n".join(shown) + "\n\n"
            "Return a JSON list of the numbers of the lines needed to answer the question, most useful first."
        )
        try:
            reply = self.toolkit.llm(
                prompt, system="You select evidence from a conversation.", max_tokens=200
            )
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
            return []
        match = re.search(r"\[[\d,\s]*\]", reply)
        numbers = json.loads(match.group(0)) if match else []
        return [candidates[n] for n in dict.fromkeys(numbers) if 0 <= n < len(shown)]


def _budgeted(order: list[int], turns: list[str]) -> list[int]:
    selected, used = [], 0
    for index in order:
        if used + len(turns[index]) + 1 > READ_CHAR_BUDGET:
            break
        selected.append(index)
        used += len(turns[index]) + 1
    return selected


def _fit(lines: list[str]) -> str:
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > READ_CHAR_BUDGET:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
