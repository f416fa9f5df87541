"""One's own conversations: `conversations:PATH`, a JSON Lines file with one conversation per line.

```json
{"id": "c1",
 "sessions": [{"date": "2023-12-29T00:51:12",
               "turns": [{"id": "D1:1", "speaker": "Ann", "text": "Hey, how are you?"}]}],
 "questions": [{"question": "When did Ann go running?", "answer": "29 December 2023",
                "evidence": ["D1:4"], "category": "temporal"}]}
```

- A conversation has an `id` (unique in the file), `sessions` (in the order they happened) and
  `questions` (asked after every session).
- A session has `turns` and, optionally, a `date`: ISO 8601, a date (`2023-12-29`) or a date-time
  (`2023-12-29T00:51:12`). It is written to memory as LoCoMo's loader writes its sessions, the date in
  LoCoMo's words ("12:51 am on 29 December, 2023"), so a LoCoMo file converted to this format scores
  exactly as the original.
- A turn has a `speaker` and a `text`, and optionally an `id`, unique within its conversation.
- A question has its `question`, optionally an `answer` (without one it is unanswerable: the right reply
  is that the conversation does not say), the `evidence` (ids of the turns that support the answer), a
  `category` (any label; the per-category breakdown groups by it, and "multi-hop" and "open-domain"
  answers are scored by LoCoMo's rules for them) and a `date` it is asked on.

Anything else is refused, each problem in one sentence naming the line and the field or id: a typo such
as "Answer" must not silently make every question unanswerable. `write_conversations` writes any
conversation dataset (LoCoMo, LongMemEval, synthetic) in this format.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from evaluators.conversation.data import (
    CATEGORY_NAMES,
    UNANSWERABLE_CATEGORY,
    Conversation,
    ConversationDataset,
    DataError,
    Question,
    Session,
    Turn,
)
from evaluators.conversation.locomo import NOT_MENTIONED_ANSWER
from evaluators.text import find_date

CONVERSATION_FIELDS = {"id", "sessions", "questions"}
SESSION_FIELDS = {"date", "turns"}
TURN_FIELDS = {"id", "speaker", "text"}
QUESTION_FIELDS = {"question", "answer", "evidence", "category", "date"}
UNLABELLED = "unlabelled"
_ANSWER_RULES = {name: number for number, name in CATEGORY_NAMES.items() if number != UNANSWERABLE_CATEGORY}
"""Labels whose answers LoCoMo scores by a rule of their own (multi-hop by parts, open-domain before ';')."""
_NUMERIC_DATE_TIME = re.compile(r"\b(\d{4})[/-](\d{1,2})[/-](\d{1,2})\D{0,8}?\s(\d{1,2}):(\d{2})\b")
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")


def load_conversations(path: str | Path) -> ConversationDataset:
    """Read a conversations file into a dataset named `conversations:{filename}`; `DataError` otherwise."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"conversations file {path} does not exist; see docs/conversations.md for the format."
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise DataError(f"conversations file {path} is not UTF-8 text ({error}).") from None
    conversations: list[Conversation] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"conversations file {path}, line {number}"
        conversation = _conversation(where, line)
        if conversation.conversation_id in first_line:
            raise DataError(
                f"{where}: the id {conversation.conversation_id!r} is already used on line "
                f"{first_line[conversation.conversation_id]}; conversation ids must be unique."
            )
        first_line[conversation.conversation_id] = number
        conversations.append(conversation)
    if not conversations:
        raise DataError(f"conversations file {path} holds no conversation (one JSON object per line).")
    return ConversationDataset(name=f"conversations:{path.name}", conversations=tuple(conversations))


def _conversation(where: str, line: str) -> Conversation:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as error:
        raise DataError(f"{where} is not valid JSON ({error}).") from None
    _object(where, "the line", raw, CONVERSATION_FIELDS)
    for key in ("id", "sessions", "questions"):
        if key not in raw:
            raise DataError(f"{where} has no {key!r}.")
    conversation_id = _text(where, "the conversation's 'id'", raw["id"])
    if not conversation_id:
        raise DataError(f"{where}: the conversation's 'id' is empty.")
    where = f"{where} (conversation {conversation_id})"
    raw_sessions = _list(where, "'sessions'", raw["sessions"])
    if not raw_sessions:
        raise DataError(f"{where}: 'sessions' is empty; a conversation needs at least one session.")
    sessions = tuple(_session(where, number, item) for number, item in enumerate(raw_sessions, 1))
    turns: dict[str, Turn] = {}
    for session in sessions:
        for turn in session.turns:
            if turn.turn_id in turns:
                raise DataError(
                    f"{where}: the turn id {turn.turn_id!r} is used twice; turn ids must be unique."
                )
            turns[turn.turn_id] = turn
    questions = tuple(
        _question(where, f"{conversation_id}-q{index}", index + 1, item, turns)
        for index, item in enumerate(_list(where, "'questions'", raw["questions"]))
    )
    speakers = tuple(dict.fromkeys(turn.speaker for turn in turns.values()))
    return Conversation(conversation_id, speakers, sessions, questions)


def _session(where: str, number: int, raw: Any) -> Session:
    name = f"session {number}"
    _object(where, name, raw, SESSION_FIELDS)
    if "turns" not in raw:
        raise DataError(f"{where}: {name} has no 'turns'.")
    raw_turns = _list(where, f"{name}'s 'turns'", raw["turns"])
    if not raw_turns:
        raise DataError(f"{where}: {name} has no turns; leave out a session with nothing said.")
    turns = tuple(_turn(where, number, position, item) for position, item in enumerate(raw_turns, 1))
    said_on = _date(where, f"{name}'s 'date'", raw["date"]) if "date" in raw else ""
    return Session(session_id=f"session_{number}", date=said_on, turns=turns)


def _turn(where: str, session: int, position: int, raw: Any) -> Turn:
    name = f"turn {position} of session {session}"
    _object(where, name, raw, TURN_FIELDS)
    for key in ("speaker", "text"):
        if key not in raw:
            raise DataError(f"{where}: {name} has no {key!r}.")
    turn_id = (
        _text(where, f"the 'id' of {name}", raw["id"]) if "id" in raw else f"session_{session}:{position}"
    )
    if not turn_id:
        raise DataError(f"{where}: the 'id' of {name} is empty.")
    return Turn(
        turn_id=turn_id,
        speaker=_text(where, f"the 'speaker' of {name}", raw["speaker"]),
        text=_text(where, f"the 'text' of {name}", raw["text"]),
    )


def _question(where: str, question_id: str, number: int, raw: Any, turns: dict[str, Turn]) -> Question:
    name = f"question {number}"
    _object(where, name, raw, QUESTION_FIELDS)
    if "question" not in raw:
        raise DataError(f"{where}: {name} has no 'question'.")
    evidence = tuple(
        _text(where, f"the 'evidence' of {name}", turn_id)
        for turn_id in _list(where, f"the 'evidence' of {name}", raw.get("evidence", []))
    )
    unknown = next((turn_id for turn_id in evidence if turn_id not in turns), None)
    if unknown is not None:
        raise DataError(
            f"{where}: {name} cites the evidence {unknown!r}, which is no turn id of the conversation."
        )
    label = _text(where, f"the 'category' of {name}", raw.get("category", UNLABELLED)) or UNLABELLED
    if "answer" in raw:
        answer = _text(where, f"the 'answer' of {name}", raw["answer"])
        rule = _ANSWER_RULES.get(label, 0)
    else:
        answer, rule = NOT_MENTIONED_ANSWER, UNANSWERABLE_CATEGORY
    return Question(
        question_id=question_id,
        question=_text(where, f"the 'question' of {name}", raw["question"]),
        answer=answer,
        evidence=evidence,
        category=rule,
        date=_date(where, f"the 'date' of {name}", raw["date"]) if "date" in raw else "",
        label=label,
    )


def _object(where: str, name: str, raw: Any, fields: set[str]) -> None:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: {name} must be a JSON object, not {_kind(raw)}.")
    unknown = sorted(set(raw) - fields)
    if unknown:
        raise DataError(
            f"{where}: {name} has the unknown field {unknown[0]!r} (known: {', '.join(sorted(fields))})."
        )


def _list(where: str, name: str, raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise DataError(f"{where}: {name} must be a list, not {_kind(raw)}.")
    return raw


def _text(where: str, name: str, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise DataError(f"{where}: {name} must be a string, not {_kind(raw)}.")
    return str(raw)


def _kind(raw: Any) -> str:
    return {dict: "an object", list: "a list", type(None): "null"}.get(type(raw), f"a {type(raw).__name__}")


def _date(where: str, name: str, raw: Any) -> str:
    """The date in LoCoMo's words: "1:56 pm on 8 May, 2023", or "8 May, 2023" for a date alone."""
    text = _text(where, name, raw).strip()
    try:
        if len(text) <= len("2023-12-29"):
            return _day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DataError(
            f"{where}: {name} {text!r} is not an ISO 8601 date or date-time (e.g. 2023-12-29T00:51:12)."
        ) from None
    half = "am" if moment.hour < 12 else "pm"
    return f"{(moment.hour - 1) % 12 + 1}:{moment.minute:02d} {half} on {_day(moment)}"


def _day(moment: date) -> str:
    return f"{moment.day} {moment.strftime('%B')}, {moment.year}"


def write_conversations(dataset: ConversationDataset, out: TextIO) -> int:
    """Write `dataset` in this format, one line per conversation; the number of lines written.

    Dates are read from the source's own words (LoCoMo's, LongMemEval's, ISO) and written in ISO 8601; a
    date that cannot be read is left out."""
    count = 0
    for conversation in dataset.conversations:
        out.write(json.dumps(_conversation_json(conversation), ensure_ascii=False) + "\n")
        count += 1
    return count


def _conversation_json(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.conversation_id,
        "sessions": [
            {
                **_iso_date(session.date),
                "turns": [{"id": t.turn_id, "speaker": t.speaker, "text": t.text} for t in session.turns],
            }
            for session in conversation.sessions
        ],
        "questions": list(_questions_json(conversation.questions)),
    }


def _questions_json(questions: Iterable[Question]) -> Iterable[dict[str, Any]]:
    for question in questions:
        item: dict[str, Any] = {"question": question.question}
        if question.answerable:
            item["answer"] = question.answer
        item["evidence"] = list(question.evidence)
        item["category"] = question.category_name
        yield item | _iso_date(question.date)


def _iso_date(text: str) -> dict[str, str]:
    """`{"date": ISO 8601}` for a source's date ({} when there is none it can read)."""
    numeric = _NUMERIC_DATE_TIME.search(text)
    if numeric:  # LongMemEval's "2023/05/30 (Tue) 23:40"
        year, month, day, hour, minute = (int(group) for group in numeric.groups())
        with contextlib.suppress(ValueError):
            return {"date": datetime(year, month, day, hour, minute).isoformat(timespec="minutes")}
    moment = find_date(text) if text else None
    if moment is None:
        return {}
    has_time = _TIME.search(text) is not None  # LoCoMo's "1:56 pm on 8 May, 2023"
    return {"date": moment.isoformat(timespec="minutes") if has_time else moment.date().isoformat()}
