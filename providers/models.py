"""The model string a user types (`--model`), parsed into which provider, which endpoint, which model.

    openai:gpt-4.1-mini
    anthropic:claude-sonnet-4-5
    openai-compatible:http://127.0.0.1:8000/v1:qwen2.5-coder
    openai-compatible:http://127.0.0.1:11434/v1:llama3.1:8b      (model names may contain ':')

For `openai-compatible` the base URL comes first. The URL's host may carry a numeric port and its path
may not contain ':', so everything after the URL and one ':' is the model name; that is what lets
Ollama-style names such as `llama3.1:8b` and Hugging Face ids such as `Qwen/Qwen2.5-7B-Instruct` through
unchanged. A model name may not start with a port number, so a forgotten model name
(`openai-compatible:http://127.0.0.1:8000/v1`) is an error rather than a model called "8000/v1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from providers.errors import ProviderConfigError

ProviderName = Literal["openai", "anthropic", "openai-compatible"]
PROVIDERS: tuple[ProviderName, ...] = ("openai", "anthropic", "openai-compatible")

_URL_AND_MODEL = re.compile(
    r"^(?P<url>https?://(?:[^/@\s]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^/:\s\[\]]+)(?::\d+)?(?:/[^:\s]*)?):(?P<model>(?!\d+(?:/|$))\S.*)$"
)

_DISPLAY_NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "openai-compatible": "the OpenAI-compatible server",
}


@dataclass(frozen=True)
class ModelSpec:
    """One model at one endpoint. `base_url` is None for the providers' own endpoints."""

    provider: ProviderName
    model: str
    base_url: str | None = None

    def __str__(self) -> str:
        """The model string, without URL credentials: safe for records and messages."""
        if self.provider == "openai-compatible":
            return f"{self.provider}:{strip_credentials(self.base_url or '')}:{self.model}"
        return f"{self.provider}:{self.model}"

    @property
    def label(self) -> str:
        """How messages name the endpoint, e.g. "OpenAI" or "the OpenAI-compatible server at http://...".

        A URL's user:password part, if any, is dropped so that it never reaches a message.
        """
        if self.provider == "openai-compatible" and self.base_url:
            return f"{_DISPLAY_NAMES[self.provider]} at {strip_credentials(self.base_url)}"
        return _DISPLAY_NAMES[self.provider]


def parse_model(text: str) -> ModelSpec:
    """Parse a model string; raise `ProviderConfigError` with an example of the right form otherwise."""
    text = text.strip()
    provider, sep, rest = text.partition(":")
    if not sep or not rest.strip():
        raise ProviderConfigError(
            f"model {text!r} does not name a provider; write provider:model, e.g. openai:gpt-4.1-mini, "
            "anthropic:claude-sonnet-4-5 or openai-compatible:http://127.0.0.1:8000/v1:MODEL"
        )
    if provider not in PROVIDERS:
        raise ProviderConfigError(
            f"unknown provider {provider!r} in model {text!r}; use one of {', '.join(PROVIDERS)}"
        )
    if provider != "openai-compatible":
        return ModelSpec(provider=provider, model=rest.strip())  # type: ignore[arg-type]
    match = _URL_AND_MODEL.match(rest.strip())
    if not match:
        raise ProviderConfigError(
            f"model {text!r} needs a base URL and a model name: "
            "openai-compatible:http://HOST:PORT/v1:MODEL, e.g. openai-compatible:http://127.0.0.1:8000/v1:qwen2.5-coder"
        )
    return ModelSpec(provider="openai-compatible", model=match["model"], base_url=match["url"].rstrip("/"))


def strip_credentials(url: str) -> str:
    """`url` without a `user:password@` part."""
    return re.sub(r"^(https?://)[^/@\s]*@", r"\1", url)
