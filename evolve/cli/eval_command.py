"""`mnemoforge eval`: evaluate memory programs on a domain's data and print their metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evaluators.domains import domain_names, get_domain
from evaluators.result import EvaluationResult
from evaluators.splits import ALL, SPLITS
from evolve.cli.support import UserError, err, out, read_program, reports_user_errors
from evolve.llm_setup import ModelAccess, open_model_access
from providers.embedders import DEFAULT_EMBEDDER, make_embedder
from sandbox.backends import BACKENDS, SandboxUnavailable, close_factory, make_session_factory
from sandbox.contract import load_program
from sandbox.session import Capabilities

CACHE_DIR = Path.home() / ".cache" / "mnemoforge"
DEFAULT_READ_CHAR_LIMIT = 3000

COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "conversation": (
        ("questions", "questions"),
        ("evidence_recall", "evidence"),
        ("answer_token_recall", "answer tokens"),
        ("answer_score", "F1"),
        ("exact_match", "EM"),
        ("llm_judge", "judge"),
    ),
    "planning": (
        ("tasks", "tasks"),
        ("success_rate", "success"),
        ("baseline_success_rate", "base success"),
        ("steps", "steps"),
        ("baseline_steps", "base steps"),
        ("saved_share", "saved"),
    ),
}
"""Which metrics a domain's table shows, and their headers; a metric with no value anywhere is left out."""

CAPTIONS = {
    "conversation": "evidence: evidence recall · answer tokens: answer-token recall · "
    "F1: LoCoMo answer score · EM: exact match · judge: LLM judge",
    "planning": "base: the same tasks played with no memory · saved: share of the base's steps saved",
}


@reports_user_errors
def eval_command(
    programs: Annotated[
        list[str], typer.Argument(help="Memory programs: .py files or seed names (one or more).")
    ],
    domain: Annotated[
        str, typer.Option(help=f"The task domain: {', '.join(domain_names())}.")
    ] = "conversation",
    data: Annotated[
        str | None,
        typer.Option(
            help="The domain's data spec, e.g. synthetic, locomo:PATH, longmemeval:PATH, household."
        ),
    ] = None,
    split: Annotated[str, typer.Option(help=f"One of {', '.join((*SPLITS, ALL))}.")] = ALL,
    agent: Annotated[str, typer.Option(help="Who uses the memory: offline (no LLM) or llm.")] = "offline",
    model: Annotated[
        str | None,
        typer.Option(
            help="Model for the LLM agent and toolkit.llm, e.g. openai:gpt-4.1-mini (see docs/providers.md)."
        ),
    ] = None,
    judge: Annotated[
        bool, typer.Option(help="Also score answers with the LLM judge (needs --model).")
    ] = False,
    sandbox: Annotated[str, typer.Option(help=f"Where programs run: {', '.join(BACKENDS)}.")] = "auto",
    embedder: Annotated[str, typer.Option(help="hashed (no download) or minilm (extra 'neural').")] = (
        DEFAULT_EMBEDDER
    ),
    read_chars: Annotated[int, typer.Option(help="Cap on the characters of each read() result.")] = (
        DEFAULT_READ_CHAR_LIMIT
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout.")] = False,
) -> None:
    """Evaluate memory programs and print their metrics per category and their costs.

    With several programs, a comparison follows the tables; `--json` then prints a list.
    """
    task = get_domain(domain)
    if split not in (*SPLITS, ALL):
        raise UserError(f"unknown split {split!r}; choose one of {', '.join((*SPLITS, ALL))}")
    if read_chars < 1:
        raise UserError("--read-chars must be at least 1")
    if agent not in ("offline", "llm"):
        raise UserError(f"unknown agent {agent!r}; choose offline or llm")
    if (agent == "llm" or judge) and model is None:
        raise UserError("--agent llm and --judge need a model: add --model, e.g. --model openai:gpt-4.1-mini")
    named_sources = [read_program(program) for program in programs]
    for _, source in named_sources:
        load_program(source)  # a broken program is the user's to fix: say so before any work starts
    dataset = task.load_dataset(data or task.default_data)
    try:
        embed = make_embedder(embedder, CACHE_DIR / "embeddings.sqlite")
    except (ValueError, RuntimeError) as error:
        raise UserError(str(error)) from None
    access: ModelAccess | None = open_model_access(model) if model else None
    capabilities = Capabilities(embed=embed, llm=access.toolkit_llm if access else None)
    the_agent = task.make_agent(agent, access.client if access else None)
    if judge and access is not None:
        the_agent = access.judged(the_agent)
    try:
        factory = make_session_factory(
            sandbox, warn=lambda message: err.print(f"[yellow]note:[/yellow] {message}")
        )
    except SandboxUnavailable as error:
        raise UserError(str(error)) from None
    results = []
    try:
        for name, source in named_sources:
            with Progress(
                TextColumn(f"[bold]{name}[/bold] on {dataset.name} [{split}]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                disable=as_json,
            ) as bar:
                progress_task = bar.add_task("episodes", total=None)
                result = task.evaluate(
                    source,
                    dataset,
                    split,
                    the_agent,
                    factory,
                    capabilities,
                    read_chars,
                    lambda done, total, t=progress_task, b=bar: b.update(t, completed=done, total=total),
                )
            results.append((name, result))
            if not as_json:
                print_result(name, result)
    finally:
        close_factory(factory)
    if as_json:
        rows = [{"program": name, **result.to_json(include_cases=False)} for name, result in results]
        print(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2))
    else:
        if len(results) > 1:
            print_comparison(results)
        if access is not None:
            out.print(access.totals_line())
    if not all(result.ok for _, result in results):
        raise typer.Exit(1)


def print_result(name: str, result: EvaluationResult) -> None:
    """A table of metrics per category, then costs and the selection score."""
    if not result.ok:
        err.print(
            f"[red]{name} failed[/red] ({result.failure_reason}): {result.failure_message}",
            highlight=False,
            soft_wrap=True,
        )
        for line in result.logs[-10:]:
            err.print(f"  {line}", highlight=False, markup=False)
        return
    rows = [*result.by_category.items(), ("all", result.metrics)]
    columns = [
        (key, header)
        for key, header in COLUMNS.get(result.domain, ())
        if any(metrics.get(key) is not None for _, metrics in rows)
    ]
    table = Table(
        title=f"{name} · {result.data_name} [{result.split}] · agent {result.agent}",
        caption=CAPTIONS.get(result.domain),
    )
    table.add_column("category", no_wrap=True)
    for _, header in columns:
        table.add_column(header, justify="right")
    for index, (category, metrics) in enumerate(rows):
        table.add_row(
            category,
            *(_fmt(metrics.get(key), whole=key in ("questions", "tasks")) for key, _ in columns),
            end_section=index == len(rows) - 2,
        )
    out.print(table)
    cost = result.cost
    out.print(
        f"read() {cost.get('read_chars_mean', 0):.0f} chars on average · "
        f"write {cost.get('write_seconds_median', 0) * 1000:.1f} ms · "
        f"read {cost.get('read_seconds_median', 0) * 1000:.1f} ms (medians) · "
        f"LLM calls in the program {cost.get('llm_calls', 0):.0f} · {cost.get('seconds', 0):.1f} s in all"
    )
    out.print(f"selection score [bold]{result.score:.3f}[/bold] · data fingerprint {result.data_fingerprint}")


def print_comparison(results: list[tuple[str, EvaluationResult]]) -> None:
    """One row per program: selection score, two headline metrics of its domain, and costs."""
    domain = results[0][1].domain
    headline = COLUMNS.get(domain, ())[1:3]
    table = Table(title="comparison (best selection score first)")
    table.add_column("program", no_wrap=True)
    for column in ("score", *(header for _, header in headline), "read chars", "read ms", "status"):
        table.add_column(column, justify="right")
    for name, result in sorted(results, key=lambda pair: -pair[1].score):
        table.add_row(
            name,
            f"{result.score:.3f}",
            *(_fmt(result.metrics.get(key)) for key, _ in headline),
            f"{result.cost.get('read_chars_mean', 0):.0f}",
            f"{result.cost.get('read_seconds_median', 0) * 1000:.1f}",
            result.status if result.ok else f"failed: {result.failure_reason}",
        )
    out.print(table)


def _fmt(value: float | None, whole: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if whole else f"{value:.3f}"
