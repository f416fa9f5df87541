"""The host-side capability broker: answers a sandboxed program's `llm` and `embed` calls.

The in-sandbox toolkit keeps its own LLM budget so that a well-behaved program sees the same errors as
in-process, but a program can reach the protocol stream directly, so the broker is the authority: it
counts every call it serves and refuses an LLM call past the per-operation budget, whatever the
sandbox claims. The counts it keeps are the ones reported in `OperationStats`.

A backend that raises `CapabilityError` names the reason itself (the host's model is down:
`llm_unavailable`), and the program sees that reason, as it would in-process; any other failure of a
backend is a `host_error`, which the program sees as a `RuntimeError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox import protocol
from sandbox.session import Capabilities
from sandbox.toolkit import CapabilityError


class CapabilityBroker:
    """Serves one session's capability calls; `begin_operation()` before each request resets the budget."""

    def __init__(self, capabilities: Capabilities) -> None:
        self._capabilities = capabilities
        self._llm_left = capabilities.llm_calls_per_operation
        self.llm_calls = 0
        """LLM calls served during the current operation."""
        self.embed_calls = 0
        """Embedding calls served during the current operation."""

    def begin_operation(self) -> None:
        self._llm_left = self._capabilities.llm_calls_per_operation
        self.llm_calls = 0
        self.embed_calls = 0

    def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """The protocol answer to one capability call; bad calls are refused, never raised."""
        call = message.get("call")
        args = message.get("args")
        tool = message.get("tool")
        if not isinstance(args, dict):
            return protocol.capability_refusal(call, "crash", "capability arguments must be a JSON object")
        try:
            if tool == "embed":
                return protocol.capability_answer(call, self._embed(args))
            if tool == "llm":
                return self._llm(call, args)
        except (TypeError, ValueError) as error:
            return protocol.capability_refusal(call, "crash", f"bad toolkit.{tool} call: {error}")
        except CapabilityError as error:  # the host's backend named the reason (e.g. its model is down)
            reason = error.reason if error.reason in protocol.ERROR_TYPES else "host_error"
            return protocol.capability_refusal(call, reason, str(error))
        except Exception as error:  # the provider failed: the program sees an error, the host goes on
            return protocol.capability_refusal(
                call, "host_error", f"toolkit.{tool} failed on the host: {type(error).__name__}: {error}"
            )
        return protocol.capability_refusal(call, "crash", f"unknown capability {tool!r}; use llm or embed")

    def _embed(self, args: dict[str, Any]) -> dict[str, Any]:
        texts = args.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a non-empty list of strings")
        self.embed_calls += 1
        return protocol.pack_vectors(np.asarray(self._capabilities.embed(texts), dtype=np.float64))

    def _llm(self, call: Any, args: dict[str, Any]) -> dict[str, Any]:
        llm = self._capabilities.llm
        if llm is None:
            return protocol.capability_refusal(
                call,
                "llm_unavailable",
                "no LLM is configured for this evaluation: toolkit.llm cannot be used",
            )
        if self._llm_left <= 0:
            budget = self._capabilities.llm_calls_per_operation
            return protocol.capability_refusal(
                call, "llm_budget", f"the LLM budget of {budget} call(s) per write/read is spent"
            )
        prompt, system, max_tokens = args.get("prompt"), args.get("system"), args.get("max_tokens")
        if not isinstance(prompt, str) or not (system is None or isinstance(system, str)):
            raise TypeError("prompt must be a string and system a string or null")
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError("max_tokens must be a positive integer")
        self._llm_left -= 1
        self.llm_calls += 1
        return protocol.capability_answer(call, str(llm(prompt, system, max_tokens)))
