"""What every model call cost, and the budget that stops new calls when a run has spent enough.

Each call, whether answered by the provider, by the cache or by an error, leaves one `CallRecord`
in the run's `Ledger`. The archive persists them (subscribe to the ledger), the CLI prints their
totals, and the budget reads the same numbers, so what is reported is what was enforced.

Prices are US dollars per million tokens. The defaults are list prices at the time of writing and
will drift; users override them (`[llm.prices]` in the config, or `PriceTable({...})`). Models
served by an OpenAI-compatible server cost nothing unless a price is given, because they are
usually local.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from providers.errors import BudgetExhausted

Purpose = Literal["agent", "toolkit", "mutation", "judge", "embedding"]
PURPOSES: tuple[Purpose, ...] = ("agent", "toolkit", "mutation", "judge", "embedding")
Outcome = Literal["ok", "cached", "error"]


@dataclass(frozen=True)
class Price:
    """Dollars per million input and output tokens."""

    input_per_mtok: float
    output_per_mtok: float = 0.0

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1_000_000


DEFAULT_PRICES: dict[str, Price] = {
    "openai:gpt-4.1": Price(2.00, 8.00),
    "openai:gpt-4.1-mini": Price(0.40, 1.60),
    "openai:gpt-4.1-nano": Price(0.10, 0.40),
    "openai:gpt-4o": Price(2.50, 10.00),
    "openai:gpt-4o-mini": Price(0.15, 0.60),
    "openai:o3": Price(2.00, 8.00),
    "openai:o3-mini": Price(1.10, 4.40),
    "openai:o4-mini": Price(1.10, 4.40),
    "openai:gpt-5": Price(1.25, 10.00),
    "openai:gpt-5-mini": Price(0.25, 2.00),
    "openai:gpt-5-nano": Price(0.05, 0.40),
    "openai:text-embedding-3-small": Price(0.02),
    "openai:text-embedding-3-large": Price(0.13),
    "anthropic:claude-opus-4": Price(15.00, 75.00),
    "anthropic:claude-opus-4-1": Price(15.00, 75.00),
    "anthropic:claude-opus-4-5": Price(5.00, 25.00),
    "anthropic:claude-sonnet-4": Price(3.00, 15.00),
    "anthropic:claude-sonnet-4-5": Price(3.00, 15.00),
    "anthropic:claude-haiku-4-5": Price(1.00, 5.00),
    "anthropic:claude-3-5-haiku": Price(0.80, 4.00),
}


class PriceTable:
    """Looks up a model's price: overrides first, then the defaults; None when neither knows the model.

    Keys are `provider:model` or a bare `model` (any provider). A key also matches dated snapshots of
    its model (`gpt-4.1-mini` prices `gpt-4.1-mini-2025-04-14`); the longest matching key wins.
    """

    def __init__(
        self, overrides: Mapping[str, Price | Mapping[str, float] | tuple[float, float]] | None = None
    ) -> None:
        self._overrides = {key: _as_price(value) for key, value in (overrides or {}).items()}

    def price_for(self, provider: str, model: str) -> Price | None:
        for table in (self._overrides, DEFAULT_PRICES):
            found = _longest_match(table, provider, model)
            if found is not None:
                return found
        if provider == "openai-compatible":
            return Price(0.0, 0.0)
        return None


def _as_price(value: Price | Mapping[str, float] | tuple[float, float]) -> Price:
    if isinstance(value, Price):
        return value
    if isinstance(value, Mapping):
        return Price(float(value.get("input", 0.0)), float(value.get("output", 0.0)))
    return Price(float(value[0]), float(value[1]))


def _longest_match(table: Mapping[str, Price], provider: str, model: str) -> Price | None:
    best: tuple[int, Price] | None = None
    for key, price in table.items():
        key_provider, sep, key_model = key.partition(":")
        if not sep:
            key_provider, key_model = "", key
        elif key_provider != provider:
            continue
        if (model == key_model or model.startswith(key_model + "-")) and (
            best is None or len(key_model) > best[0]
        ):
            best = (len(key_model), price)
    return best[1] if best else None


@dataclass(frozen=True)
class CallRecord:
    """One model call. `cost_usd` is None when the model has no known price; cached calls cost 0."""

    purpose: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    latency_s: float
    outcome: Outcome
    attempts: int = 1
    error: str = ""
    started_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Budget:
    """Limits for a run; None means unlimited. Cached answers spend nothing and always pass."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_dollars: float | None = None


@dataclass(frozen=True)
class LedgerTotals:
    """Sums over call records; `calls` counts provider calls (cache hits are counted apart), tokens and
    dollars count provider calls only, `unpriced_calls` succeeded without a known price.

    The ledger reports these for its own calls and the archive for the calls it stored (`CallTally`
    sums both the same way)."""

    calls: int = 0
    cached_calls: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_calls: int = 0
    by_purpose: dict[str, dict[str, float]] = field(default_factory=dict)


class CallTally:
    """Running sums of call records, in constant memory: one record at a time, or a group of alike ones."""

    def __init__(self) -> None:
        self._sums: dict[str, float] = dict.fromkeys(
            ("calls", "cached_calls", "failed_calls", "input_tokens", "output_tokens", "unpriced_calls"), 0
        )
        self._dollars = 0.0
        self._by_purpose: dict[str, dict[str, float]] = {}

    def add_record(self, record: CallRecord) -> None:
        self.add(
            record.purpose,
            cached=record.outcome == "cached",
            failed=record.outcome == "error",
            input_tokens=record.input_tokens,
            output_tokens=record.output_tokens,
            cost_usd=record.cost_usd or 0.0,
            unpriced=int(record.cost_usd is None and record.outcome == "ok"),
        )

    def add(
        self,
        purpose: str,
        *,
        cached: bool,
        failed: bool,
        input_tokens: int,
        output_tokens: int,
        cost_usd: float,
        unpriced: int = 0,
        count: int = 1,
    ) -> None:
        """Add `count` calls of one purpose and kind; tokens, dollars and `unpriced` are their sums."""
        entry = self._by_purpose.setdefault(
            purpose, {"calls": 0, "cached_calls": 0, "tokens": 0, "cost_usd": 0.0}
        )
        if cached:
            self._sums["cached_calls"] += count
            entry["cached_calls"] += count
            return
        self._sums["calls"] += count
        self._sums["failed_calls"] += count if failed else 0
        self._sums["unpriced_calls"] += unpriced
        self._sums["input_tokens"] += input_tokens
        self._sums["output_tokens"] += output_tokens
        self._dollars += cost_usd
        entry["calls"] += count
        entry["tokens"] += input_tokens + output_tokens
        entry["cost_usd"] += cost_usd

    def totals(self) -> LedgerTotals:
        counts = {key: int(value) for key, value in self._sums.items()}
        by_purpose = {purpose: dict(entry) for purpose, entry in self._by_purpose.items()}
        return LedgerTotals(**counts, cost_usd=self._dollars, by_purpose=by_purpose)


RECENT_RECORDS = 1000
"""How many of its latest records a ledger keeps to show; its totals cover every call, in constant memory."""


class Ledger:
    """The run's call totals and budget; safe to share between threads.

    `reserve()` is called before a provider call and `record()` after it. A call slot is reserved
    atomically, so `max_calls` is never exceeded. Tokens and dollars are only known afterwards: a caller
    that knows what a call can cost at most reserves that many dollars (released by `release()` once the
    call is recorded), and a call that could take the dollars past `max_dollars`, with the calls already
    in flight, is not sent. Without such an estimate the overshoot is at most the calls in flight.

    A run may spend outside this ledger too (its task agent in other processes, an earlier session of a
    resumed run): `count_outside(source)` makes every reservation add what `source()` says was spent.

    A ledger lives as long as its process (a Ray worker's, over thousands of evaluations), so it keeps
    running sums, not every record: the calls of one piece of work are taken with `recording()`, and
    those to keep for good go to subscribers (the archive) or the JSONL sink.
    """

    def __init__(self, budget: Budget | None = None, sink: str | Path | None = None) -> None:
        self.budget = budget or Budget()
        self._lock = threading.Lock()
        self._recent: deque[CallRecord] = deque(maxlen=RECENT_RECORDS)
        self._tally = CallTally()
        self._reserved = 0
        self._tokens = 0
        self._dollars = 0.0
        self._subscribers: list[Callable[[CallRecord], None]] = []
        self._sink = Path(sink) if sink else None
        if self._sink:
            self._sink.parent.mkdir(parents=True, exist_ok=True)
        self._reserved_dollars = 0.0
        self._outside: Callable[[], float] = lambda: 0.0

    def count_outside(self, source: Callable[[], float]) -> None:
        """Count `source()` dollars, spent elsewhere, against the dollar budget at every reservation."""
        self._outside = source

    def subscribe(self, callback: Callable[[CallRecord], None]) -> None:
        """Call `callback(record)` for every record from now on (e.g. to persist it in the archive)."""
        with self._lock:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[CallRecord], None]) -> None:
        with self._lock:
            self._subscribers.remove(callback)

    @contextmanager
    def recording(self) -> Iterator[list[CallRecord]]:
        """The records of the calls made inside the `with` block (by any thread), in a list filled as
        they finish."""
        taken: list[CallRecord] = []
        self.subscribe(taken.append)
        try:
            yield taken
        finally:
            self.unsubscribe(taken.append)

    def reserve(self, dollars: float = 0.0) -> None:
        """Claim one call of the budget, and `dollars` (what it can cost at most) of the dollar budget;
        raise `BudgetExhausted` (and claim nothing) when it is spent or the call could overspend it."""
        outside = self._outside() if self.budget.max_dollars is not None else 0.0
        with self._lock:
            budget = self.budget
            if budget.max_calls is not None and self._reserved >= budget.max_calls:
                raise BudgetExhausted(
                    f"the LLM budget of {budget.max_calls} calls is spent; raise max_calls to continue",
                    "calls",
                )
            if budget.max_tokens is not None and self._tokens >= budget.max_tokens:
                raise BudgetExhausted(
                    f"the LLM budget of {budget.max_tokens} tokens is spent ({self._tokens} used); "
                    "raise max_tokens to continue",
                    "tokens",
                )
            committed = self._dollars + outside + self._reserved_dollars
            if budget.max_dollars is not None and (
                committed >= budget.max_dollars or committed + dollars > budget.max_dollars
            ):
                raise BudgetExhausted(
                    f"the LLM budget of ${budget.max_dollars:.2f} is spent or promised to calls in flight "
                    f"(${committed:.4f}, and this call may cost up to ${dollars:.4f}); "
                    "raise max_dollars to continue",
                    "dollars",
                )
            self._reserved += 1
            self._reserved_dollars += dollars

    def release(self, dollars: float) -> None:
        """Give back a reservation of `reserve(dollars)` once its call is recorded (or failed)."""
        with self._lock:
            self._reserved_dollars = max(0.0, self._reserved_dollars - dollars)

    def record(self, record: CallRecord) -> None:
        """Add a finished call; cached calls do not count against the budget."""
        with self._lock:
            self._recent.append(record)
            self._tally.add_record(record)
            if record.outcome != "cached":
                self._tokens += record.input_tokens + record.output_tokens
                self._dollars += record.cost_usd or 0.0
            subscribers = list(self._subscribers)
            if self._sink:
                with self._sink.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record.to_json(), sort_keys=True) + "\n")
        for callback in subscribers:
            callback(record)

    @property
    def records(self) -> list[CallRecord]:
        """The latest records (at most `RECENT_RECORDS`), oldest first."""
        with self._lock:
            return list(self._recent)

    def totals(self) -> LedgerTotals:
        """Sums over every call recorded since the ledger was made."""
        with self._lock:
            return self._tally.totals()
