"""`mnemoforge sandbox build|check`: plain answers about what works, from a real daemon and image."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from evolve.cli.sandbox_command import sandbox_app

runner = CliRunner()


def test_check_finds_every_limit_in_force_inside_a_real_container(sandbox_image: str) -> None:
    result = runner.invoke(sandbox_app, ["check", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["docker_usable"] is True
    names = {finding["name"] for finding in report["docker"] if finding["ok"]}
    for limit in (
        "no network",
        "read-only root",
        "non-root user",
        "no capabilities",
        "memory limit",
        "process limit",
    ):
        assert limit in names
    assert any(finding["name"] == "weakness" for finding in report["process"])


def test_check_speaks_plain_words(sandbox_image: str) -> None:
    result = runner.invoke(sandbox_app, ["check"])
    assert result.exit_code == 0, result.output
    assert "the Docker sandbox is usable" in result.output
    assert "Process sandbox" in result.output


def test_build_knows_when_the_image_is_current(sandbox_image: str) -> None:
    result = runner.invoke(sandbox_app, ["build"])
    assert result.exit_code == 0, result.output
    assert f"{sandbox_image} is up to date" in result.output
