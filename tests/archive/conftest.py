"""Every archive store test runs twice: on a SQLite file and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster started once per test session (see `postgres_server.py`),
or the server at $MNEMOFORGE_TEST_POSTGRES_URL (an admin URL) when set. Without PostgreSQL binaries the
tests fail, unless MNEMOFORGE_SKIP_POSTGRES=1 says to skip them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import ArchiveStore
from tests.archive.postgres_server import MISSING, PostgresServer, ThrowawayCluster, postgres_bindir

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    given = os.environ.get("MNEMOFORGE_TEST_POSTGRES_URL")
    if given:
        server = PostgresServer(given)
        yield server
        server.close()
        return
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("MNEMOFORGE_SKIP_POSTGRES") == "1":
            pytest.skip("PostgreSQL tests skipped (MNEMOFORGE_SKIP_POSTGRES=1)")
        pytest.fail(MISSING, pytrace=False)
    cluster = ThrowawayCluster(bindir)
    try:
        server = PostgresServer(cluster.start())
        yield server
        server.close()
    finally:
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty archive database on each backend (no tables yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    yield url
    if os.environ.get("MNEMOFORGE_TEST_POSTGRES_URL"):  # a throwaway cluster is deleted whole at the end
        server.drop_database(url)


@pytest.fixture
def store(archive_url: str) -> Iterator[ArchiveStore]:
    opened = ArchiveStore(archive_url)
    yield opened
    opened.close()
