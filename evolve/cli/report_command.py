"""`mnemoforge report RUN -o report.html`: one self-contained HTML page about a run.

The page (see `archive.report`) loads nothing from anywhere: open it offline, mail it, attach it to
an issue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archive.report import render_report
from archive.report_data import collect_report
from evolve.cli.archive_access import ARCHIVE_OPTION_HELP, open_archive
from evolve.cli.support import UserError, out, reports_user_errors


@reports_user_errors
def report_command(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="Run id or unique prefix.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The HTML file to write (default: report-RUN.html).")
    ] = None,
    archive: Annotated[str | None, typer.Option("--archive", help=ARCHIVE_OPTION_HELP)] = None,
) -> None:
    """Render a run's report: progress per island, score against cost, categories, lineage, failures."""
    with open_archive(archive) as store:
        report = collect_report(store, run_id)
    html = render_report(report)
    target = output or Path(f"report-{report.run.id}.html")
    if target.is_dir():
        raise UserError(
            f"{target} is a directory; give a file name for the report, e.g. {target}/report.html"
        )
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write the report to {target}: {error.strerror or error}") from None
    best, seed = report.best, report.best_seed
    out.print(
        f"wrote {target} ({len(html.encode()) / 1024:.0f} KB): run {report.run.id}, "
        f"best {best.label} {best.score or 0.0:.3f} on select, "
        f"best seed {seed.label} {seed.score or 0.0:.3f}",
        highlight=False,
        soft_wrap=True,
    )
