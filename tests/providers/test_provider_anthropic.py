"""The anthropic SDK against the fake server's Messages endpoint."""

from __future__ import annotations

import pytest

from providers.config import LLMSettings
from providers.errors import ProviderConfigError, ProviderRequestError, ProviderUnavailableError
from providers.llm import open_llm
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault

SCHEMA = {
    "title": "Query",
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "filters": {"type": "object"},
        "speaker": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["text"],
}


def test_messages_request_shape_tokens_and_default_price(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client("anthropic", "claude-haiku-4-5-20251001", cache=False)
    completion = client.complete(
        "Who adopted a dog?", system="Answer briefly.", max_tokens=64, purpose="judge"
    )
    [request] = server.requests
    assert request.path == "/v1/messages"
    assert request.body["system"] == "Answer briefly."
    assert request.body["messages"] == [{"role": "user", "content": "Who adopted a dog?"}]
    assert (
        request.body["max_tokens"] == 64 and "temperature" not in request.body
    )  # the SDK has no such parameter
    assert completion.text == "fake answer"
    assert (completion.input_tokens, completion.output_tokens) == (6, 2)
    # claude-haiku-4-5 lists at $1 / $5 per million tokens; the dated snapshot takes its price
    assert completion.cost_usd == pytest.approx((6 * 1.00 + 2 * 5.00) / 1_000_000)
    [record] = client.ledger.records
    assert (record.purpose, record.provider, record.model) == (
        "judge",
        "anthropic",
        "anthropic:claude-haiku-4-5-20251001",
    )


def test_schema_goes_to_output_config_with_declared_objects_closed(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    completion = make_client("anthropic", "claude-haiku-4-5", cache=False).complete("q", json_schema=SCHEMA)
    sent = server.requests[0].body["output_config"]["format"]
    assert sent["type"] == "json_schema"
    assert sent["schema"]["additionalProperties"] is False
    assert (
        "additionalProperties" not in sent["schema"]["properties"]["filters"]
    )  # a free-form dict stays open
    assert "additionalProperties" not in SCHEMA  # the caller's schema is not modified
    assert completion.structured


def test_overloaded_and_rate_limited_are_retried(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client("anthropic", "claude-haiku-4-5", cache=False, max_attempts=3)
    server.script(
        Fault(status=529, message="Overloaded"), Fault(status=429, headers={"retry-after-ms": "50"})
    )
    assert client.complete("hi").attempts == 3
    assert server.count("/v1/messages") == 3


def test_overload_that_never_ends_names_anthropic(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client("anthropic", "claude-haiku-4-5", cache=False, max_attempts=2)
    server.script(Fault(status=529, message="Overloaded"), Fault(status=529, message="Overloaded"))
    with pytest.raises(
        ProviderUnavailableError, match=r"^Anthropic \(model claude-haiku-4-5\) failed \(server error"
    ):
        client.complete("hi")


def test_401_is_not_retried_and_names_the_key_variable(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client("anthropic", "claude-haiku-4-5", cache=False)
    server.script(Fault(status=401, message="invalid x-api-key"))
    with pytest.raises(ProviderRequestError) as caught:
        client.complete("hi")
    assert server.count() == 1
    assert str(caught.value) == (
        "Anthropic (model claude-haiku-4-5) refused the request with HTTP 401 (invalid x-api-key): "
        "set ANTHROPIC_API_KEY (or api_key in the [llm] config) to a valid key"
    )


def test_missing_key_fails_before_anything_is_sent(
    server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ProviderConfigError) as caught:
        open_llm("anthropic:claude-sonnet-4-5", LLMSettings(base_url=server.url, cache=False))
    assert str(caught.value) == (
        "no API key for Anthropic (model claude-sonnet-4-5): "
        "set ANTHROPIC_API_KEY or api_key in the [llm] config"
    )
    assert server.count() == 0


def test_key_is_read_from_the_environment(server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-environment-0001")
    client = open_llm("anthropic:claude-haiku-4-5", LLMSettings(base_url=server.url, cache=False))
    client.complete("hi")
    headers = {k.lower(): v for k, v in server.requests[0].headers.items()}
    presented = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
    assert presented == "sk-ant-from-environment-0001"
