"""The `mnemoforge` command: the root typer app, wiring each command group in.

The command line lives here, apart from the engine in `evolve/` (which imports neither typer nor rich):
one module per command group (`*_command.py`), what they share (`support.py`: user errors as one
sentence, the consoles; `archive_access.py`: opening an archive to read), how the archive is shown
(`archive_views.py`) and how a run is shown while it runs (`run_display.py`).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from evolve.cli.archive_command import archive_app
from evolve.cli.data_command import data_app
from evolve.cli.domains_command import domains_app
from evolve.cli.eval_command import eval_command
from evolve.cli.evolve_command import evolve_command
from evolve.cli.export_command import export_command
from evolve.cli.report_command import report_command
from evolve.cli.sandbox_command import sandbox_app
from evolve.cli.seeds_command import seeds_app

app = typer.Typer(
    name="mnemoforge",
    help="Search for the best memory program for an LLM agent's task.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"mnemoforge {version('mnemoforge')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the installed version and exit."
        ),
    ] = False,
) -> None:
    """Options of `mnemoforge` itself, given before a command."""


app.add_typer(seeds_app, name="seeds")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(domains_app, name="domains")
app.add_typer(data_app, name="data")
app.command("eval")(eval_command)
app.command("evolve")(evolve_command)
app.add_typer(archive_app, name="archive")
app.command("report")(report_command)
app.command("export")(export_command)
