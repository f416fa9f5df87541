"""One model call from start to finish, whatever it asks for: reserved in the budget, retried, recorded.

Completions (`providers.llm`) and embeddings (`providers.embedders`) are paid for the same way, so they
are metered the same way: the ledger's budget is claimed before anything is sent, transient failures are
retried by the settings' policy, and a failure leaves its `CallRecord` before it is raised as the
`ProviderError` a user reads. The caller records a success itself: only it knows the tokens and price.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from providers.accounting import CallRecord, Ledger
from providers.errors import ProviderRequestError, ProviderUnavailableError
from providers.models import ModelSpec
from providers.retry import RetriesExhausted, RetryOutcome

T = TypeVar("T")


def metered_call(
    ledger: Ledger,
    spec: ModelSpec,
    purpose: str,
    send: Callable[[RetryOutcome], T],
    unavailable: Callable[[RetriesExhausted], str],
    dollars: float = 0.0,
) -> tuple[T, RetryOutcome, float]:
    """`send(outcome)` (which retries, updating `outcome`), with the budget claimed first and a failure
    recorded: the answer, the retries it took, and its latency.

    `dollars` is what the call can cost at most, held in the dollar budget while it is in flight: a
    failure gives it back here, a success is the caller's to give back (`Ledger.release`) once it has
    recorded what the call did cost.

    Raises `BudgetExhausted` before sending, `ProviderRequestError` as the provider refused,
    `ProviderUnavailableError` (with the sentence `unavailable` makes) when retries ran out.
    """
    ledger.reserve(dollars)
    started = time.perf_counter()
    outcome = RetryOutcome()

    def failed(message: str) -> None:
        ledger.record(
            CallRecord(
                purpose=purpose,
                provider=spec.provider,
                model=str(spec),
                input_tokens=0,
                output_tokens=0,
                cost_usd=0.0,
                latency_s=time.perf_counter() - started,
                outcome="error",
                attempts=outcome.attempts,
                error=message,
            )
        )
        ledger.release(dollars)

    try:
        answer = send(outcome)
    except ProviderRequestError as error:
        failed(str(error))
        raise
    except RetriesExhausted as exhausted:
        message = unavailable(exhausted)
        failed(message)
        raise ProviderUnavailableError(message, spec.provider, spec.model, outcome.attempts) from None
    except Exception as error:  # a bug rather than a provider failure: still leave a record
        failed(type(error).__name__)
        raise
    return answer, outcome, time.perf_counter() - started
