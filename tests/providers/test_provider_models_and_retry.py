"""Model strings, the backoff schedule, and Retry-After parsing: the pure parts of the provider layer."""

from __future__ import annotations

import email.utils
import random

import pytest

from providers.errors import ProviderConfigError, TransientFailure
from providers.models import ModelSpec, parse_model
from providers.retry import RetriesExhausted, RetryOutcome, RetryPolicy, call_with_retries, parse_retry_after


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openai:gpt-4.1-mini", ModelSpec("openai", "gpt-4.1-mini")),
        ("anthropic:claude-sonnet-4-5", ModelSpec("anthropic", "claude-sonnet-4-5")),
        (
            "openai-compatible:http://127.0.0.1:8000/v1:qwen2.5-coder",
            ModelSpec("openai-compatible", "qwen2.5-coder", "http://127.0.0.1:8000/v1"),
        ),
        (
            "openai-compatible:http://localhost:11434/v1:llama3.1:8b",
            ModelSpec("openai-compatible", "llama3.1:8b", "http://localhost:11434/v1"),
        ),
        (
            "openai-compatible:http://gpu-box:qwen3:32b",
            ModelSpec("openai-compatible", "qwen3:32b", "http://gpu-box"),
        ),
        (
            "openai-compatible:http://[::1]:8000/v1/:m",
            ModelSpec("openai-compatible", "m", "http://[::1]:8000/v1"),
        ),
    ],
)
def test_model_strings(text: str, expected: ModelSpec) -> None:
    assert parse_model(text) == expected
    assert parse_model(str(expected)) == expected  # the string form round-trips


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("gpt-4.1-mini", "does not name a provider"),
        ("azure:gpt-4.1", "unknown provider 'azure'"),
        ("openai:", "does not name a provider"),
        ("openai-compatible:qwen2.5", "needs a base URL and a model name"),
        ("openai-compatible:http://127.0.0.1:8000/v1", "needs a base URL and a model name"),
    ],
)
def test_bad_model_strings_say_what_the_right_form_is(text: str, says: str) -> None:
    with pytest.raises(ProviderConfigError, match=says):
        parse_model(text)


def test_credentials_in_a_base_url_never_reach_labels_or_names() -> None:
    spec = parse_model("openai-compatible:https://user:hunter2hunter2@llm.example/v1:m")
    assert spec.base_url == "https://user:hunter2hunter2@llm.example/v1"  # the SDK still gets them
    assert "hunter2" not in str(spec) and "hunter2" not in spec.label


def test_backoff_doubles_is_capped_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    rng = random.Random(7)
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(retry, rng=rng) for _ in range(200)]
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling * 0.3  # there is real spread between workers


def test_retry_after_replaces_the_backoff() -> None:
    policy = RetryPolicy(base_delay=1.0, jitter=0.5)
    delays = [policy.delay(1, retry_after=7.0, rng=random.Random(i)) for i in range(50)]
    assert all(7.0 <= d <= 7.5 for d in delays)


def test_retry_loop_sleeps_as_told_and_stops_at_max_attempts() -> None:
    slept: list[float] = []
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        raise TransientFailure("rate limited", "HTTP 429", retry_after=2.0 if calls == 1 else None)

    outcome = RetryOutcome()
    with pytest.raises(RetriesExhausted, match="rate limited on all 3 attempts"):
        call_with_retries(
            flaky, RetryPolicy(max_attempts=3, base_delay=0.5, jitter=0.0), outcome, slept.append
        )
    assert calls == 3 and outcome.attempts == 3
    assert slept[0] == pytest.approx(2.0) and slept[1] == pytest.approx(1.0)  # Retry-After, then 0.5 * 2


def test_other_exceptions_are_never_retried() -> None:
    calls = 0

    def broken() -> str:
        nonlocal calls
        calls += 1
        raise ValueError("bad request")

    with pytest.raises(ValueError):
        call_with_retries(broken, RetryPolicy(max_attempts=5), sleep=lambda _s: None)
    assert calls == 1


def test_parse_retry_after_forms() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"Retry-After-Ms": "250", "Retry-After": "9"}) == 0.25
    date = email.utils.formatdate(now + 20, usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now=now) == pytest.approx(20.0)
    assert parse_retry_after({"Retry-After": "-4"}) == 0.0
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None
