"""The domain of docs/domains.md, installed as a package of its own into a fresh venv, runs as written.

The venv is new and empty but for a path file that lends it this interpreter's installed packages (so
nothing is downloaded); the example package is installed into it by pip, for real, and found by its
entry point. The commands are the documented ones, with test-sized options appended (a later option
overrides an earlier one): the process sandbox, and a two-candidate run from two seeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from archive import ArchiveStore
from tests.domain_docs import documented_commands, documented_scores, write_documented_files

ROOT = Path(__file__).resolve().parents[1]
TEST_OPTIONS = {
    "eval": ["--sandbox", "process", "--json"],
    "evolve": [
        "--sandbox",
        "process",
        "--budget",
        "2",
        "--workers",
        "1",
        "--seeds",
        "bm25_turns,experience_learner",
        "--json",
    ],
    "domains": ["--json"],
}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "host-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def run(python: Path, words: list[str], cwd: Path, archive: Path) -> subprocess.CompletedProcess[str]:
    if words[:2] == ["pip", "install"]:
        command = [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
        ]
        command += words[2:]
    else:
        assert words[0] == "mnemoforge", words
        command = [str(python), "-m", "evolve", *words[1:], *TEST_OPTIONS.get(words[1], [])]
        if words[1] == "evolve":
            command += ["--archive", f"sqlite:///{archive}"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)


def test_the_documented_domain_installs_and_runs_eval_and_evolve(venv: Path, tmp_path: Path) -> None:
    write_documented_files(tmp_path)
    archive = tmp_path / "archive.db"
    outputs = {}
    for words in documented_commands():
        done = run(venv, words, tmp_path, archive)
        assert done.returncode == 0, f"{' '.join(words)} failed:\n{done.stderr[-3000:]}"
        outputs[words[1]] = done.stdout

    listed = {row["name"]: row for row in json.loads(outputs["domains"])}
    assert {"conversation", "planning", "preferences"} <= listed.keys()
    assert listed["preferences"]["package"] == "mnemoforge-preferences"
    assert listed["preferences"]["default_data"] == "builtin" and not listed["preferences"]["problem"]

    results = {row["program"]: row for row in json.loads(outputs["eval"])}
    assert set(results) == {"bm25_turns", "experience_learner"}
    for result in results.values():
        assert result["status"] == "ok" and result["domain"] == "preferences"
        assert result["data_name"] == "preferences:builtin"
        assert set(result["by_category"]) == {"stated", "changed"}
        assert 0 < result["metrics"]["applied"] <= result["metrics"]["cases"]
        assert 0 < result["score"] < 1
    documented = documented_scores()
    assert {"bm25_turns", "experience_learner"} <= documented.keys()
    for name, result in results.items():  # the figures in the docs are what the example measures
        assert round(result["score"], 3) == documented[name], name

    summary = json.loads(outputs["evolve"])
    assert summary["candidates"] == 2 and summary["best_test"] is not None
    store = ArchiveStore(f"sqlite:///{archive}")
    (run_record,) = store.list_runs()
    assert run_record.domain == "preferences"
    assert store.best_programs("preferences", "select", limit=1, run_id=run_record.id)
