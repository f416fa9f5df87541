"""The toolkit: everything a memory program gets from the world, and nothing more.

A program receives one `Toolkit` in `KnowledgeBase.__init__`. Its LLM and embedding capabilities are
callables handed in by whoever hosts the program: in-process they call the host's providers directly;
inside the sandbox they send a capability request over the wire. The surface is the same either way,
so a program cannot tell, and cannot reach anything it was not given. Standard library and numpy only:
this module runs inside the sandbox image.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sandbox.vectorstore import ChromaClient

LLMBackend = Callable[[str, str | None, int], str]
"""(prompt, system, max_tokens) -> completion text."""
EmbedBackend = Callable[[list[str]], list[list[float]]]

DEFAULT_LLM_CALLS_PER_OPERATION = 1
DEFAULT_MAX_TOKENS = 512
MAX_LOG_LINES = 200
MAX_LOG_LINE_CHARS = 500


class CapabilityError(RuntimeError):
    """A capability the program asked for is not available; `reason` is machine-readable."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class MemoryLogger:
    """Collects the program's log lines; they go back to the host and feed the reflective mutator.

    Bounded, because a program that logs in a loop must not exhaust the host: past `MAX_LOG_LINES`
    only the count of dropped lines grows.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.dropped = 0

    def log(self, message: object, *args: object) -> None:
        text = str(message) % args if args else str(message)
        if len(self.lines) >= MAX_LOG_LINES:
            self.dropped += 1
            return
        self.lines.append(text[:MAX_LOG_LINE_CHARS])

    debug = info = warning = error = log

    def drain(self) -> list[str]:
        """The lines since the last drain (with a note of any dropped), clearing the buffer."""
        lines, self.lines = self.lines, []
        if self.dropped:
            lines.append(f"[{self.dropped} log lines dropped: more than {MAX_LOG_LINES} in one operation]")
            self.dropped = 0
        return lines


class Toolkit:
    """What a memory program receives: `llm`, `embed`, `db`, `chroma`, `logger`.

    `llm` is budgeted per operation (default one call per `write` or `read`): the host calls
    `begin_operation()` before each one. `llm_completion(messages)` is the same capability under
    M★'s name and calling convention.
    """

    def __init__(
        self,
        embed_backend: EmbedBackend,
        llm_backend: LLMBackend | None = None,
        llm_calls_per_operation: int = DEFAULT_LLM_CALLS_PER_OPERATION,
    ) -> None:
        self._embed_backend = embed_backend
        self._llm_backend = llm_backend
        self._llm_calls_per_operation = llm_calls_per_operation
        self._llm_calls_left = llm_calls_per_operation
        self.llm_calls = 0
        self.embed_calls = 0
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.chroma = ChromaClient(self.embed)
        self.logger = MemoryLogger()

    def begin_operation(self) -> None:
        """Reset the per-operation LLM budget; the host calls this before each write and read."""
        self._llm_calls_left = self._llm_calls_per_operation

    def llm(self, prompt: str, system: str | None = None, max_tokens: int = DEFAULT_MAX_TOKENS) -> str:
        if self._llm_backend is None:
            raise CapabilityError(
                "llm_unavailable",
                "no LLM is configured for this evaluation: toolkit.llm cannot be used "
                "(run with an LLM model, or give the program an offline path)",
            )
        if self._llm_calls_left <= 0:
            raise CapabilityError(
                "llm_budget",
                f"the LLM budget of {self._llm_calls_per_operation} call(s) per write/read is spent",
            )
        self._llm_calls_left -= 1
        self.llm_calls += 1
        return str(self._llm_backend(str(prompt), None if system is None else str(system), int(max_tokens)))

    def llm_completion(self, messages: list[dict[str, str]] | str, **kwargs: Any) -> str:
        """M★'s calling convention: a chat message list; system messages become the system prompt."""
        if isinstance(messages, str):
            return self.llm(messages, max_tokens=int(kwargs.get("max_tokens", DEFAULT_MAX_TOKENS)))
        system = "\n\n".join(m.get("content", "") for m in messages if m.get("role") == "system") or None
        prompt = "\n\n".join(
            m.get("content", "") if m.get("role") == "user" else f"[{m.get('role')}]: {m.get('content', '')}"
            for m in messages
            if m.get("role") != "system"
        )
        return self.llm(prompt, system, int(kwargs.get("max_tokens", DEFAULT_MAX_TOKENS)))

    def embed(self, texts: list[str] | str) -> list[list[float]]:
        batch = [texts] if isinstance(texts, str) else [str(t) for t in texts]
        if not batch:
            return []
        self.embed_calls += 1
        return self._embed_backend(batch)

    def close(self) -> None:
        self.db.close()
