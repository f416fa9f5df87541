"""Run configuration: TOML, flag overrides, and one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.config import ConfigError, load_config, parse_config


def test_defaults_are_the_embedded_offline_run() -> None:
    config = load_config(None, {})
    assert (config.domain, config.data, config.agent, config.mutation_model) == (
        "conversation",
        None,
        "offline",
        None,
    )


def test_flags_override_the_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text(
        'domain = "conversation"\nmax_candidates = 12\nislands = 3\nseeds = "bm25_turns, vector_rag"\n'
    )
    config = load_config(path, {"max_candidates": 5, "islands": None})
    assert (config.max_candidates, config.islands) == (5, 3)
    assert config.seeds == ("bm25_turns", "vector_rag")


def test_saved_config_round_trips() -> None:
    config = load_config(None, {"seed": 4, "max_cost_usd": 1.5})
    assert parse_config(config.model_dump(mode="json")) == config


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("islands = 0", "islands in"),
        ('agent = "human"', "agent in"),
        ("budget = 3", "budget in"),
        ("max_candidates = ", "is not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_sentence(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "run.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(path, {})


def test_missing_config_file() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config("/nonexistent/run.toml", {})
