"""LLM settings as typed data: what a run's `[llm]` config section holds, and where keys come from.

    [llm]
    model = "openai:gpt-4.1-mini"
    timeout = 60
    max_concurrency = 8
    cache = true
    [llm.budget]
    max_dollars = 5.0
    [llm.prices]
    "openai:gpt-4.1-mini" = { input = 0.40, output = 1.60 }

Keys come from `api_key` here or from the provider's environment variable (OPENAI_API_KEY,
ANTHROPIC_API_KEY, OPENAI_COMPATIBLE_API_KEY). `api_key` is a `SecretStr`, so printing or dumping the
settings never shows it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from providers.accounting import Budget, Price, PriceTable
from providers.errors import ProviderConfigError
from providers.models import ModelSpec
from providers.retry import RetryPolicy
from providers.transport import KEY_VARIABLES

NO_KEY_PLACEHOLDER = "EMPTY"
"""What an OpenAI-compatible server without authentication receives (vLLM's documented convention)."""


class PriceSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, description="dollars per million input tokens")
    output: float = Field(default=0.0, ge=0, description="dollars per million output tokens")


class BudgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_calls: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    max_dollars: float | None = Field(default=None, ge=0)

    def to_budget(self) -> Budget:
        return Budget(self.max_calls, self.max_tokens, self.max_dollars)


class LLMSettings(BaseModel):
    """Everything about talking to models except which model (that is the `--model` string)."""

    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    base_url: str | None = Field(default=None, description="another endpoint for openai/anthropic (a proxy)")
    timeout: float = Field(default=60.0, gt=0, description="seconds per request before it counts as failed")
    max_attempts: int = Field(default=5, ge=1, description="requests per call, counting retries")
    retry_base_delay: float = Field(default=1.0, ge=0)
    retry_max_delay: float = Field(default=30.0, ge=0)
    max_retry_after: float = Field(default=120.0, ge=0, description="longest Retry-After worth waiting for")
    max_concurrency: int = Field(default=8, ge=1, description="requests in flight at once, per process")
    cache: bool = True
    cache_path: Path | None = None
    structured_output: bool = Field(default=True, description="send JSON schemas as native structured output")
    prices: dict[str, PriceSetting] = Field(default_factory=dict)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.retry_base_delay,
            max_delay=self.retry_max_delay,
            max_retry_after=self.max_retry_after,
        )

    def price_table(self) -> PriceTable:
        return PriceTable({key: Price(p.input, p.output) for key, p in self.prices.items()})


def resolve_api_key(spec: ModelSpec, settings: LLMSettings) -> str:
    """The key to use for `spec`: the settings', else the provider's environment variable.

    OpenAI and Anthropic without a key raise `ProviderConfigError` before anything is sent; an
    OpenAI-compatible server may need none, and then gets a placeholder.
    """
    if settings.api_key is not None and settings.api_key.get_secret_value():
        return settings.api_key.get_secret_value()
    variable = KEY_VARIABLES[spec.provider]
    value = os.environ.get(variable, "").strip()
    if value:
        return value
    if spec.provider == "openai-compatible":
        return NO_KEY_PLACEHOLDER
    raise ProviderConfigError(
        f"no API key for {spec.label} (model {spec.model}): set {variable} or api_key in the [llm] config",
        spec.provider,
        spec.model,
    )
