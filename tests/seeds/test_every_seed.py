"""What every seed of the library must do: meet the contract, evaluate offline, read alike when sandboxed."""

from __future__ import annotations

import pytest

from evaluators.conversation.domain import evaluate, load_dataset
from providers.embedders import HashedLexicalEmbedder
from sandbox.contract import load_program
from sandbox.process_backend import process_session_factory
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed
from tests.seeds.support import AGENT, NEED_AN_LLM, PART_A, PART_B


@pytest.fixture(scope="module")
def two_conversations():
    return load_dataset("synthetic:conversations=2")


@pytest.mark.parametrize("name", PART_A + PART_B)
def test_seed_meets_the_contract_and_evaluates_offline(name: str, two_conversations) -> None:
    seed = get_seed(name)
    program = load_program(seed.source)
    assert program.description.warnings == ()
    assert ("llm" in seed.requires) == (name in NEED_AN_LLM)
    assert seed.summary and seed.reimplements and seed.reference
    result = evaluate(
        seed.source,
        two_conversations,
        "all",
        AGENT,
        InProcessSession,
        Capabilities(embed=HashedLexicalEmbedder()),
    )
    assert result.status == "ok", result.failure_message
    assert result.metrics["evidence_recall"] > 0.4
    assert result.cost["llm_calls"] == 0


@pytest.fixture(scope="module")
def process_sandbox():
    factory = process_session_factory(prewarm=False)
    yield factory
    factory.close()


@pytest.mark.parametrize("name", PART_A + PART_B)
def test_seed_reads_the_same_in_the_process_sandbox(name: str, two_conversations, process_sandbox) -> None:
    conversation = two_conversations.conversations[0]
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    contexts = []
    for session in (
        InProcessSession(get_seed(name).source, capabilities),
        process_sandbox(get_seed(name).source, capabilities),
    ):
        try:
            for number, conversation_session in enumerate(conversation.sessions[:3], 1):
                turns = [f"{t.speaker}: {t.text}" for t in conversation_session.turns]
                raw_text = "\n".join([f"[session_{number} | {conversation_session.date}]", *turns])
                session.write(AGENT.fill_item(session.description, raw_text), raw_text)
            question = conversation.questions[0].question
            contexts.append(session.read(AGENT.fill_query(session.description, question, ""))[0])
        finally:
            session.close()
    assert contexts[0] == contexts[1] and contexts[0]
