"""`mnemoforge domains`: the task domains installed here, and where each comes from."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evaluators.domains import UnknownDomainError, get_domain, installed_domains
from evolve.cli.support import out, reports_user_errors

domains_app = typer.Typer(help="The task domains (built in, and installed as plugins).", no_args_is_help=True)


@domains_app.command("list")
@reports_user_errors
def list_domains(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON on stdout.")] = False,
) -> None:
    """List the domains `--domain NAME` finds: their package, where they are defined, their default data.

    A domain elsewhere can still be named by path: `--domain ./my_domain.py:DOMAIN`."""
    rows = []
    for entry in installed_domains():
        try:
            default_data, problem = get_domain(entry.name).default_data, ""
        except UnknownDomainError as error:  # a broken plugin is listed, with what is wrong with it
            default_data, problem = "", str(error)
        rows.append(
            {
                "name": entry.name,
                "package": entry.package,
                "reference": entry.reference,
                "default_data": default_data,
                "problem": problem,
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="mnemoforge domains", caption="another domain: --domain ./my_domain.py:DOMAIN")
    for column in ("name", "package", "defined in", "default data"):
        table.add_column(column)
    for row in rows:
        data = escape(row["default_data"]) if not row["problem"] else f"[red]{escape(row['problem'])}[/red]"
        table.add_row(escape(row["name"]), escape(row["package"]), escape(row["reference"]), data)
    out.print(table)
