"""The `mnemoforge` command: the root typer app, wiring each command group in."""

from __future__ import annotations

import typer

from evolve.eval_command import eval_command
from evolve.evolve_command import evolve_command
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
