"""The LoCoMo and LongMemEval loaders on the real benchmark slices, and their errors on broken files."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from evaluators.conversation.data import ConversationDataset, DataError, _without_empty_label, format_session
from evaluators.conversation.locomo import NOT_MENTIONED_ANSWER, load_locomo, parse_evidence
from evaluators.conversation.longmemeval import load_longmemeval
from tests.conftest import LOCOMO_DEV, LONGMEMEVAL_DEV


@pytest.fixture(scope="module")
def locomo() -> ConversationDataset:
    return load_locomo(LOCOMO_DEV)


@pytest.fixture(scope="module")
def locomo_raw() -> list[dict[str, Any]]:
    return json.loads(LOCOMO_DEV.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def longmemeval() -> ConversationDataset:
    return load_longmemeval(LONGMEMEVAL_DEV)


@pytest.fixture(scope="module")
def longmemeval_raw() -> list[dict[str, Any]]:
    return json.loads(LONGMEMEVAL_DEV.read_text(encoding="utf-8"))


# --- LoCoMo --------------------------------------------------------------------------------------------


def test_locomo_loads_each_sample_with_all_its_questions(locomo: ConversationDataset) -> None:
    assert locomo.name == "locomo:locomo_dev2.json"
    assert [c.conversation_id for c in locomo.conversations] == ["conv-26", "conv-30"]
    assert [len(c.questions) for c in locomo.conversations] == [199, 105]
    assert locomo.conversations[0].speakers == ("Caroline", "Melanie")
    assert locomo.conversations[0].questions[0].question_id == "conv-26-q0"


def test_locomo_is_deterministic(locomo: ConversationDataset) -> None:
    assert load_locomo(LOCOMO_DEV).fingerprint() == locomo.fingerprint()


def test_locomo_sessions_are_in_numeric_order_with_their_dates(locomo: ConversationDataset) -> None:
    conversation = locomo.conversations[0]
    # 19 sessions exist; the file also lists dates for sessions 20-35, which have no turns
    assert [s.session_id for s in conversation.sessions] == [f"session_{n}" for n in range(1, 20)]
    assert conversation.sessions[0].date == "1:56 pm on 8 May, 2023"
    assert conversation.sessions[0].turns[0].turn_id == "D1:1"


def test_locomo_image_turns_carry_their_caption(locomo: ConversationDataset) -> None:
    turn = locomo.conversations[0].turns_by_id()["D1:5"]
    assert turn.text.endswith(
        "support. [shares a photo: a photo of a dog walking past a wall with a painting of a woman]"
    )


def test_locomo_integer_answers_become_strings(
    locomo: ConversationDataset, locomo_raw: list[dict[str, Any]]
) -> None:
    integer_items = [
        (sample_index, qa_index, item["answer"])
        for sample_index, sample in enumerate(locomo_raw)
        for qa_index, item in enumerate(sample["qa"])
        if isinstance(item.get("answer"), int)
    ]
    assert integer_items  # e.g. 2022 for "When did ...?"
    for sample_index, qa_index, answer in integer_items:
        assert locomo.conversations[sample_index].questions[qa_index].answer == str(answer)
    assert all(isinstance(q.answer, str) for c in locomo.conversations for q in c.questions)


def test_locomo_adversarial_items_load_as_unanswerable(locomo: ConversationDataset) -> None:
    adversarial = [q for c in locomo.conversations for q in c.questions if q.category == 5]
    assert len(adversarial) == 47 + 24
    assert all(q.answer == NOT_MENTIONED_ANSWER and not q.answerable for q in adversarial)
    # their evidence is kept: "What did Caroline realize after her charity race?" points at D2:3
    first = adversarial[0]
    assert first.question == "What did Caroline realize after her charity race?"
    assert first.evidence == ("D2:3",)


def test_locomo_malformed_evidence_is_split_and_every_kept_id_resolves(
    locomo: ConversationDataset, locomo_raw: list[dict[str, Any]]
) -> None:
    qa_index = next(i for i, item in enumerate(locomo_raw[0]["qa"]) if "D8:6; D9:17" in item["evidence"])
    assert locomo.conversations[0].questions[qa_index].evidence == ("D8:6", "D9:17")
    for conversation in locomo.conversations:
        turns = conversation.turns_by_id()
        assert all(turn_id in turns for q in conversation.questions for turn_id in q.evidence)


def test_parse_evidence_normalizes_loose_ids_and_drops_unknown_ones() -> None:
    turn_ids = {"D11:26", "D8:6", "D9:17", "D3:5", "D1:1", "D1:2"}
    raw = ["D:11:26", "D", "D8:6; D9:17", "d3:05", "D99:1", 7, None, "D8:6"]
    assert parse_evidence(raw, turn_ids) == ("D11:26", "D8:6", "D9:17", "D3:5")
    assert parse_evidence("D1:1, D1: 2", turn_ids) == ("D1:1", "D1:2")
    assert parse_evidence(None, turn_ids) == ()


# --- LongMemEval ---------------------------------------------------------------------------------------


def test_longmemeval_makes_one_conversation_per_question(
    longmemeval: ConversationDataset, longmemeval_raw: list[dict[str, Any]]
) -> None:
    assert longmemeval.name == "longmemeval:longmemeval_oracle_dev45.json"
    assert len(longmemeval.conversations) == 45
    assert longmemeval.question_count == 45
    for conversation, item in zip(longmemeval.conversations, longmemeval_raw, strict=True):
        assert conversation.conversation_id == conversation.questions[0].question_id == item["question_id"]
        assert conversation.speakers == ("user", "assistant")
        assert conversation.questions[0].date == item["question_date"]
        assert conversation.questions[0].answer == str(item["answer"])  # 9d25d4e0's answer is the int 3


def test_longmemeval_question_types_map_to_categories(
    longmemeval: ConversationDataset, longmemeval_raw: list[dict[str, Any]]
) -> None:
    expected = {
        "single-session-user": 4,
        "single-session-assistant": 4,
        "single-session-preference": 4,
        "multi-session": 1,
        "temporal-reasoning": 2,
        "knowledge-update": 6,
    }
    for conversation, item in zip(longmemeval.conversations, longmemeval_raw, strict=True):
        if not item["question_id"].endswith("_abs"):
            assert conversation.questions[0].category == expected[item["question_type"]]
    # single-session 10 user (3 of them _abs) + 7 assistant + 7 preference = 21; multi-session 7 - 2 _abs = 5
    categories = Counter(c.questions[0].category for c in longmemeval.conversations)
    assert categories == {4: 21, 1: 5, 2: 7, 6: 7, 5: 5}


def test_longmemeval_abstention_questions_are_unanswerable_with_their_answer_kept(
    longmemeval: ConversationDataset, longmemeval_raw: list[dict[str, Any]]
) -> None:
    for conversation, item in zip(longmemeval.conversations, longmemeval_raw, strict=True):
        question = conversation.questions[0]
        assert (question.category == 5) == item["question_id"].endswith("_abs")
        if question.category == 5:
            assert not question.answerable
            assert question.answer == item["answer"]


def test_longmemeval_evidence_is_the_has_answer_turns(
    longmemeval: ConversationDataset, longmemeval_raw: list[dict[str, Any]]
) -> None:
    for conversation, item in zip(longmemeval.conversations, longmemeval_raw, strict=True):
        sessions = zip(item["haystack_session_ids"], item["haystack_sessions"], strict=True)
        flagged = {
            (f"{session_id}:{position}", turn["content"])
            for session_id, session in sessions
            for position, turn in enumerate(session, 1)
            if turn.get("has_answer")
        }
        turns = conversation.turns_by_id()
        evidence = {(turn_id, turns[turn_id].text) for turn_id in conversation.questions[0].evidence}
        assert evidence == flagged, item["question_id"]


def test_longmemeval_sessions_are_in_date_order(longmemeval: ConversationDataset) -> None:
    for conversation in longmemeval.conversations:
        dates = [session.date for session in conversation.sessions]
        assert dates == sorted(dates)
    # b9cfe692 lists its sessions _1, _3, _2 with _3 dated last
    b9cfe692 = next(c for c in longmemeval.conversations if c.conversation_id == "b9cfe692")
    assert [s.session_id for s in b9cfe692.sessions] == [f"answer_5e3bb940_{n}" for n in (1, 2, 3)]


def test_every_longmemeval_turn_reaches_a_memory_as_one_line(longmemeval: ConversationDataset) -> None:
    # Assistants answer in lists and users write paragraphs: many turns hold line breaks of their own.
    sessions = [session for conversation in longmemeval.conversations for session in conversation.sessions]
    assert sum("\n" in turn.text for session in sessions for turn in session.turns) > 100
    for session in sessions:
        header, *lines = format_session(session).split("\n")
        assert header.startswith(f"[{session.session_id} | ")
        assert len(lines) == len(session.turns)
        for line, turn in zip(lines, session.turns, strict=True):
            assert line.startswith(f"{turn.speaker}: ")
            assert line.split() == [f"{turn.speaker}:", *turn.text.split()]  # the same words, in order


def test_joining_a_turns_lines_changes_the_fingerprint_of_data_that_has_them_only(tmp_path: Path) -> None:
    listed = _longmemeval_item()
    listed["haystack_sessions"][0][1]["content"] = "Hello!\n\n1. Sun\n2. Sea"
    loaded = {
        name: load_longmemeval(_write(tmp_path, [item], f"{name}.json"))
        for name, item in (("plain", _longmemeval_item()), ("listed", listed))
    }
    session = loaded["listed"].conversations[0].sessions[0]
    assert format_session(session).endswith("assistant: Hello! 1. Sun 2. Sea")
    # Evaluations recorded before turns were joined must not be reused for data whose turns had lines;
    # data without a line break keeps the fingerprint its evaluations were recorded under.
    assert loaded["listed"].fingerprint() != _fingerprint_before_turns_were_joined(loaded["listed"])
    assert loaded["plain"].fingerprint() == _fingerprint_before_turns_were_joined(loaded["plain"])


def _fingerprint_before_turns_were_joined(dataset: ConversationDataset) -> str:
    conversations = [asdict(c, dict_factory=_without_empty_label) for c in dataset.conversations]
    payload = json.dumps(conversations, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _longmemeval_item(**changes: Any) -> dict[str, Any]:
    item = {
        "question_id": "q1",
        "question_type": "single-session-user",
        "question": "Where did I go?",
        "answer": "Hawaii",
        "question_date": "2023/05/30 (Tue) 23:40",
        "haystack_session_ids": ["s1", "s2"],
        "haystack_dates": ["2023/05/01 (Mon) 10:00", "2023/05/02 (Tue) 10:00"],
        "haystack_sessions": [
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
            [{"role": "user", "content": "I went to Hawaii"}, {"role": "assistant", "content": "Nice"}],
        ],
        "answer_session_ids": ["s2"],
    }
    return item | changes


def _write(tmp_path: Path, content: Any, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_longmemeval_without_has_answer_flags_falls_back_to_answer_session_turns(tmp_path: Path) -> None:
    dataset = load_longmemeval(_write(tmp_path, [_longmemeval_item()]))
    assert dataset.conversations[0].questions[0].evidence == ("s2:1", "s2:2")


def test_longmemeval_abstention_without_flags_has_no_evidence(tmp_path: Path) -> None:
    dataset = load_longmemeval(_write(tmp_path, [_longmemeval_item(question_id="q1_abs")]))
    assert dataset.conversations[0].questions[0].evidence == ()


# --- errors --------------------------------------------------------------------------------------------

LOADERS = [pytest.param(load_locomo, id="locomo"), pytest.param(load_longmemeval, id="longmemeval")]


@pytest.mark.parametrize("loader", LOADERS)
def test_missing_file_raises_data_error_naming_it(loader: Callable[[Path], Any], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(DataError, match=r"nowhere\.json"):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_invalid_json_raises_data_error_naming_the_file(
    loader: Callable[[Path], Any], tmp_path: Path
) -> None:
    path = _write(tmp_path, "[{not json", "broken.json")
    with pytest.raises(DataError, match=r"broken\.json.*not valid JSON"):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_top_level_object_raises_data_error_naming_the_file(
    loader: Callable[[Path], Any], tmp_path: Path
) -> None:
    path = _write(tmp_path, {"conversation": {}}, "object.json")
    with pytest.raises(DataError, match=r"object\.json.*JSON list"):
        loader(path)


@pytest.mark.parametrize("missing", ["conversation", "qa"])
def test_locomo_item_without_required_key_raises_data_error(missing: str, tmp_path: Path) -> None:
    item = {"sample_id": "x", "conversation": {"session_1": []}, "qa": []}
    del item[missing]
    path = _write(tmp_path, [item], "partial.json")
    with pytest.raises(DataError, match=r"partial\.json.*item 0.*'conversation' and 'qa'"):
        load_locomo(path)


def test_locomo_conversation_without_sessions_raises_data_error(tmp_path: Path) -> None:
    item = {"sample_id": "x", "conversation": {"speaker_a": "A", "session_1_date_time": "today"}, "qa": []}
    path = _write(tmp_path, [item], "empty.json")
    with pytest.raises(DataError, match=r"empty\.json.*sample x has no sessions"):
        load_locomo(path)


def test_longmemeval_item_without_required_key_raises_data_error(tmp_path: Path) -> None:
    item = _longmemeval_item()
    del item["haystack_sessions"]
    path = _write(tmp_path, [item], "partial.json")
    with pytest.raises(DataError, match=r"partial\.json.*item 0.*haystack_sessions"):
        load_longmemeval(path)


def test_longmemeval_unknown_question_type_raises_data_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [_longmemeval_item(question_type="trivia")], "typed.json")
    with pytest.raises(DataError, match=r"typed\.json.*question q1.*'trivia'"):
        load_longmemeval(path)


def test_longmemeval_mismatched_session_lists_raise_data_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [_longmemeval_item(haystack_dates=["2023/05/01 (Mon) 10:00"])], "short.json")
    with pytest.raises(DataError, match=r"short\.json.*2 haystack_sessions but 2 ids and 1 dates"):
        load_longmemeval(path)
