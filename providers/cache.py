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
from dataclasses import dataclass
from pathlib import Path

from providers.models import ModelSpec, strip_credentials
from providers.transport import ChatRequest


def default_cache_path() -> Path:
    """`$MNEMOFORGE_CACHE_DIR/llm-responses.sqlite`, else under `$XDG_CACHE_HOME` or `~/.cache/mnemoforge`."""
    root = os.environ.get("MNEMOFORGE_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "llm-responses.sqlite"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "mnemoforge" / "llm-responses.sqlite"


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    input_tokens: int
    output_tokens: int


class ResponseCache:
    """Completions by request digest; `hits` and `misses` count lookups in this process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS completions (digest TEXT PRIMARY KEY, text TEXT NOT NULL, "
            "input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, created REAL NOT NULL)"
        )
        self._db.commit()

    @staticmethod
    def cacheable(request: ChatRequest) -> bool:
        return request.temperature == 0

    @staticmethod
    def digest(spec: ModelSpec, request: ChatRequest) -> str:
        endpoint = f"{spec.provider}|{strip_credentials(spec.base_url or '')}|{spec.model}"
        return hashlib.sha256(f"{endpoint}\n{request.canonical_json()}".encode()).hexdigest()

    def get(self, spec: ModelSpec, request: ChatRequest) -> CachedAnswer | None:
        digest = self.digest(spec, request)
        with self._lock:
            row = self._db.execute(
                "SELECT text, input_tokens, output_tokens FROM completions WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return CachedAnswer(text=row[0], input_tokens=int(row[1]), output_tokens=int(row[2]))

    def put(self, spec: ModelSpec, request: ChatRequest, answer: CachedAnswer) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO completions VALUES (?, ?, ?, ?, ?)",
                (
                    self.digest(spec, request),
                    answer.text,
                    answer.input_tokens,
                    answer.output_tokens,
                    time.time(),
                ),
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
