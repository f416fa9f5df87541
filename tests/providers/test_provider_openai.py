"""The openai SDK against the fake server: request shape, retries, timeouts, errors that must not retry."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from providers.config import LLMSettings
from providers.errors import ProviderRequestError, ProviderUnavailableError
from providers.llm import open_llm
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault

SCHEMA = {
    "title": "KnowledgeItem",
    "type": "object",
    "properties": {"summary": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["summary"],
}


def test_compatible_server_gets_a_classic_chat_request(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False)
    completion = client.complete("What did Ana adopt?", system="Be brief.", max_tokens=40, purpose="agent")
    assert completion.text == "fake answer"
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "fake-model"
    assert request.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What did Ana adopt?"},
    ]
    assert request.body["max_tokens"] == 40 and request.body["temperature"] == 0
    assert "response_format" not in request.body
    assert (completion.input_tokens, completion.output_tokens) == (6, 2)  # the server's word counts


def test_openai_models_get_max_completion_tokens_and_reasoning_models_no_temperature(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    make_client("openai", "gpt-4.1-mini", cache=False).complete("hi", max_tokens=30)
    make_client("openai", "o4-mini", cache=False).complete("hi", max_tokens=30)
    chat, reasoning = (r.body for r in server.requests)
    assert chat["max_completion_tokens"] == 30 and "max_tokens" not in chat and chat["temperature"] == 0
    assert reasoning["max_completion_tokens"] == 30 and "temperature" not in reasoning


def test_json_schema_is_sent_as_native_structured_output(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    completion = make_client(cache=False).complete("fill it", json_schema=SCHEMA)
    response_format = server.requests[0].body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"] == {"name": "KnowledgeItem", "schema": SCHEMA, "strict": False}
    assert completion.structured
    assert completion.text == '{"summary": "fake summary", "tags": ["fake tags"]}'


def test_a_server_rejecting_native_schemas_is_asked_again_without_and_never_again(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False)
    server.script(Fault(status=400, message="response_format json_schema is not supported"))
    first = client.complete("fill it", json_schema=SCHEMA)
    second = client.complete("fill it again", json_schema=SCHEMA)
    assert [("response_format" in r.body) for r in server.requests] == [True, False, False]
    assert not first.structured and not second.structured
    assert [r.outcome for r in client.ledger.records] == ["ok", "ok"]


def test_429_waits_as_long_as_retry_after_says(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(cache=False)
    server.script(Fault(status=429, headers={"Retry-After": "1"}, message="slow down"))
    completion = client.complete("hello")
    assert server.count() == 2
    first, second = server.requests
    # the policy's own backoff is 10 ms; only honouring Retry-After explains a wait of a second
    assert second.at - first.at >= 1.0
    assert completion.attempts == 2 and client.ledger.records[0].attempts == 2


def test_retry_after_ms_is_preferred_for_precision(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(cache=False)
    server.script(Fault(status=429, headers={"retry-after-ms": "300", "Retry-After": "30"}))
    client.complete("hello")
    first, second = server.requests
    assert 0.3 <= second.at - first.at < 5


def test_server_errors_are_retried_until_one_succeeds(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, max_attempts=4)
    server.script(Fault(status=500), Fault(status=503))
    assert client.complete("hello").text == "fake answer"
    assert server.count() == 3


def test_retries_give_up_after_max_attempts_with_one_clear_sentence(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, max_attempts=3)
    server.script(*[Fault(status=500, message="boom")] * 5)
    with pytest.raises(ProviderUnavailableError) as caught:
        client.complete("hello")
    assert server.count() == 3 and caught.value.attempts == 3
    message = str(caught.value)
    assert "\n" not in message
    assert "OpenAI-compatible server at http://127.0.0.1" in message and "model fake-model" in message
    assert "server error on all 3 attempts" in message
    [record] = client.ledger.records
    assert (record.outcome, record.attempts, record.error) == ("error", 3, message)


def test_a_hanging_response_times_out_and_is_retried(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, timeout=0.3)
    server.script(Fault(hang=3.0))
    completion = client.complete("hello")
    assert completion.text == "fake answer" and server.count() == 2
    assert completion.latency_s < 2.5  # it did not wait for the hanging answer


def test_a_server_that_always_hangs_fails_naming_the_timeout(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, timeout=0.2, max_attempts=2)
    server.script(Fault(hang=3.0), Fault(hang=3.0))
    with pytest.raises(
        ProviderUnavailableError, match=r"timeout on all 2 attempts.*raise timeout \(now 0.2 s\)"
    ):
        client.complete("hello")
    assert server.count() == 2


def test_a_body_that_is_not_json_is_retried(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(cache=False)
    server.script(Fault(raw_body=b"<html>502 bad gateway</html>"))
    assert client.complete("hello").text == "fake answer"
    assert server.count() == 2


@pytest.mark.parametrize(
    ("status", "fix"),
    [
        (401, "set OPENAI_COMPATIBLE_API_KEY"),
        (403, "use a key whose project may call this model"),
        (404, "check the model name"),
        (400, "check the model name and the request settings"),
        (422, "check the model name and the request settings"),
    ],
)
def test_client_errors_are_not_retried_and_say_what_to_fix(
    server: FakeLLMServer, make_client: ClientFactory, status: int, fix: str
) -> None:
    client = make_client(cache=False)
    server.script(Fault(status=status, message="nope"))
    with pytest.raises(ProviderRequestError) as caught:
        client.complete("hello")
    assert server.count() == 1
    message = str(caught.value)
    assert f"HTTP {status} (nope)" in message and fix in message and "model fake-model" in message
    assert "\n" not in message and caught.value.status == status


def test_openai_401_names_openai_and_its_key_variable(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client("openai", "gpt-4.1-mini", cache=False)
    server.script(Fault(status=401, message="Incorrect API key"))
    with pytest.raises(
        ProviderRequestError, match=r"^OpenAI \(model gpt-4.1-mini\) refused .*set OPENAI_API_KEY"
    ):
        client.complete("hello")
    assert server.count() == 1


def test_an_exhausted_quota_is_not_retried_like_a_rate_limit(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False)
    server.script(
        Fault(status=429, message="You exceeded your current quota", error_code="insufficient_quota")
    )
    with pytest.raises(ProviderRequestError, match="add credit or raise the quota"):
        client.complete("hello")
    assert server.count() == 1


def test_a_retry_after_too_long_to_wait_fails_at_once(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, max_retry_after=5)
    server.script(Fault(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(ProviderUnavailableError, match=r"asked to wait 3600 s.*lower max_concurrency"):
        client.complete("hello")
    assert server.count() == 1


def test_nothing_listening_fails_with_start_the_server(fast_settings: Callable[..., LLMSettings]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = open_llm(
        f"openai-compatible:http://127.0.0.1:{port}/v1:m", fast_settings(cache=False, max_attempts=2)
    )
    with pytest.raises(
        ProviderUnavailableError, match=r"connection on all 2 attempts.*start the server or fix the URL"
    ):
        client.complete("hello")
