"""A bi-temporal knowledge graph of entities and fact edges, after Zep / Graphiti.

Re-implements the memory of Zep (Rasmussen et al., 2025, "Zep: A Temporal Knowledge Graph Architecture
for Agent Memory") and its engine Graphiti: every session is kept as episodes (the raw turns, the
non-lossy record); facts are extracted from them as edges between entity nodes; each edge carries
bi-temporal validity: `valid_at` / `invalid_at` (when the fact held in the world) and `created_at` /
`expired_at` (when the memory learned it and when it was superseded). A new fact that contradicts a
current one invalidates the old edge (sets `invalid_at` and `expired_at`) instead of deleting it, so the
history stays answerable; a late-arriving older fact is stored already invalid. Search is hybrid: BM25,
embedding similarity and a breadth-first walk from the entities the query names, fused by reciprocal
rank fusion; current facts come first, superseded ones show their validity range, and the supporting
episodes fill the rest of the budget.

With an LLM (one call per write), facts and the edges they invalidate are extracted by the model, as in
Graphiti. Offline, extraction is rule-based: the speaker is the subject, patterns find single-valued
relations (where one lives, works, what job one holds) and named relations ("my sister Claire"), and a
new object for a single-valued relation contradicts the old one. Simplified: no entity summaries or
community subgraph, `valid_at` is the session date (relative dates are not resolved), entity resolution
is by exact name.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

COMMIT_MESSAGE = "Seed: Zep/Graphiti bi-temporal fact graph with edge invalidation and hybrid RRF search."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as a search for the facts it needs, keeping every name."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Prefer current facts; a superseded fact shows when it stopped being true, "
    "which answers questions about the past. Resolve relative dates against the date shown with a fact "
    "or turn. If nothing says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

FUNCTIONAL_RELATIONS = ("lives_in", "works_at", "works_as")
"""Single-valued relations: a new object for the same subject contradicts the current one."""
RRF_K = 60
SEARCH_DEPTH = 40
FACT_CHARS = 1200
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = "a an and are at be but by do for from i in is it me my of on or so that the to was we with you"
_STOP = frozenset(_STOP_WORDS.split())
_OBJECT = r"(?P<object>[A-Za-z][\w'-]*(?: [A-Za-z][\w'-]*){0,4}?)(?=[.,!?;]| and | but | for | so |$)"
RULES = (
    (
        "lives_in",
        re.compile(r"\b(?:live|living|moved|moving|relocated|settled|place) (?:here )?(?:in|to) " + _OBJECT),
    ),
    ("lives_in", re.compile(r"\b(?:apartment in|house in|home in) " + _OBJECT)),
    (
        "works_as",
        re.compile(
            r"\b(?:i'm|i am|as|started as|job as|working as) (?:an? )"
            + r"(?P<object>[a-z]+(?: [a-z]+)?) (?:at|for)\b"
        ),
    ),
    ("works_at", re.compile(r"\b(?:work|working|job|employed|shift) (?:at|for) " + _OBJECT)),
    ("works_at", re.compile(r"\b(?:an?|as) [a-z]+(?: [a-z]+)? at " + _OBJECT)),
    ("named", re.compile(r"\b(?P<object>[A-Z][a-z]+), [Mm]y (?P<relation>[a-z]+(?: [a-z]+)?)\b")),
    (
        "named",
        re.compile(
            r"\b[Mm]y (?P<relation>[a-z]+(?: [a-z]+)?),? "
            r"(?:(?:is )?(?:called|named) )?(?P<object>[A-Z][a-z]+)\b"
        ),
    ),
)
_DATE = re.compile(r"(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})|(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def _terms(text):
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def _parse_date(text):
    match = _DATE.search(text or "")
    try:
        if match and match.group(1):
            return datetime.strptime(f"{match.group(1)} {match.group(2)[:3]} {match.group(3)}", "%d %b %Y")
        if match:
            return datetime(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        pass
    return None


def _said_of_self(prefix):
    """True when `prefix` has a first-person pronoun and no capitalized name after the last one."""
    pronouns = list(re.finditer(r"\b(?:i|i'm|i've|we|we're|we've|my|our)\b", prefix.lower()))
    if not pronouns:
        return False
    return not re.search(r"\b(?!I\b)[A-Z][a-z]+", prefix[pronouns[-1].end() :])


@dataclass
class KnowledgeItem:
    """When the session took place: the reference time of its facts."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """What to search the graph for."""

    text: str = field(metadata={"description": "The facts needed, with the names of the people involved"})


@dataclass
class Edge:
    """A fact between two entities, with its valid time and transaction time."""

    subject: str
    relation: str
    object: str
    fact: str
    valid_at: str
    created_at: int
    invalid_at: str = ""
    expired_at: int | None = None
    episode: int = -1

    def indexed(self):
        return f"{self.subject} {self.relation.replace('_', ' ')} {self.object}. {self.fact}"

    def render(self):
        span = f"valid from {self.valid_at}" + (
            f" until {self.invalid_at}, superseded" if self.invalid_at else ", current"
        )
        return f"[{span}] {self.fact}"


class SearchIndex:
    """BM25 postings and unit-length embeddings of one kind of record (edges, or episodes)."""

    def __init__(self):
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: list[int] = []
        self.vectors: list[np.ndarray] = []
        self.matrix = None

    def add(self, texts, vectors):
        for text, vector in zip(texts, vectors, strict=True):
            terms = _terms(text)
            for term, count in Counter(terms).items():
                self.postings[term][len(self.lengths)] = count
            self.lengths.append(len(terms))
            self.vectors.append(np.asarray(vector) / (np.linalg.norm(vector) or 1.0))
        self.matrix = None

    def bm25(self, text):
        average = sum(self.lengths) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_terms(text)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.lengths) - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[doc] / average
                scores[doc] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        return sorted(scores, key=lambda d: -scores[d])[:SEARCH_DEPTH]

    def nearest(self, vector):
        if self.matrix is None:
            self.matrix = np.array(self.vectors)
        similarity = self.matrix @ vector
        return [int(i) for i in np.argsort(-similarity, kind="stable")[:SEARCH_DEPTH]]


class KnowledgeBase:
    """Episodes (turns), entity nodes (name -> edge ids), edges; a BM25 and vector index over each."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.episodes: list[str] = []
        self.edges: list[Edge] = []
        self.entities: dict[str, set[int]] = defaultdict(set)
        self.indexes = {"edge": SearchIndex(), "episode": SearchIndex()}
        self.clock = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        self.clock += 1
        first = len(self.episodes)
        self.episodes += [f"[{date}] {line}" for line in lines]
        self._index("episode", self.episodes[first:])
        try:
            facts, invalidated = self._extract_with_llm(lines, first)
        except Exception as error:  # no LLM configured: the offline path
            if getattr(error, "reason", None) != "llm_unavailable":
                raise
            facts, invalidated = [], []
        if not facts:  # offline, or the LLM found nothing usable: rule-based extraction
            facts, invalidated = self._extract_with_rules(lines, first), []
        for index in invalidated:
            if 0 <= index < len(self.edges) and not self.edges[index].invalid_at:
                self.edges[index].invalid_at, self.edges[index].expired_at = date, self.clock
        known = len(self.edges)
        for subject, relation, obj, fact, episode in facts:
            self._add_edge(Edge(subject, relation, obj, fact, date, self.clock, episode=episode))
        self._index("edge", [e.indexed() for e in self.edges[known:]])
        self.toolkit.logger.debug(
            f"{len(lines)} episodes, {len(facts)} facts, {len(self.edges)} edges in all"
        )

    def _extract_with_llm(self, lines, first):
        names = {n for line in lines for n in self.entities if n.lower() in line.lower()}
        current = [i for n in names for i in self.entities[n] if not self.edges[i].invalid_at][:30]
        known = "\n".join(
            f"{i} | {self.edges[i].subject} | {self.edges[i].relation} | {self.edges[i].object}"
            for i in current
        )
        turns = "\n".join(f"{n} | {line}" for n, line in enumerate(lines))
        answer = self.toolkit.llm(
            "Extract the facts stated in these turns as lines 'FACT | subject | relation | object | "
            "fact sentence | turn number'. Then, for each current fact below that a new fact contradicts, "
            f"write 'INVALIDATE | fact id'.\n\nTurns:\n{turns}\n\n"
            f"Current facts (id | subject | relation | object):\n{known}",
            system="You maintain a temporal knowledge graph. Use speakers' names, never pronouns.",
        )
        facts, invalidated = [], []
        for row in answer.splitlines():
            parts = [p.strip() for p in row.split("|")]
            if parts[0].upper() == "FACT" and len(parts) >= 5:
                turn = int(parts[5]) if len(parts) > 5 and parts[5].isdigit() else -1
                relation = re.sub(r"\W+", "_", parts[2].lower()).strip("_")
                facts.append(
                    (parts[1], relation, parts[3], parts[4], first + turn if 0 <= turn < len(lines) else -1)
                )
            elif parts[0].upper() == "INVALIDATE" and len(parts) >= 2 and parts[1].isdigit():
                invalidated.append(int(parts[1]))
        return facts, invalidated

    def _extract_with_rules(self, lines, first):
        """The speaker is the subject of a fact said in the first person, with no other name between the
        pronoun and the fact ("Irene moved to Denver" and "I visited Irene, who lives in Denver" are not
        the speaker's moves)."""
        facts = []
        for offset, line in enumerate(lines):
            speaker, _, text = line.partition(": ")
            if not text or len(speaker.split()) > 3:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                for relation, pattern in RULES:
                    named = relation == "named"
                    for match in pattern.finditer(sentence if named else sentence.lower()):
                        if not named and not _said_of_self(sentence[: match.start() + 3]):
                            continue
                        name = (
                            f"has_{match.group('relation').lower().replace(' ', '_')}" if named else relation
                        )
                        facts.append(
                            (speaker.strip(), name, match.group("object").strip(), line, first + offset)
                        )
        return facts

    def _add_edge(self, edge):
        number = len(self.edges)
        if edge.relation in FUNCTIONAL_RELATIONS:
            for other in (self.edges[i] for i in self.entities[edge.subject]):
                if (
                    other.relation != edge.relation
                    or other.invalid_at
                    or other.object.lower() == edge.object.lower()
                ):
                    continue
                new, old = _parse_date(edge.valid_at), _parse_date(other.valid_at)
                if new and old and new < old:  # a late-arriving older fact: it was already over
                    edge.invalid_at, edge.expired_at = other.valid_at, edge.created_at
                else:
                    other.invalid_at, other.expired_at = edge.valid_at, edge.created_at
        self.edges.append(edge)
        self.entities[edge.subject].add(number)
        self.entities[edge.object].add(number)

    def _index(self, kind, texts):
        if texts:
            self.indexes[kind].add(texts, self.toolkit.embed(texts))

    def _search(self, kind, text, vector, extra=()):
        """Reciprocal rank fusion of BM25, cosine similarity and any extra ranking (the graph walk)."""
        index = self.indexes[kind]
        if not index.lengths:
            return []
        fused = defaultdict(float)
        for ranking in (index.bm25(text), index.nearest(vector), list(extra)):
            for rank, doc in enumerate(ranking):
                fused[doc] += 1 / (RRF_K + rank + 1)
        return sorted(fused, key=lambda d: (-fused[d], -d))

    def read(self, query: Query) -> str:
        named = [n for n in self.entities if re.search(rf"\b{re.escape(n.lower())}\b", query.text.lower())]
        walk = sorted({i for n in named for i in self.entities[n]}, key=lambda i: -self.edges[i].created_at)
        vector = np.asarray(self.toolkit.embed([query.text])[0])
        facts = self._search("edge", query.text, vector, walk)
        facts.sort(key=lambda i: bool(self.edges[i].invalid_at))  # stable: current facts first, rank kept
        lines, used, shown = [], 0, set()
        for i in facts:
            text = self.edges[i].render()
            if used + len(text) + 1 > FACT_CHARS or self.edges[i].episode in shown:
                continue
            lines.append(text)
            used += len(text) + 1
            shown.add(self.edges[i].episode)
        episodes = []
        for i in self._search("episode", query.text, vector):
            if i not in shown and used + len(self.episodes[i]) + 1 <= READ_CHAR_BUDGET - 30:
                episodes.append(self.episodes[i])
                used += len(self.episodes[i]) + 1
        self.toolkit.logger.debug(f"query {query.text[:50]!r}: {len(lines)} facts, {len(episodes)} episodes")
        return "Facts:\n" + "\n".join(lines) + "\n\nEpisodes:\n" + "\n".join(episodes)
