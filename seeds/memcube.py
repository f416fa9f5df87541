"""Memory units with provenance, versions, a lifecycle and an access policy, after MemOS's MemCube.

Re-implements the plaintext-memory side of MemOS (Li et al., 2025, "MemOS: A Memory OS for AI System"):
every memory is a MemCube, a unit that carries its own metadata: provenance (which session and turn it
came from), a version with the history of earlier contents, a lifecycle state and an access policy.
A scheduler runs at every write: near-duplicate statements by the same speaker are merged into a new
version of the existing cube (the old content stays in its history); content-free cubes (greetings,
fillers) expire after EPHEMERAL_TTL sessions and leave the index; cubes nobody has read for
ARCHIVE_AFTER sessions are archived and take part in retrieval only at ARCHIVED_WEIGHT; cubes that reads
keep using become activated and rank higher; reading an archived cube restores it. Reads never return
expired cubes, and return private cubes (a speaker asked for discretion) only to their owner. Keeps:
the MemCube record and its metadata, the lifecycle (generated, activated, merged, archived, expired),
versions, access control, retrieval that respects both. Simplifies: cubes are dialogue turns rather than
LLM-extracted memories; activation and parametric memory types are not modelled; the access policy is
owner-only or public. No LLM is needed.
"""

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: MemOS MemCubes with provenance, versions, lifecycle states and owner-only access."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = (
    "Rewrite the question as a search query made of its key words. Fill requester only when the question "
    "is asked by one of the speakers about their own memories."
)
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the memories; a later version supersedes an earlier one. Resolve relative "
    "dates against the date shown. If no memory says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

MERGE_SIMILARITY = 0.7
"""Jaccard similarity of content words above which a new statement becomes a new version of a cube."""
EPHEMERAL_WORDS = 2
EPHEMERAL_TTL = 2
ARCHIVE_AFTER = 6
ARCHIVED_WEIGHT = 0.6
ACTIVATE_AFTER = 2
ACTIVATED_WEIGHT = 1.3
TOP_K = 30
READ_CHAR_BUDGET = 3000
BM25_K1, BM25_B = 1.2, 0.75
PRIVATE_CUES = re.compile(
    r"\b(between us|don't tell|do not tell|keep (?:this|it) (?:private|secret)|confidential)\b", re.I
)

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
    """What to look for, and who asks."""

    query: str = field(metadata={"description": "The question or its key words"})
    requester: str = field(default="", metadata={"description": "The speaker asking, if any; else empty"})


@dataclass
class MemCube:
    """One memory unit and its metadata."""

    id: int
    content: str
    owner: str
    provenance: list[str]
    created: int
    state: str = "generated"  # generated, activated, merged, archived, expired
    version: int = 1
    history: list[str] = field(default_factory=list)
    access: str = "public"  # public, or private: only the owner may read it
    uses: int = 0
    last_used: int = 0
    expires: int | None = None


class KnowledgeBase:
    """All cubes by id (expired ones keep their metadata for audit); a BM25 index over the live ones."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.cubes: list[MemCube] = []
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths: dict[int, int] = {}
        self.terms: dict[int, set[str]] = {}
        self.words: dict[int, set[str]] = {}  # the content words of what the cube says, for merging
        self.clock = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date, session = item.session_date, f"session {self.clock + 1}"
        if lines and lines[0].startswith("["):
            header = lines.pop(0).strip("[]").split("|")
            date, session = date or header[-1].strip(), header[0].strip() or session
        self.clock += 1
        for number, line in enumerate(lines):
            owner, _, text = line.partition(": ")
            content, source = f"[{date}] {line}", f"{session} turn {number + 1} ({date})"
            twin = self._near_duplicate(owner, text)
            if twin is not None:
                twin.history.append(twin.content)
                twin.content, twin.version, twin.state, twin.created = (
                    content,
                    twin.version + 1,
                    "merged",
                    self.clock,
                )
                twin.provenance.append(source)
                self._index(twin)
                continue
            cube = MemCube(len(self.cubes), content, owner, [source], self.clock, last_used=self.clock)
            cube.access = "private" if PRIVATE_CUES.search(text) else "public"
            if len(set(_content(text))) <= EPHEMERAL_WORDS:
                cube.expires = self.clock + EPHEMERAL_TTL
            self.cubes.append(cube)
            self._index(cube)
        self._schedule()

    def _near_duplicate(self, owner, text):
        """A live cube of the same owner saying nearly the same (sharing, at least, the rarest words)."""
        words = set(_content(text))
        rarest = sorted(words, key=lambda w: len(self.postings.get(w, ())))[:2]
        candidates = {c for w in rarest for c in self.postings.get(w, {})}
        for cube in (self.cubes[c] for c in sorted(candidates, reverse=True)):
            theirs = self.words[cube.id]
            if cube.owner == owner and len(words & theirs) / len(words | theirs) >= MERGE_SIMILARITY:
                return cube
        return None

    def _schedule(self):
        """The lifecycle policy, run after every write."""
        for cube in self.cubes:
            if cube.state == "expired":
                continue
            if cube.expires is not None and self.clock >= cube.expires:
                cube.state = "expired"
                self._unindex(cube.id)
            elif (
                cube.state in ("generated", "merged")
                and self.clock - max(cube.created, cube.last_used) >= ARCHIVE_AFTER
            ):
                cube.state = "archived"

    def _index(self, cube):
        self._unindex(cube.id)
        said = cube.content.partition("] ")[2]  # "Speaker: text", without the date
        self.words[cube.id] = set(_content(said.partition(": ")[2]))
        terms = _content(said)
        for term, count in Counter(terms).items():
            self.postings[term][cube.id] = count
        self.lengths[cube.id], self.terms[cube.id] = len(terms), set(terms)

    def _unindex(self, cube_id):
        for term in self.terms.pop(cube_id, ()):
            self.postings[term].pop(cube_id, None)
        self.lengths.pop(cube_id, None)

    def read(self, query: Query) -> str:
        if not self.lengths:
            return ""
        requester = query.requester.strip().lower()
        average = sum(self.lengths.values()) / len(self.lengths)
        scores = defaultdict(float)
        for term in set(_content(query.query)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (len(self.lengths) - len(docs) + 0.5) / (len(docs) + 0.5))
            for cube_id, tf in docs.items():
                norm = 1 - BM25_B + BM25_B * self.lengths[cube_id] / average
                scores[cube_id] += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
        weight = {"archived": ARCHIVED_WEIGHT, "activated": ACTIVATED_WEIGHT}
        allowed = [
            c for c in (self.cubes[i] for i in scores) if c.access == "public" or c.owner.lower() == requester
        ]
        ranked = sorted(allowed, key=lambda c: (-scores[c.id] * weight.get(c.state, 1.0), c.id))[:TOP_K]
        lines, used = [], 0
        for cube in ranked:
            text = cube.content + (f" (version {cube.version})" if cube.version > 1 else "")
            if used + len(text) + 1 > READ_CHAR_BUDGET:
                break
            lines.append(text)
            used += len(text) + 1
            cube.uses, cube.last_used = cube.uses + 1, self.clock
            if cube.state == "archived" or (cube.uses >= ACTIVATE_AFTER and cube.state != "activated"):
                cube.state = "activated" if cube.uses >= ACTIVATE_AFTER else "generated"
        self.toolkit.logger.debug(
            f"query {query.query[:50]!r}: {len(lines)} cubes of {len(self.lengths)} live"
        )
        return "\n".join(lines)
