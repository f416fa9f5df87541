"""What every CLI command shares: user errors as one sentence and exit code 2, and the consoles.

A traceback is for bugs. Anything a user can cause (a missing file, a broken program, an unknown
seed, bad data) is caught here and printed as one sentence saying what to do.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from archive.errors import ArchiveError
from evaluators.conversation.data import DataError
from evaluators.domains import UnknownDomainError
from evolve.errors import UserError
from sandbox.backends import SandboxUnavailable
from sandbox.contract import ContractError
from seeds import UnknownSeedError, get_seed

USER_ERROR_EXIT_CODE = 2

out = Console()
err = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError,
    DataError,
    ContractError,
    UnknownSeedError,
    UnknownDomainError,
    ArchiveError,
    SandboxUnavailable,
)


def reports_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn user errors raised by `command` into one red sentence on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            # The message is text, not markup: "[llm]" in a sentence must stay on the screen.
            err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(USER_ERROR_EXIT_CODE) from None

    return wrapper


def read_program(program: str) -> tuple[str, str]:
    """(name, source) of a program given as a path to a .py file or as a seed name."""
    path = Path(program).expanduser()
    if path.is_file():
        try:
            return path.stem, path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read program file {path}: {error}") from None
    if path.suffix == ".py" or "/" in program:
        raise UserError(f"program file {path} does not exist")
    try:
        return program, get_seed(program).source
    except UnknownSeedError as error:
        raise UserError(f"{program!r} is neither a program file nor a seed name ({error})") from None


DEFAULT_ARCHIVE = "sqlite:///mnemoforge.db"
ARCHIVE_HELP = "Archive database URL (SQLite file or PostgreSQL); env MNEMOFORGE_ARCHIVE."


def archive_url(url: str | None) -> str:
    """The archive to use: the flag, else $MNEMOFORGE_ARCHIVE, else mnemoforge.db in this folder."""
    return url or os.environ.get("MNEMOFORGE_ARCHIVE") or DEFAULT_ARCHIVE
