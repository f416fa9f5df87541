"""The LLM judge against the fake server: verdicts, the prompt it sends, and unreadable verdicts."""

from __future__ import annotations

from evaluators.judge import VERDICT_SCHEMA, LLMJudge
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault


def test_correct_and_wrong_verdicts_score_one_and_zero(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    judge = LLMJudge(make_client(cache=False))
    server.script(
        Fault(reply='{"reasoning": "Same date, other format.", "label": "CORRECT"}'),
        Fault(reply='{"reasoning": "A cat is not a dog.", "label": "WRONG"}'),
    )
    assert judge.score("When did Ana adopt Oscar?", "7 May 2023", "May 7, 2023") == 1.0
    verdict = judge.judge("What did Ana adopt?", "a dog", "a cat")
    assert (verdict.label, verdict.score, verdict.reasoning) == ("WRONG", 0.0, "A cat is not a dog.")
    first = server.requests[0]
    assert "Question: When did Ana adopt Oscar?\nGold answer: 7 May 2023\nGenerated answer: May 7, 2023" in (
        first.last_user_text
    )
    assert first.json_schema == VERDICT_SCHEMA
    assert [r.purpose for r in judge.client.ledger.records] == ["judge", "judge"]
    assert (judge.stats.verdicts, judge.stats.correct) == (2, 1)


def test_a_label_outside_the_enum_is_repaired(server: FakeLLMServer, make_client: ClientFactory) -> None:
    judge = LLMJudge(make_client(cache=False))
    server.script(
        Fault(reply='{"reasoning": "close enough", "label": "PARTIALLY CORRECT"}'),
        Fault(reply='{"reasoning": "It misses the name.", "label": "WRONG"}'),
    )
    assert judge.judge("What did Ana adopt?", "a puppy named Oscar", "a puppy").label == "WRONG"
    assert "$.label must be one of ['CORRECT', 'WRONG']" in server.requests[1].last_user_text
    assert judge.stats.repairs == 1


def test_prose_verdicts_count_only_when_unambiguous(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    judge = LLMJudge(make_client(cache=False))
    server.script(
        Fault(reply="The generated answer matches."),
        Fault(reply="Comparing both, the answer is CORRECT."),
        Fault(reply="not json"),
        Fault(reply="It could be CORRECT or WRONG."),
    )
    assert judge.judge("q", "gold", "pred").label == "CORRECT"
    unreadable = judge.judge("q", "gold", "pred")
    assert (unreadable.label, unreadable.score) == ("UNREADABLE", 0.0)
    assert judge.stats.unreadable == 1 and server.count() == 4
