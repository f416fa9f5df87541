"""Zettelkasten memory after A-Mem: linked notes whose neighbours evolve when a new note arrives.

Re-implements A-Mem (Xu et al., 2025, "A-MEM: Agentic Memory for LLM Agents"). Every turn becomes a note:
its content (kept verbatim), timestamp, keywords, tags and a one-line context, embedded together. A new note
is linked, both ways, to the stored notes nearest to it; then memory evolution updates those neighbours: they
take on the new note's tags and their context records what the new note added, and they are re-embedded, so
an old note can later be found through what was said after it. Reads retrieve the nearest notes and follow
their links, returning each hit followed by the notes it links to.
With an LLM, one call per write constructs the session's notes (keywords, tags, context), chooses their links
among the nearest candidates and writes the neighbours' evolved tags and context, as JSON. Offline (no LLM):
keywords are a note's rarest content words, tags its speaker and capitalised names, context a templated line;
a note links to candidates above LINK_THRESHOLD that share a keyword or tag; evolution is the rule above.
Simplifies: one note per turn (no LLM-chosen note boundaries); evolution only touches direct neighbours.
"""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

COMMIT_MESSAGE = (
    "Seed: A-Mem notes with keywords, tags and context, links, neighbour evolution, link-following reads."
)
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as the information needed, keeping names, objects and events."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the notes; linked notes follow the note they relate to. Resolve relative "
    "dates against the date shown with a note. If the notes do not say, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

KEYWORDS_PER_NOTE = 5
LINK_CANDIDATES = 5
LINK_THRESHOLD = 0.35
EVOLVED_CONTEXT_ITEMS = 3
READ_TOP_K = 20
LINKS_PER_HIT = 2
READ_CHAR_BUDGET = 3000

STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their that this so as if then there here can
    could would just also very really oh yeah yes no not too what how that's it's i'm you're i've
    i'll it got get have has had will one all some any so much more like well know think
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9']+")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
NOT_NAMES = frozenset(
    """
    the then guess big sounds thanks good great okay wow haha well sure yes also anyway first
    finally honestly love that's what how sorry congrats right nice oh hey hi yeah this these those
    there maybe just
    """.split()  # noqa: SIM905 - a word list reads best as text
)


@dataclass
class KnowledgeItem:
    """When the session took place; the notes come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """What to look for."""

    text: str = field(metadata={"description": "The information needed, with its names"})


@dataclass
class Note:
    content: str
    date: str
    keywords: list[str]
    tags: list[str]
    context: str
    later: list[str] = field(default_factory=list)  # what evolution added: newer related notes, in brief
    links: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # the content's words, to order links on reads

    def document(self) -> str:
        """What is embedded: A-Mem embeds content and attributes together."""
        later = f" Later: {'; '.join(self.later[-EVOLVED_CONTEXT_ITEMS:])}." if self.later else ""
        keywords, tags = ", ".join(self.keywords), ", ".join(self.tags)
        return f"{self.content}\nkeywords: {keywords}\ntags: {tags}\n{self.context}{later}"


def _strings(value, default: list[str]) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else default


class KnowledgeBase:
    """Notes by id ("n0", "n1", ...; note n<i> is row i of a matrix of unit embeddings), linked both ways."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.buffer = np.zeros((0, 0), dtype=np.float32)
        self.notes: dict[str, Note] = {}
        self.document_frequency: Counter = Counter()

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        if not lines:
            return
        for line in lines:
            self.document_frequency.update(set(self.content_words(line)))
        drafts = [self.construct(line, date) for line in lines]
        documents = [note.document() for note in drafts]
        vectors = self.unit(self.toolkit.embed(documents))
        neighbours = self.nearest(vectors, LINK_CANDIDATES)
        plan = self.llm_plan(drafts, neighbours)
        ids = [f"n{len(self.notes) + offset}" for offset in range(len(drafts))]
        evolved: dict[str, Note] = {}
        for offset, (note_id, note) in enumerate(zip(ids, drafts, strict=True)):
            suggested = plan.get("notes", {}).get(offset, {})
            note.keywords = _strings(suggested.get("keywords"), note.keywords)
            note.tags = _strings(suggested.get("tags"), note.tags)
            note.context = str(suggested.get("context", note.context))
            links = _strings(
                suggested.get("links"), [n for n, sim in neighbours[offset] if self.related(note, n, sim)]
            )
            for neighbour_id in [n for n in links if n in self.notes]:
                note.links.add(neighbour_id)
                self.notes[neighbour_id].links.add(note_id)
                if neighbour_id not in plan.get("evolve", {}):
                    self.evolve(self.notes[neighbour_id], note)
                evolved[neighbour_id] = self.notes[neighbour_id]
        for neighbour_id, change in plan.get("evolve", {}).items():
            if neighbour_id in self.notes:
                neighbour = evolved[neighbour_id] = self.notes[neighbour_id]
                neighbour.tags = _strings(change.get("tags"), neighbour.tags)
                neighbour.context = str(change.get("context", neighbour.context))
        self.notes.update(zip(ids, drafts, strict=True))
        final = [note.document() for note in drafts]
        self.store(ids, vectors if final == documents else self.unit(self.toolkit.embed(final)))
        if evolved:  # evolution re-embeds the neighbours it changed, and only them
            self.store(list(evolved), self.unit(self.toolkit.embed([n.document() for n in evolved.values()])))
        self.toolkit.logger.debug(f"{date}: {len(ids)} notes, {len(evolved)} neighbours evolved")

    def content_words(self, text: str) -> list[str]:
        return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2]

    def construct(self, line: str, date: str) -> Note:
        """Offline note construction: rarest content words, speaker and names as tags, a templated context."""
        speaker, _, text = line.partition(": ")
        words = sorted(
            dict.fromkeys(self.content_words(text or line)), key=lambda w: self.document_frequency[w]
        )
        keywords = words[:KEYWORDS_PER_NOTE]
        names = [n for n in _NAME.findall(text or line) if n.lower() not in NOT_NAMES | STOP_WORDS]
        tags = list(dict.fromkeys([speaker] * bool(text) + names))
        context = f"{speaker} on {date}, about {', '.join(keywords[:3])}."
        return Note(line, date, keywords, tags, context, words=set(self.content_words(line)))

    @staticmethod
    def unit(vectors: list[list[float]]) -> np.ndarray:
        matrix = np.asarray(vectors, dtype=np.float32)
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)

    def store(self, ids: list[str], vectors: np.ndarray) -> None:
        rows = [int(note_id[1:]) for note_id in ids]
        if max(rows) >= len(self.buffer):  # doubling, so n appends cost O(n)
            grown = np.zeros((max(2 * len(self.buffer), max(rows) + 1), vectors.shape[1]), dtype=np.float32)
            if self.buffer.size:
                grown[: len(self.buffer)] = self.buffer
            self.buffer = grown
        self.buffer[rows] = vectors

    def nearest(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """For each vector, the k most similar stored notes as (id, cosine similarity), best first."""
        if not self.notes:
            return [[] for _ in vectors]
        similarity = (self.buffer[: len(self.notes)] @ vectors.T).T
        k = min(k, len(self.notes))
        result = []
        for row in similarity:
            top = np.argpartition(-row, k - 1)[:k]
            result.append([(f"n{i}", float(row[i])) for i in top[np.lexsort((top, -row[top]))]])
        return result

    def related(self, note: Note, neighbour_id: str, similarity: float) -> bool:
        """Offline link decision: close enough, and sharing a keyword or a name tag."""
        neighbour = self.notes[neighbour_id]
        shared = set(note.keywords) & set(neighbour.keywords) or set(note.tags[1:]) & set(neighbour.tags[1:])
        return similarity >= LINK_THRESHOLD and bool(shared)

    def evolve(self, neighbour: Note, new: Note) -> None:
        """Offline memory evolution: the neighbour takes the new note's tags and records what it added."""
        neighbour.tags = list(dict.fromkeys(neighbour.tags + new.tags))
        neighbour.later = [
            *neighbour.later[-EVOLVED_CONTEXT_ITEMS + 1 :],
            f"{', '.join(new.keywords[:3])} ({new.date})",
        ]

    def llm_plan(self, drafts: list[Note], neighbours: list[list[tuple[str, float]]]) -> dict:
        """Notes, links and evolution by one LLM call: {"notes": {i: ..}, "evolve": {id: ..}}; {} offline."""
        shown = {n for row in neighbours for n, _ in row[:2]}
        turns = "\n".join(f"{i}. {note.content}" for i, note in enumerate(drafts))
        notes = "\n".join(
            f"{n}: {self.notes[n].content} | tags: {self.notes[n].tags} | {self.notes[n].context}"
            for n in shown
        )
        prompt = (
            f"New conversation turns:\n{turns}\n\nExisting notes:\n{notes}\n\n"
            'Reply with JSON {"notes": [{"i": turn number, "keywords": [...], "tags": [...], "context": '
            '"one sentence", "links": [ids of related existing notes]}], "evolve": [{"id": existing note '
            'id, "tags": [...], "context": "updated context"}]}'
        )
        try:
            reply = self.toolkit.llm(prompt, system="You organise a Zettelkasten memory.", max_tokens=2000)
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
            return {}
        try:
            data = json.loads(reply[reply.index("{") : reply.rindex("}") + 1])
            notes = {int(n["i"]): n for n in data.get("notes", []) if isinstance(n, dict) and "i" in n}
            evolve = {str(e["id"]): e for e in data.get("evolve", []) if isinstance(e, dict) and "id" in e}
        except (ValueError, TypeError, KeyError, AttributeError):
            self.toolkit.logger.info("the LLM's note plan was not JSON; constructing notes by rule")
            return {}
        return {"notes": notes, "evolve": evolve}

    def read(self, query: Query) -> str:
        if not self.notes:
            return ""
        order: list[str] = []
        asked = set(self.content_words(query.text))
        for note_id, _ in self.nearest(self.unit(self.toolkit.embed([query.text])), READ_TOP_K)[0]:
            linked = sorted(self.notes[note_id].links, key=lambda n: (-self.overlap(asked, n), n))
            order += [n for n in [note_id, *linked[:LINKS_PER_HIT]] if n not in order]
        lines, used = [], 0
        for note_id in order:
            line = f"[{self.notes[note_id].date}] {self.notes[note_id].content}"
            if used + len(line) + 1 > READ_CHAR_BUDGET:
                break
            lines.append(line)
            used += len(line) + 1
        return "\n".join(lines)

    def overlap(self, asked: set[str], note_id: str) -> float:
        """How well a linked note matches the question's words: IDF-weighted shared words, to order links."""
        note = self.notes[note_id]
        shared = asked & (set(note.keywords) | {t.lower() for t in note.tags} | note.words)
        return sum(math.log(1 + len(self.notes) / (1 + self.document_frequency[w])) for w in shared)
