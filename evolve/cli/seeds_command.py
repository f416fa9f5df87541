"""`mnemoforge seeds`: the seed library and where each seed comes from."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from evolve.cli.support import out, reports_user_errors
from seeds import SEEDS, get_seed

seeds_app = typer.Typer(help="The seed memory programs.", no_args_is_help=True)


@seeds_app.command("list")
@reports_user_errors
def list_seeds(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON on stdout.")] = False,
) -> None:
    """List the seeds with the system each re-implements and whether it needs an LLM."""
    rows = [
        {
            "name": seed.name,
            "reimplements": seed.reimplements,
            "reference": seed.reference,
            "needs_llm": "llm" in seed.requires,
            "summary": seed.summary,
        }
        for seed in SEEDS
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="mnemoforge seeds")
    for column in ("name", "re-implements", "reference", "needs LLM"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["name"], row["reimplements"], row["reference"], "yes" if row["needs_llm"] else "no")
    out.print(table)


@seeds_app.command("show")
@reports_user_errors
def show_seed(name: Annotated[str, typer.Argument(help="A seed name.")]) -> None:
    """Print a seed's source."""
    print(get_seed(name).source, end="")
