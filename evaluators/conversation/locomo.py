"""Load LoCoMo (snap-research) files, e.g. `locomo10.json`, into a ConversationDataset.

The format: a JSON list of samples, each with `sample_id`, `conversation` (`speaker_a`, `speaker_b`,
`session_N` turn lists and `session_N_date_time`) and `qa`. The real files have quirks that this loader
absorbs rather than passing on: integer answers, adversarial (category 5) items without an `answer`,
malformed evidence ids ("D8:6; D9:17", "D:11:26", "D"), and dates listed for sessions that do not exist.
Structural problems (no such file, not JSON, missing `conversation` or `qa`, no sessions) raise DataError.
"""

from __future__ import annotations

import json
import re
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

NOT_MENTIONED_ANSWER = "Not mentioned in the conversation"
"""The gold answer of a category 5 question: LoCoMo offers it as the right choice and scores a prediction
by whether it says the information is not available."""

_SESSION_KEY = re.compile(r"session_(\d+)")
_EVIDENCE_SEPARATORS = re.compile(r"[;,\s]+")
_LOOSE_DIA_ID = re.compile(r"D:?0*(\d+):+0*(\d+)", re.IGNORECASE)


def load_locomo(path: str | Path) -> ConversationDataset:
    """Read a LoCoMo JSON file: one Conversation per sample, named `locomo:{filename}`.

    Sessions are in numeric order with their `session_N_date_time` as date; turns keep `dia_id` as turn
    id, and an image turn's `blip_caption` is appended as " [shares a photo: ...]". Questions are
    `{sample_id}-q{index}`; answers are strings; evidence keeps only ids that resolve to a turn.
    """
    path = Path(path)
    samples = _read_json_list(path)
    conversations = []
    for index, sample in enumerate(samples):
        if not isinstance(sample, dict) or "conversation" not in sample or "qa" not in sample:
            raise DataError(
                f"LoCoMo file {path}: item {index} must be an object with 'conversation' and 'qa' keys."
            )
        conversations.append(_conversation(path, index, sample))
    return ConversationDataset(name=f"locomo:{path.name}", conversations=tuple(conversations))


def _read_json_list(path: Path) -> list[Any]:
    if not path.is_file():
        raise DataError(f"LoCoMo file {path} does not exist; pass the path of a file such as locomo10.json.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"LoCoMo file {path} is not valid JSON ({error}).") from error
    if not isinstance(data, list):
        raise DataError(f"LoCoMo file {path} must hold a JSON list of samples, not a {type(data).__name__}.")
    return data


def _conversation(path: Path, index: int, sample: dict[str, Any]) -> Conversation:
    conversation_id = str(sample.get("sample_id", f"sample-{index}"))
    dialogue = sample["conversation"]
    where = f"LoCoMo file {path}: sample {conversation_id}"
    if not isinstance(dialogue, dict):
        raise DataError(f"{where} has a 'conversation' that is not an object.")
    sessions = _sessions(where, dialogue)
    if not sessions:
        raise DataError(f"{where} has no sessions (no non-empty 'session_N' lists).")
    turn_ids = {turn.turn_id for session in sessions for turn in session.turns}
    qa = sample["qa"]
    if not isinstance(qa, list):
        raise DataError(f"{where} has a 'qa' that is not a list.")
    questions = tuple(
        _question(where, f"{conversation_id}-q{number}", item, turn_ids) for number, item in enumerate(qa)
    )
    speakers = tuple(str(dialogue[key]) for key in ("speaker_a", "speaker_b") if key in dialogue)
    return Conversation(conversation_id, speakers, tuple(sessions), questions)


def _sessions(where: str, dialogue: dict[str, Any]) -> list[Session]:
    numbers = sorted(int(match[1]) for key in dialogue if (match := _SESSION_KEY.fullmatch(key)))
    sessions = []
    for number in numbers:
        raw_turns = dialogue[f"session_{number}"]
        if not isinstance(raw_turns, list):
            raise DataError(f"{where}: session_{number} is not a list of turns.")
        turns = tuple(_turn(where, number, position, raw) for position, raw in enumerate(raw_turns, 1))
        if turns:
            date = str(dialogue.get(f"session_{number}_date_time", ""))
            sessions.append(Session(session_id=f"session_{number}", date=date, turns=turns))
    return sessions


def _turn(where: str, session_number: int, position: int, raw: Any) -> Turn:
    if not isinstance(raw, dict) or "text" not in raw or "speaker" not in raw:
        raise DataError(f"{where}: turn {position} of session_{session_number} lacks 'speaker' or 'text'.")
    text = str(raw["text"])
    caption = raw.get("blip_caption")
    if caption:
        # LoCoMo's own rendering of an image turn, so that what was shown is also written to memory.
        text = f"{text} [shares a photo: {caption}]"
    turn_id = str(raw.get("dia_id") or f"D{session_number}:{position}")
    return Turn(turn_id=turn_id, speaker=str(raw["speaker"]), text=text)


def _question(where: str, question_id: str, item: Any, turn_ids: set[str]) -> Question:
    if not isinstance(item, dict) or "question" not in item or "category" not in item:
        raise DataError(f"{where}: qa item {question_id} lacks 'question' or 'category'.")
    try:
        category = int(item["category"])
    except (TypeError, ValueError) as error:
        raise DataError(f"{where}: qa item {question_id} has a non-integer category.") from error
    if category == UNANSWERABLE_CATEGORY:
        # Two real items also carry an `answer` ("No"); LoCoMo scores them like every category 5 item.
        answer = NOT_MENTIONED_ANSWER
    elif "answer" in item:
        answer = str(item["answer"])
    else:
        raise DataError(f"{where}: qa item {question_id} (category {category}) has no 'answer'.")
    return Question(
        question_id=question_id,
        question=str(item["question"]),
        answer=answer,
        evidence=parse_evidence(item.get("evidence"), turn_ids),
        category=category,
    )


def parse_evidence(raw: Any, turn_ids: set[str]) -> tuple[str, ...]:
    """The turn ids in a LoCoMo `evidence` field that name a turn of `turn_ids`, in order, without repeats.

    Accepts a list of ids or one string; an entry may hold several ids ("D8:6; D9:17") or a loose form
    ("D:11:26" -> "D11:26", "d3:05" -> "D3:5"). Anything that does not resolve to a turn is dropped.
    """
    entries = raw if isinstance(raw, list) else [raw] if raw else []
    found: dict[str, None] = {}
    for entry in entries:
        # Join "D11: 26" before splitting on separators, so a space after a colon is not a separator.
        text = re.sub(r"\s*:\s*", ":", str(entry))
        for token in _EVIDENCE_SEPARATORS.split(text):
            if token in turn_ids:
                found[token] = None
            elif match := _LOOSE_DIA_ID.fullmatch(token):
                candidate = f"D{match[1]}:{match[2]}"
                if candidate in turn_ids:
                    found[candidate] = None
    return tuple(found)
