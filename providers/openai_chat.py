"""OpenAI and OpenAI-compatible servers (vLLM, llama.cpp server, Ollama) through the `openai` SDK.

One transport serves both, with two differences that matter in practice:
- OpenAI's own models take `max_completion_tokens` (reasoning models reject `max_tokens`) and the
  reasoning families (o1, o3, o4, gpt-5) accept no temperature; local servers get the classic
  `max_tokens` and `temperature`, which every OpenAI-compatible server understands.
- A local server may not implement `response_format: json_schema`. The client above notices the 400
  and falls back to a schema in the prompt plus validation (see `LLMClient`).
"""

from __future__ import annotations

import re
from typing import Any

import openai

from providers.errors import TransientFailure
from providers.models import ModelSpec
from providers.transport import ChatRequest, RawCompletion, SDKErrors, translated_errors

_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")
_SCHEMA_NAME = re.compile(r"[^a-zA-Z0-9_-]")


def make_openai_client(spec: ModelSpec, api_key: str, base_url: str | None, timeout: float) -> openai.OpenAI:
    """An SDK client with its own retries off (`providers.retry` is the only retry loop).

    The key is always passed explicitly: otherwise the SDK would read OPENAI_API_KEY and send a real
    OpenAI key to whatever OpenAI-compatible server the user pointed at.
    """
    options: dict[str, Any] = {"api_key": api_key, "max_retries": 0, "timeout": timeout}
    url = base_url or spec.base_url
    if url:
        options["base_url"] = url
    return openai.OpenAI(**options)


class OpenAIChatTransport:
    """Chat completions for one model at one endpoint."""

    def __init__(self, spec: ModelSpec, client: openai.OpenAI, supports_json_schema: bool = True) -> None:
        self.spec = spec
        self.client = client
        self.supports_json_schema = supports_json_schema
        self._native_openai = spec.provider == "openai"

    def send(self, request: ChatRequest, timeout: float) -> RawCompletion:
        params = self._params(request)
        with translated_errors(self.spec, ERRORS):
            response = self.client.chat.completions.create(**params, timeout=timeout)
        if not response.choices:
            raise TransientFailure("malformed response", "the response held no choices")
        choice = response.choices[0]
        usage = response.usage
        return RawCompletion(
            text=choice.message.content or "",
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            finish_reason=str(choice.finish_reason or ""),
            served_model=str(response.model or ""),
        )

    def check(self, timeout: float) -> None:
        """Reach the endpoint with the key, spending no tokens: OpenAI looks the model up; a local
        server lists its models (their names often differ from what the user typed, so only
        reachability and the key are checked)."""
        with translated_errors(self.spec, ERRORS):
            if self.spec.provider == "openai":
                self.client.models.retrieve(self.spec.model, timeout=timeout)
            else:
                self.client.models.list(timeout=timeout)

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        messages: list[dict[str, str]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend({"role": m.role, "content": m.content} for m in request.messages)
        params: dict[str, Any] = {"model": self.spec.model, "messages": messages}
        reasoning = self._native_openai and bool(_REASONING_MODEL.match(self.spec.model))
        if self._native_openai:
            params["max_completion_tokens"] = request.max_tokens
        else:
            params["max_tokens"] = request.max_tokens
        if not reasoning:
            params["temperature"] = request.temperature
        if request.json_schema is not None and self.supports_json_schema:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": schema_name(request.json_schema),
                    "schema": request.json_schema,
                    # strict mode would demand every property be required; program schemas have optional ones
                    "strict": False,
                },
            }
        return params


class OpenAIEmbeddingTransport:
    """The embeddings endpoint; returns vectors in input order and the billed input tokens."""

    def __init__(self, spec: ModelSpec, client: openai.OpenAI) -> None:
        self.spec = spec
        self.client = client

    def embed(self, texts: list[str], timeout: float) -> tuple[list[list[float]], int]:
        with translated_errors(self.spec, ERRORS):
            response = self.client.embeddings.create(model=self.spec.model, input=texts, timeout=timeout)
        ordered = sorted(response.data, key=lambda item: item.index)
        if len(ordered) != len(texts):
            raise TransientFailure("malformed response", f"{len(ordered)} vectors for {len(texts)} texts")
        tokens = int(getattr(response.usage, "prompt_tokens", 0) or 0)
        return [list(map(float, item.embedding)) for item in ordered], tokens


def schema_name(schema: dict[str, Any]) -> str:
    """OpenAI wants a name of letters, digits, '_' and '-' (at most 64); the schema title makes a good one."""
    name = _SCHEMA_NAME.sub("_", str(schema.get("title") or "response"))[:64]
    return name or "response"


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(error.message or "")


ERRORS = SDKErrors(
    "openai",
    openai.OpenAIError,
    openai.APIError,
    openai.APIConnectionError,
    openai.APITimeoutError,
    openai.APIStatusError,
    _server_message,
)
