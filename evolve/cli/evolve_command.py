"""`mnemoforge evolve`: search for a better memory program for a domain, with a live progress display."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from archive import ArchiveStore
from evaluators.domains import canonical_spec, get_domain
from evolve.cli.support import ARCHIVE_HELP, UserError, archive_url, reports_user_errors
from evolve.config import ConfigError, load_config, parse_config
from evolve.run_data import selection_data, transfer_data
from providers.embedders import EMBEDDER_CHOICES


@reports_user_errors
def evolve_command(
    domain: Annotated[
        str | None,
        typer.Option(help="Task domain: a name (`mnemoforge domains list`) or ./my_domain.py:DOMAIN."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="A TOML file of run settings (flags override it).")
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            help="The domain's data spec (default: its built-in data); give it more than once to select "
            "on the mean score over several datasets."
        ),
    ] = None,
    transfer: Annotated[
        list[str] | None,
        typer.Option(
            help="After the run, evaluate the winner and every seed on all of this data, which the run "
            "never saw; may be given more than once."
        ),
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
    cascade: Annotated[
        bool | None,
        typer.Option(
            "--cascade/--no-cascade",
            help="Evaluate a candidate on a quarter of select first; only promising ones on the rest.",
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Evaluations in flight (default: cores).")] = None,
    proposals: Annotated[
        int | None,
        typer.Option(help="LLM mutations waiting for the model at once (default: --workers)."),
    ] = None,
    sandbox: Annotated[str | None, typer.Option(help="auto, docker, process or inprocess.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed of the run's choices.")] = None,
    seeds: Annotated[str | None, typer.Option(help="Seed programs to start from, comma-separated.")] = None,
    embedder: Annotated[str | None, typer.Option(help=f"The embedder: {EMBEDDER_CHOICES}.")] = None,
    read_chars: Annotated[int | None, typer.Option(help="Cap on each read() result.")] = None,
    island_capacity: Annotated[int | None, typer.Option(help="Programs kept per island.")] = None,
    migration_interval: Annotated[int | None, typer.Option(help="Candidates between migrations.")] = None,
    inspirations: Annotated[int | None, typer.Option(help="Other elites shown to a mutator.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Parent selection softmax temperature.")] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="Join this Ray cluster instead of a local one.")
    ] = None,
    resume: Annotated[str | None, typer.Option(help="Continue the run with this id (or id prefix).")] = None,
    archive: Annotated[str | None, typer.Option(help=ARCHIVE_HELP)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's summary as JSON at the end.")
    ] = False,
) -> None:
    """Evolve memory programs for a domain; the best on `select` is then tested on held-out `test`, and
    with --transfer on other data, against every seed."""
    overrides: dict[str, Any] = {
        "domain": domain,
        "data": data or None,
        "transfer": transfer or None,
        "mutation_model": model,
        "agent": agent,
        "agent_model": agent_model,
        "max_candidates": budget,
        "max_cost_usd": max_cost,
        "max_wall_seconds": max_seconds,
        "islands": islands,
        "cascade": cascade,
        "workers": workers,
        "proposals_in_flight": proposals,
        "sandbox": sandbox,
        "seed": seed,
        "ray_address": ray_address,
        "seeds": seeds,
        "embedder": embedder,
        "read_chars": read_chars,
        "island_capacity": island_capacity,
        "migration_interval": migration_interval,
        "inspirations": inspirations,
        "softmax_temperature": temperature,
    }
    store = ArchiveStore(archive_url(archive)) if resume else None
    try:
        if store is not None:
            run = store.get_run(resume)
            saved = dict(run.config)
            saved.update({k: v for k, v in overrides.items() if v is not None and k in RESUMABLE_OVERRIDES})
            run_config = parse_config(saved)
        else:
            run_config = load_config(config, overrides)
    except ConfigError as error:
        raise UserError(str(error)) from None
    if store is None:
        # A domain file is named by its absolute path, which Ray workers and a resume find from anywhere.
        run_config = run_config.model_copy(update={"domain": canonical_spec(run_config.domain)})
    # Bad or too small data is refused before a run is recorded (loaded once: the run reuses it), and
    # before a new archive is opened: bad input writes nothing.
    selection_data(run_config)
    transfer_data(run_config)
    if store is None:
        store = ArchiveStore(archive_url(archive))
        domain_name = get_domain(run_config.domain).name
        run = store.create_run(domain_name, run_config.model_dump(mode="json"), run_config.seed)
    from evolve.cli.run_display import print_summary, run_with_display  # Ray loads only when a run starts

    summary = run_with_display(run_config, store, run.id, quiet=as_json)  # however it ends, it is recorded
    if as_json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print_summary(summary)


RESUMABLE_OVERRIDES = frozenset(
    {"max_candidates", "max_cost_usd", "max_wall_seconds", "workers", "proposals_in_flight", "ray_address"}
)
"""What `--resume` may change: budgets and where to compute, never what is being searched."""
