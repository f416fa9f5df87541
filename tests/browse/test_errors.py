"""Every command's error paths: one clear sentence on stderr, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from archive import ArchiveStore
from evolve.cli.archive_access import open_archive
from tests.archive.builders import source
from tests.browse.conftest import SmallArchive, build_small_archive, run_cli, shared_prefix

PROGRAM_COMMANDS = (
    ("archive", "show"),
    ("archive", "diff"),
    ("archive", "lineage"),
    ("export", "--name", "some-memory", "-o", "unused-dir"),
)


def assert_user_error(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.code == 2, (args, result.stdout, result.stderr)
    assert message in result.stderr, (args, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def with_id(command: tuple[str, ...], program_id: str) -> list[str]:
    """The command with the id in its place (right after the command's name)."""
    head = 2 if command[0] == "archive" else 1
    return [*command[:head], program_id, *command[head:]]


@pytest.fixture
def ambiguous(small_archive: SmallArchive) -> tuple[SmallArchive, str, str]:
    """The small archive grown until a program prefix and a run prefix are each shared by two ids."""
    with ArchiveStore(small_archive.url) as store:
        n = 0
        while (program_prefix := shared_prefix([p.id for p in store.list_programs()])) is None:
            n += 1
            store.add_program(source(n), "conversation")
        while (run_prefix := shared_prefix([r.id for r in store.list_runs()])) is None:
            store.create_run("conversation", {}, seed=0)
    return small_archive, program_prefix, run_prefix


def reading_commands(tmp_path: Path) -> list[list[str]]:
    """Every command that reads the archive, each with an id that need not exist."""
    return [
        ["archive", "runs"],
        ["archive", "list"],
        ["archive", "show", "abc"],
        ["archive", "diff", "abc"],
        ["archive", "lineage", "abc"],
        ["report", "abc"],
        ["export", "abc", "--name", "m", "-o", str(tmp_path / "out")],
    ]


def test_a_missing_archive_file_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere.db'}"
    for args in reading_commands(tmp_path):
        assert_user_error([*args, "--archive", url], f"there is no archive at {tmp_path / 'nowhere.db'}")
    assert not (tmp_path / "nowhere.db").exists(), "a reading command created an archive"


def test_an_empty_archive_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    ArchiveStore(url).close()  # the tables exist, nothing is in them
    for args in reading_commands(tmp_path):
        assert_user_error([*args, "--archive", url], "is empty; run `mnemoforge evolve` to fill it")


def test_checking_that_an_archive_is_not_empty_reads_no_programs_source(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    with ArchiveStore(url) as store:
        store.add_program(source(1), "conversation")
    statements: list[str] = []

    def seen(connection: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        open_archive(url).close()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert statements, "no query was seen: the check did not run"
    assert not any("programs.source" in statement for statement in statements)


def test_an_unknown_id_names_what_was_not_found(small_archive: SmallArchive) -> None:
    url = ["--archive", small_archive.url]
    with ArchiveStore(small_archive.url) as store:
        ids = [p.id for p in store.list_programs()] + [r.id for r in store.list_runs()]
    unknown = next(prefix for prefix in ("000000", "ffffff") if not any(i.startswith(prefix) for i in ids))
    for command in PROGRAM_COMMANDS:
        assert_user_error([*with_id(command, unknown), *url], f"no program id starts with '{unknown}'")
        assert_user_error(
            [*with_id(command, "xyz"), *url], "'xyz' is not a program id; program ids are hexadecimal"
        )
    assert_user_error(["report", unknown, *url], f"no run id starts with '{unknown}'")
    assert_user_error(["archive", "list", "--run", unknown, *url], f"no run id starts with '{unknown}'")


def test_an_ambiguous_prefix_asks_for_more_characters(ambiguous: tuple[SmallArchive, str, str]) -> None:
    archive, program_prefix, run_prefix = ambiguous
    url = ["--archive", archive.url]
    for command in PROGRAM_COMMANDS:
        assert_user_error(
            [*with_id(command, program_prefix), *url],
            f"'{program_prefix}' starts the ids of several programs",
        )
    assert_user_error(["report", run_prefix, *url], f"'{run_prefix}' starts the ids of several runs")
    assert_user_error(["archive", "list", "--run", run_prefix, *url], "several runs")


def test_a_seed_has_no_parent_to_diff_against(small_archive: SmallArchive) -> None:
    seed = small_archive.seed_ids["bm25_turns"]
    assert_user_error(
        ["archive", "diff", seed[:8], "--archive", small_archive.url],
        f"program {seed[:12]} is seed bm25_turns, so it has no parent to diff against",
    )


def test_a_run_with_nothing_evaluated_has_no_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with ArchiveStore(url) as store:
        run = store.create_run("conversation", {}, seed=0)
        store.add_program(source(1), "conversation", run_id=run.id, seed_name="bm25_turns")
    assert_user_error(
        ["report", run.id, "--archive", url], f"run {run.id} has no successful evaluation of a seed"
    )


def test_list_of_a_domain_with_no_programs_says_so(small_archive: SmallArchive) -> None:
    assert_user_error(
        ["archive", "list", "--domain", "planning", "--archive", small_archive.url],
        "no program has a successful select evaluation in domain planning",
    )


def test_export_refuses_bad_names_and_occupied_directories(
    small_archive: SmallArchive, tmp_path: Path
) -> None:
    url = ["--archive", small_archive.url]
    best = small_archive.best_id[:10]
    out = str(tmp_path / "pkg")
    assert_user_error(
        ["export", best, "--name", "-bad", "-o", out, *url], "'-bad' is not a usable package name"
    )
    assert_user_error(["export", best, "--name", "json", "-o", out, *url], "would shadow the module 'json'")
    assert_user_error(
        ["export", best, "--name", "ok", "--package-version", "one", "-o", out, *url], "not a package version"
    )
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    assert_user_error(["export", best, "--name", "ok", "-o", str(occupied), *url], "is not empty")
    forced = run_cli("export", best, "--name", "ok", "-o", str(occupied), "--force", *url)
    assert forced.code == 0, forced.stderr
    assert (occupied / "notes.txt").read_text() == "mine" and (
        occupied / "src" / "ok" / "program.py"
    ).is_file()


def test_report_refuses_a_directory_as_output(small_archive: SmallArchive, tmp_path: Path) -> None:
    assert_user_error(
        ["report", small_archive.run_id, "-o", str(tmp_path), "--archive", small_archive.url],
        "is a directory",
    )


def test_a_malformed_archive_url_is_one_sentence() -> None:
    assert_user_error(["archive", "runs", "--archive", "nonsense://"], "nonsense")


def test_an_unfinished_run_is_reported_from_its_best_so_far(tmp_path: Path) -> None:
    archive = build_small_archive(f"sqlite:///{tmp_path / 'running.db'}", finished=False)
    result = run_cli("report", archive.run_id, "-o", str(tmp_path / "r.html"), "--archive", archive.url)
    assert result.code == 0, result.stderr
    assert f"best {archive.best_id[:12]} 0.600" in result.stdout
