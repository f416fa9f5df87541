"""The `mnemoforge` command: the root typer app, wiring each command group in."""

from __future__ import annotations

import typer

from evolve.archive_command import archive_app
from evolve.eval_command import eval_command
from evolve.evolve_command import evolve_command
from evolve.export_command import export_command
from evolve.report_command import report_command
from evolve.sandbox_command import sandbox_app
from evolve.seeds_command import seeds_app

app = typer.Typer(
    name="mnemoforge",
    help="Search for the best memory program for an LLM agent's task.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(seeds_app, name="seeds")
app.add_typer(sandbox_app, name="sandbox")
app.command("eval")(eval_command)
app.command("evolve")(evolve_command)
app.add_typer(archive_app, name="archive")
app.command("report")(report_command)
app.command("export")(export_command)
