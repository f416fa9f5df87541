"""Opening the archive for the commands that read it (archive, report, export), with user-level errors.

Reading commands must not create an archive as a side effect: a mistyped path would otherwise leave an
empty database behind and report "no program" instead of "no archive here". Archive errors (unknown or
ambiguous id, unreachable database) are user errors (`support.USER_ERRORS`): one sentence, exit code 2.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from archive import ArchiveStore
from evolve.cli.support import UserError, archive_url

ARCHIVE_OPTION_HELP = "Archive database URL (default: env MNEMOFORGE_ARCHIVE, else sqlite:///mnemoforge.db)."


def open_archive(url: str | None) -> ArchiveStore:
    """The archive at `url` (or the configured default), which must exist and hold at least one program."""
    resolved = archive_url(url)
    database = _sqlite_file(resolved)
    if database is not None and not database.is_file():
        raise UserError(
            f"there is no archive at {database}; run `mnemoforge evolve` first, "
            "or point --archive or MNEMOFORGE_ARCHIVE at an existing one"
        )
    store = ArchiveStore(resolved)
    if not store.list_runs() and not store.list_programs():
        store.close()
        raise UserError(f"the archive at {_shown(resolved)} is empty; run `mnemoforge evolve` to fill it")
    return store


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases, in-memory SQLite, or a malformed URL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # ArchiveStore says what is wrong with it
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
