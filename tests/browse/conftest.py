"""Fixtures for browsing, the report and export: a real small run, a hand-built archive, and the CLI.

The real run is made once per test session by the `evolve` command in a subprocess (programs run
in-process, offline agent, a handful of candidates), so the report and the export are tested on what
a search really leaves in the archive. The hand-built archive holds what a tiny run rarely shows:
rejected candidates, a failed evaluation, a crossover, ambiguous id prefixes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from archive import ArchiveStore
from evolve.cli.archive_command import archive_app
from evolve.cli.export_command import export_command
from evolve.cli.report_command import report_command
from seeds import get_seed

REPO = Path(__file__).resolve().parents[2]
REAL_RUN_ARGS = (
    "--sandbox",
    "inprocess",
    "--budget",
    "4",
    "--data",
    "synthetic:conversations=4",
    "--workers",
    "2",
)


def browse_app() -> typer.Typer:
    """The commands of this suite on one app, wired as `evolve/cli/__init__.py` wires them."""
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(archive_app, name="archive")
    app.command("report")(report_command)
    app.command("export")(export_command)
    return app


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliResult:
    """Run a command in-process (MNEMOFORGE_ARCHIVE unset, so only --archive counts)."""
    result = CliRunner().invoke(browse_app(), list(args), env={"MNEMOFORGE_ARCHIVE": None, "COLUMNS": "120"})
    return CliResult(result.exit_code, result.stdout, result.stderr)


@dataclass(frozen=True)
class RealRun:
    url: str
    run_id: str
    summary: dict[str, Any]


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    """A finished evolve run of a few candidates on synthetic conversations, in a fresh SQLite archive."""
    url = f"sqlite:///{tmp_path_factory.mktemp('real-run') / 'archive.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("MNEMOFORGE_ARCHIVE", "RAY_ADDRESS")}
    done = subprocess.run(
        [sys.executable, "-m", "evolve", "evolve", *REAL_RUN_ARGS, "--archive", url, "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"the evolve run failed: {done.stderr[-3000:]}"
    summary = json.loads(done.stdout[done.stdout.index("{") :])
    return RealRun(url, summary["run_id"], summary)


@dataclass(frozen=True)
class SmallArchive:
    """A hand-built run: two seeds, a mutation, a crossover (the best), a failed child, rejections."""

    url: str
    run_id: str
    seed_ids: dict[str, str]
    child_id: str
    best_id: str
    failed_id: str


def evaluation(score: float, *, split: str = "select", read_chars: float = 1500.0) -> dict[str, Any]:
    return {
        "domain": "conversation",
        "split": split,
        "data_fingerprint": "feedfacecafebeef" if split == "select" else "0123456789abcdef",
        "agent": "offline",
        "data_name": "synthetic(seed=0,conversations=4)",
        "status": "ok",
        "score": score,
        "metrics": {
            "questions": 40.0,
            "evidence_recall": score + 0.1,
            "answer_score": score - 0.1,
            "score": score,
        },
        "by_category": {
            "single-hop": {"questions": 20.0, "evidence_recall": score + 0.2, "answer_score": score},
            "temporal": {"questions": 12.0, "evidence_recall": score, "answer_score": score - 0.2},
            "adversarial": {"questions": 8.0, "evidence_recall": None, "answer_score": 0.5},
        },
        "cost": {"read_chars_mean": read_chars, "llm_calls_per_operation": 0.0, "read_seconds_median": 0.002},
    }


def build_small_archive(url: str, finished: bool = True) -> SmallArchive:
    bm25, vector = get_seed("bm25_turns").source, get_seed("vector_rag").source
    child_source = bm25.replace("TOP_K = 30", "TOP_K = 24")
    best_source = child_source.replace("BM25_B = 0.75", "BM25_B = 0.6")
    failed_source = bm25.replace("BM25_K1 = 1.2", "BM25_K1 = 9.9")
    config = {"islands": 2, "data": "synthetic:conversations=4", "agent": "offline", "read_chars": 3000}
    with ArchiveStore(url) as store:
        run = store.create_run("conversation", config, seed=0)
        seeds = {}
        for name, source, score, chars in (
            ("bm25_turns", bm25, 0.50, 1800.0),
            ("vector_rag", vector, 0.40, 1200.0),
        ):
            program = store.add_program(
                source, "conversation", run_id=run.id, seed_name=name, commit_message=f"seed {name}"
            )
            store.record_evaluation(program.id, run_id=run.id, **evaluation(score, read_chars=chars))
            seeds[name] = program.id
        child = store.add_program(
            child_source, "conversation", [seeds["bm25_turns"]], "structural", "TOP_K 30 -> 24", run.id, 0, 2
        )
        store.record_candidate(
            run.id,
            parent_ids=[seeds["bm25_turns"]],
            mutator="structural",
            status="accepted",
            program_id=child.id,
            island=0,
            commit_message="TOP_K 30 -> 24",
        )
        store.record_evaluation(child.id, run_id=run.id, **evaluation(0.55, read_chars=1500.0))
        for _ in range(2):
            store.record_candidate(
                run.id,
                parent_ids=[child.id],
                mutator="structural",
                status="rejected",
                reason="edits_do_not_apply",
                island=1,
            )
        best = store.add_program(
            best_source,
            "conversation",
            [child.id, seeds["vector_rag"]],
            "crossover",
            "BM25_B 0.75 -> 0.6",
            run.id,
            1,
            4,
        )
        store.record_candidate(
            run.id,
            parent_ids=[child.id, seeds["vector_rag"]],
            mutator="crossover",
            status="accepted",
            program_id=best.id,
            island=1,
            commit_message="BM25_B 0.75 -> 0.6",
        )
        store.record_evaluation(best.id, run_id=run.id, **evaluation(0.60, read_chars=2400.0))
        store.record_evaluation(best.id, run_id=run.id, **evaluation(0.58, split="test", read_chars=2400.0))
        store.record_evaluation(seeds["bm25_turns"], run_id=run.id, **evaluation(0.49, split="test"))
        store.record_candidate(
            run.id,
            parent_ids=[best.id],
            mutator="structural",
            status="duplicate",
            reason="identical or near-identical to a program already evaluated",
            island=0,
        )
        failed = store.add_program(
            failed_source, "conversation", [child.id], "structural", "BM25_K1 1.2 -> 9.9", run.id, 0, 6
        )
        store.record_candidate(
            run.id,
            parent_ids=[child.id],
            mutator="structural",
            status="accepted",
            program_id=failed.id,
            island=0,
            commit_message="BM25_K1 1.2 -> 9.9",
        )
        failure = {
            **evaluation(0.0),
            "status": "failed",
            "failure_reason": "timeout",
            "failure_message": "read() took longer than 10 s",
            "metrics": {},
            "by_category": {},
        }
        store.record_evaluation(failed.id, run_id=run.id, **failure)
        if finished:
            store.set_run_status(
                run.id,
                "finished",
                {
                    "best_program_id": best.id,
                    "candidates": 6,
                    "best_select": 0.60,
                    "best_test": 0.58,
                    "best_seed_program_id": seeds["bm25_turns"],
                },
            )
    return SmallArchive(url, run.id, seeds, child.id, best.id, failed.id)


@pytest.fixture
def small_archive(tmp_path: Path) -> SmallArchive:
    return build_small_archive(f"sqlite:///{tmp_path / 'small.db'}")


def shared_prefix(ids: list[str]) -> str | None:
    """The shortest prefix that starts two or more of `ids`, if any."""
    for length in range(1, 65):
        seen: dict[str, int] = {}
        for found in ids:
            seen[found[:length]] = seen.get(found[:length], 0) + 1
        shared = sorted(prefix for prefix, count in seen.items() if count > 1)
        if shared:
            return shared[0]
    return None
