"""What `mnemoforge evolve` shows of a run: the live status while it runs, the summary when it ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from archive import ArchiveStore
from evolve.bootstrap import fewest_units_higher
from evolve.cli.support import err, out
from evolve.config import RunConfig
from evolve.gains import describe_gain
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
    """The winner against the best seed per dataset, then on transfer data, then the verdict in words."""
    for data in summary.data:
        out.print(selection_table(summary, escape(data["name"]), data))
    if len(summary.data) != 1:
        mean = {
            "best_select": summary.best_select,
            "seed_select": summary.seed_select,
            "best_test": summary.best_test,
            "seed_test": summary.seed_test,
            "test_gain": summary.test_gain,
        }
        out.print(selection_table(summary, "the mean over these datasets (what the run selected on)", mean))
    if summary.transfer:
        out.print(transfer_table(summary))
    out.print(verdict(summary))


def selection_table(summary: RunSummary, data_name: str, scores: dict[str, Any]) -> Table:
    """The winner and the best seed on `select` and held-out `test` of one dataset, one row each (a
    table narrow enough for any terminal, however long the data's name)."""
    table = Table(
        title=f"run {summary.run_id} on {data_name}",
        title_justify="left",
        caption="gain: 95% paired bootstrap interval; ~0: it includes zero",
        caption_justify="left",
    )
    table.add_column("program")
    for column in ("select", "test"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_row(
        f"best: {summary.best_program_id[:12]}",
        _fmt(scores["best_select"]),
        _fmt(scores["best_test"]),
        style="bold",
    )
    table.add_row(f"best seed: {summary.best_seed}", _fmt(scores["seed_select"]), _fmt(scores["seed_test"]))
    gain_select = (
        None
        if scores["best_select"] is None or scores["seed_select"] is None
        else f"{scores['best_select'] - scores['seed_select']:+.3f}"
    )
    table.add_row("gain", gain_select or "–", describe_gain(scores["test_gain"]))
    return table


def transfer_table(summary: RunSummary) -> Table:
    """The winner and every seed on each transfer dataset (all of it), seeds by their mean there."""
    table = Table(
        title="transfer: data the run never saw, all of it",
        title_justify="left",
        caption="gain: 95% paired bootstrap interval; ~0: it includes zero",
        caption_justify="left",
    )
    table.add_column("program")
    for data in summary.transfer:
        table.add_column(escape(short_data_name(data["name"])), justify="right", overflow="fold")
    table.add_row(
        f"best: {summary.best_program_id[:12]}",
        *(_fmt(data["winner"]) for data in summary.transfer),
        style="bold",
    )
    names = list(summary.transfer[0]["seeds"])

    def mean(name: str) -> float:
        scores = [data["seeds"].get(name) for data in summary.transfer]
        return sum(score or 0.0 for score in scores) / len(scores)

    for name in sorted(names, key=lambda name: (-mean(name), name)):
        marks = " (run's best seed)" if name == summary.best_seed else ""
        table.add_row(f"seed: {name}{marks}", *(_fmt(data["seeds"].get(name)) for data in summary.transfer))
    table.add_row(
        "gain over the best seed there",
        *(describe_gain(data["gain"]) for data in summary.transfer),
    )
    return table


def short_data_name(name: str) -> str:
    """`kind:file` for a data name that holds a path (`locomo:../data/locomo10.json` ->
    `locomo:locomo10.json`), so that a column header stays narrow; the verdict names the data in full."""
    kind, separator, rest = name.partition(":")
    return f"{kind}:{Path(rest).name}" if separator and "/" in rest else name


def verdict(summary: RunSummary) -> str:
    """The run in plain words: the gain on select, whether it holds on test (and how sure that is), and
    where the winner loses to the best seed on transfer data."""
    gain_select = summary.best_select - summary.seed_select
    sentence = "no gain on select" if gain_select <= 0 else f"{gain_select:+.3f} on select"
    seed_won = summary.best_program_id == summary.best_seed_program_id
    if seed_won and summary.select_gain is not None and summary.best_candidate_id is not None:
        sentence = (
            f"the best candidate, {summary.best_candidate_id[:12]}, beat the best seed on select by "
            f"{summary.select_gain['gain']:+.3f}, but its {_interval(summary.select_gain)} reaches zero: "
            f"no gain beyond select's own noise, so the winner is the seed {summary.best_seed}"
            f"{_carried_by(summary.select_gain)}"
        )
    elif seed_won:
        sentence = f"no candidate beat the best seed on select, so the winner is the seed {summary.best_seed}"
    elif summary.best_test is not None and summary.seed_test is not None:
        gain_test = summary.best_test - summary.seed_test
        holds = "holds" if gain_test > 0 else "does not hold"
        if summary.select_gain is not None and summary.select_gain.get("low") is None:
            sentence += f" (no interval on select: {summary.select_gain['why']}, so the mean decided)"
        sentence += f", {gain_test:+.3f} on test (the gain {holds} on held-out data"
        sentence += _sureness(summary.test_gain) + ")"
    sentence += (
        f". {summary.candidates} candidates ({summary.failed} failed, {summary.rejected} rejected, "
        f"{summary.duplicates} duplicates), ${summary.cost_usd:.4f}, {summary.seconds:.0f} s."
    )
    for data in summary.transfer:
        sentence += " " + _transfer_sentence(data)
    return sentence


def _sureness(gain: dict[str, Any] | None) -> str:
    if gain is None:
        return ""
    if gain.get("low") is None:
        return f"; no interval: {gain['why']}"
    interval = _interval(gain)
    return f"; {interval}, which includes zero" if gain["includes_zero"] else f"; {interval}"


def _carried_by(gain: dict[str, Any]) -> str:
    """On how many units the gain rests, and, when it reaches zero for want of them, how many it would
    take; empty for a gain recorded before units were counted."""
    if gain.get("higher") is None:
        return ""
    units, higher, lower = gain["units"], gain["higher"], gain["lower"]
    told = f" (the candidate scored higher on {higher} of {units} units and lower on {lower or 'none'}"
    needed = fewest_units_higher(units)
    if lower == 0 and higher < needed:
        told += f"; with none lower, {units} units tell a gain from zero only from {needed} higher"
    return told + ")"


def _interval(gain: dict[str, Any]) -> str:
    return f"95% interval [{gain['low']:+.3f}, {gain['high']:+.3f}] over {gain['units']} units"


def _transfer_sentence(data: dict[str, Any]) -> str:
    name = data["name"]
    if data["winner"] is None or data["best_seed"] is None:
        return f"On {name} the winner or every seed failed, so there is nothing to compare."
    gain = data["gain"]
    difference = data["winner"] - data["best_seed_score"]
    against = f"the best seed there, {data['best_seed']} ({data['best_seed_score']:.3f})"
    if gain is None:  # the winner is that seed
        return f"On {name} the winner is {against}."
    if difference < 0:
        told = f"On {name} the winner ({data['winner']:.3f}) LOSES to {against}: {difference:+.3f}"
    elif difference == 0:
        told = f"On {name} the winner ({data['winner']:.3f}) only ties with {against}"
    else:
        told = f"On {name} the winner ({data['winner']:.3f}) beats {against} by {difference:+.3f}"
    return told + _sureness(gain).replace(";", ",", 1) + "."


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
