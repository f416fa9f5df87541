"""Dual short-term / long-term memory with a privacy step, after SoulSpeak.

Re-implements the memory of SoulSpeak (an LLM-based conversational companion with dual memory,
2024): a short-term window of the most recent turns that is always shown, and a long-term store of
older turns retrieved by similarity to the question. Before anything is stored, a privacy step
redacts personal identifiers (emails, phone numbers, card and account numbers, street addresses,
URLs with credentials). Keeps: the two memories and their roles, redaction before storage.
Simplifies: long-term retrieval is vector similarity over single turns (the host's embedder) instead
of the paper's summarised memories; no LLM is needed.
"""

import re
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: recent-turn window plus similarity-retrieved long-term turns, PII redacted on write."

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as the fact being looked for, keeping names and objects."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Use recent turns for what is current and long-term memories for the past; "
    "resolve relative dates against the date shown. If neither says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

SHORT_TERM_TURNS = 8
LONG_TERM_TOP_K = 24
READ_CHAR_BUDGET = 3000

REDACTIONS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[card-number]"),
    (
        re.compile(
            r"(?<!\w)(?:\+?\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{3,4}[ .-]\d{3,4}(?:[ .-]\d{2,4})?(?!\w)"
        ),
        "[phone]",
    ),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[id-number]"),
    (
        re.compile(
            r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd)\b"
        ),
        "[address]",
    ),
    (re.compile(r"https?://[^\s/]*:[^\s/]*@\S+"), "[url-with-credentials]"),
)


def redact(text: str) -> str:
    """Replace personal identifiers with placeholders; applied before anything is stored."""
    for pattern, placeholder in REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text


@dataclass
class KnowledgeItem:
    """When the session took place."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The fact being looked for."""

    text: str = field(metadata={"description": "The fact the question asks about, with its names"})


class KnowledgeBase:
    """Short-term: the last SHORT_TERM_TURNS turns. Long-term: every older turn, in a vector collection."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.recent: list[str] = []
        self.long_term = toolkit.chroma.get_or_create_collection(
            "long_term", metadata={"hnsw:space": "cosine"}
        )
        self.next_id = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in redact(raw_text).splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        self.recent.extend(f"[{date}] {line}" if date else line for line in lines)
        overflow = self.recent[:-SHORT_TERM_TURNS]
        self.recent = self.recent[-SHORT_TERM_TURNS:]
        if overflow:
            ids = [f"turn-{self.next_id + offset}" for offset in range(len(overflow))]
            self.next_id += len(overflow)
            self.long_term.add(ids=ids, documents=overflow)
        self.toolkit.logger.debug(
            f"recent window {len(self.recent)} turns, long-term {self.long_term.count()}"
        )

    def read(self, query: Query) -> str:
        recent = "Recent conversation:\n" + "\n".join(self.recent)
        if self.long_term.count() == 0:
            return recent[:READ_CHAR_BUDGET]
        found = self.long_term.query(query_texts=[redact(query.text)], n_results=LONG_TERM_TOP_K)[
            "documents"
        ][0]
        selected, used = [], len(recent) + len("\n\nLong-term memories:\n")
        for turn in found:
            if used + len(turn) + 1 > READ_CHAR_BUDGET:
                break
            selected.append(turn)
            used += len(turn) + 1
        return "Long-term memories:\n" + "\n".join(selected) + "\n\n" + recent
