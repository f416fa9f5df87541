"""Load LongMemEval (xiaowu0162) files, e.g. `longmemeval_oracle.json` or `longmemeval_s.json`.

In LongMemEval every question has its own chat history (its "haystack"), so each question becomes its
own Conversation between "user" and "assistant", holding that one Question. Question types map onto the
shared categories; abstention questions (`question_id` ending in `_abs`) are category 5, unanswerable.
Evidence is the turns flagged `has_answer`, which is what LongMemEval's turn-level retrieval metrics use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluators.conversation.data import (
    UNANSWERABLE_CATEGORY,
    Conversation,
    ConversationDataset,
    DataError,
    Question,
    Session,
    Turn,
)

QUESTION_TYPE_CATEGORIES: dict[str, int] = {
    "single-session-user": 4,
    "single-session-assistant": 4,
    "single-session-preference": 4,
    "multi-session": 1,
    "temporal-reasoning": 2,
    "knowledge-update": 6,
}
"""LongMemEval's question types in the shared numbering: single-hop, multi-hop, temporal, knowledge-update."""

SPEAKERS = ("user", "assistant")
_REQUIRED_KEYS = ("question_id", "question_type", "question", "answer", "haystack_sessions")


def load_longmemeval(path: str | Path) -> ConversationDataset:
    """Read a LongMemEval JSON file: one Conversation per question, named `longmemeval:{filename}`.

    Sessions take their ids from `haystack_session_ids` and dates from `haystack_dates`, and are put in
    date order (stable), as LongMemEval's own reader does before showing a history: a few files list
    same-day sessions out of order. Turn ids are `{session_id}:{n}`, n from 1.
    """
    path = Path(path)
    items = _read_json_list(path)
    conversations = tuple(_conversation(path, index, item) for index, item in enumerate(items))
    return ConversationDataset(name=f"longmemeval:{path.name}", conversations=conversations)


def _read_json_list(path: Path) -> list[Any]:
    if not path.is_file():
        raise DataError(
            f"LongMemEval file {path} does not exist; pass the path of a file such as longmemeval_s.json."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"LongMemEval file {path} is not valid JSON ({error}).") from error
    if not isinstance(data, list):
        raise DataError(
            f"LongMemEval file {path} must hold a JSON list of questions, not a {type(data).__name__}."
        )
    return data


def _conversation(path: Path, index: int, item: Any) -> Conversation:
    if not isinstance(item, dict):
        raise DataError(f"LongMemEval file {path}: item {index} is a {type(item).__name__}, not an object.")
    missing = [key for key in _REQUIRED_KEYS if key not in item]
    if missing:
        raise DataError(f"LongMemEval file {path}: item {index} lacks the key(s) {', '.join(missing)}.")
    question_id = str(item["question_id"])
    where = f"LongMemEval file {path}: question {question_id}"
    category = _category(where, question_id, item["question_type"])
    sessions = _sessions(where, item)
    if not sessions:
        raise DataError(f"{where} has no sessions with turns in 'haystack_sessions'.")
    question = Question(
        question_id=question_id,
        question=str(item["question"]),
        answer=str(item["answer"]),
        evidence=_evidence(sessions, item, answerable=category != UNANSWERABLE_CATEGORY),
        category=category,
        date=str(item.get("question_date", "")),
    )
    return Conversation(question_id, SPEAKERS, tuple(session for session, _ in sessions), (question,))


def _category(where: str, question_id: str, question_type: Any) -> int:
    if question_id.endswith("_abs"):
        return UNANSWERABLE_CATEGORY
    if question_type not in QUESTION_TYPE_CATEGORIES:
        known = ", ".join(QUESTION_TYPE_CATEGORIES)
        raise DataError(f"{where} has an unknown question_type {question_type!r} (known: {known}).")
    return QUESTION_TYPE_CATEGORIES[question_type]


def _sessions(where: str, item: dict[str, Any]) -> list[tuple[Session, tuple[str, ...]]]:
    """The sessions in date order, each with the ids of its turns flagged `has_answer`."""
    raw_sessions = item["haystack_sessions"]
    count = len(raw_sessions) if isinstance(raw_sessions, list) else -1
    session_ids = item.get("haystack_session_ids", [f"session_{n}" for n in range(1, count + 1)])
    dates = item.get("haystack_dates", [""] * max(count, 0))
    if count < 0 or not isinstance(session_ids, list) or not isinstance(dates, list):
        raise DataError(f"{where}: haystack_sessions, haystack_session_ids and haystack_dates must be lists.")
    if not len(session_ids) == len(dates) == count:
        raise DataError(
            f"{where} has {count} haystack_sessions but {len(session_ids)} ids and {len(dates)} dates."
        )
    sessions = []
    seen: dict[str, int] = {}
    for raw_id, date, raw_turns in zip(session_ids, dates, raw_sessions, strict=True):
        session_id = str(raw_id)
        seen[session_id] = seen.get(session_id, 0) + 1
        if seen[session_id] > 1:  # a repeated id would make turn ids collide
            session_id = f"{session_id}#{seen[session_id]}"
        if not isinstance(raw_turns, list):
            raise DataError(f"{where}: session {session_id} is not a list of turns.")
        turns, flagged = [], []
        for position, raw in enumerate(raw_turns, 1):
            if not isinstance(raw, dict) or "role" not in raw or "content" not in raw:
                raise DataError(
                    f"{where}: turn {position} of session {session_id} lacks 'role' or 'content'."
                )
            turn = Turn(
                turn_id=f"{session_id}:{position}", speaker=str(raw["role"]), text=str(raw["content"])
            )
            turns.append(turn)
            if raw.get("has_answer"):
                flagged.append(turn.turn_id)
        if turns:  # an empty session has nothing to write to memory
            sessions.append((Session(session_id, str(date), tuple(turns)), tuple(flagged)))
    # LongMemEval dates ("2023/05/28 (Sun) 03:55") sort correctly as strings.
    return sorted(sessions, key=lambda pair: pair[0].date)


def _evidence(
    sessions: list[tuple[Session, tuple[str, ...]]], item: dict[str, Any], answerable: bool
) -> tuple[str, ...]:
    """The `has_answer` turns, or if an answerable question has none, all turns of its answer sessions.

    An abstention question keeps only flagged turns (usually none): nothing in its history answers it,
    so its answer sessions are no evidence to fall back on.
    """
    flagged = tuple(turn_id for _, turn_ids in sessions for turn_id in turn_ids)
    if flagged or not answerable:
        return flagged
    answer_sessions = {str(session_id) for session_id in item.get("answer_session_ids") or []}
    return tuple(
        turn.turn_id
        for session, _ in sessions
        if session.session_id in answer_sessions
        for turn in session.turns
    )
