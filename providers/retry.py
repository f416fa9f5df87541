"""Retrying transient provider failures: exponential backoff with jitter, honouring Retry-After.

The SDKs' own retry loops are switched off (`max_retries=0`) so that this is the only one: it is the
one place that counts attempts, respects the server's Retry-After, and knows when to give up. Only
`TransientFailure` (429, 5xx, timeouts, refused connections) is retried; everything else propagates
at once, because a bad key or a malformed request fails the same way every time.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from providers.errors import TransientFailure

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    The n-th retry waits `base_delay * 2**(n-1)`, capped at `max_delay`, scaled by a random factor in
    [1 - jitter, 1] so that many workers hitting the same limit do not retry in lockstep. A server's
    Retry-After replaces the computed wait (plus a little jitter) unless it exceeds `max_retry_after`,
    in which case waiting is pointless for an evaluation and the call fails.
    """

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.5
    max_retry_after: float = 120.0

    def delay(self, retry: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        draw = (rng or random).random()
        if retry_after is not None:
            return retry_after + draw * min(self.base_delay, 1.0) * self.jitter
        backoff = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return backoff * (1.0 - self.jitter * draw)


@dataclass
class RetryOutcome:
    """What a retried call cost: `attempts` requests were sent; `waited` seconds were spent backing off."""

    attempts: int = 0
    waited: float = 0.0
    last_failure: TransientFailure | None = None


class RetriesExhausted(Exception):
    """Every attempt failed transiently (or the server asked for too long a wait); see `outcome`."""

    def __init__(self, outcome: RetryOutcome, reason: str) -> None:
        self.outcome = outcome
        self.reason = reason
        super().__init__(reason)


def call_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    outcome: RetryOutcome | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `attempt` until it returns, retrying `TransientFailure` as `policy` allows.

    `outcome` (if given) is updated in place, so the caller can record attempts even when this raises.
    Raises `RetriesExhausted` when the attempts run out; any other exception propagates immediately.
    """
    outcome = outcome if outcome is not None else RetryOutcome()
    while True:
        outcome.attempts += 1
        try:
            return attempt()
        except TransientFailure as failure:
            outcome.last_failure = failure
            if outcome.attempts >= policy.max_attempts:
                raise RetriesExhausted(
                    outcome, f"{failure.kind} on all {outcome.attempts} attempts"
                ) from failure
            if failure.retry_after is not None and failure.retry_after > policy.max_retry_after:
                raise RetriesExhausted(
                    outcome, f"{failure.kind}, and the server asked to wait {failure.retry_after:.0f} s"
                ) from failure
            wait = policy.delay(outcome.attempts, failure.retry_after)
            outcome.waited += wait
            sleep(wait)


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """The wait a server asked for, in seconds: `retry-after-ms`, or `Retry-After` (seconds or HTTP date).

    Returns None when there is no usable header; negative waits become 0.
    """
    if not headers:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    milliseconds = lowered.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
