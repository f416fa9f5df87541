"""`mnemoforge data`: conversation data in the `conversations:` format (JSON Lines, docs/conversations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evaluators.conversation.conversations_file import write_conversations
from evaluators.conversation.domain import load_dataset
from evolve.cli.support import UserError, out, reports_user_errors

data_app = typer.Typer(help="Conversation data in the conversations: format.", no_args_is_help=True)


@data_app.command("convert")
@reports_user_errors
def convert(
    source: Annotated[
        str,
        typer.Argument(help="A conversation data spec: locomo:PATH, longmemeval:PATH, synthetic[:...]."),
    ],
    output: Annotated[Path, typer.Argument(help="The JSON Lines file to write.")],
) -> None:
    """Write conversation data as a conversations file: see a real example, or start your own from it.

    `--data conversations:OUTPUT` then reads it back."""
    dataset = load_dataset(source)
    try:
        with output.open("w", encoding="utf-8") as file:
            count = write_conversations(dataset, file)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from None
    out.print(
        f"wrote {count} conversations ({dataset.question_count} questions) to {output}; "
        f"use it with --data conversations:{output}",
        highlight=False,
        soft_wrap=True,
    )
