"""Opening an archive database safely for several writer processes, on SQLite or any SQLAlchemy URL.

SQLite runs in WAL mode (readers never wait for writers) with a busy timeout, and every write
transaction starts with `BEGIN IMMEDIATE`, so two processes never both read and then fail to upgrade
to a write lock: they queue instead. On PostgreSQL the store relies on row locks and
`INSERT ... ON CONFLICT DO NOTHING`. Schema creation is serialized too (a write transaction on
SQLite, an advisory lock on PostgreSQL), so processes that open a new archive at once do not collide.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, insert, make_url, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from archive.errors import ArchiveError
from archive.models import ARCHIVE_TABLES, SCHEMA_VERSION, ArchiveMeta

SQLITE_BUSY_TIMEOUT_MS = 60_000
_SCHEMA_LOCK_KEY = 0x6D6E656D6F  # any constant; names the advisory lock of schema creation


def open_engine(url: str) -> Engine:
    """An engine for `url` with the archive's tables created; `ArchiveError` when it cannot be opened."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ArchiveError(f"'{url}' is not a database URL; give e.g. sqlite:///mnemoforge.db") from error
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url, parsed.database)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        try:
            create_schema(engine)
        except BaseException:
            engine.dispose()
            raise
    except ModuleNotFoundError as error:
        raise ArchiveError(
            f"the archive at {shown} needs the Python driver '{error.name}'; install it to use this URL"
        ) from error
    except OSError as error:
        raise ArchiveError(f"cannot create the archive at {shown}: {error.strerror or error}") from error
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise ArchiveError(f"cannot open the archive at {shown}: {reason}") from error
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock up front on SQLite."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same engine for reads: on PostgreSQL without BEGIN/ROLLBACK round trips.

    Nothing is lost: at READ COMMITTED every statement sees its own snapshot either way. SQLite keeps
    its (free) read transaction, so a multi-query read there sees one snapshot.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN would be DEFERRED; see below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, waiting up to the busy timeout for the file.

    The first switch of a new file needs it to itself, and SQLite may answer "database is locked" at once
    instead of calling its busy handler while another process switches the same file (seen when several
    processes open a new archive at the same moment). Once the file is in WAL mode the switch is a no-op.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def create_schema(engine: Engine) -> None:
    """Create the archive's missing tables and indexes, once, even when processes race to do it."""
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})")
        ARCHIVE_TABLES[0].metadata.create_all(connection, tables=ARCHIVE_TABLES)
        meta = ArchiveMeta.__table__  # type: ignore[attr-defined]
        insert_ignoring_duplicates(connection, meta, [{"key": "schema_version", "value": SCHEMA_VERSION}])
        found = connection.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one()
    if found != SCHEMA_VERSION:
        raise ArchiveError(
            f"this archive has schema version {found} and this mnemoforge reads version {SCHEMA_VERSION}; "
            "use the matching mnemoforge version or a new archive"
        )


def insert_ignoring_duplicates(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert `rows`, skipping any that would break a unique key; returns how many were inserted.

    Atomic per row under concurrent writers: a row already there (or being inserted by a concurrent
    transaction that then commits) is skipped, never doubled, and raises nothing.
    """
    if not rows:
        return 0
    name = connection.dialect.name
    if name in ("sqlite", "postgresql"):
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        # RETURNING counts what was inserted; rowcount is -1 with psycopg and on executemany.
        key = next(iter(table.primary_key.columns))
        statement = dialect_insert(table).on_conflict_do_nothing().returning(key)
        return len(connection.execute(statement, rows).all())
    inserted = 0
    for row in rows:  # other backends: one savepoint per row
        try:
            with connection.begin_nested():
                connection.execute(insert(table), row)
            inserted += 1
        except IntegrityError:
            continue
    return inserted


def clean_json(value: Any, where: str) -> Any:
    """`value` as strict JSON data: tuples become lists, NaN and infinities become null.

    PostgreSQL rejects NaN in JSON and SQLite would store it as text, so it never reaches either.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): clean_json(item, where) for key, item in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [clean_json(item, where) for item in value]
    raise TypeError(f"{where} must hold JSON data; got a {type(value).__name__}")


def clean_text(value: str | None) -> str | None:
    """Text PostgreSQL accepts: NUL characters (from crashing programs' output) become U+FFFD."""
    return value.replace("\x00", "\ufffd") if value else value
