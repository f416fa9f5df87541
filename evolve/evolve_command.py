"""`mnemoforge evolve`: search for a better memory program for a domain, with a live progress display."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Annotated, Any

import ray
import typer
from rich.live import Live
from rich.table import Table

from archive import ArchiveStore
from evaluators.domains import get_domain
from evolve.cli_support import UserError, err, out, reports_user_errors
from evolve.config import ConfigError, RunConfig, load_config, parse_config
from evolve.llm_setup import open_model_access
from evolve.loop import Evolution, MutatorFactory, RunStatus, RunSummary
from evolve.mutators.base import Mutator
from evolve.mutators.reflective import ReflectiveMutator
from evolve.mutators.smoke import smoke_run
from evolve.mutators.structural import StructuralMutator
from providers.config import BudgetSettings, LLMSettings
from sandbox.backends import make_session_factory

DEFAULT_ARCHIVE = "sqlite:///mnemoforge.db"
ARCHIVE_HELP = "Archive database URL (SQLite file or PostgreSQL); env MNEMOFORGE_ARCHIVE."


def archive_url(url: str | None) -> str:
    return url or os.environ.get("MNEMOFORGE_ARCHIVE") or DEFAULT_ARCHIVE


@reports_user_errors
def evolve_command(
    domain: Annotated[str | None, typer.Option(help="Task domain: conversation or planning.")] = None,
    config: Annotated[
        Path | None, typer.Option(help="A TOML file of run settings (flags override it).")
    ] = None,
    data: Annotated[
        str | None, typer.Option(help="The domain's data spec (default: its built-in data).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model of the reflective mutator; none = offline.")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="Task agent: offline or llm.")] = None,
    agent_model: Annotated[str | None, typer.Option(help="Model of the LLM task agent.")] = None,
    budget: Annotated[int | None, typer.Option(help="How many candidates to try.")] = None,
    max_cost: Annotated[
        float | None, typer.Option(help="Stop proposing once LLM calls cost this many USD.")
    ] = None,
    max_seconds: Annotated[float | None, typer.Option(help="Stop proposing after this wall time.")] = None,
    islands: Annotated[int | None, typer.Option(help="Number of islands.")] = None,
    workers: Annotated[int | None, typer.Option(help="Evaluations in flight (default: cores).")] = None,
    sandbox: Annotated[str | None, typer.Option(help="auto, docker, process or inprocess.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed of the run's choices.")] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="Join this Ray cluster instead of a local one.")
    ] = None,
    resume: Annotated[str | None, typer.Option(help="Continue the run with this id (or id prefix).")] = None,
    archive: Annotated[str | None, typer.Option(help=ARCHIVE_HELP)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's summary as JSON at the end.")
    ] = False,
) -> None:
    """Evolve memory programs for a domain; the best on `select` is then tested on held-out `test`."""
    store = ArchiveStore(archive_url(archive))
    overrides: dict[str, Any] = {
        "domain": domain,
        "data": data,
        "mutation_model": model,
        "agent": agent,
        "agent_model": agent_model,
        "max_candidates": budget,
        "max_cost_usd": max_cost,
        "max_wall_seconds": max_seconds,
        "islands": islands,
        "workers": workers,
        "sandbox": sandbox,
        "seed": seed,
        "ray_address": ray_address,
    }
    try:
        if resume:
            run = store.get_run(resume)
            saved = dict(run.config)
            saved.update({k: v for k, v in overrides.items() if v is not None and k in RESUMABLE_OVERRIDES})
            run_config = parse_config(saved)
        else:
            run_config = load_config(config, overrides)
    except ConfigError as error:
        raise UserError(str(error)) from None
    if not resume:
        run = store.create_run(run_config.domain, run_config.model_dump(mode="json"), run_config.seed)
    summary = run_evolution(run_config, store, run.id, quiet=as_json)
    if as_json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print_summary(summary)


RESUMABLE_OVERRIDES = frozenset(
    {"max_candidates", "max_cost_usd", "max_wall_seconds", "workers", "ray_address"}
)
"""What `--resume` may change: budgets and where to compute, never what is being searched."""


def run_evolution(config: RunConfig, store: ArchiveStore, run_id: str, quiet: bool = False) -> RunSummary:
    """Start (or join) Ray, run the loop with a live display, and always leave Ray as it was."""
    if config.agent == "llm":
        raise UserError(
            "evolve runs the offline task agent for now; use mnemoforge eval --agent llm to score a winner"
        )
    make_mutator = mutator_factory(config, store, run_id)
    if config.ray_address:
        ray.init(address=config.ray_address, logging_level="ERROR", log_to_driver=False)
    else:
        ray.init(num_cpus=config.workers, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        evolution = Evolution(config, store, run_id, make_mutator)
        with Live(render_status(evolution.status), console=err, refresh_per_second=4, transient=True) as live:
            if quiet:
                live.stop()
            summary = evolution.run(lambda status: quiet or live.update(render_status(status)))
    except KeyboardInterrupt:
        store.set_run_status(run_id, "interrupted")
        err.print(f"interrupted: resume with  mnemoforge evolve --resume {run_id}")
        raise typer.Exit(130) from None
    finally:
        ray.shutdown()
    return summary


def mutator_factory(config: RunConfig, store: ArchiveStore, run_id: str) -> MutatorFactory:
    """Each candidate's mutator: structural with no model; reflective with one, its calls in the archive.

    LLM-written children are smoke-run in the run's sandbox, never in this process.
    """
    if config.mutation_model is None:
        return lambda rng, evolution: StructuralMutator(rng)
    settings = LLMSettings(budget=BudgetSettings(max_dollars=config.max_cost_usd))
    access = open_model_access(config.mutation_model, settings)
    access.ledger.subscribe(lambda record: store.record_llm_calls([record.to_json()], run_id=run_id))
    smoke_factory = make_session_factory(config.sandbox, warn=lambda message: None)
    domain = get_domain(config.domain)

    def smoke_test(source: str) -> str | None:
        result = smoke_run(source, session_factory=smoke_factory, seconds=SANDBOXED_SMOKE_SECONDS)
        return None if result.ok else f"{result.reason}: {result.message}"

    def make(rng: random.Random, evolution: Evolution) -> Mutator:
        return ReflectiveMutator(
            access.client,
            rng,
            evolution.reflection_context,
            smoke_test,
            scoring=domain.scoring,
            domain=domain.name,
            read_chars=config.read_chars,
        )

    return make


SANDBOXED_SMOKE_SECONDS = 30.0
"""A sandboxed smoke run includes starting the sandbox: seconds, not the in-process 2 s."""


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
