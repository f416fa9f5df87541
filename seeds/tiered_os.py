"""Tiered memory managed like an operating system, after Letta (MemGPT) and MemoryOS.

Re-implements the memory hierarchy of MemGPT / Letta (Packer et al., 2023, "MemGPT: Towards LLMs as
Operating Systems") together with the tiers and heat policy of MemoryOS (Kang et al., 2025, "Memory OS
of AI Agent"). Letta's side: core memory blocks, one per person, each with a character limit, always
returned in full ("pinned to the context"); a recall log of every message, searched like Letta's
conversation_search; archival passages, searched by similarity. MemoryOS's side: short-term memory is a
FIFO of the last STM_PAGES dialogue pages (a page is a turn and its reply); pages leaving it join the
mid-term segment whose topic they match (embedding plus keyword similarity) or open a new one; each
segment has a heat, HEAT_VISITS x retrievals + HEAT_PAGES x pages since its last promotion +
HEAT_RECENCY x exp(-sessions since last access / RECENCY_SESSIONS); a segment hotter than PROMOTE_HEAT
is promoted: its facts are written into the speaker's core block (long-term persona memory) and its
page count starts again; when there are more than MID_TERM_SEGMENTS segments the coldest is evicted to
archival passages. Reads raise the heat of the segments they use.

With an LLM (at most one call per write), promotion rewrites the core block from the hot segment, as
Letta's agent does with its memory tools. Offline, promotion is extractive: the speaker's two most
informative first-person statements in the segment (highest summed IDF over the recall log, so repeated
small talk loses) are appended, and the oldest lines leave the block when it would pass its limit.
Simplified: no agent loop deciding when to page memory in and out (reads return every tier at once);
page "meta-summaries" are the pages themselves.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

COMMIT_MESSAGE = "Seed: Letta core blocks, recall log, archival passages; MemoryOS tiers with heat promotion."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Rewrite the question as a search query made of its key words (names, objects, events)."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Core memory holds what is known about each person; the rest are retrieved "
    "conversation pages. Resolve relative dates against the date shown. If nothing says, answer that it "
    "is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

CORE_BLOCK_CHARS = 300
STM_PAGES = 2
SEGMENT_THRESHOLD = 0.5
MID_TERM_SEGMENTS = 60
HEAT_VISITS, HEAT_PAGES, HEAT_RECENCY = 1.0, 0.5, 1.0
RECENCY_SESSIONS = 5.0
PROMOTE_HEAT = 5.0
SEGMENTS_READ = 3
PAGES_PER_SEGMENT = 3
RECALL_TOP_K = 20
ARCHIVAL_TOP_K = 4
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75
FACT = re.compile(r"\b(i|i'm|i've|my|we|we're|our)\b", re.IGNORECASE)

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a about all am an and are as at be been but by can do for from get got had has have i in is it just "
    "me my no not now of oh on or our really so that the this to too was we what with yeah yes you your"
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


@dataclass
class Segment:
    """A mid-term topic: its pages, keywords, mean embedding and the counters its heat is made of."""

    pages: list[int]
    keywords: Counter
    vector: np.ndarray
    visits: int = 0
    last_access: int = 0
    fresh_pages: int = 0

    def heat(self, clock):
        recency = math.exp(-(clock - self.last_access) / RECENCY_SESSIONS)
        return HEAT_VISITS * self.visits + HEAT_PAGES * self.fresh_pages + HEAT_RECENCY * recency


class KnowledgeBase:
    """Core blocks (speaker -> fact lines), the recall log (BM25 over turns), pages, STM, MTM, archival."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.core: dict[str, list[str]] = {}
        self.turns: list[str] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: list[int] = []
        self.pages: list[list[int]] = []  # page -> its turns
        self.stm: list[int] = []
        self.segments: list[Segment] = []
        self.archival = toolkit.chroma.get_or_create_collection("archival", metadata={"hnsw:space": "cosine"})
        self.clock = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        self.clock += 1
        for start in range(0, len(lines), 2):
            page = [self._log(f"[{date}] {line}") for line in lines[start : start + 2]]
            self.pages.append(page)
            self.stm.append(len(self.pages) - 1)
        overflow, self.stm = self.stm[:-STM_PAGES], self.stm[-STM_PAGES:]
        if overflow:
            vectors = np.array(self.toolkit.embed([self._page_text(p) for p in overflow]))
            for page, vector in zip(overflow, vectors, strict=True):
                self._file_page(page, vector)
        llm_budget = 1
        for segment in self.segments:
            if segment.heat(self.clock) >= PROMOTE_HEAT:
                llm_budget -= self._promote(segment, use_llm=llm_budget > 0)
        while len(self.segments) > MID_TERM_SEGMENTS:
            coldest = min(self.segments, key=lambda s: s.heat(self.clock))
            self.segments.remove(coldest)
            ids = [f"page-{p}" for p in coldest.pages]
            self.archival.add(ids=ids, documents=[self._page_text(p) for p in coldest.pages])
        self.toolkit.logger.debug(f"{len(self.pages)} pages, {len(self.segments)} segments, core {self.core}")

    def _log(self, turn):
        terms = _content(turn.partition("] ")[2])
        for term, count in Counter(terms).items():
            self.postings[term][len(self.turns)] = count
        self.lengths.append(len(terms))
        self.turns.append(turn)
        return len(self.turns) - 1

    def _page_text(self, page):
        return "\n".join(self.turns[t] for t in self.pages[page])

    def _similarity(self, segment, vector, words):
        top = {w for w, _ in segment.keywords.most_common(20)}
        jaccard = len(top & words) / len(top | words) if words else 0.0
        cosine = float(vector @ segment.vector) / (
            np.linalg.norm(segment.vector) * np.linalg.norm(vector) or 1.0
        )
        return cosine + jaccard

    def _file_page(self, page, vector):
        """MemoryOS's short-term to mid-term update: join the best-matching segment or open a new one."""
        words = set(_content(self._page_text(page)))
        best = max(self.segments, key=lambda s: self._similarity(s, vector, words), default=None)
        if best is None or self._similarity(best, vector, words) < SEGMENT_THRESHOLD:
            best = Segment([], Counter(), np.zeros_like(vector), last_access=self.clock)
            self.segments.append(best)
        best.pages.append(page)
        best.keywords.update(words)
        best.vector = best.vector + (vector - best.vector) / len(best.pages)
        best.fresh_pages += 1

    def _promote(self, segment, use_llm):
        """Mid-term to long-term: the hot segment's facts go into core blocks. Returns LLM calls made."""
        turns = [self.turns[t] for p in segment.pages for t in self.pages[p]]
        segment.fresh_pages, segment.visits = 0, 0
        by_speaker = defaultdict(list)
        for turn in turns:
            speaker, _, text = turn.partition("] ")[2].partition(": ")
            if text and FACT.search(text) and not text.endswith("?") and len(set(_content(text))) >= 3:
                by_speaker[speaker].append(turn)
        calls = 0
        for speaker, facts in by_speaker.items():
            if use_llm and calls == 0:
                try:
                    block = self.toolkit.llm(
                        f"Core memory block about {speaker} (at most {CORE_BLOCK_CHARS} characters):\n"
                        + "\n".join(self.core.get(speaker, []))
                        + "\n\nNew conversation:\n"
                        + "\n".join(turns)
                        + "\n\nRewrite the block: keep durable facts about "
                        + f"{speaker}, newest first, one per line, within the limit.",
                        system="You manage an agent's core memory.",
                    )
                    calls = 1
                    self.core[speaker] = [line.strip() for line in block.splitlines() if line.strip()]
                    self._fit(speaker)
                    continue
                except Exception as error:
                    if getattr(error, "reason", None) != "llm_unavailable":
                        raise
            ranked = sorted(facts, key=lambda t: -self._informativeness(t))
            for fact in ranked[:2]:
                block = self.core.setdefault(speaker, [])
                if fact not in block:
                    block.append(fact)
            self._fit(speaker)
        return calls

    def _informativeness(self, turn):
        """Summed IDF of a statement's words over the recall log: repeated small talk scores low."""
        words = set(_content(turn.partition("] ")[2].partition(": ")[2]))
        n = len(self.turns)
        return sum(math.log(1 + n / (1 + len(self.postings.get(w, ())))) for w in words)

    def _fit(self, speaker):
        """Keep a core block within its character limit, dropping its oldest lines first."""
        block = self.core[speaker]
        while block and sum(len(line) + 1 for line in block) > CORE_BLOCK_CHARS:
            block.pop(0)

    def _recall_search(self, text):
        average = sum(self.lengths) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_content(text)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.turns) - len(docs) + 0.5) / (len(docs) + 0.5))
            for turn, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[turn] / average
                scores[turn] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return scores

    def read(self, query: Query) -> str:
        core = "\n".join(f"<core:{name}>\n" + "\n".join(block) for name, block in self.core.items())
        recent = "\n".join(self._page_text(p) for p in self.stm)
        if not self.turns:
            return ""
        scores = self._recall_search(query.query)
        picked: list[str] = []
        if self.segments:  # mid-term: the best segments, then their best pages; reading heats them
            vector = np.array(self.toolkit.embed([query.query])[0])
            words = set(_content(query.query))
            ranked = sorted(self.segments, key=lambda s: -self._similarity(s, vector, words))[:SEGMENTS_READ]
            for segment in ranked:
                segment.visits, segment.last_access = segment.visits + 1, self.clock
                pages = sorted(segment.pages, key=lambda p: -sum(scores.get(t, 0.0) for t in self.pages[p]))
                picked += [
                    self.turns[t] for p in pages[:PAGES_PER_SEGMENT] for t in self.pages[p] if scores.get(t)
                ]
        picked += [self.turns[t] for t in sorted(scores, key=lambda t: -scores[t])[:RECALL_TOP_K]]
        if self.archival.count():
            found = self.archival.query(query_texts=[query.query], n_results=ARCHIVAL_TOP_K)
            picked += [t for passage in found["documents"][0] for t in passage.splitlines()]
        lines, used = [], len(core) + len(recent) + 40
        for turn in dict.fromkeys(picked):
            if turn not in recent and used + len(turn) + 1 <= READ_CHAR_BUDGET:
                lines.append(turn)
                used += len(turn) + 1
        return f"{core}\n<retrieved>\n" + "\n".join(lines) + f"\n<recent>\n{recent}"
