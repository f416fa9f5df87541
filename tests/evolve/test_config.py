"""Run configuration: TOML, flag overrides, and one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolve.config import ConfigError, load_config, parse_config


def test_defaults_are_the_embedded_offline_run() -> None:
    config = load_config(None, {})
    assert (config.domain, config.data, config.agent, config.mutation_model) == (
        "conversation",
        (),
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


@pytest.mark.parametrize(("saved", "data"), [("locomo:a.json", ("locomo:a.json",)), (None, ())])
def test_configs_saved_with_one_data_spec_still_load(saved: str | None, data: tuple[str, ...]) -> None:
    assert parse_config({"data": saved}).data == data


def test_data_and_transfer_take_several_specs_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text('data = ["synthetic", "locomo:a.json"]\ntransfer = ["longmemeval:b.json"]\n')
    config = load_config(path, {})
    assert config.data == ("synthetic", "locomo:a.json")
    assert config.transfer == ("longmemeval:b.json",)
    assert parse_config(config.model_dump(mode="json")) == config


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"data": ["synthetic", "synthetic"]}, "synthetic is given twice"),
        ({"transfer": [" "]}, "a data spec cannot be empty"),
    ],
)
def test_bad_data_specs_in_a_config_are_one_sentence(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(values)
