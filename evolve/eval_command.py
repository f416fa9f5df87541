"""`mnemoforge eval`: evaluate one memory program on a domain's data and print its metrics."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evaluators.conversation import domain as conversation
from evaluators.conversation.episode import DEFAULT_READ_CHAR_LIMIT
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.result import EvaluationResult
from evaluators.splits import ALL, SPLITS
from evolve.cli_support import UserError, err, out, read_program, reports_user_errors
from providers.embedders import DEFAULT_EMBEDDER, make_embedder
from sandbox.contract import load_program
from sandbox.session import Capabilities, InProcessSession

CACHE_DIR = Path.home() / ".cache" / "mnemoforge"


class Domain(StrEnum):
    conversation = "conversation"


class AgentKind(StrEnum):
    offline = "offline"
    llm = "llm"


@reports_user_errors
def eval_command(
    programs: Annotated[
        list[str], typer.Argument(help="Memory programs: .py files or seed names (one or more).")
    ],
    domain: Annotated[Domain, typer.Option(help="The task domain.")] = Domain.conversation,
    data: Annotated[
        str, typer.Option(help="synthetic[:seed=N,conversations=N], locomo:PATH or longmemeval:PATH.")
    ] = conversation.DEFAULT_DATA,
    split: Annotated[str, typer.Option(help=f"One of {', '.join((*SPLITS, ALL))}.")] = ALL,
    agent: Annotated[AgentKind, typer.Option(help="Who uses the memory: offline (no LLM) or llm.")] = (
        AgentKind.offline
    ),
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
    if split not in (*SPLITS, ALL):
        raise UserError(f"unknown split {split!r}; choose one of {', '.join((*SPLITS, ALL))}")
    if read_chars < 1:
        raise UserError("--read-chars must be at least 1")
    if agent is AgentKind.llm:
        raise UserError("the LLM agent is not available yet: use --agent offline")
    named_sources = [read_program(program) for program in programs]
    for _, source in named_sources:
        load_program(source)  # a broken program is the user's to fix: say so before any work starts
    dataset = conversation.load_dataset(data)
    try:
        embed = make_embedder(embedder, CACHE_DIR / "embeddings.sqlite")
    except (ValueError, RuntimeError) as error:
        raise UserError(str(error)) from None
    capabilities = Capabilities(embed=embed)
    results = []
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
            task = bar.add_task("episodes", total=None)
            result = conversation.evaluate(
                source,
                dataset,
                split,
                OfflineAgent(),
                InProcessSession,
                capabilities,
                read_char_limit=read_chars,
                progress=lambda done, total, task=task, bar=bar: bar.update(
                    task, completed=done, total=total
                ),
            )
        results.append((name, result))
        if not as_json:
            print_result(name, result)
    if as_json:
        rows = [{"program": name, **result.to_json(include_cases=False)} for name, result in results]
        print(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2))
    elif len(results) > 1:
        print_comparison(results)
    if not all(result.ok for _, result in results):
        raise typer.Exit(1)


def print_comparison(results: list[tuple[str, EvaluationResult]]) -> None:
    """One row per program: selection score, its two terms, and costs; best score first."""
    table = Table(title="comparison (best selection score first)")
    table.add_column("program", no_wrap=True)
    for column in ("score", "evidence", "F1", "read chars", "read ms", "status"):
        table.add_column(column, justify="right")
    for name, result in sorted(results, key=lambda pair: -pair[1].score):
        table.add_row(
            name,
            f"{result.score:.3f}",
            _fmt(result.metrics.get("evidence_recall")),
            _fmt(result.metrics.get("answer_score")),
            f"{result.cost.get('read_chars_mean', 0):.0f}",
            f"{result.cost.get('read_seconds_median', 0) * 1000:.1f}",
            result.status if result.ok else f"failed: {result.failure_reason}",
        )
    out.print(table)


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
    table = Table(
        title=f"{name} · {result.data_name} [{result.split}] · agent {result.agent}",
        caption="evidence: evidence recall · answer tokens: answer-token recall · "
        "F1: LoCoMo answer score · EM: exact match",
    )
    table.add_column("category", no_wrap=True)
    for column in ("questions", "evidence", "answer tokens", "F1", "EM"):
        table.add_column(column, justify="right")
    rows = [*result.by_category.items(), ("all", result.metrics)]
    for category, metrics in rows:
        table.add_row(
            category,
            f"{int(metrics['questions'] or 0)}",
            *(
                _fmt(metrics.get(key))
                for key in ("evidence_recall", "answer_token_recall", "answer_score", "exact_match")
            ),
            end_section=category != "all" and (category, metrics) == rows[-2],
        )
    out.print(table)
    cost = result.cost
    out.print(
        f"read() {cost['read_chars_mean']:.0f} chars on average ({cost['truncated_reads']:.0f} truncated) · "
        f"write {cost['write_seconds_median'] * 1000:.1f} ms · "
        f"read {cost['read_seconds_median'] * 1000:.1f} ms "
        f"(medians) · LLM calls {cost['llm_calls']:.0f} · {cost['seconds']:.1f} s in all"
    )
    out.print(f"selection score [bold]{result.score:.3f}[/bold] · data fingerprint {result.data_fingerprint}")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
