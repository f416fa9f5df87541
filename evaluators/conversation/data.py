"""The conversation domain's data model: dialogues, their sessions and turns, and the questions asked after.

Every loader (LoCoMo, LongMemEval) and the synthetic generator produce these types, so that episodes,
agents and metrics never see a file format. Everything is frozen: a dataset is hashed into a fingerprint
that evaluations record, and it must not change under them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

CATEGORY_NAMES: dict[int, str] = {
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    4: "single-hop",
    5: "adversarial",
    6: "knowledge-update",
}
"""LoCoMo's numbering (1-5), plus 6 for questions whose answer changed over time (LongMemEval, synthetic)."""

UNANSWERABLE_CATEGORY = 5
"""Questions of this category ask about something never said: the right answer is that it is not known."""

_LINE_BREAK = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))+[ \t]*")
"""A line break inside a turn, with the blanks around it: `format_session` makes it one space."""


class DataError(ValueError):
    """A data file that cannot be used; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class Turn:
    """One utterance. `turn_id` is unique within its conversation (LoCoMo's `dia_id`, e.g. "D1:3")."""

    turn_id: str
    speaker: str
    text: str


@dataclass(frozen=True)
class Session:
    """A dated block of turns; it is written to memory as one unit."""

    session_id: str
    date: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Question:
    """A question asked after all sessions were written, with what scoring needs and the program never sees.

    `evidence` holds the ids of the turns that support the answer (unanswerable questions may keep the
    turns LoCoMo cites for the adversarial premise; retrieval metrics never score them);
    `date` is when the question is asked, when the source gives it. `label` names the question's
    category in the breakdown when its source gives a label of its own (`conversations:` files); then
    `category` only chooses how the answer is scored.
    """

    question_id: str
    question: str
    answer: str
    evidence: tuple[str, ...]
    category: int
    date: str = ""
    label: str = ""

    @property
    def category_name(self) -> str:
        return self.label or CATEGORY_NAMES.get(self.category, f"category-{self.category}")

    @property
    def answerable(self) -> bool:
        return self.category != UNANSWERABLE_CATEGORY


@dataclass(frozen=True)
class Conversation:
    """A multi-session dialogue and the questions about it: the unit of splitting and of an episode."""

    conversation_id: str
    speakers: tuple[str, ...]
    sessions: tuple[Session, ...]
    questions: tuple[Question, ...]

    def turns_by_id(self) -> dict[str, Turn]:
        return {turn.turn_id: turn for session in self.sessions for turn in session.turns}


@dataclass(frozen=True)
class ConversationDataset:
    """A named collection of conversations, e.g. "synthetic(seed=0)" or "locomo:locomo10.json"."""

    name: str
    conversations: tuple[Conversation, ...]

    def fingerprint(self) -> str:
        """A short content hash: two datasets with the same fingerprint hold exactly the same data."""
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:
        # Computed once per dataset (it is frozen): a worker records it with every evaluation.
        conversations: Any = [asdict(c, dict_factory=_without_empty_label) for c in self.conversations]
        if any(_LINE_BREAK.search(t.text) for c in self.conversations for s in c.sessions for t in s.turns):
            # Programs see these turns otherwise than before `format_session` joined their lines: their
            # earlier evaluations must not be reused. Data without a line break keeps its fingerprint.
            conversations = {"turns_on_one_line": True, "conversations": conversations}
        payload = json.dumps(conversations, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @property
    def question_count(self) -> int:
        return sum(len(c.questions) for c in self.conversations)


def _without_empty_label(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A question's `label` came after the first fingerprints: left out when unset, data that has none
    # keeps the fingerprint its evaluations were recorded under.
    return {key: value for key, value in pairs if not (key == "label" and value == "")}


def format_session(session: Session) -> str:
    """The `raw_text` written to memory for a session: its date, then one `Speaker: text` line per turn.

    A turn's own line breaks (an assistant's numbered list, a user's paragraphs: half of LongMemEval's
    turns) become spaces. Programs take a line for a turn, so a turn kept over several lines would reach
    them as speakerless fragments, each ranked and budgeted on its own, and a memory could never see how
    long a turn really is. The turn's text itself is unchanged (evidence is matched by words)."""
    lines = [f"[{session.session_id} | {session.date}]"] if session.date else [f"[{session.session_id}]"]
    lines.extend(f"{turn.speaker}: {_LINE_BREAK.sub(' ', turn.text)}" for turn in session.turns)
    return "\n".join(lines)
