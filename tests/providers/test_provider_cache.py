"""The response cache: identical temperature-0 requests reach the server once, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.errors import BudgetExhausted
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer


def test_identical_request_is_answered_from_the_cache(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(prices={"fake-model": {"input": 1.0, "output": 1.0}})
    first = client.complete("What did Ana adopt?", system="Be brief.", max_tokens=50)
    second = client.complete("What did Ana adopt?", system="Be brief.", max_tokens=50)
    assert server.count() == 1
    assert second.text == first.text and second.cached and not first.cached
    assert (second.input_tokens, second.output_tokens, second.cost_usd) == (first.input_tokens, 2, 0.0)
    assert [r.outcome for r in client.ledger.records] == ["ok", "cached"]
    totals = client.ledger.totals()
    assert (totals.calls, totals.cached_calls, totals.cost_usd) == (1, 1, first.cost_usd)


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "What did Ana buy?"},
        {"system": "Be verbose."},
        {"max_tokens": 51},
        {"json_schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
    ],
)
def test_any_difference_in_the_request_misses(
    server: FakeLLMServer, make_client: ClientFactory, change: dict[str, object]
) -> None:
    client = make_client()
    base: dict[str, object] = {"prompt": "What did Ana adopt?", "system": "Be brief.", "max_tokens": 50}
    client.complete(**base)  # type: ignore[arg-type]
    client.complete(**(base | change))  # type: ignore[arg-type]
    assert server.count() == 2


def test_nonzero_temperature_is_never_cached(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client()
    client.complete("tell me a story", temperature=0.7)
    client.complete("tell me a story", temperature=0.7)
    assert server.count() == 2


def test_cache_can_be_turned_off(server: FakeLLMServer, make_client: ClientFactory, tmp_path: Path) -> None:
    client = make_client(cache=False)
    client.complete("hello")
    client.complete("hello")
    assert server.count() == 2 and client.cache is None
    assert not (tmp_path / "llm-cache.sqlite").exists()


def test_cache_survives_the_client_and_is_per_model(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    make_client().complete("hello")
    assert make_client().complete("hello").cached  # a new client (a resumed run) reads the same file
    assert not make_client(model="other-model").complete("hello").cached
    assert server.count() == 2


def test_cached_answers_spend_no_budget(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(budget={"max_calls": 1})
    client.complete("hello")
    assert client.complete("hello").cached
    with pytest.raises(BudgetExhausted):
        client.complete("something new")
    assert server.count() == 1
