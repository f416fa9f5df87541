"""No API key ever reaches a log, a cache file, a call record, a ledger file or an error message."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from providers.accounting import Ledger
from providers.config import LLMSettings
from providers.embedders import CachedEmbedder, OpenAICompatibleEmbedder
from providers.errors import ProviderError
from providers.llm import open_llm
from providers.secrets import REDACTED
from tests.providers.conftest import TEST_KEY
from tests.providers.fake_llm_server import FakeLLMServer, Fault

WRONG_KEY = "sk-wrong-7c3e91d0b5aa42f6"
URL_PASSWORD = "url-password-93b1e0c4"


def test_keys_appear_nowhere_we_write(tmp_path: Path, fast_settings: Callable[..., LLMSettings]) -> None:
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    messages: list[str] = []
    ledger = Ledger(sink=tmp_path / "calls.jsonl")
    try:
        with FakeLLMServer(expected_key=TEST_KEY) as server:
            good = open_llm(
                f"openai-compatible:{server.openai_url}:fake-model", fast_settings(), ledger=ledger
            )
            good.complete("hello", system="be brief")
            good.complete("hello", system="be brief")  # a cache hit
            anthropic = open_llm(
                "anthropic:claude-haiku-4-5", fast_settings(base_url=server.url), ledger=ledger
            )
            anthropic.complete("hello")
            embedder = CachedEmbedder(
                OpenAICompatibleEmbedder(
                    f"openai-compatible:{server.openai_url}:embed-model", fast_settings(), ledger=ledger
                ),
                tmp_path / "embeddings.sqlite",
            )
            embedder(["some text to embed"])
            with_userinfo = server.openai_url.replace("http://", f"http://proxy-user:{URL_PASSWORD}@")
            behind_proxy = open_llm(
                f"openai-compatible:{with_userinfo}:fake-model", fast_settings(), ledger=ledger
            )
            with pytest.raises(ProviderError) as caught:  # httpx sends URL credentials as Basic auth
                behind_proxy.complete("through a proxy")
            messages.append(str(caught.value))
            # The server echoes a wrong key in its 401 body, as real providers do in part.
            for provider_model, base in (
                (f"openai-compatible:{server.openai_url}:fake-model", None),
                ("openai:gpt-4.1-mini", server.openai_url),
                ("anthropic:claude-haiku-4-5", server.url),
            ):
                wrong = open_llm(
                    provider_model,
                    fast_settings(api_key=WRONG_KEY, base_url=base, cache=False),
                    ledger=ledger,
                )
                with pytest.raises(ProviderError) as caught:
                    wrong.complete("hello")
                messages.append(str(caught.value))
                messages.append(repr(caught.value))
            server.script(*[Fault(status=500, message=f"internal error for key {TEST_KEY}")] * 3)
            with pytest.raises(ProviderError) as caught:
                good.complete("a new question")
            messages.append(str(caught.value))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    assert any(
        "Incorrect API key provided: [redacted]" in m for m in messages
    )  # the echo was there, redacted
    settings_dumps = [
        repr(fast_settings()),
        fast_settings().model_dump_json(),
        str(fast_settings().model_dump()),
    ]
    texts = {
        "error messages": "\n".join(messages),
        "call records": "\n".join(repr(r) for r in ledger.records),
        "settings": "\n".join(settings_dumps),
    }
    files = [log_file, tmp_path / "calls.jsonl", *tmp_path.glob("*.sqlite*")]
    assert len(files) >= 4 and log_file.stat().st_size > 0
    basic_token = base64.b64encode(f"proxy-user:{URL_PASSWORD}".encode()).decode()
    assert any(f"Incorrect API key provided: Basic {REDACTED}" in m for m in messages)
    for secret in (TEST_KEY, WRONG_KEY, URL_PASSWORD, basic_token):
        for name, text in texts.items():
            assert secret not in text, f"a key leaked into the {name}"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"a key leaked into {path.name}"
