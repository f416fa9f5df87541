"""The offline agent: deterministic schema filling and extractive answering."""

from __future__ import annotations

from evaluators.conversation.offline_agent import NOT_KNOWN, OfflineAgent, fill_schema
from sandbox.contract import load_program
from seeds import get_seed

AGENT = OfflineAgent()
PROGRAM = load_program(get_seed("bm25_turns").source).description

CONTEXT = """[1:56 pm on 8 May, 2023] Caroline: I went to a LGBTQ support group yesterday, so powerful.
[1:56 pm on 8 May, 2023] Melanie: That's great! I'm busy with the kids and my pottery class.
[3:10 pm on 20 June, 2023] Caroline: Last month I adopted a puppy named Oscar."""


def test_fill_schema_by_type_and_date_name() -> None:
    schema = {
        "properties": {
            "text": {"type": "string"},
            "session_date": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "importance": {"type": "integer"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "done": {"type": "boolean"},
        }
    }
    filled = fill_schema(schema, "Rex the dog ran, Rex was happy", "8 May 2023")
    assert filled == {
        "text": "Rex the dog ran, Rex was happy",
        "session_date": "8 May 2023",
        "tags": ["rex", "dog", "ran", "happy"],
        "importance": 0,
        "note": "Rex the dog ran, Rex was happy",
        "done": False,
    }


def test_item_date_comes_from_the_session_header() -> None:
    item = AGENT.fill_item(PROGRAM, "[session_1 | 1:56 pm on 8 May, 2023]\nA: hi")
    assert item == {"session_date": "8 May 2023"}


def test_relative_dates_resolve_against_the_date_kept_with_the_turn() -> None:
    assert (
        AGENT.answer(PROGRAM, "When did Caroline go to the LGBTQ support group?", CONTEXT, "") == "7 May 2023"
    )
    assert AGENT.answer(PROGRAM, "When did Caroline adopt a puppy?", CONTEXT, "") == "May 2023"


def test_answer_keeps_the_words_the_question_does_not_say() -> None:
    answer = AGENT.answer(PROGRAM, "What is the name of Caroline's puppy?", CONTEXT, "")
    assert "Oscar" in answer.split()
    assert "puppy" not in answer.lower().split()


def test_says_not_known_when_nothing_matches() -> None:
    assert AGENT.answer(PROGRAM, "What car does Melanie drive?", CONTEXT, "") == NOT_KNOWN
    assert AGENT.answer(PROGRAM, "Where does Caroline work?", "", "") == NOT_KNOWN


def test_answers_are_deterministic() -> None:
    question = "What class is Melanie taking?"
    assert len({AGENT.answer(PROGRAM, question, CONTEXT, "") for _ in range(5)}) == 1
