"""`mnemoforge export`: a program becomes a package that installs and runs where mnemoforge is not."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from archive import ArchiveStore
from archive.export import export_package
from evolve.cli.export_command import runtime_modules
from providers.embedders import HashedLexicalEmbedder
from seeds import SEEDS
from tests.browse.conftest import RealRun, SmallArchive, run_cli

PROJECT_PACKAGES = ("archive", "evolve", "sandbox", "providers", "seeds", "evaluators")


@dataclass(frozen=True)
class Exported:
    directory: Path
    module: str
    program_id: str


@pytest.fixture(scope="session")
def exported(real_run: RealRun, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    directory = tmp_path_factory.mktemp("export") / "chat-memory"
    best = real_run.summary["best_program_id"]
    result = run_cli(
        "export", best[:8], "--name", "chat-memory", "-o", str(directory), "--archive", real_run.url
    )
    assert result.code == 0, result.stderr
    assert f"exported program {best[:12]} as chat-memory (import chat_memory)" in result.stdout
    return Exported(directory, "chat_memory", best)


def run(args: list[str], cwd: Path, stdin: str | None = None, timeout: float = 600) -> str:
    """Run a command with a clean environment (no PYTHONPATH, no mnemoforge settings); its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MNEMOFORGE", "VIRTUAL_ENV"))}
    done = subprocess.run(
        args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def test_the_package_builds_installs_and_runs_in_a_fresh_venv_without_mnemoforge(
    exported: Exported, tmp_path: Path
) -> None:
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(exported.directory)],
        tmp_path,
    )
    wheels = list(dist.glob("chat_memory-0.1.0-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", f"numpy=={np.__version__}"], tmp_path)
    run([python, "-m", "pip", "install", "-q", "--no-index", str(wheels[0])], tmp_path)

    probe = f"import importlib.util as u; print([m for m in {PROJECT_PACKAGES!r} if u.find_spec(m)])"
    assert run([python, "-c", probe], tmp_path).strip() == "[]", "mnemoforge is importable in the fresh venv"
    installed = {
        p["name"].lower().replace("_", "-")
        for p in json.loads(run([python, "-m", "pip", "list", "--format=json"], tmp_path))
    }
    assert {"chat-memory", "numpy"} <= installed and "mnemoforge" not in installed

    smoke = run([python, "-m", "chat_memory.smoke"], tmp_path)
    assert "4 of 4 checks passed" in smoke, smoke

    write_and_read = (
        "from chat_memory import Memory, PROGRAM_ID\n"
        "with Memory() as memory:\n"
        "    memory.write('[session_1 | 3 June 2023]\\nAlex: My favourite tea is genmaicha.')\n"
        "    memory.write('[session_2 | 9 June 2023]\\nSam: I started rowing on the river on Sundays.')\n"
        "    found = memory.read('What is the favourite tea of Alex?')\n"
        "assert 'genmaicha' in found, found\n"
        "print(PROGRAM_ID)\n"
    )
    assert run([python, "-c", write_and_read], tmp_path).strip() == exported.program_id

    said = "My cat is called Pickles.\nI moved to Lisbon last week.\nWhat is my cat called?\n"
    example = run([python, str(exported.directory / "examples" / "agent_loop.py")], tmp_path, stdin=said)
    assert example.startswith("> What is my cat called?\n") and "Pickles" in example, example


def test_the_package_smoke_test_also_runs_under_pytest(exported: Exported, tmp_path: Path) -> None:
    env_path = str(exported.directory / "src")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(exported.directory / "tests")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": env_path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and "4 passed" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("domain", ["conversation", "planning"])
def test_every_seed_passes_its_exported_smoke_test(domain: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeds.db'}"
    with ArchiveStore(url) as store:
        ids = {seed.name: store.add_program(seed.source, domain, seed_name=seed.name).id for seed in SEEDS}
    sources = []
    for name, program_id in ids.items():
        result = run_cli(
            "export", program_id, "--name", f"seed-{name}", "-o", str(tmp_path / name), "--archive", url
        )
        assert result.code == 0, result.stderr
        sources.append(str(tmp_path / name / "src"))
    script = (
        "import importlib, io, contextlib\n"
        f"failed = []\nfor name in {sorted(ids)!r}:\n"
        "    smoke = importlib.import_module(f'seed_{name}.smoke')\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as said:\n"
        "        code = smoke.main()\n"
        "    if code:\n"
        "        failed.append((name, said.getvalue()))\n"
        "print(failed)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sources)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_the_exported_embedder_is_the_one_the_scores_were_measured_with(exported: Exported) -> None:
    path = exported.directory / "src" / exported.module / "embedding.py"
    spec = importlib.util.spec_from_file_location("exported_embedding", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = ["Maya adopted a grey tabby called Pickles.", "", "Lisbon, 20 May 2023: Leo moved!"]
    assert np.array_equal(
        np.array(module.HashedLexicalEmbedder()(texts)), np.array(HashedLexicalEmbedder()(texts))
    )


def test_the_rendered_and_vendored_code_has_no_undefined_names(exported: Exported) -> None:
    package = exported.directory / "src" / exported.module
    files = [p for p in package.glob("*.py") if p.name != "program.py"]  # the program is as evolution left it
    files += [
        exported.directory / "examples" / "agent_loop.py",
        exported.directory / "tests" / "test_smoke.py",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_vendored_modules_import_nothing_of_mnemoforge(small_archive: SmallArchive, tmp_path: Path) -> None:
    modules = runtime_modules()
    for filename, source in modules.items():
        for package in PROJECT_PACKAGES:
            assert f"from {package}." not in source and f"import {package}" not in source, (filename, package)
    # If the toolkit ever imports more of the sandbox, export refuses rather than ship a broken package.
    with ArchiveStore(small_archive.url) as store:
        for extra, complaint in (
            ("from sandbox.limits import X", "imports sandbox.limits; the package must stand alone"),
            ("from .protocol import X", "imports .protocol, which is not vendored"),
        ):
            tampered = {**modules, "toolkit.py": modules["toolkit.py"] + f"\n{extra}\n"}
            with pytest.raises(ValueError, match=re.escape(complaint)):
                export_package(store, small_archive.best_id, "m", tmp_path / "m", tampered)
    assert not (tmp_path / "m").exists()


def test_readme_and_provenance_hold_the_archive_facts(exported: Exported, real_run: RealRun) -> None:
    readme = (exported.directory / "README.md").read_text(encoding="utf-8")
    provenance = json.loads((exported.directory / "src" / exported.module / "provenance.json").read_text())
    with ArchiveStore(real_run.url) as store:
        evaluations = store.program_evaluations(exported.program_id)
        lineage = store.lineage(exported.program_id)
    assert provenance["program_id"] == exported.program_id
    assert [e["score"] for e in provenance["evaluations"]] == [e.score for e in evaluations]
    assert [step["id"] for step in provenance["lineage"]] == [p.id for p in lineage]
    assert f"program `{exported.program_id}`" in readme
    for evaluation in evaluations:
        row = f"| {evaluation.split} | offline | {evaluation.data_name} | `{evaluation.data_fingerprint}` | "
        assert row + f"{evaluation.score:.3f} |" in readme
        assert (
            f"- `{evaluation.split}`: {evaluation.data_name}, fingerprint `{evaluation.data_fingerprint}`"
            in readme
        )
    for program in lineage:
        assert f"`{program.id[:12]}`" in readme
    assert "### select by category" in readme and "### test by category" in readme


def test_readme_names_crossover_parents(small_archive: SmallArchive, tmp_path: Path) -> None:
    result = run_cli(
        "export",
        small_archive.best_id,
        "--name",
        "x-memory",
        "-o",
        str(tmp_path / "x"),
        "--archive",
        small_archive.url,
    )
    assert result.code == 0, result.stderr
    readme = (tmp_path / "x" / "README.md").read_text(encoding="utf-8")
    assert f"BM25_B 0.75 -> 0.6 (crossover with `{small_archive.seed_ids['vector_rag'][:12]}`)" in readme
    assert "| 0 | `" in readme and "seed bm25_turns" in readme


def test_the_suggested_install_names_the_directory_not_a_package_on_an_index(
    small_archive: SmallArchive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "export",
        small_archive.best_id,
        "--name",
        "x-memory",
        "-o",
        "x-memory",
        "--archive",
        small_archive.url,
    )
    assert result.code == 0, result.stderr
    assert "next: pip install ./x-memory && python -m x_memory.smoke" in result.stdout
