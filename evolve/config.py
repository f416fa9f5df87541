"""A run's configuration: one pydantic model, loadable from TOML, every field overridable by a CLI flag.

The config is saved with the run in the archive, so `--resume` continues with exactly the settings the
run started with, and a report can always say what produced a result.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from evaluators.runner import DEFAULT_READ_CHAR_LIMIT
from providers.config import BudgetSettings, LLMSettings
from providers.embedders import check_embedder


class ConfigError(ValueError):
    """A config file or flag that cannot be used; the message says which field and why."""


class RunConfig(BaseModel):
    """Everything that decides what a run does. Defaults are the embedded, no-API-key run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: str = "conversation"
    data: tuple[str, ...] = Field(
        (),
        description="the domain's data specs (e.g. locomo:PATH); several: selection on the mean of their "
        "scores; none = its built-in data",
    )
    transfer: tuple[str, ...] = Field(
        (), description="data specs the winner and the seeds are evaluated on after the run (all of it)"
    )
    agent: Literal["offline", "llm"] = "offline"
    agent_model: str | None = Field(None, description="model string of the task agent when agent = llm")
    mutation_model: str | None = Field(
        None, description="model string of the reflective mutator; none = offline"
    )
    llm: LLMSettings = Field(
        default_factory=LLMSettings,
        description="settings of both models (the [llm] section: prices, timeout, cache), never a key",
    )
    embedder: str = "hashed"
    sandbox: Literal["auto", "docker", "process", "inprocess"] = "auto"
    read_chars: int = Field(DEFAULT_READ_CHAR_LIMIT, ge=1)
    seeds: tuple[str, ...] = Field((), description="seed names to start from; empty = every registered seed")

    islands: int = Field(2, ge=1)
    island_capacity: int = Field(6, ge=2, description="programs kept per island")
    migration_interval: int = Field(10, ge=1, description="candidates between migrations")
    inspirations: int = Field(2, ge=0, description="other elites shown to a mutator")
    softmax_temperature: float = Field(0.05, gt=0, description="parent selection: lower = greedier")

    cascade: bool = Field(
        True, description="evaluate a candidate on a quarter of select first (`evolve.cascade`)"
    )
    cascade_margin: float = Field(
        0.0,
        ge=0,
        description="how far below its island's best on that quarter, beyond the noise of its cases, a "
        "candidate may go on",
    )

    max_candidates: int = Field(48, ge=0, description="mutations to try (the budget in candidates)")
    max_cost_usd: float | None = Field(None, ge=0)
    max_wall_seconds: float | None = Field(None, gt=0)

    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    proposals_in_flight: int | None = Field(
        None,
        ge=1,
        description="proposals of the reflective mutator waiting for its model at once; none = workers",
    )
    ray_address: str | None = None
    seed: int = 0

    @property
    def evaluation_agent(self) -> str:
        """The agent as evaluations are keyed in the archive: the LLM agent with its model, so that runs
        with different agent models never reuse each other's scores."""
        return self.agent if self.agent != "llm" else f"llm:{self.agent_model}"

    @field_validator("llm")
    @classmethod
    def _no_key_or_second_budget(cls, value: LLMSettings) -> LLMSettings:
        # The config is saved in the archive and sent to every worker: keys stay in the environment.
        if value.api_key is not None:
            raise ValueError("a run config is saved in the archive: keep the key in the provider's variable")
        if value.budget != BudgetSettings():
            raise ValueError("a run's model budget is max_cost_usd (--max-cost), summed over all workers")
        return value

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str) -> str:
        check_embedder(value)  # here, not in every worker: a bad one would fail every evaluation
        return value

    @field_validator("data", "transfer", mode="before")
    @classmethod
    def _one_spec_or_several(cls, value: Any) -> Any:
        # Configs saved before runs took several datasets hold one spec (or none) in `data`.
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else value

    @field_validator("data", "transfer")
    @classmethod
    def _no_empty_spec(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        specs = tuple(spec.strip() for spec in value)
        if not all(specs):
            raise ValueError("a data spec cannot be empty")
        twice = next((spec for index, spec in enumerate(specs) if spec in specs[:index]), None)
        if twice is not None:
            raise ValueError(f"{twice} is given twice; give each dataset once")
        return specs

    @field_validator("seeds", mode="before")
    @classmethod
    def _split_seed_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


def load_config(path: str | Path | None, overrides: dict[str, Any]) -> RunConfig:
    """The config from a TOML file (optional) with CLI overrides applied; `None` overrides are ignored."""
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    values.update({key: value for key, value in overrides.items() if value is not None})
    return parse_config(values, str(path) if path else "the command line")


def parse_config(values: dict[str, Any], origin: str = "the saved config") -> RunConfig:
    try:
        return RunConfig(**values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "config"
        message = first["msg"].removeprefix("Value error, ")  # pydantic's prefix to our validators' words
        raise ConfigError(f"{where} in {origin}: {message}") from None
