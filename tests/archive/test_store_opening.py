"""Opening an archive: SQLite set up for concurrent writers, and one sentence when it cannot be opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import ArchiveError, ArchiveStore


def test_a_sqlite_archive_is_created_with_its_directory_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "deep" / "archive.db"
    with ArchiveStore(f"sqlite:///{path}") as store:
        store.create_run("conversation", {}, seed=0)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "programs", "evaluations", "candidates", "llm_calls"} <= tables


def test_reopening_an_archive_keeps_what_it_holds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with ArchiveStore(url) as store:
        run_id = store.create_run("conversation", {"a": 1}, seed=3).id
    with ArchiveStore(url) as store:
        assert store.get_run(run_id).config == {"a": 1}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://mnemo:hunter2@127.0.0.1:1/archive", "cannot open the archive at postgresql"),
        ("mysql://user@localhost/archive", "needs the Python driver"),
    ],
)
def test_an_archive_that_cannot_be_opened_is_one_sentence(url: str, message: str) -> None:
    with pytest.raises(ArchiveError, match=message) as raised:
        ArchiveStore(url)
    assert "\n" not in str(raised.value) and "hunter2" not in str(raised.value)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("hello " * 1000)
    with pytest.raises(ArchiveError, match="file is not a database"):
        ArchiveStore(f"sqlite:///{not_a_database}")


def test_an_archive_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    ArchiveStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE archive_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(ArchiveError, match="this archive has schema version 0"):
        ArchiveStore(f"sqlite:///{path}")
