"""A content-hash cache of completions on disk, so an identical deterministic request is paid for once.

Evolution re-evaluates the same agent prompts constantly: the same sessions are filled into the same
schema by every program that shares it, and re-runs after a crash repeat whole evaluations. Only
temperature-0 requests are cached, since only those are meant to be repeatable.

The key is the sha256 of the endpoint (provider, base URL without credentials, model) and the request's
canonical JSON. Nothing secret goes into either, and the file stores only the digest, the answer
text and its token counts: no prompt, no key. SQLite makes the file safe to share between the
processes of a run.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.models import ModelSpec, strip_credentials
from providers.transport import ChatRequest


def cache_directory() -> Path:
    """Where mnemoforge caches model answers and embeddings: `$MNEMOFORGE_CACHE_DIR`, else `mnemoforge`
    under `$XDG_CACHE_HOME` or `~/.cache`."""
    root = os.environ.get("MNEMOFORGE_CACHE_DIR")
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "mnemoforge"


def default_cache_path() -> Path:
    """The completions cache: `llm-responses.sqlite` in `cache_directory()`."""
    return cache_directory() / "llm-responses.sqlite"


class CacheFile:
    """An SQLite file shared by the threads of a process (one lock) and by processes (WAL, waits up to
    30 s for another writer): what both on-disk caches, of completions and of embeddings, are kept in."""

    def __init__(self, path: str | Path, table: str) -> None:
        """Open (or create) the file at `path` with `table` (a CREATE TABLE IF NOT EXISTS statement)."""
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(table)
        self._db.commit()

    def rows(self, query: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(query, parameters).fetchall()

    def write(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            self._db.executemany(statement, rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    input_tokens: int
    output_tokens: int


class ResponseCache:
    """Completions by request digest; `hits` and `misses` count lookups in this process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._file = CacheFile(
            path or default_cache_path(),
            "CREATE TABLE IF NOT EXISTS completions (digest TEXT PRIMARY KEY, text TEXT NOT NULL, "
            "input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, created REAL NOT NULL)",
        )
        self.path = self._file.path
        self.hits = 0
        self.misses = 0
        self._counting = threading.Lock()

    @staticmethod
    def cacheable(request: ChatRequest) -> bool:
        return request.temperature == 0

    @staticmethod
    def digest(spec: ModelSpec, request: ChatRequest) -> str:
        endpoint = f"{spec.provider}|{strip_credentials(spec.base_url or '')}|{spec.model}"
        return hashlib.sha256(f"{endpoint}\n{request.canonical_json()}".encode()).hexdigest()

    def get(self, spec: ModelSpec, request: ChatRequest) -> CachedAnswer | None:
        found = self._file.rows(
            "SELECT text, input_tokens, output_tokens FROM completions WHERE digest = ?",
            (self.digest(spec, request),),
        )
        with self._counting:
            if not found:
                self.misses += 1
                return None
            self.hits += 1
        text, input_tokens, output_tokens = found[0]
        return CachedAnswer(text=text, input_tokens=int(input_tokens), output_tokens=int(output_tokens))

    def put(self, spec: ModelSpec, request: ChatRequest, answer: CachedAnswer) -> None:
        row = (
            self.digest(spec, request),
            answer.text,
            answer.input_tokens,
            answer.output_tokens,
            time.time(),
        )
        self._file.write("INSERT OR REPLACE INTO completions VALUES (?, ?, ?, ?, ?)", [row])

    def close(self) -> None:
        self._file.close()
