"""`LLMClient.check()`: the pre-run probe that fails fast on a bad key, a wrong model or a dead server."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from providers.config import LLMSettings
from providers.errors import ProviderRequestError, ProviderUnavailableError
from providers.llm import open_llm
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault


def test_check_spends_nothing_and_records_nothing(server: FakeLLMServer, make_client: ClientFactory) -> None:
    for client in (
        make_client(cache=False),
        make_client("openai", "gpt-4.1-mini", cache=False),
        make_client("anthropic", "claude-haiku-4-5", cache=False),
    ):
        client.check()
        assert client.ledger.records == []
    assert [r.path for r in server.requests] == [
        "/v1/models",
        "/v1/models/gpt-4.1-mini",
        "/v1/models/claude-haiku-4-5",
    ]
    assert all(r.body == {} for r in server.requests)


def test_unknown_openai_model_fails_the_check(make_client: ClientFactory, server: FakeLLMServer) -> None:
    server.known_models = {"gpt-4.1-mini"}
    with pytest.raises(ProviderRequestError, match=r"OpenAI \(model gpt-4.1-nano\) refused .*HTTP 404"):
        make_client("openai", "gpt-4.1-nano", cache=False).check()


def test_rejected_key_fails_the_check(make_client: ClientFactory, server: FakeLLMServer) -> None:
    server.script(Fault(status=401, message="invalid x-api-key"))
    with pytest.raises(ProviderRequestError, match="set ANTHROPIC_API_KEY"):
        make_client("anthropic", "claude-haiku-4-5", cache=False).check()
    assert server.count() == 1


@pytest.mark.parametrize("status", [404, 405, 501])
def test_a_server_that_cannot_list_models_passes(
    make_client: ClientFactory, server: FakeLLMServer, status: int
) -> None:
    server.script(Fault(status=status, message="not implemented"))
    client = make_client(cache=False)
    client.check()  # some local servers have no /v1/models; the first call will tell
    assert server.count("/v1/models") == 1, "a listing that cannot be served is not retried"
    assert client.complete("hello").text == "fake answer"


def test_a_dead_server_fails_the_check_quickly(fast_settings: Callable[..., LLMSettings]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = open_llm(
        f"openai-compatible:http://127.0.0.1:{port}/v1:m", fast_settings(cache=False, max_attempts=5)
    )
    with pytest.raises(ProviderUnavailableError, match="connection on all 2 attempts") as caught:
        client.check()
    assert str(caught.value).endswith("start the server or fix the URL in --model")


def test_anthropic_model_without_structured_outputs_gets_schemas_in_the_prompt_only(
    make_client: ClientFactory, server: FakeLLMServer
) -> None:
    server.structured_outputs = False
    client = make_client("anthropic", "claude-old", cache=False)
    client.check()
    client.complete("fill it", json_schema={"type": "object", "properties": {"a": {"type": "string"}}})
    assert "output_config" not in server.requests[-1].body
