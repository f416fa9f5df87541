"""OpenAICompatibleEmbedder over the real openai SDK's embeddings API (base64 on the wire, as OpenAI does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from providers.accounting import Ledger
from providers.config import LLMSettings
from providers.embedders import CachedEmbedder, OpenAICompatibleEmbedder
from providers.errors import ProviderConfigError, ProviderRequestError
from tests.providers.fake_llm_server import FakeLLMServer, Fault, embedding_for


def test_vectors_come_back_in_order_in_batches_with_tokens_and_cost(
    server: FakeLLMServer, fast_settings: Callable[..., LLMSettings]
) -> None:
    ledger = Ledger()
    settings = fast_settings(prices={"embed-model": {"input": 0.5}})
    embedder = OpenAICompatibleEmbedder(
        f"openai-compatible:{server.openai_url}:embed-model", settings, ledger, batch_size=2
    )
    texts = ["alpha beta", "gamma", "delta epsilon zeta"]
    vectors = embedder(texts)
    for vector, text in zip(vectors, texts, strict=True):
        assert vector == pytest.approx(embedding_for(text), abs=1e-6)  # float32 on the wire
    assert [r.body["input"] for r in server.requests] == [["alpha beta", "gamma"], ["delta epsilon zeta"]]
    assert server.requests[0].body["encoding_format"] == "base64"
    assert [(r.purpose, r.input_tokens) for r in ledger.records] == [("embedding", 3), ("embedding", 3)]
    assert ledger.totals().cost_usd == pytest.approx(6 * 0.5 / 1_000_000)


def test_cached_embedder_sends_each_text_once(
    server: FakeLLMServer, fast_settings: Callable[..., LLMSettings], tmp_path: Path
) -> None:
    inner = OpenAICompatibleEmbedder(f"openai-compatible:{server.openai_url}:embed-model", fast_settings())
    embedder = CachedEmbedder(inner, tmp_path / "vectors.sqlite")
    first = embedder(["a", "b"])
    second = embedder(["b", "a", "c"])
    assert second[:2] == [first[1], first[0]]
    assert [sorted(r.body["input"]) for r in server.requests] == [["a", "b"], ["c"]]


def test_embedding_errors_are_retried_or_explained(
    server: FakeLLMServer, fast_settings: Callable[..., LLMSettings]
) -> None:
    embedder = OpenAICompatibleEmbedder(f"openai-compatible:{server.openai_url}:embed-model", fast_settings())
    server.script(Fault(status=503))
    assert len(embedder(["a"])) == 1 and server.count() == 2
    server.script(Fault(status=404, message="model embed-model not found"))
    with pytest.raises(ProviderRequestError, match=r"HTTP 404 .*check the model name"):
        embedder(["b"])
    assert server.count() == 3


def test_anthropic_has_no_embeddings() -> None:
    with pytest.raises(ProviderConfigError, match="Anthropic has no embeddings API"):
        OpenAICompatibleEmbedder("anthropic:claude-haiku-4-5", LLMSettings(api_key="sk-unused-0000000"))
