"""Finding a domain: by name (entry point, built-in), module:attribute or file; errors in one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archive import ArchiveStore
from evaluators.api import Case, DataError, Domain
from evaluators.domains import BUILT_IN_DOMAINS, UnknownDomainError, canonical_spec, get_domain
from evolve.cli import app
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed
from tests.domain_docs import documented_files
from tests.programs import degenerate

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def preferences_file(tmp_path: Path) -> Path:
    path = tmp_path / "preferences.py"
    path.write_text(documented_files()["mnemoforge-preferences/preferences.py"])
    return path


def test_the_built_ins_are_the_entry_points_pyproject_declares() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    assert declared["mnemoforge.domains"] == BUILT_IN_DOMAINS
    for name, reference in BUILT_IN_DOMAINS.items():
        assert get_domain(name).name == name
        assert get_domain(reference) is get_domain(name)
        assert isinstance(get_domain(name), Domain)


def test_a_domain_file_is_found_by_path_with_or_without_its_attribute(
    preferences_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(preferences_file.parent)
    domain = get_domain("./preferences.py:DOMAIN")
    assert domain.name == "preferences" and domain.default_data == "builtin"
    assert get_domain(f"{preferences_file}:DOMAIN") is domain  # one module per file, whatever the spelling
    assert get_domain(str(preferences_file)) is domain
    assert get_domain(f"{preferences_file}:Preferences").name == "preferences"  # a class is instantiated
    assert canonical_spec("./preferences.py:DOMAIN") == f"{preferences_file}:DOMAIN"
    assert canonical_spec("conversation") == "conversation"


@pytest.mark.parametrize(
    ("source", "spec", "message"),
    [
        (None, "chess", "unknown domain 'chess'; choose one of conversation, planning"),
        (None, "./nowhere.py:DOMAIN", "the file nowhere.py does not exist"),
        ("DOMAIN = 3\n", "{file}:DOMAIN", "is not a domain: it lacks name, default_data"),
        ("DOMAIN = 3\n", "{file}:TASK", "has no attribute 'TASK'"),
        ("import json\nraise ValueError('no data folder')\n", "{file}", "ValueError: no data folder (at"),
        (None, "evaluators.nothing:DOMAIN", "is not available here (No module named 'evaluators.nothing')"),
    ],
)
def test_a_spec_that_names_no_usable_domain_is_one_sentence(
    tmp_path: Path, source: str | None, spec: str, message: str
) -> None:
    file = tmp_path / f"domain_{abs(hash(spec)) % 10_000}.py"
    if source is not None:
        file.write_text(source)
    with pytest.raises(UnknownDomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_domain(spec.format(file=file))


def test_domains_list_shows_the_built_ins_with_their_default_data() -> None:
    outcome = runner.invoke(app, ["domains", "list", "--json"])
    assert outcome.exit_code == 0
    rows = {row["name"]: row for row in json.loads(outcome.stdout)}
    assert rows["conversation"]["default_data"] == "synthetic"
    assert rows["planning"]["default_data"] == "household"
    assert rows["planning"]["reference"] == BUILT_IN_DOMAINS["planning"]


def test_eval_runs_a_domain_named_by_path_and_shows_its_own_metrics(preferences_file: Path) -> None:
    spec = f"{preferences_file}:DOMAIN"
    outcome = runner.invoke(app, ["eval", "bm25_turns", "--domain", spec, "--sandbox", "inprocess"])
    assert outcome.exit_code == 0, outcome.stderr
    assert "preferences:builtin" in outcome.stdout
    for header in ("changed", "stated", "applied", "recalled", "selection score"):
        assert header in outcome.stdout
    bad = runner.invoke(app, ["eval", "bm25_turns", "--domain", spec, "--data", "builtin:people=3"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "error: bad builtin option 'people=3'; use e.g. builtin:users=12,seed=0"


def test_a_split_is_by_user_and_records_the_split_fingerprint(preferences_file: Path) -> None:
    domain = get_domain(str(preferences_file))
    dataset = domain.load_dataset("builtin:users=10")
    chosen = {
        split: {domain.unit_id(u) for u in domain.units(dataset, split)} for split in ("select", "test")
    }
    assert chosen["select"] and chosen["test"] and not chosen["select"] & chosen["test"]
    assert domain.split_fingerprint(dataset, "select") != domain.split_fingerprint(dataset, "test")
    assert domain.load_dataset("builtin:users=10").fingerprint() == dataset.fingerprint()
    assert domain.load_dataset("builtin:users=10,seed=1").fingerprint() != dataset.fingerprint()


def test_evolve_on_a_domain_named_by_relative_path_reaches_the_ray_workers(
    preferences_file: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.db"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "evolve", "evolve", "--domain", "./preferences.py:DOMAIN", "--json"),
            *("--budget", "1", "--workers", "1", "--seeds", "bm25_turns", "--sandbox", "inprocess"),
            *("--archive", f"sqlite:///{archive}"),
        ],
        cwd=preferences_file.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["best_test"] is not None
    store = ArchiveStore(f"sqlite:///{archive}")
    (run,) = store.list_runs()
    assert run.domain == "preferences" and run.config["domain"] == f"{preferences_file}:DOMAIN"
    evaluations = store.run_evaluations(run.id)
    assert evaluations and all(evaluation.status == "ok" for evaluation in evaluations)


class Echo(Domain):
    """The smallest domain: a unit is a dict with an id and a text; its one request scores 1 if recalled."""

    name = "echo"
    default_data = "two"

    def load(self, spec: str) -> list[dict[str, str]]:
        return [{"id": "a", "text": "apples are red"}, {"id": "a" if spec == "twice" else "b", "text": "sky"}]

    def play(self, unit, assistant):
        assistant.remember(unit["text"])
        recalled = assistant.recall(unit["text"])
        return [Case(unit["id"], "all", float(unit["text"] in recalled), unit["text"], "", "", recalled)]


def test_the_smallest_domain_gets_splits_fingerprints_and_failures_from_the_platform() -> None:
    domain = Echo()
    dataset = domain.load_dataset("two")
    assert dataset.name == "echo:two" and len(dataset.fingerprint()) == 16
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    result = domain.evaluate(
        get_seed("bm25_turns").source,
        dataset,
        "all",
        domain.make_agent("offline"),
        InProcessSession,
        capabilities,
        read_char_limit=5,
    )
    assert result.ok and result.metrics["cases"] == 2 and result.cost["truncated_reads"] >= 1
    assert all(len(case.context) <= 5 for case in result.cases)
    crashing = degenerate("self.texts.append(raw_text)", "raise RuntimeError('no room')")
    failed = domain.evaluate(
        crashing, dataset, "all", domain.make_agent("offline"), InProcessSession, capabilities
    )
    assert (
        failed.status == "failed" and failed.failure_reason == "crash" and "no room" in failed.failure_message
    )
    with pytest.raises(DataError, match="two units have the id 'a'"):
        domain.load_dataset("twice")
