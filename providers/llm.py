"""The one door to language models: `open_llm("openai:gpt-4.1-mini").complete(prompt, purpose="agent")`.

Every part of mnemoforge that needs a model (the task agent, `toolkit.llm` for memory programs, the
judge, the mutators) holds an `LLMClient`. A call goes: cache (temperature 0 only) -> budget ->
concurrency limit -> the provider's SDK, retried on transient failures -> accounting. Whatever
happens, one `CallRecord` lands in the client's `Ledger`, and failures surface as `ProviderError`s
whose message is one sentence a user can act on.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from providers.accounting import CallRecord, Ledger, Price, PriceTable, Purpose
from providers.cache import CachedAnswer, ResponseCache
from providers.config import LLMSettings, resolve_api_key
from providers.errors import (
    ProviderConfigError,
    ProviderError,
    ProviderRequestError,
    ProviderUnavailableError,
)
from providers.metering import metered_call
from providers.models import ModelSpec, parse_model
from providers.retry import RetriesExhausted, RetryOutcome, call_with_retries
from providers.secrets import register_secret, register_url_credentials
from providers.transport import ChatRequest, ChatTransport, Message, RawCompletion, to_messages

log = logging.getLogger("providers.llm")

CHARACTERS_PER_TOKEN_AT_LEAST = 2.0
"""A bound below what real tokenizers give, so that a dollar reservation is never too small."""

ToolkitLLM = Callable[[str, str | None, int], str]
"""The sandbox toolkit's LLM backend: (prompt, system, max_tokens) -> text."""


@dataclass(frozen=True)
class Completion:
    """A model's answer and what it cost. `structured` says the provider enforced the JSON schema."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    latency_s: float
    cached: bool = False
    attempts: int = 1
    finish_reason: str = ""
    structured: bool = False


class LLMClient:
    """A model at an endpoint, with retries, a concurrency limit, a cache and accounting. Thread-safe."""

    def __init__(
        self,
        spec: ModelSpec,
        transport: ChatTransport,
        settings: LLMSettings | None = None,
        ledger: Ledger | None = None,
        cache: ResponseCache | None = None,
    ) -> None:
        self.spec = spec
        self.settings = settings or LLMSettings()
        self.transport = transport
        self.ledger = ledger if ledger is not None else Ledger(self.settings.budget.to_budget())
        self.cache = cache
        self.policy = self.settings.retry_policy()
        self.price: Price | None = self.settings.price_table().price_for(spec.provider, spec.model)
        self._slots = threading.BoundedSemaphore(self.settings.max_concurrency)
        if self.price is None and self.ledger.budget.max_dollars is not None:
            raise ProviderConfigError(
                f"no price is known for {spec} and the run has a dollar budget: add one under [llm.prices] "
                f'(e.g. "{spec.provider}:{spec.model}" = {{ input = 1.0, output = 2.0 }}) '
                "or budget calls or tokens instead",
                spec.provider,
                spec.model,
            )

    @property
    def name(self) -> str:
        """The model string, safe to show and to record (no credentials)."""
        return str(self.spec)

    def complete(
        self,
        prompt: str | Sequence[Message | dict[str, str]],
        *,
        system: str | None = None,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        purpose: Purpose = "agent",
    ) -> Completion:
        """Complete a prompt (or a user/assistant message list) and account for it.

        With `json_schema`, providers that can enforce a schema are asked to; the text is still the
        caller's to parse and validate (see `providers.structured`). Raises `BudgetExhausted`,
        `ProviderRequestError` or `ProviderUnavailableError`; never returns a partial result.
        """
        messages, system = to_messages(prompt, system)
        request = ChatRequest(messages, system, int(max_tokens), float(temperature), json_schema)
        use_cache = self.cache is not None and ResponseCache.cacheable(request)
        if use_cache and self.cache is not None:
            hit = self.cache.get(self.spec, request)
            if hit is not None:
                return self._cached(
                    hit, purpose, json_schema is not None and self.transport.supports_json_schema
                )
        most = self._most_it_can_cost(request)
        (raw, structured), outcome, latency = metered_call(
            self.ledger,
            self.spec,
            purpose,
            lambda outcome: self._send_with_retries(request, outcome),
            self._unavailable_message,
            dollars=most,
        )
        try:
            return self._finish(request, raw, purpose, latency, outcome, structured, use_cache)
        finally:
            self.ledger.release(most)  # recorded by now: what it cost replaces what it could have

    def _most_it_can_cost(self, request: ChatRequest) -> float:
        """What a request can cost at most, reserved before it is sent under a dollar budget: every
        output token it may get, and its input at one token per `CHARACTERS_PER_TOKEN_AT_LEAST` characters
        (tokenizers give three to four characters a token for English and code)."""
        if self.price is None or self.ledger.budget.max_dollars is None:
            return 0.0
        characters = len(request.system or "") + sum(len(m.content) for m in request.messages)
        input_tokens = math.ceil(characters / CHARACTERS_PER_TOKEN_AT_LEAST) + len(request.messages) * 4
        # A schema sent natively is read by the model too.
        if request.json_schema is not None:
            input_tokens += math.ceil(len(json.dumps(request.json_schema)) / CHARACTERS_PER_TOKEN_AT_LEAST)
        return self.price.cost(input_tokens, request.max_tokens)

    def check(self) -> None:
        """Fail fast, before a run starts: reach the endpoint, prove the key, find the model.

        Costs no tokens and leaves no call record. Raises `ProviderRequestError` for a rejected key
        (401) or a model the provider does not know (404), `ProviderUnavailableError` when the
        endpoint cannot be reached. Other refusals of the model-listing endpoint are ignored (some
        keys may call a model but not list models; a local server may not implement the listing:
        404, 405 or 501); the first real call will tell.
        """
        policy = replace(self.policy, max_attempts=min(2, self.policy.max_attempts))
        try:
            call_with_retries(lambda: self.transport.check(self.settings.timeout), policy)
        except ProviderRequestError as error:
            decisive = error.status == 401 or (
                error.status == 404 and self.spec.provider != "openai-compatible"
            )
            if decisive:
                raise
            log.info("%s: the model check was refused (%s); going on", self.name, error)
        except RetriesExhausted as exhausted:
            message = self._unavailable_message(exhausted)
            raise ProviderUnavailableError(
                message, self.spec.provider, self.spec.model, exhausted.outcome.attempts
            ) from None

    def _send_with_retries(self, request: ChatRequest, outcome: RetryOutcome) -> tuple[RawCompletion, bool]:
        """The completion and whether the provider enforced the schema natively.

        Many OpenAI-compatible servers (and older Claude models) reject a native JSON schema with a
        400. Rather than fail, the client stops sending schemas natively and sends the request again
        without one: the schema is in the prompt, and the caller validates what comes back.
        """
        structured = request.json_schema is not None and self.transport.supports_json_schema
        try:
            return call_with_retries(lambda: self._send(request), self.policy, outcome), structured
        except ProviderRequestError as error:
            if not (structured and error.status in (400, 422)):
                raise
            log.warning(
                "%s rejected native structured output (%s); using the prompt's schema instead",
                self.name,
                error,
            )
        self.transport.supports_json_schema = False
        plain = request.without_schema()
        return call_with_retries(lambda: self._send(plain), self.policy, outcome), False

    def _send(self, request: ChatRequest) -> RawCompletion:
        with self._slots:
            return self.transport.send(request, self.settings.timeout)

    def _finish(
        self,
        request: ChatRequest,
        raw: RawCompletion,
        purpose: str,
        latency: float,
        outcome: RetryOutcome,
        structured: bool,
        use_cache: bool,
    ) -> Completion:
        cost = self.price.cost(raw.input_tokens, raw.output_tokens) if self.price else None
        self.ledger.record(
            CallRecord(
                purpose=purpose,
                provider=self.spec.provider,
                model=self.name,
                input_tokens=raw.input_tokens,
                output_tokens=raw.output_tokens,
                cost_usd=cost,
                latency_s=latency,
                outcome="ok",
                attempts=outcome.attempts,
            )
        )
        if use_cache and self.cache is not None and raw.finish_reason not in ("length", "max_tokens"):
            # A truncated answer is not worth replaying: the next run may be given more tokens.
            self.cache.put(self.spec, request, CachedAnswer(raw.text, raw.input_tokens, raw.output_tokens))
        return Completion(
            text=raw.text,
            model=self.name,
            input_tokens=raw.input_tokens,
            output_tokens=raw.output_tokens,
            cost_usd=cost,
            latency_s=latency,
            attempts=outcome.attempts,
            finish_reason=raw.finish_reason,
            structured=structured,
        )

    def _cached(self, hit: CachedAnswer, purpose: str, structured: bool) -> Completion:
        self.ledger.record(
            CallRecord(
                purpose,
                self.spec.provider,
                self.name,
                hit.input_tokens,
                hit.output_tokens,
                0.0,
                0.0,
                "cached",
                0,
            )
        )
        return Completion(
            hit.text, self.name, hit.input_tokens, hit.output_tokens, 0.0, 0.0, True, 0, "cached", structured
        )

    def _unavailable_message(self, exhausted: RetriesExhausted) -> str:
        failure = exhausted.outcome.last_failure
        kind = failure.kind if failure else "failure"
        fixes = {
            "connection": (
                "start the server or fix the URL in --model"
                if self.spec.provider == "openai-compatible"
                else "check the network connection and the base URL"
            ),
            "timeout": f"raise timeout (now {self.settings.timeout:g} s) in the [llm] config",
            "rate limited": "lower max_concurrency in the [llm] config or wait and resume the run",
            "malformed response": "check that the base URL points at the provider's API",
        }
        fix = fixes.get(kind, "try again later; the provider is failing")
        detail = f": {failure.detail}" if failure and failure.detail else ""
        return f"{self.spec.label} (model {self.spec.model}) failed ({exhausted.reason}{detail}): {fix}"


def open_llm(
    model: str | ModelSpec,
    settings: LLMSettings | None = None,
    ledger: Ledger | None = None,
    cache: ResponseCache | None = None,
) -> LLMClient:
    """An `LLMClient` for a model string such as `anthropic:claude-sonnet-4-5`.

    Raises `ProviderConfigError` (nothing sent) for a bad model string or a missing key. The cache is
    the settings' (on by default, at `settings.cache_path` or the user cache directory) unless one is
    given; pass a shared `ledger` so that all clients of a run count against one budget.
    """
    spec = parse_model(model) if isinstance(model, str) else model
    settings = settings or LLMSettings()
    api_key = resolve_api_key(spec, settings)
    # The SDKs take seconds to import; a run that never calls a model (the offline agent) never pays.
    transport: ChatTransport
    if spec.provider == "anthropic":
        from providers.anthropic_chat import AnthropicChatTransport, make_anthropic_client

        client = make_anthropic_client(api_key, settings.base_url, settings.timeout)
        transport = AnthropicChatTransport(spec, client, settings.structured_output)
    else:
        from providers.openai_chat import OpenAIChatTransport, make_openai_client

        base_url = settings.base_url if spec.provider == "openai" else spec.base_url
        transport = OpenAIChatTransport(
            spec, make_openai_client(spec, api_key, base_url, settings.timeout), settings.structured_output
        )
    # After the SDK import, so that its loggers exist to be filtered. A password in a base URL is a key too.
    register_secret(api_key)
    register_url_credentials(spec.base_url or settings.base_url)
    if cache is None and settings.cache:
        cache = ResponseCache(settings.cache_path)
    return LLMClient(spec, transport, settings, ledger, cache)


def toolkit_backend(
    client: LLMClient,
    purpose: Purpose = "toolkit",
    translate_error: Callable[[ProviderError], BaseException] | None = None,
) -> ToolkitLLM:
    """The sandbox toolkit's `(prompt, system, max_tokens) -> str`, served by `client` as `purpose`.

    A provider failure inside a program's `toolkit.llm` call is not the program's fault. The host
    passes `translate_error` to turn it into what its session understands (e.g. the sandbox's
    `CapabilityError("llm_budget", ...)`); providers does not import sandbox, so it cannot do so itself.
    """

    def complete(prompt: str, system: str | None, max_tokens: int) -> str:
        try:
            return client.complete(prompt, system=system, max_tokens=max_tokens, purpose=purpose).text
        except ProviderError as error:
            if translate_error is None:
                raise
            raise translate_error(error) from error

    return complete


__all__ = ["Completion", "LLMClient", "PriceTable", "open_llm", "toolkit_backend"]
