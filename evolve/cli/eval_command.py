"""`mnemoforge eval`: evaluate memory programs on a domain's data and print their metrics."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evaluators.domains import domain_names, get_domain
from evaluators.result import EvaluationResult
from evaluators.runner import DEFAULT_READ_CHAR_LIMIT
from evaluators.splits import ALL, SPLITS
from evolve.cli.support import UserError, err, out, read_program, reports_user_errors
from evolve.evaluation import assemble, open_embedder
from evolve.llm_setup import ModelAccess, open_model_access
from providers.embedders import DEFAULT_EMBEDDER, EMBEDDER_CHOICES
from providers.errors import ProviderError
from sandbox.backends import BACKENDS, SandboxUnavailable, close_factory, make_session_factory
from sandbox.contract import load_program

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
"""Which metrics a built-in domain's table shows, and their headers; other domains show every metric. A
metric with no value anywhere is left out."""

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
        str,
        typer.Option(help=f"The task domain: {', '.join(domain_names())}, or ./my_domain.py:DOMAIN."),
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
    embedder: Annotated[str, typer.Option(help=f"The embedder: {EMBEDDER_CHOICES}.")] = DEFAULT_EMBEDDER,
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
    access: ModelAccess | None = open_model_access(model) if model else None
    embed = open_embedder(embedder, access)
    try:
        factory = make_session_factory(
            sandbox, warn=lambda message: err.print(f"[yellow]note:[/yellow] {message}")
        )
    except SandboxUnavailable as error:
        raise UserError(str(error)) from None
    evaluation = assemble(task, dataset, agent, embed, factory, read_chars, access, judge=judge)
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
                try:
                    result = evaluation.run(
                        source,
                        split,
                        lambda done, total, t=progress_task, b=bar: b.update(t, completed=done, total=total),
                    )
                except ProviderError as error:  # the agent's or the judge's own call, not the program's
                    raise UserError(f"the model failed while evaluating {name}: {error}") from None
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
        for key, header in _columns(result)
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
            *(_fmt(metrics.get(key), whole=key in ("questions", "tasks", "cases")) for key, _ in columns),
            end_section=index == len(rows) - 2,
        )
    out.print(table)
    cost = result.cost
    out.print(
        f"read() {cost.get('read_chars_mean', 0):.0f} chars on average · "
        f"write {cost.get('write_seconds_median', 0) * 1000:.1f} ms · "
        f"read {cost.get('read_seconds_median', 0) * 1000:.1f} ms (medians) · "
        f"{_llm_calls(cost)} · {cost.get('seconds', 0):.1f} s in all"
    )
    out.print(f"selection score [bold]{result.score:.3f}[/bold] · data fingerprint {result.data_fingerprint}")


def _llm_calls(cost: dict[str, float]) -> str:
    """Model calls by who made them: a domain whose agent calls a model too (planning) counts both in
    `llm_calls` and each apart; otherwise `llm_calls` are the program's."""
    if "agent_llm_calls" in cost:
        return (
            f"LLM calls in the program {cost.get('program_llm_calls', 0):.0f}, "
            f"by the agent {cost['agent_llm_calls']:.0f}"
        )
    return f"LLM calls in the program {cost.get('llm_calls', 0):.0f}"


def print_comparison(results: list[tuple[str, EvaluationResult]]) -> None:
    """One row per program: selection score, two headline metrics of its domain, and costs."""
    headline = _columns(results[0][1])[1:3]
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


def _columns(result: EvaluationResult) -> tuple[tuple[str, str], ...]:
    """A built-in domain's chosen columns; for another, its count first, then each metric by name."""
    if result.domain in COLUMNS:
        return COLUMNS[result.domain]
    names = [key for key in result.metrics if key != "score"]
    return tuple((key, key.replace("_", " ")) for key in names)


def _fmt(value: float | None, whole: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if whole else f"{value:.3f}"
