"""The LLM agent against the fake server: schema filling, repair, answering, and a whole evaluation."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from textwrap import dedent

import pytest

from evaluators.conversation.data import Conversation, ConversationDataset, Question, Session, Turn
from evaluators.conversation.domain import evaluate
from evaluators.conversation.llm_agent import NOTHING_RETRIEVED, LLMConversationAgent
from evaluators.planning.llm_agent import LLMPlanningAgent
from providers.embedders import HashedLexicalEmbedder
from providers.errors import BudgetExhausted
from providers.llm import toolkit_backend
from sandbox.contract import ProgramDescription, load_program
from sandbox.session import Capabilities, InProcessSession
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault, SeenRequest, echoing, reading

PROGRAM_SOURCE = dedent(
    '''
    from dataclasses import dataclass, field

    REQUIRES = ("llm",)
    INSTRUCTION_KNOWLEDGE_ITEM = "Summarise the session in one sentence and list the people in it."
    INSTRUCTION_QUERY = "Turn the question into a search query."
    INSTRUCTION_RESPONSE = "Answer in a few words from the retrieved memory."
    ALWAYS_ON_KNOWLEDGE = "Dates in the memory are when a session happened."


    @dataclass
    class KnowledgeItem:
        """One session, summarised."""

        summary: str = field(metadata={"description": "one sentence"})
        people: list[str] = field(default_factory=list, metadata={"description": "names mentioned"})


    @dataclass
    class Query:
        text: str = field(metadata={"description": "the search query"})


    class KnowledgeBase:
        def __init__(self, toolkit):
            self.toolkit = toolkit
            self.sessions = []

        def write(self, item, raw_text):
            self.sessions.append(raw_text)

        def read(self, query):
            memory = "\\n".join(self.sessions)
            return self.toolkit.llm("Which lines answer: " + query.text + "\\n" + memory, max_tokens=100)
    '''
)
PROGRAM = load_program(PROGRAM_SOURCE, "llm_agent_test_program").description
RAW_TEXT = "[session_1 | 8 May 2023]\nAna: I adopted a puppy named Oscar yesterday!\nBen: Congratulations!"


def test_item_is_filled_from_the_programs_instruction_and_schema(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMConversationAgent(make_client(cache=False))
    item = agent.fill_item(PROGRAM, RAW_TEXT)
    assert item == {"summary": "fake summary", "people": ["fake people"]}
    [request] = server.requests
    prompt = request.last_user_text
    assert PROGRAM.instructions["INSTRUCTION_KNOWLEDGE_ITEM"] in prompt and RAW_TEXT in prompt
    assert json.dumps(PROGRAM.knowledge_item_schema, indent=2) in prompt  # the schema is in the prompt too
    assert request.json_schema == PROGRAM.knowledge_item_schema
    assert "Dates in the memory are when a session happened." in request.body["messages"][0]["content"]
    assert agent.stats.to_json() == {"items": 1, "queries": 0, "answers": 0, "repairs": 0, "fallbacks": 0}


def test_query_carries_the_question_and_its_date(server: FakeLLMServer, make_client: ClientFactory) -> None:
    agent = LLMConversationAgent(make_client(cache=False))
    assert agent.fill_query(PROGRAM, "What did Ana adopt?", "10 May 2023") == {"text": "fake text"}
    prompt = server.requests[0].last_user_text
    assert "Question: What did Ana adopt?\nAsked on: 10 May 2023" in prompt
    assert PROGRAM.instructions["INSTRUCTION_QUERY"] in prompt
    assert server.requests[0].json_schema == PROGRAM.query_schema


def test_a_wrong_schema_is_repaired_once(server: FakeLLMServer, make_client: ClientFactory) -> None:
    agent = LLMConversationAgent(make_client(cache=False))
    server.script(Fault(reply='{"summmary": "typo in the key", "people": "Ana"}'))
    item = agent.fill_item(PROGRAM, RAW_TEXT)
    assert item == {"summary": "fake summary", "people": ["fake people"]}
    assert server.count() == 2
    repair = server.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": '{"summmary": "typo in the key", "people": "Ana"}'}
    assert "$ is missing the required field 'summary'" in repair[-1]["content"]
    assert "$.people must be array, not string" in repair[-1]["content"]
    assert (agent.stats.repairs, agent.stats.fallbacks) == (1, 0)


def test_the_planning_agent_fills_schemas_the_same_way_native_schema_and_one_repair(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMPlanningAgent(make_client(cache=False))
    server.script(Fault(reply='{"summmary": "typo in the key"}'))
    item = agent.fill_item(PROGRAM, "You put the apple in the fridge.", 0)
    assert item == {"summary": "fake summary", "people": ["fake people"]}
    first, repair = server.requests
    assert first.json_schema == PROGRAM.knowledge_item_schema
    assert json.dumps(PROGRAM.knowledge_item_schema, indent=2) in first.last_user_text
    assert repair.messages[-2] == {"role": "assistant", "content": '{"summmary": "typo in the key"}'}
    assert agent.llm_calls == 2
    assert agent.fill_query(PROGRAM, "put a clean apple in the fridge", 1) == {"text": "fake text"}
    assert server.requests[-1].json_schema == PROGRAM.query_schema


def test_malformed_json_twice_falls_back_to_deterministic_filling(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMConversationAgent(make_client(cache=False))
    server.script(
        Fault(reply="Sure! Here is the item: summary = Ana adopted"), Fault(reply="{'summary': 'x'")
    )
    item = agent.fill_item(PROGRAM, RAW_TEXT)
    assert server.count() == 2
    assert item["summary"] == RAW_TEXT  # the offline agent's filling: the session itself
    assert (agent.stats.repairs, agent.stats.fallbacks) == (1, 1)


def test_json_in_prose_or_fences_is_accepted_without_repair(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMConversationAgent(make_client(cache=False))
    server.script(Fault(reply='Here it is:\n```json\n{"text": "puppy Ana adopted"}\n```'))
    assert agent.fill_query(PROGRAM, "What did Ana adopt?", "") == {"text": "puppy Ana adopted"}
    assert server.count() == 1 and agent.stats.repairs == 0


def test_a_server_without_structured_output_still_gets_valid_items(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    def from_prompt(request: SeenRequest) -> str:
        # A plain model: it can only read the schema from the prompt.
        if "response_format" in request.body:
            raise AssertionError("the fake server should have rejected this request")
        schema = json.loads(re.search(r"JSON Schema:\n(\{.*\})\n\nReply", request.last_user_text, re.S)[1])
        return json.dumps({name: "from the prompt" for name in schema["required"]})

    server.reply = from_prompt
    agent = LLMConversationAgent(make_client(cache=False))
    server.script(Fault(status=400, message="unknown field: response_format"))
    assert agent.fill_query(PROGRAM, "What did Ana adopt?", "") == {"text": "from the prompt"}
    assert agent.fill_item(PROGRAM, RAW_TEXT) == {"summary": "from the prompt"}
    assert ["response_format" in r.body for r in server.requests] == [True, False, False]


def test_answer_shows_memory_question_and_response_instruction(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMConversationAgent(make_client(cache=False), answer_max_tokens=64)
    server.script(Fault(reply="  a puppy named Oscar \n"))
    answer = agent.answer(PROGRAM, "What did Ana adopt?", "Ana: I adopted a puppy named Oscar", "10 May 2023")
    assert answer == "a puppy named Oscar"
    [request] = server.requests
    assert request.last_user_text == (
        "<retrieved_memory>\nAna: I adopted a puppy named Oscar\n</retrieved_memory>\n\n"
        "Question: What did Ana adopt?\nAsked on: 10 May 2023\n\n"
        "Answer in a few words from the retrieved memory."
    )
    assert request.body["max_tokens"] == 64 and "response_format" not in request.body


def test_the_benchmarks_reading_model_answers_from_the_best_line_where_echoing_takes_the_first(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    """The fake task models of the benchmarks: `reading` reads the whole memory, as a real model would."""
    agent = LLMConversationAgent(make_client(cache=False))
    memory = "Ben: pottery on Tuesdays\nAna: I adopted a puppy named Oscar\nAna: the puppy sleeps a lot"
    server.reply = reading()
    assert agent.answer(PROGRAM, "What did Ana adopt?", memory, "") == "Ana: I adopted a puppy named Oscar"
    assert agent.answer(PROGRAM, "What did Ana adopt?", "", "") == NOTHING_RETRIEVED
    server.reply = echoing()
    assert agent.answer(PROGRAM, "What did Ana adopt?", memory, "") == "Ben: pottery on Tuesdays"
    server.reply = reading()
    assert agent.fill_query(PROGRAM, "What did Ana adopt?", "") == {"text": "What did Ana adopt?"}


def test_anthropic_agent_uses_output_config(server: FakeLLMServer, make_client: ClientFactory) -> None:
    agent = LLMConversationAgent(make_client("anthropic", "claude-haiku-4-5", cache=False))
    assert agent.fill_item(PROGRAM, RAW_TEXT) == {"summary": "fake summary", "people": ["fake people"]}
    assert server.requests[0].json_schema is not None and server.requests[0].path == "/v1/messages"
    assert agent.name == "llm:anthropic:claude-haiku-4-5"


def test_budget_stop_propagates_instead_of_falling_back(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    agent = LLMConversationAgent(make_client(cache=False, budget={"max_calls": 1}))
    agent.fill_query(PROGRAM, "What did Ana adopt?", "")
    with pytest.raises(BudgetExhausted):
        agent.fill_item(PROGRAM, RAW_TEXT)


def conversation() -> Conversation:
    sessions = (
        Session(
            "session_1", "8 May 2023", (Turn("D1:1", "Ana", "I adopted a puppy named Oscar yesterday!"),)
        ),
        Session("session_2", "20 June 2023", (Turn("D2:1", "Ben", "I started pottery classes this week."),)),
    )
    questions = (
        Question("q1", "What did Ana adopt?", "a puppy named Oscar", ("D1:1",), 4),
        Question("q2", "What class did Ben start?", "pottery", ("D2:1",), 4),
    )
    return Conversation("c1", ("Ana", "Ben"), sessions, questions)


def pipeline_reply(request: SeenRequest) -> str:
    """Answers like a tiny model: items and queries from the prompt, answers from the memory."""
    text = request.last_user_text
    if request.json_schema is not None:
        if "KnowledgeItem" in text:
            return json.dumps({"summary": text.split("Text:\n", 1)[1].split("\n\n", 1)[0], "people": ["Ana"]})
        return json.dumps({"text": text.split("Question: ", 1)[1].split("\n", 1)[0]})
    if text.startswith("Which lines answer:"):  # the program's own toolkit.llm call
        query, memory = text.removeprefix("Which lines answer: ").split("\n", 1)
        topic = "puppy" if "adopt" in query else "pottery"
        return "\n".join(line for line in memory.splitlines() if topic in line)
    memory = text.split("<retrieved_memory>\n", 1)[1].split("\n</retrieved_memory>", 1)[0]
    return "a puppy named Oscar" if "puppy" in memory else "pottery" if "pottery" in memory else "not known"


def test_a_whole_evaluation_runs_with_its_calls_accounted(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    server.reply = pipeline_reply
    client = make_client(prices={"fake-model": {"input": 1.0, "output": 2.0}})
    agent = LLMConversationAgent(client)
    capabilities = Capabilities(embed=HashedLexicalEmbedder(), llm=toolkit_backend(client))
    dataset = ConversationDataset("two-sessions", (conversation(),))
    result = evaluate(PROGRAM_SOURCE, dataset, "all", agent, InProcessSession, capabilities)

    assert result.status == "ok" and result.agent == "llm:" + client.name
    assert [case.output for case in result.cases] == ["a puppy named Oscar", "pottery"]
    assert result.score == 1.0
    records = client.ledger.records
    purposes = [r.purpose for r in records]
    assert purposes.count("agent") == 2 + 2 * 2  # an item per session, a query and an answer per question
    assert purposes.count("toolkit") == 2  # the program's one llm call per read
    assert all(r.outcome == "ok" and r.input_tokens > 0 and r.output_tokens > 0 for r in records)
    for record in records:
        assert record.cost_usd == pytest.approx(
            (record.input_tokens * 1.0 + record.output_tokens * 2.0) / 1e6
        )
    assert server.count() == len(records)

    # Evaluating again is free: every request is answered from the cache.
    again = evaluate(
        PROGRAM_SOURCE, dataset, "all", LLMConversationAgent(client), InProcessSession, capabilities
    )
    assert again.score == 1.0 and server.count() == len(records)
    assert client.ledger.totals().cached_calls == len(records)


def test_program_description_round_trip_is_what_the_agent_sees() -> None:
    # The sandboxed backends hand the agent a description that crossed the wire as JSON.
    assert ProgramDescription.from_json(json.loads(json.dumps(PROGRAM.to_json()))) == PROGRAM


def slow_pipeline_reply(request: SeenRequest) -> str:
    time.sleep(0.05)  # long enough for calls that are allowed to overlap to overlap
    return pipeline_reply(request)


def many_questions() -> Conversation:
    """The two-session conversation, its questions asked five times each: ten answers to overlap."""
    base = conversation()
    questions = tuple(
        Question(f"{question.question_id}-{n}", question.question, question.answer, question.evidence, 4)
        for n in range(5)
        for question in base.questions
    )
    return Conversation(base.conversation_id, base.speakers, base.sessions, questions)


def test_an_episodes_calls_overlap_within_the_models_limit_and_change_no_result(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    server.reply = slow_pipeline_reply
    dataset = ConversationDataset("many-questions", (many_questions(),))

    def evaluate_with(limit: int) -> list[tuple[str, str, float]]:
        client = make_client(cache=False, max_concurrency=limit)
        capabilities = Capabilities(embed=HashedLexicalEmbedder(), llm=toolkit_backend(client))
        # two evaluations at once in this process share the one client, and so its limit
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(
                    evaluate,
                    PROGRAM_SOURCE,
                    dataset,
                    "all",
                    LLMConversationAgent(client),
                    InProcessSession,
                    capabilities,
                )
                for _ in range(2)
            ]
            results = [run.result() for run in runs]
        assert [c.output for c in results[0].cases] == [c.output for c in results[1].cases]
        return [(case.case_id, case.output, case.score) for case in results[0].cases]

    sequential = evaluate_with(1)
    assert server.max_in_flight == 1
    server.max_in_flight = 0
    concurrent = evaluate_with(3)
    assert server.max_in_flight == 3, "the calls did not overlap up to the limit, or went past it"
    assert concurrent == sequential
    assert [output for _, output, _ in concurrent] == ["a puppy named Oscar", "pottery"] * 5
