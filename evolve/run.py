"""Running an evolution: the sandbox checked once, Ray up and down, the run's mutators.

This is what a program drives to run a search without the CLI; the CLI (`evolve/cli/run_display.py`) adds
the live display and the summary. Kept apart from the CLI's modules so that importing the CLI does not
import Ray.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import ray

from archive import ArchiveStore
from archive.errors import ArchiveError
from archive.operator_stats import operator_stats
from evaluators.domains import TaskDomain, get_domain
from evolve.config import RunConfig
from evolve.errors import UserError
from evolve.llm_setup import open_model_access
from evolve.loop import Evolution, MutatorFactory, Observer, RunSummary
from evolve.mutators.base import Mutator
from evolve.mutators.operator_choice import choose_operator
from evolve.mutators.reflective import ReflectiveMutator
from evolve.mutators.smoke import smoke_run
from evolve.mutators.structural import ALL_OPERATORS, OPERATORS, StructuralMutator
from providers.accounting import Ledger
from providers.config import BudgetSettings, LLMSettings
from sandbox.backends import close_factory, make_session_factory, sweep_orphaned_sandboxes
from sandbox.protocol import HASH_SEED


def run_evolution(
    config: RunConfig,
    store: ArchiveStore,
    run_id: str,
    observer: Observer | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> RunSummary:
    """Start (or join) Ray, run the loop, and always leave Ray as it was.

    `observer` sees the run's status after every step; `warn` hears what the sandbox check has to say (for
    example that it fell back to the process backend). However the run ends, the archive says so: a
    KeyboardInterrupt marks it "interrupted" (to be resumed), any other exception (refused at start-up,
    no seed evaluated, the archive failing) "failed" with the reason in its summary; either propagates.
    """
    evolution: Evolution | None = None
    ray_started = False
    resources = contextlib.ExitStack()
    try:
        if config.agent == "llm":
            check_agent_model(config)
        make_mutator = mutator_factory(config, store, run_id, resources)
        # Check the sandbox (and build its image) once here, not in every Ray worker at the same time.
        close_factory(make_session_factory(config.sandbox, warn=warn))
        start_ray(config)
        ray_started = True
        evolution = Evolution(config, store, run_id, make_mutator)
        if observer is not None:
            observer(evolution.status)
        return evolution.run(observer)
    except KeyboardInterrupt:
        _end_run(store, run_id, "interrupted", None)
        raise
    except Exception as error:
        _end_run(store, run_id, "failed", error)
        raise
    finally:
        resources.close()
        if ray_started:
            ray.shutdown()
            sweep_orphaned_sandboxes(config.sandbox, evolution.local_worker_pids if evolution else ())


def start_ray(config: RunConfig) -> None:
    """Join the cluster at `config.ray_address`, or start a Ray of its own with `workers` CPUs ("local",
    even when another Ray runs on this machine: ray.init would otherwise join that one, and refuse the
    CPU count).

    Either way the run's worker processes start with the sandbox's hash seed (`HASH_SEED`), as the Docker
    and process sandboxes run programs: an in-process program that iterates over a set of strings
    otherwise scores differently in each worker (`tiered_os` 0.4610 or 0.4654 on the built-in `select`
    by the worker's seed), and a run seed would not give the same run."""
    settings: dict[str, Any] = {
        "logging_level": "ERROR",
        "log_to_driver": False,
        "runtime_env": {"env_vars": {"PYTHONHASHSEED": HASH_SEED}},
    }
    if config.ray_address:
        ray.init(address=config.ray_address, **settings)
    else:
        ray.init(address="local", num_cpus=config.workers, include_dashboard=False, **settings)


def _end_run(store: ArchiveStore, run_id: str, status: str, error: Exception | None) -> None:
    """Record how a run ended; if the archive itself cannot take it, say so on the error that ended it."""
    summary = None if error is None else {"failure": f"{type(error).__name__}: {error}"}
    try:
        store.set_run_status(run_id, status, summary)
    except ArchiveError as unrecorded:
        if error is not None:
            error.add_note(f"the run could not be marked {status} in the archive: {unrecorded}")


def check_agent_model(config: RunConfig) -> None:
    """Refuse, before Ray starts, a task agent that cannot work: no model, no key, no server, or no price
    for a dollar budget. Workers open the model again, each with its own environment's key."""
    if config.agent_model is None:
        raise UserError("--agent llm needs the agent's model: add --agent-model, e.g. openai:gpt-4.1-mini")
    open_model_access(config.agent_model, run_llm_settings(config))


def run_llm_settings(config: RunConfig) -> LLMSettings:
    """The run's [llm] settings with its dollar budget, which a model without a known price cannot honour."""
    return config.llm.model_copy(update={"budget": BudgetSettings(max_dollars=config.max_cost_usd)})


def mutator_factory(
    config: RunConfig, store: ArchiveStore, run_id: str, resources: contextlib.ExitStack
) -> MutatorFactory:
    """Each candidate's mutator: structural with no model (its operator chosen by `choose_operator`);
    reflective with one, its calls in the archive.

    LLM-written children are smoke-run in the run's sandbox, never in this process; that sandbox's
    factory closes with `resources`, when the run ends.
    """
    if config.mutation_model is None:
        operators = offline_operators(get_domain(config.domain))

        def make_offline(rng: random.Random, evolution: Evolution) -> Mutator:
            # The operator that has worked best in this run so far is preferred (a bandit over the
            # archive's record of the candidates the loop has taken in, so a resumed run chooses from
            # the same record and the order in which workers finish changes nothing).
            record = operator_stats(store, run_id, leaving_out=evolution.awaited_sequences())
            preferred = choose_operator(rng, record, operators)
            return StructuralMutator(
                rng, read_chars=config.read_chars, operators=operators, preferred=preferred
            )

        return make_offline
    access = open_model_access(config.mutation_model, run_llm_settings(config))
    access.ledger.subscribe(lambda record: store.record_llm_calls([record.to_json()], run_id=run_id))
    if config.max_cost_usd is not None:
        access.ledger.count_outside(_spent_outside(store, run_id, access.ledger))
    smoke_factory = make_session_factory(config.sandbox, warn=lambda message: None)
    resources.callback(close_factory, smoke_factory)
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


def offline_operators(domain: TaskDomain) -> tuple[str, ...]:
    """The offline mutator's operators in a run on `domain`: the default ones, and those the domain adds
    (`extra_operators`, e.g. planning's `places`). A name that is no operator is the domain's mistake,
    said before the run starts."""
    extra = tuple(getattr(domain, "extra_operators", ()))
    unknown = [name for name in extra if name not in ALL_OPERATORS]
    if unknown:
        raise UserError(
            f"the {domain.name} domain's extra_operators name no operator: {', '.join(unknown)}"
            f" (operators: {', '.join(ALL_OPERATORS)})"
        )
    return OPERATORS + tuple(name for name in dict.fromkeys(extra) if name not in OPERATORS)


def _spent_outside(store: ArchiveStore, run_id: str, ledger: Ledger) -> Callable[[], float]:
    """What the run spent beyond this ledger's calls: its task agent's (in the workers) and an earlier
    session's, from the archive. A mutation call is reserved against both before it is sent, so the
    proposals in flight cannot together take the run past --max-cost. (A call recorded in the ledger
    but not yet in the archive is missed for that moment: at most the calls ending just then.)"""

    def spent() -> float:
        return max(0.0, store.llm_cost(run_id).cost_usd - ledger.totals().cost_usd)

    return spent


SANDBOXED_SMOKE_SECONDS = 30.0
"""A sandboxed smoke run includes starting the sandbox: seconds, not the in-process 2 s."""
