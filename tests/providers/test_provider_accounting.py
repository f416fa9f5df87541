"""Cost records, prices, budgets and the concurrency limit, observed through real calls to the fake server."""

from __future__ import annotations

import json
import threading
import tracemalloc
from pathlib import Path

import pytest

from providers.accounting import DEFAULT_PRICES, Budget, CallRecord, Ledger, Price, PriceTable
from providers.errors import BudgetExhausted, ProviderConfigError, ProviderUnavailableError
from tests.providers.conftest import ClientFactory
from tests.providers.fake_llm_server import FakeLLMServer, Fault


def test_cost_is_tokens_times_the_overridden_price(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(cache=False, prices={"fake-model": {"input": 2.0, "output": 10.0}})
    completion = client.complete("one two three four", purpose="mutation")  # 4 words in, "fake answer" out
    assert (completion.input_tokens, completion.output_tokens) == (4, 2)
    assert completion.cost_usd == pytest.approx((4 * 2.0 + 2 * 10.0) / 1_000_000)
    [record] = client.ledger.records
    assert record.purpose == "mutation" and record.outcome == "ok"
    assert record.cost_usd == completion.cost_usd and record.latency_s > 0


def test_price_table_matches_snapshots_longest_key_first_and_overrides_win() -> None:
    table = PriceTable({"gpt-4.1-mini": Price(9.0, 9.0)})
    assert table.price_for("openai", "gpt-4.1-mini-2025-04-14") == Price(9.0, 9.0)
    assert table.price_for("openai", "gpt-4.1-2025-04-14") == DEFAULT_PRICES["openai:gpt-4.1"]
    assert table.price_for("openai", "gpt-4o-mini") == DEFAULT_PRICES["openai:gpt-4o-mini"]
    assert (
        table.price_for("anthropic", "claude-opus-4-5-20251101")
        == DEFAULT_PRICES["anthropic:claude-opus-4-5"]
    )
    assert table.price_for("openai", "gpt-4.10") is None  # a prefix is not a snapshot
    assert table.price_for("openai", "some-new-model") is None
    assert table.price_for("openai-compatible", "qwen2.5-coder") == Price(0.0, 0.0)
    assert PriceTable({"openai-compatible:qwen2.5-coder": (0.1, 0.2)}).price_for(
        "openai-compatible", "qwen2.5-coder"
    ) == Price(0.1, 0.2)


def test_unpriced_model_is_recorded_without_a_cost(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client("openai", "brand-new-model", cache=False)
    assert client.complete("hi").cost_usd is None
    assert client.ledger.totals().unpriced_calls == 1


def test_dollar_budget_needs_a_price(make_client: ClientFactory) -> None:
    with pytest.raises(
        ProviderConfigError, match=r"no price is known for openai:brand-new-model.*\[llm.prices\]"
    ):
        make_client("openai", "brand-new-model", budget={"max_dollars": 1.0})


def test_call_budget_stops_new_calls_with_a_reason(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(cache=False, budget={"max_calls": 2})
    client.complete("first")
    client.complete("second")
    with pytest.raises(BudgetExhausted) as caught:
        client.complete("third")
    assert server.count() == 2
    assert caught.value.limit == "calls"
    assert str(caught.value) == "the LLM budget of 2 calls is spent; raise max_calls to continue"


def test_token_budget_counts_what_the_provider_billed(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, budget={"max_tokens": 10})
    client.complete("one two three four five six")  # 6 in + 2 out = 8 tokens: under the limit
    client.complete("one two")  # 2 + 2 = 12 in total: this call was allowed to start, now the limit is passed
    with pytest.raises(BudgetExhausted, match="10 tokens is spent \\(12 used\\)"):
        client.complete("three")
    assert server.count() == 2


def test_dollar_budget(server: FakeLLMServer, make_client: ClientFactory) -> None:
    client = make_client(
        cache=False,
        prices={"fake-model": {"input": 100_000.0, "output": 100_000.0}},
        budget={"max_dollars": 1.0},
    )
    # 6 tokens at $0.10 each = $0.60; it could have cost $1.00: 4 + 4 input tokens at most, 2 output
    client.complete("a b c d", max_tokens=2)
    with pytest.raises(BudgetExhausted, match=r"\$1.00 is spent or promised .* may cost up to \$1.0000"):
        client.complete("a b c d", max_tokens=2)  # $0.60 + up to $1.00 could pass $1.00: not sent
    assert client.ledger.totals().cost_usd == pytest.approx(0.6)
    assert server.count() == 1


def test_calls_in_flight_never_take_the_dollars_past_the_budget(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    """Eight threads call until the budget refuses them; each call is reserved at what it can cost before
    it is sent, so the calls in flight together cannot overspend (without it, all eight would be sent)."""
    client = make_client(
        cache=False, prices={"fake-model": {"input": 1000.0, "output": 1000.0}}, budget={"max_dollars": 0.2}
    )
    server.script(*[Fault(hang=0.1) for _ in range(8)])
    refused = []

    def call_until_refused() -> None:
        while True:
            try:
                client.complete(" ".join(["a"] * 40), max_tokens=10)  # $0.042; up to $0.054
            except BudgetExhausted:
                refused.append(True)
                return

    threads = [threading.Thread(target=call_until_refused) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals = client.ledger.totals()
    assert len(refused) == 8 and server.max_in_flight == 3  # $0.2 holds three reservations of $0.054
    assert totals.calls == server.count() == 4 and totals.cost_usd == pytest.approx(4 * 0.042)
    assert totals.cost_usd <= 0.2


def test_spending_outside_the_ledger_counts_against_its_dollars(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(
        cache=False, prices={"fake-model": {"input": 1000.0, "output": 1000.0}}, budget={"max_dollars": 0.2}
    )
    client.ledger.count_outside(lambda: 0.15)  # e.g. the task agent's calls in the run's workers
    with pytest.raises(BudgetExhausted, match=r"promised to calls in flight \(\$0.1500"):
        client.complete(" ".join(["a"] * 40), max_tokens=10)
    assert server.count() == 0


def test_clients_sharing_a_ledger_share_the_budget(server: FakeLLMServer, make_client: ClientFactory) -> None:
    ledger = Ledger(Budget(max_calls=2))
    agent = make_client(cache=False, ledger=ledger)
    judge = make_client("anthropic", "claude-haiku-4-5", cache=False, ledger=ledger)
    agent.complete("a", purpose="agent")
    judge.complete("b", purpose="judge")
    with pytest.raises(BudgetExhausted):
        agent.complete("c")
    totals = ledger.totals()
    assert totals.calls == 2 and set(totals.by_purpose) == {"agent", "judge"}


def test_failed_calls_are_recorded_and_count_as_calls(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, max_attempts=2, budget={"max_calls": 1})
    server.script(Fault(status=500), Fault(status=500))
    with pytest.raises(ProviderUnavailableError):
        client.complete("a")
    with pytest.raises(BudgetExhausted):
        client.complete("b")
    [record] = client.ledger.records
    assert (record.outcome, record.attempts, record.cost_usd) == ("error", 2, 0.0)
    assert client.ledger.totals().failed_calls == 1


def test_ledger_writes_a_jsonl_sink_and_notifies_subscribers(tmp_path: Path) -> None:
    ledger = Ledger(sink=tmp_path / "calls" / "llm.jsonl")
    seen: list[CallRecord] = []
    ledger.subscribe(seen.append)
    record = CallRecord("toolkit", "openai", "openai:gpt-4.1-mini", 10, 5, 0.001, 0.2, "ok")
    ledger.record(record)
    lines = (tmp_path / "calls" / "llm.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [record.to_json()]
    assert seen == [record]


def test_concurrency_limit_bounds_requests_in_flight(
    server: FakeLLMServer, make_client: ClientFactory
) -> None:
    client = make_client(cache=False, max_concurrency=2)
    server.script(*[Fault(hang=0.15) for _ in range(6)])
    threads = [threading.Thread(target=client.complete, args=(f"question {i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.count() == 6
    assert server.max_in_flight == 2


def _record(index: int) -> CallRecord:
    return CallRecord("toolkit", "openai", "m", 10, 5, 0.001, 0.1, "ok" if index % 10 else "error")


def test_a_ledger_stays_flat_over_thousands_of_evaluations_and_gives_each_its_own_calls() -> None:
    ledger = Ledger()

    def evaluation(number: int) -> list[CallRecord]:
        with ledger.recording() as calls:
            for call in range(5):
                ledger.record(_record(number * 5 + call))
        return calls

    tracemalloc.start()
    try:
        for number in range(1000):
            assert len(evaluation(number)) == 5
        after_1000 = tracemalloc.get_traced_memory()[0]
        for number in range(1000, 3000):
            assert len(evaluation(number)) == 5
        after_3000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_3000 - after_1000 < 50_000, "the ledger grows with every evaluation"
    totals = ledger.totals()
    assert (totals.calls, totals.failed_calls, totals.input_tokens) == (15_000, 1_500, 150_000)
    assert totals.cost_usd == pytest.approx(15.0) and totals.by_purpose["toolkit"]["calls"] == 15_000
