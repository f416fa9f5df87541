"""Own conversations (`conversations:PATH`): scored as LoCoMo is; a bad line is named in one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluators.conversation import domain
from evaluators.conversation.conversations_file import load_conversations
from evaluators.conversation.data import DataError, format_session
from evaluators.conversation.offline_agent import OfflineAgent
from evolve.cli import app
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed

runner = CliRunner()

EXAMPLE = {
    "id": "c1",
    "sessions": [
        {
            "date": "2023-12-29T00:51:12",
            "turns": [
                {"id": "D1:1", "speaker": "Ann", "text": "Hey, how are you?"},
                {"id": "D1:2", "speaker": "Bo", "text": "Fine! I went running in the park this morning."},
            ],
        },
        {"date": "2024-01-03", "turns": [{"speaker": "Ann", "text": "My sister Clara moved to Oslo."}]},
    ],
    "questions": [
        {
            "question": "When did Bo go running?",
            "answer": "29 December 2023",
            "evidence": ["D1:2"],
            "category": "temporal",
        },
        {
            "question": "Where did Clara move?",
            "answer": "Oslo",
            "evidence": ["session_2:1"],
            "category": "family",
        },
        {"question": "What is Bo's dog called?", "evidence": [], "category": "family"},
    ],
}


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def evaluate(spec: str):
    dataset = domain.load_dataset(spec)
    result = domain.evaluate(
        get_seed("bm25_turns").source,
        dataset,
        "all",
        OfflineAgent(),
        InProcessSession,
        Capabilities(embed=HashedLexicalEmbedder()),
    )
    assert result.ok, result.failure_message
    return dataset, result


def test_a_locomo_file_converted_to_conversations_scores_exactly_as_the_original(
    locomo_path: Path, tmp_path: Path
) -> None:
    converted = tmp_path / "locomo.jsonl"
    outcome = runner.invoke(app, ["data", "convert", f"locomo:{locomo_path}", str(converted)])
    assert outcome.exit_code == 0, outcome.stderr
    assert "2 conversations (304 questions)" in outcome.stdout
    original, expected = evaluate(f"locomo:{locomo_path}")
    mine, got = evaluate(f"conversations:{converted}")
    assert got.data_name == "conversations:locomo.jsonl"
    assert [format_session(s) for c in mine.conversations for s in c.sessions] == [
        format_session(s) for c in original.conversations for s in c.sessions
    ]
    assert got.metrics == expected.metrics and got.by_category == expected.by_category
    assert got.score == expected.score > 0.3
    assert [case.category for case in got.cases] == [case.category for case in expected.cases]


def test_the_format_example_loads_with_its_dates_labels_and_unanswerable_question(tmp_path: Path) -> None:
    dataset = load_conversations(write_lines(tmp_path / "mine.jsonl", EXAMPLE))
    (conversation,) = dataset.conversations
    assert [session.date for session in conversation.sessions] == [
        "12:51 am on 29 December, 2023",
        "3 January, 2024",
    ]
    assert conversation.speakers == ("Ann", "Bo")
    running, clara, dog = conversation.questions
    assert running.category_name == "temporal" and running.answerable and running.evidence == ("D1:2",)
    assert clara.category_name == "family" and clara.evidence == ("session_2:1",)
    assert dog.category_name == "family" and not dog.answerable


def test_labels_are_the_breakdown_and_an_unanswerable_question_scores_a_not_known_reply(
    tmp_path: Path,
) -> None:
    _, result = evaluate(f"conversations:{write_lines(tmp_path / 'mine.jsonl', EXAMPLE)}")
    assert set(result.by_category) == {"temporal", "family"}
    dog = next(case for case in result.cases if case.prompt.startswith("What is Bo's dog"))
    assert dog.metrics["evidence_recall"] is None
    assert dog.score == (1.0 if "not mentioned" in dog.output.lower() else 0.0)


def test_longmemeval_converts_with_its_question_dates_and_types(tmp_path: Path) -> None:
    from tests.conftest import LONGMEMEVAL_DEV

    converted = tmp_path / "lme.jsonl"
    outcome = runner.invoke(app, ["data", "convert", f"longmemeval:{LONGMEMEVAL_DEV}", str(converted)])
    assert outcome.exit_code == 0, outcome.stderr
    original = domain.load_dataset(f"longmemeval:{LONGMEMEVAL_DEV}")
    mine = load_conversations(converted)
    assert mine.question_count == original.question_count == 45
    pairs = [
        (a.questions[0], b.questions[0])
        for a, b in zip(original.conversations, mine.conversations, strict=True)
    ]
    assert all(theirs.category_name == ours.category_name for theirs, ours in pairs)
    assert all(theirs.answerable == ours.answerable for theirs, ours in pairs)
    theirs, ours = pairs[0]
    assert theirs.date.startswith("2023/") and ours.date.endswith(", 2023") and " on " in ours.date


def _without(key: str) -> dict:
    return {k: v for k, v in EXAMPLE.items() if k != key}


def _with_question(**fields: object) -> dict:
    return {**EXAMPLE, "questions": [{"question": "Who?", "evidence": [], **fields}]}


def _with_turns(*turns: dict) -> dict:
    return {**EXAMPLE, "sessions": [{"turns": list(turns)}], "questions": []}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "c2", "sessions": [', r"line 2 is not valid JSON"),
        (_without("sessions"), r"line 2 has no 'sessions'"),
        (_without("questions"), r"line 2 has no 'questions'"),
        (
            _with_question(answer="x", evidence=["D9:9"]),
            r"line 2 \(conversation c1\): question 1 cites the evidence 'D9:9', which is no turn id",
        ),
        (
            _with_turns({"id": "t", "speaker": "A", "text": "a"}, {"id": "t", "speaker": "B", "text": "b"}),
            r"line 2 \(conversation c1\): the turn id 't' is used twice",
        ),
        (
            {**EXAMPLE, "sessions": [{"date": "29/12/2023", "turns": [{"speaker": "A", "text": "a"}]}]},
            r"line 2 \(conversation c1\): session 1's 'date' '29/12/2023' is not an ISO 8601 date",
        ),
        (
            _with_question(Answer="Oslo"),
            r"line 2 \(conversation c1\): question 1 has the unknown field 'Answer'",
        ),
        ({**EXAMPLE, "id": "first"}, r"line 2: the id 'first' is already used on line 1"),
    ],
)
def test_bad_input_names_the_line_and_the_field_or_id(tmp_path: Path, line: object, message: str) -> None:
    path = write_lines(tmp_path / "bad.jsonl", {**EXAMPLE, "id": "first"}, line)
    with pytest.raises(DataError, match=message):
        load_conversations(path)


def test_bad_conversations_are_exit_code_2_and_write_nothing_to_the_archive(tmp_path: Path) -> None:
    bad = write_lines(tmp_path / "bad.jsonl", EXAMPLE, _without("questions"))
    archive = tmp_path / "archive.db"
    for command in (
        ["eval", "bm25_turns", "--data", f"conversations:{bad}"],
        ["evolve", "--data", f"conversations:{bad}", "--archive", f"sqlite:///{archive}", "--budget", "1"],
    ):
        outcome = runner.invoke(app, command)
        assert outcome.exit_code == 2
        assert outcome.stderr.strip().splitlines() == [
            f"error: conversations file {bad}, line 2 has no 'questions'."
        ]
    assert not archive.exists()
