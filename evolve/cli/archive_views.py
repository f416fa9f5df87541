"""Rich renderings of archive rows for `mnemoforge archive`: tables of runs and programs, a program's
card, its evaluations by category, and its ancestry tree. Pure functions of archive rows, so the
commands stay short and the views can be read (and changed) in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from archive import Evaluation, Program, Run
from archive.operator_stats import OperatorStats
from archive.report_data import abbreviate_ids

ID_CHARS = 12
COUNT_KEYS = frozenset({"questions", "tasks"})


def short(program_id: str | None) -> str:
    return "–" if not program_id else program_id[:ID_CHARS]


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def origin(program: Program) -> str:
    """How a program came to be: its seed name, or its mutator and generation ("structural g7")."""
    if program.seed_name:
        return f"seed {program.seed_name}"
    kind = "crossover" if len(program.parent_ids) > 1 else program.mutator
    return f"{kind} g{program.generation}"


def best_evaluation(
    evaluations: Iterable[Evaluation], split: str, like: Evaluation | None = None
) -> Evaluation | None:
    """The best successful evaluation on `split`; with `like`, only those on its agent and data."""
    matching = [
        e
        for e in evaluations
        if e.ok
        and e.split == split
        and (like is None or (e.agent, e.data_name) == (like.agent, like.data_name))
    ]
    return max(matching, key=lambda e: (e.score, e.id or 0), default=None)


def runs_table(rows: Sequence[tuple[Run, int, float | None, float | None]]) -> Table:
    """(run, candidates, best select, best test) rows, newest first as given."""
    title = "runs, newest first: candidates tried, best select and test scores"
    table = _table(title)
    for column in ("run", "domain", "status", "started (UTC)"):
        table.add_column(column, no_wrap=True)
    for column in ("tried", "select", "test"):
        table.add_column(column, justify="right", no_wrap=True)
    for run, candidates, best_select, best_test in rows:
        table.add_row(
            run.id,
            escape(run.domain),
            run.status,
            run.created_at.strftime("%Y-%m-%d %H:%M"),
            str(candidates),
            score(best_select),
            score(best_test),
        )
    return table


def operators_table(run_id: str, rows: Sequence[OperatorStats]) -> Table:
    """Per operator: candidates tried, programs made (new and valid), children that beat their parent on
    select, and the best and mean change of a child's select score over its parent's."""
    table = _table(f"run {run_id}: what each operator did (gain = child minus parent on select)")
    table.add_column("operator", no_wrap=True)
    for column in ("tried", "made", "improved", "best gain", "mean gain"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            escape(row.operator),
            str(row.tried),
            str(row.accepted),
            f"{row.improved}/{len(row.gains)}",
            _signed(row.best_gain),
            _signed(row.mean_gain),
        )
    return table


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


@dataclass(frozen=True)
class ListedProgram:
    """A row of `archive list`: a program's select and test scores and the data they are on."""

    program: Program
    select: float
    test: float | None
    cost: dict
    data: str


def programs_table(domain: str, rows: Sequence[ListedProgram], data: str | None = None) -> Table:
    """The best programs of a domain; with `data` all scores are on it (a run's), else each row says
    on which data its scores are (the title does when they all share it)."""
    names = {row.data for row in rows}
    if data is None and len(names) == 1:
        data = names.pop()
    title = f"{domain}: best programs on select" + (f" of {data}" if data else "")
    table = _table(Text(title))
    table.add_column("program", no_wrap=True)
    table.add_column("origin")
    for column in ("select", "test", "read chars", "LLM/op"):
        table.add_column(column, justify="right", no_wrap=True, min_width=5)
    table.add_column("run", no_wrap=True)
    if data is None:
        table.add_column("data")
    for row in rows:
        cells = [
            short(row.program.id),
            escape(origin(row.program)),
            score(row.select),
            score(row.test),
            f"{float(row.cost.get('read_chars_mean') or 0):,.0f}",
            f"{float(row.cost.get('llm_calls_per_operation') or 0):.2f}",
            row.program.run_id or "–",
        ]
        table.add_row(*cells, *([] if data is not None else [escape(row.data)]))
    return table


def program_card(program: Program, children: int) -> Table:
    """Who a program is: id, origin, parents, run, island, generation, commit message."""
    card = Table.grid(padding=(0, 2))
    card.add_column(style="bold")
    card.add_column()
    card.add_row("program", program.id)
    card.add_row("domain", escape(program.domain))
    card.add_row("origin", escape(origin(program)))
    if program.parent_ids:
        card.add_row("parents", ", ".join(short(parent) for parent in program.parent_ids))
    card.add_row("children", str(children))
    where = f"run {program.run_id}" if program.run_id else "no run"
    if program.island is not None:
        where += f", island {program.island}"
    card.add_row("created", f"{program.created_at:%Y-%m-%d %H:%M} UTC by {where}")
    card.add_row("commit message", Text(abbreviate_ids(program.commit_message) or "–"))
    return card


def evaluations_table(evaluations: Sequence[Evaluation]) -> Table:
    """Every evaluation of a program, one row each: split, agent, data, score (or failed) and costs."""
    table = _table("evaluations")
    table.add_column("split", no_wrap=True)
    table.add_column("agent")
    table.add_column("data", overflow="fold")
    for column in ("score", "read chars", "LLM/op", "seconds"):
        table.add_column(column, justify="right", no_wrap=True)
    for evaluation in evaluations:
        table.add_row(
            escape(evaluation.split),
            escape(evaluation.agent),
            escape(evaluation.data_name or evaluation.data_fingerprint),
            score(evaluation.score) if evaluation.ok else "[red]failed[/red]",
            f"{float(evaluation.cost.get('read_chars_mean') or 0):,.0f}",
            f"{float(evaluation.cost.get('llm_calls_per_operation') or 0):.2f}",
            "–" if evaluation.seconds is None else f"{evaluation.seconds:.1f}",
        )
    return table


def categories_table(evaluation: Evaluation) -> Table:
    """One evaluation's metrics per category and overall ("all"), in the evaluation's own names."""
    metrics: list[str] = []
    for values in [*evaluation.by_category.values(), evaluation.metrics]:
        metrics += [
            k for k, v in values.items() if isinstance(v, int | float) and k not in metrics and k != "score"
        ]
    metrics.sort(key=lambda k: (k not in COUNT_KEYS, k))
    data = f"{evaluation.data_name or 'data'} [{evaluation.data_fingerprint}]"
    title = f"{evaluation.split} · {evaluation.agent} · {data}"
    table = _table(Text(title))
    table.add_column("category", no_wrap=True)
    for metric in metrics:
        table.add_column(metric.replace("_", " "), justify="right")
    rows = sorted(evaluation.by_category.items())
    for index, (category, values) in enumerate([*rows, ("all", evaluation.metrics)]):
        cells = []
        for metric in metrics:
            value = values.get(metric)
            if not isinstance(value, int | float):
                cells.append("–")
            else:
                cells.append(f"{value:.0f}" if metric in COUNT_KEYS else f"{value:.3f}")
        table.add_row(escape(category), *cells, style="bold" if index == len(rows) else None)
    return table


def failures(evaluations: Sequence[Evaluation]) -> RenderableType | None:
    """The failed evaluations' reasons and messages, or None when nothing failed."""
    failed = [e for e in evaluations if not e.ok]
    if not failed:
        return None
    lines = [Text("failures", style="bold")]
    for evaluation in failed:
        lines.append(
            Text(
                f"{evaluation.split}: {evaluation.failure_reason or 'unknown'}: "
                f"{evaluation.failure_message or ''}"
            )
        )
    return Group(*lines)


def run_data_label(run: Run) -> str:
    """The data a run selected on, as its config names it (one spec, or several joined by '+')."""
    specs = run.config.get("data") or ()
    specs = [specs] if isinstance(specs, str) else list(specs)
    return " + ".join(specs) or "the domain's built-in data"


def ancestry_tree(program: Program, known: dict[str, Program], scores: dict[str, str]) -> Tree:
    """The program with its parents as branches, recursively (primary parent first), down to the seeds.

    `scores` holds each program's score as shown ("select 0.512"), said on which data by the caller.

    A program reached twice (crossover of relatives) is shown once in full, then as "(see above)".
    """
    tree = Tree(_node_label(program, scores, None))
    shown: set[str] = {program.id}

    def grow(branch: Tree, child: Program) -> None:
        for position, parent_id in enumerate(child.parent_ids):
            parent = known.get(parent_id)
            role = "parent" if position == 0 else "crossover parent"
            if parent is None:
                branch.add(Text(f"{short(parent_id)} (not in the archive)", style="dim"))
                continue
            if parent.id in shown:
                branch.add(Text(f"{role}: {short(parent.id)} (see above)", style="dim"))
                continue
            shown.add(parent.id)
            grow(branch.add(_node_label(parent, scores, role)), parent)

    grow(tree, program)
    return tree


def _node_label(program: Program, scores: dict[str, str], role: str | None) -> Text:
    label = Text()
    if role and role != "parent":
        label.append(f"{role}: ", style="dim")
    label.append(short(program.id), style="bold")
    label.append(f"  {scores.get(program.id, 'select –')}  ", style="cyan")
    if program.seed_name:
        label.append(f"seed {program.seed_name}", style="green")
    else:
        label.append(f"{program.mutator}: ", style="dim")
        label.append(
            abbreviate_ids(program.commit_message.splitlines()[0]) if program.commit_message else "–"
        )
    return label


def _table(title: str | Text) -> Table:
    """A compact table: a rule under the header, one space between columns, so 80 columns fit."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
