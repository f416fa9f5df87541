"""What `mnemoforge evolve` shows of a run: the live status while it runs, the summary when it ends."""

from __future__ import annotations

import typer
from rich.live import Live
from rich.table import Table

from archive import ArchiveStore
from evolve.cli.support import err, out
from evolve.config import RunConfig
from evolve.loop import RunStatus, RunSummary
from evolve.run import run_evolution


def run_with_display(config: RunConfig, store: ArchiveStore, run_id: str, quiet: bool = False) -> RunSummary:
    """Run the evolution with a live status on stderr (none when `quiet`); Ctrl-C says how to resume."""
    with Live(Table.grid(), console=err, refresh_per_second=4, transient=True) as live:
        if quiet:
            live.stop()
        try:
            return run_evolution(
                config,
                store,
                run_id,
                observer=lambda status: quiet or live.update(render_status(status)),
                warn=lambda message: err.print(f"note: {message}"),
            )
        except KeyboardInterrupt:
            live.stop()
            err.print(f"interrupted: resume with  mnemoforge evolve --resume {run_id}")
            raise typer.Exit(130) from None


def render_status(status: RunStatus) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_row("run", status.run_id, "phase", status.phase)
    table.add_row(
        "candidates",
        f"{status.candidates_done}/{status.candidates_total}",
        "failed / rejected / duplicate",
        f"{status.failed} / {status.rejected} / {status.duplicates}",
    )
    islands = "  ".join("–" if best is None else f"{best:.3f}" for best in status.best_per_island)
    seed = "–" if status.best_seed_score is None else f"{status.best_seed_score:.3f}"
    table.add_row("best per island", islands, "best seed", seed)
    table.add_row("spent", f"${status.cost_usd:.4f}", "elapsed", f"{status.elapsed:.0f} s")
    return table


def print_summary(summary: RunSummary) -> None:
    table = Table(title=f"run {summary.run_id}: best program against the best seed")
    for column in ("program", "select", "test (held out)"):
        table.add_column(column, justify="right" if column != "program" else "left")
    table.add_row(
        f"best: {summary.best_program_id[:12]}", f"{summary.best_select:.3f}", _fmt(summary.best_test)
    )
    table.add_row(f"seed: {summary.best_seed}", f"{summary.seed_select:.3f}", _fmt(summary.seed_test))
    out.print(table)
    gain_select = summary.best_select - summary.seed_select
    verdict = "no gain on select" if gain_select <= 0 else f"{gain_select:+.3f} on select"
    if summary.best_test is not None and summary.seed_test is not None:
        gain_test = summary.best_test - summary.seed_test
        holds = "holds" if gain_test > 0 else "does not hold"
        verdict += f", {gain_test:+.3f} on test (the gain {holds} on held-out data)"
    out.print(
        f"{verdict}. {summary.candidates} candidates ({summary.failed} failed, {summary.rejected} rejected, "
        f"{summary.duplicates} duplicates), ${summary.cost_usd:.4f}, {summary.seconds:.0f} s."
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
