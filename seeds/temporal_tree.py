"""Hierarchical temporal memory after MemTree and MemForest: a time-ordered tree, updated along one path.

Re-implements the MemTree index of MemForest (Chen et al., 2026, "MemForest: An Efficient Agent Memory System
with Hierarchical Temporal Indexing"), itself after MemTree (Rezazadeh et al., 2024). Memory is a time-ordered
tree: period (month) nodes hold day nodes, which hold session nodes, whose leaves are the turns. Every node
keeps aggregates: its period, turn and session counts, term counts, topics and a summary, embedded. A write
inserts the new session's leaves and touches only the path above them (session, day, period): their
aggregates are updated in place and only they are re-embedded; nothing else is rewritten. A read is collapsed
retrieval: every node of every level is scored against the question at once; the best internal nodes are
then browsed down to their best leaves (coarse to fine), and a question naming a month or year is restricted
to that period's subtree. The result shows the matched period, day and session summaries above the turns.
With an LLM, a write spends its one call on the session node's summary; the day and period summaries are
aggregated by rule from their children's summaries, as offline. Offline (no LLM), a session summary is its
most salient turn (the one with the rarest words).
Simplifies: one tree instead of MemForest's scoped forest (session, entity, scene trees); no parallel
extraction into canonical facts: leaves are raw turns.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

COMMIT_MESSAGE = "Seed: MemTree/MemForest temporal tree, per-path updates, collapsed multi-level retrieval."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Copy the question as asked, keeping every name, object and time expression."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the turns; the period, day and session lines above them say when things "
    "happened. Resolve relative dates against the date shown. If nothing says, answer that it is not "
    "mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

COLLAPSED_TOP_K = 30
BROWSED_NODES = 4
LEAVES_PER_NODE = 6
SUMMARY_LINES = 3
TOPIC_WORDS = 6
READ_CHAR_BUDGET = 3000

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their what which who whom when where why how
    that this so as if then there here can could would should will just also very really oh yeah yes
    no not too it's i'm that's so much like got get have has had
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9]+")


def key_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def parse_day(text: str) -> datetime | None:
    match = re.search(r"(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})", text)
    if match and match.group(2).lower()[:3] in [m[:3] for m in MONTHS]:
        month = [m[:3] for m in MONTHS].index(match.group(2).lower()[:3]) + 1
        return datetime(int(match.group(3)), month, min(int(match.group(1)), 28))
    match = re.search(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


@dataclass
class KnowledgeItem:
    """When the session took place; the turns come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The question."""

    text: str = field(metadata={"description": "The question, with its names and time expressions"})


@dataclass
class Node:
    level: str  # period, day, session or turn
    label: str
    period: str
    parent: str = ""
    children: list[str] = field(default_factory=list)
    terms: Counter = field(default_factory=Counter)
    turns: int = 0
    summary: str = ""
    description: str = ""  # what is embedded and shown: label, counts, topics, summary


class KnowledgeBase:
    """Nodes by id ("period:2023-05", "day:2023-05-08", "session:3", "turn:41"), each with one row of unit
    embedding in a numpy matrix, so that collapsed retrieval over every level is one matrix product."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.buffer = np.zeros((0, 0), dtype=np.float32)
        self.row_of: dict[str, int] = {}
        self.row_ids: list[str] = []
        self.row_period: list[int] = []
        self.periods: dict[str, int] = {}
        self.nodes: dict[str, Node] = {}
        self.document_frequency: Counter = Counter()
        self.sessions = 0
        self.total_turns = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        day = parse_day(date)
        period_id = f"period:{day:%Y-%m}" if day else "period:undated"
        day_id = f"day:{day:%Y-%m-%d}" if day else "day:undated"
        session_id = f"session:{self.sessions}"
        self.sessions += 1
        period_label = f"{MONTHS[day.month - 1].title()} {day.year}" if day else "undated"
        self.nodes.setdefault(period_id, Node("period", period_label, period_id))
        if day_id not in self.nodes:
            self.nodes[day_id] = Node("day", date, period_id, parent=period_id)
            self.nodes[period_id].children.append(day_id)
        session = self.nodes[session_id] = Node("session", date, period_id, parent=day_id)
        self.nodes[day_id].children.append(session_id)
        leaves = []
        for line in lines:
            leaf_id = f"turn:{len(self.nodes)}"
            terms = Counter(key_terms(line))
            self.document_frequency.update(terms.keys())
            self.nodes[leaf_id] = Node(
                "turn", f"[{date}] {line}", period_id, parent=session_id, terms=terms, turns=1
            )
            session.children.append(leaf_id)
            leaves.append(leaf_id)
        self.total_turns += len(leaves)
        session.summary = self.session_summary(lines)
        path = [session_id, day_id, period_id]
        for node_id in path:  # the localized update: only the new leaves' ancestors change
            node = self.nodes[node_id]
            for leaf_id in leaves:
                node.terms.update(self.nodes[leaf_id].terms)
            node.turns += len(leaves)
            if node.level != "session":
                node.summary = self.aggregate(node)
            node.description = self.describe(node_id)
        self.embed_rows(
            leaves + path, [self.nodes[n].label for n in leaves] + [self.nodes[n].description for n in path]
        )
        self.toolkit.logger.debug(f"updated nodes: {', '.join(path)} (+{len(leaves)} leaves)")

    def embed_rows(self, node_ids: list[str], texts: list[str]) -> None:
        """Embed new nodes into new rows and changed nodes into their old rows; no other row is touched."""
        vectors = np.asarray(self.toolkit.embed(texts), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        for node_id in node_ids:
            if node_id not in self.row_of:
                self.row_of[node_id] = len(self.row_ids)
                self.row_ids.append(node_id)
                self.row_period.append(self.periods.setdefault(self.nodes[node_id].period, len(self.periods)))
        if len(self.row_ids) > len(self.buffer):  # doubling, so n appends cost O(n)
            grown = np.zeros(
                (max(2 * len(self.buffer), len(self.row_ids)), vectors.shape[1]), dtype=np.float32
            )
            if self.buffer.size:
                grown[: len(self.buffer)] = self.buffer
            self.buffer = grown
        self.buffer[[self.row_of[n] for n in node_ids]] = vectors

    def session_summary(self, lines: list[str]) -> str:
        """The LLM's two-sentence summary of the session, or offline its most salient turn."""
        try:
            return self.toolkit.llm(
                "Summarise this conversation session in two sentences, keeping names, places and events:\n"
                + "\n".join(lines),
                max_tokens=120,
            ).strip()
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
        return max(lines, key=lambda line: sum(self.idf(t) for t in set(key_terms(line))), default="")

    def aggregate(self, node: Node) -> str:
        """A day or period summary from its children: their leading summary lines, most recent last."""
        children = [self.nodes[c] for c in node.children[-SUMMARY_LINES:]]
        return " | ".join(child.summary.split("\n")[0][:160] for child in children)

    def describe(self, node_id: str) -> str:
        """An internal node's aggregate as one line: label, counts, topics (by TF-IDF) and summary."""
        node = self.nodes[node_id]
        topics = ", ".join(sorted(node.terms, key=lambda t: -node.terms[t] * self.idf(t))[:TOPIC_WORDS])
        if node.level == "session":
            counts = f"{node.turns} turns"
        else:
            sessions = (
                len(node.children)
                if node.level == "day"
                else sum(len(self.nodes[c].children) for c in node.children)
            )
            counts = f"{node.turns} turns, {sessions} sessions"
        return f"[{node.label}] {node.level} ({counts}); topics: {topics}. {node.summary}"

    def idf(self, term: str) -> float:
        return math.log(1 + self.total_turns / (1 + self.document_frequency[term]))

    def read(self, query: Query) -> str:
        if not self.row_ids:
            return ""
        question = np.asarray(self.toolkit.embed([query.text])[0], dtype=np.float32)
        similarity = self.buffer[: len(self.row_ids)] @ (
            question / max(float(np.linalg.norm(question)), 1e-9)
        )
        wanted = self.period_filter(query.text)
        if wanted:
            similarity[~np.isin(np.asarray(self.row_period), [self.periods[p] for p in wanted])] = -np.inf
        k = min(COLLAPSED_TOP_K, len(self.row_ids))
        top = np.argpartition(-similarity, k - 1)[:k]
        hits = [self.row_ids[i] for i in top[np.lexsort((top, -similarity[top]))] if similarity[i] > -np.inf]
        internal = [n for n in hits if not n.startswith("turn:")][:BROWSED_NODES]
        leaves = [n for n in hits if n.startswith("turn:")]
        for node_id in internal:  # browse each matched interval down to its best leaves
            leaves += [n for n in self.best_leaves(node_id, query.text) if n not in leaves]
        header = [self.nodes[n].description[:300] for n in internal]
        lines, used = [], sum(len(line) + 1 for line in header)
        for leaf_id in leaves:
            label = self.nodes[leaf_id].label
            if used + len(label) + 1 > READ_CHAR_BUDGET:
                break
            lines.append(label)
            used += len(label) + 1
        return "\n".join(header + lines)

    def period_filter(self, question: str) -> list[str]:
        """Restrict to a period named in the question ("in May 2023", "2022"), if any is stored."""
        lowered = question.lower()
        month = next((i + 1 for i, m in enumerate(MONTHS) if re.search(rf"\b{m}\b", lowered)), None)
        year = re.search(r"\b(19|20)\d{2}\b", lowered)
        if not year:
            return []
        wanted = {p for p in self.nodes if p.startswith(f"period:{year.group(0)}-")}
        if month:
            wanted &= {f"period:{year.group(0)}-{month:02d}"}
        return sorted(wanted)

    def best_leaves(self, node_id: str, question: str) -> list[str]:
        """Browse a node's subtree: its leaves sharing the most (IDF-weighted) words with the question."""
        terms = set(key_terms(question))
        stack, leaves = [node_id], []
        while stack:
            node = self.nodes[stack.pop()]
            (leaves if node.level == "session" else stack).extend(node.children)
        scored = [
            (sum(self.idf(t) for t in terms & self.nodes[n].terms.keys()), self.row_of[n], n) for n in leaves
        ]
        return [
            n for score, _, n in sorted(scored, key=lambda s: (-s[0], s[1]))[:LEAVES_PER_NODE] if score > 0
        ]
