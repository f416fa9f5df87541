"""Running an evolution for the CLI: Ray up and down, the live display, the mutators, the summary.

Kept apart from `evolve_command` so that importing the CLI does not import Ray.
"""

from __future__ import annotations

import random

import ray
import typer
from rich.live import Live
from rich.table import Table

from archive import ArchiveStore
from evaluators.domains import get_domain
from evolve.cli_support import UserError, err, out
from evolve.config import RunConfig
from evolve.llm_setup import open_model_access
from evolve.loop import Evolution, MutatorFactory, RunStatus, RunSummary
from evolve.mutators.base import Mutator
from evolve.mutators.reflective import ReflectiveMutator
from evolve.mutators.smoke import smoke_run
from evolve.mutators.structural import StructuralMutator
from providers.config import BudgetSettings, LLMSettings
from sandbox.backends import close_factory, make_session_factory, sweep_orphaned_sandboxes


def run_evolution(config: RunConfig, store: ArchiveStore, run_id: str, quiet: bool = False) -> RunSummary:
    """Start (or join) Ray, run the loop with a live display, and always leave Ray as it was."""
    if config.agent == "llm":
        check_agent_model(config)
    make_mutator = mutator_factory(config, store, run_id)
    # Check the sandbox (and build its image) once here, not in every Ray worker at the same time.
    close_factory(make_session_factory(config.sandbox, warn=lambda message: err.print(f"note: {message}")))
    if config.ray_address:
        ray.init(address=config.ray_address, logging_level="ERROR", log_to_driver=False)
    else:
        ray.init(num_cpus=config.workers, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    evolution: Evolution | None = None
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
        sweep_orphaned_sandboxes(config.sandbox, evolution.local_worker_pids if evolution else ())
    return summary


def check_agent_model(config: RunConfig) -> None:
    """Refuse, before Ray starts, a task agent that cannot work: no model, no key, no server, or no price
    for a dollar budget. Workers open the model again, each with its own environment's key."""
    if config.agent_model is None:
        raise UserError("--agent llm needs the agent's model: add --agent-model, e.g. openai:gpt-4.1-mini")
    open_model_access(config.agent_model, run_llm_settings(config))


def run_llm_settings(config: RunConfig) -> LLMSettings:
    """The run's [llm] settings with its dollar budget, which a model without a known price cannot honour."""
    return config.llm.model_copy(update={"budget": BudgetSettings(max_dollars=config.max_cost_usd)})


def mutator_factory(config: RunConfig, store: ArchiveStore, run_id: str) -> MutatorFactory:
    """Each candidate's mutator: structural with no model; reflective with one, its calls in the archive.

    LLM-written children are smoke-run in the run's sandbox, never in this process.
    """
    if config.mutation_model is None:
        return lambda rng, evolution: StructuralMutator(rng)
    access = open_model_access(config.mutation_model, run_llm_settings(config))
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
