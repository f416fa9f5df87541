"""Anthropic's Messages API through the `anthropic` SDK.

The system prompt is a separate field, `max_tokens` is required, and a JSON schema is enforced
through `output_config.format` (structured outputs). Claude's structured outputs want objects closed
(`additionalProperties: false`), so the schema's declared objects are closed before it is sent; the
caller still validates the answer, because older models ignore the format.

No temperature is sent: the Messages API of the SDK this project uses has no sampling parameters
(the SDK rejects them). A request's temperature still decides whether it is cached.
"""

from __future__ import annotations

import copy
from typing import Any

import anthropic

from providers.models import ModelSpec
from providers.transport import ChatRequest, RawCompletion, SDKErrors, translated_errors


def make_anthropic_client(api_key: str, base_url: str | None, timeout: float) -> anthropic.Anthropic:
    """An SDK client with its own retries off and the key passed explicitly.

    Passing `api_key` also stops the SDK from looking for credential profiles on disk, so what is
    used is exactly what the configuration says. Telemetry spans are off: they could carry prompts.
    """
    options: dict[str, Any] = {
        "api_key": api_key,
        "max_retries": 0,
        "timeout": timeout,
        "open_telemetry": False,
    }
    if base_url:
        options["base_url"] = base_url
    return anthropic.Anthropic(**options)


class AnthropicChatTransport:
    """Messages for one Claude model."""

    def __init__(
        self, spec: ModelSpec, client: anthropic.Anthropic, supports_json_schema: bool = True
    ) -> None:
        self.spec = spec
        self.client = client
        self.supports_json_schema = supports_json_schema

    def send(self, request: ChatRequest, timeout: float) -> RawCompletion:
        params: dict[str, Any] = {
            "model": self.spec.model,
            "max_tokens": request.max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        if request.system:
            params["system"] = request.system
        if request.json_schema is not None and self.supports_json_schema:
            params["output_config"] = {
                "format": {"type": "json_schema", "schema": closed_schema(request.json_schema)}
            }
        with translated_errors(self.spec, ERRORS):
            response = self.client.messages.create(**params, timeout=timeout)
        text = "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
        usage = response.usage
        return RawCompletion(
            text=text,
            input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
            finish_reason=str(response.stop_reason or ""),
            served_model=str(response.model or ""),
        )

    def check(self, timeout: float) -> None:
        """Look the model up (no tokens spent); a model that says it has no structured outputs gets
        its schemas through the prompt only."""
        with translated_errors(self.spec, ERRORS):
            info = self.client.models.retrieve(self.spec.model, timeout=timeout)
        support = getattr(getattr(info, "capabilities", None), "structured_outputs", None)
        if support is not None and getattr(support, "supported", True) is False:
            self.supports_json_schema = False


def closed_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` with `additionalProperties: false` on every object with declared properties."""
    closed = copy.deepcopy(schema)
    stack: list[Any] = [closed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            # Only objects with declared properties: a free-form `dict` field must stay open.
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return closed


def _server_message(error: anthropic.APIStatusError) -> str:
    return error.api_message or str(error.message or "")


ERRORS = SDKErrors(
    "anthropic",
    anthropic.AnthropicError,
    anthropic.APIError,
    anthropic.APIConnectionError,
    anthropic.APITimeoutError,
    anthropic.APIStatusError,
    _server_message,
)
