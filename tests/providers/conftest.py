"""Fixtures for the provider tests: a fake model server on 127.0.0.1 and clients pointed at it.

Retries are made fast (10 ms base delay) so that fault tests take milliseconds; tests about waiting
(Retry-After) set their own timings. Every client gets its own cache file and ledger, so tests never
share state, and no test can reach a real provider: every base URL is the loopback server's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from providers.accounting import Ledger
from providers.config import LLMSettings
from providers.llm import LLMClient, open_llm
from tests.providers.fake_llm_server import FakeLLMServer

TEST_KEY = "sk-test-5f1b9c2e7a40d63e8b1f"
"""A key-shaped secret; the secrets test greps everything written for it."""

ClientFactory = Callable[..., LLMClient]


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as running:
        yield running


@pytest.fixture
def fast_settings(tmp_path: Path) -> Callable[..., LLMSettings]:
    def make(**overrides: Any) -> LLMSettings:
        values: dict[str, Any] = {
            "api_key": TEST_KEY,
            "timeout": 5.0,
            "max_attempts": 3,
            "retry_base_delay": 0.01,
            "retry_max_delay": 0.05,
            "cache_path": tmp_path / "llm-cache.sqlite",
        }
        values.update(overrides)
        return LLMSettings(**values)

    return make


@pytest.fixture
def make_client(server: FakeLLMServer, fast_settings: Callable[..., LLMSettings]) -> ClientFactory:
    """`make_client(provider="openai-compatible", model="fake-model", ledger=None, **settings)`."""

    def make(
        provider: str = "openai-compatible",
        model: str = "fake-model",
        ledger: Ledger | None = None,
        **overrides: Any,
    ) -> LLMClient:
        if provider == "openai-compatible":
            model_string = f"openai-compatible:{server.openai_url}:{model}"
        else:
            model_string = f"{provider}:{model}"
            overrides.setdefault("base_url", server.openai_url if provider == "openai" else server.url)
        return open_llm(model_string, fast_settings(**overrides), ledger=ledger)

    return make
