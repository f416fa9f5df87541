"""A throwaway PostgreSQL server for tests: `initdb` + `pg_ctl` in a temporary directory, on loopback.

Debian's `postgresql` package provides the binaries (in /usr/lib/postgresql/VERSION/bin). As root the
server runs as the `postgres` user (initdb refuses root). Each test gets its own database.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url

MISSING = (
    "the PostgreSQL server binaries (initdb, pg_ctl) are missing: install Debian's `postgresql` package "
    "(apt-get install -y postgresql), or set MNEMOFORGE_SKIP_POSTGRES=1 to skip the PostgreSQL tests"
)


def postgres_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    versions = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions.sort(key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found and shutil.which("pg_ctl") else None


class PostgresServer:
    """A running server reachable at `admin_url` (its `postgres` database); makes and drops databases."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def new_database(self) -> str:
        name = f"archive_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._admin.dispose()


class ThrowawayCluster:
    """`initdb` and start a cluster in a temporary directory; `stop()` removes every trace of it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="mnemoforge-pg-"))
        self.data = self.root / "data"
        self.port = 0

    def start(self) -> str:
        as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
        self._run([*as_postgres, *initdb, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        for _attempt in range(3):  # the free port may be taken between choosing and binding it
            self.port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
            pg_ctl = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log")]
            started = subprocess.run(
                [*as_postgres, *pg_ctl, "-o", options, "-w", "-t", "60", "start"],
                capture_output=True,
                text=True,
            )
            if started.returncode == 0:
                self._clean_up_when_this_process_dies()
                return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        log = (self.root / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()}\n{log}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(self._stop_command(), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def _stop_command(self) -> list[str]:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]

    def _clean_up_when_this_process_dies(self) -> None:
        """A watchdog stops the server even when pytest is killed and its fixtures never tear down."""
        stop = shlex.join(self._stop_command())
        watch = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
            f"{stop} >/dev/null 2>&1; sleep 1; rm -rf {shlex.quote(str(self.root))}"
        )
        subprocess.Popen(
            ["sh", "-c", watch],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    @staticmethod
    def _run(command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
