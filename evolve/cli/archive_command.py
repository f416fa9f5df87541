"""`mnemoforge archive runs|list|show|diff|lineage|operators`: browse what searches found.

Program and run ids may be given as unique prefixes (as `git` does). Every command reads the archive
named by `--archive`, else $MNEMOFORGE_ARCHIVE, else ./mnemoforge.db, and never creates one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.syntax import Syntax
from rich.text import Text

from archive import ArchiveStore, Evaluation, Program
from archive.diffs import unified_diff
from archive.operator_stats import operator_stats
from evolve.cli.archive_access import open_archive
from evolve.cli.archive_views import (
    ListedProgram,
    ancestry_tree,
    best_evaluation,
    categories_table,
    evaluations_table,
    failures,
    operators_table,
    program_card,
    programs_table,
    run_data_label,
    runs_table,
    score,
    short,
)
from evolve.cli.support import ARCHIVE_HELP, UserError, out, reports_user_errors

archive_app = typer.Typer(
    help="Browse the archive: runs, the best programs, a program, its diff and its lineage.",
    no_args_is_help=True,
)

ArchiveOption = Annotated[str | None, typer.Option("--archive", help=ARCHIVE_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]


@archive_app.command("runs")
@reports_user_errors
def runs_command(archive: ArchiveOption = None, as_json: JsonOption = False) -> None:
    """The runs in the archive, newest first, with their best select and test scores."""
    with open_archive(archive) as store:
        rows = []
        for run in store.list_runs():
            summary = run.summary or {}
            candidates = int(summary.get("candidates", len(store.candidates(run.id))))
            best_select = summary.get("best_select")
            if best_select is None:
                ranked = store.best_programs(run.domain, "select", limit=1, run_id=run.id)
                best_select = ranked[0][1].score if ranked else None
            rows.append((run, candidates, best_select, summary.get("best_test")))
    if not rows:
        raise UserError("the archive has programs but no runs; `mnemoforge archive list` shows the programs")
    if as_json:
        print(json.dumps([_run_json(*row) for row in rows], indent=2))
        return
    out.print(runs_table(rows))
    for run, *_ in rows:
        if (run.summary or {}).get("failure"):
            out.print(f"run {run.id} {run.status}: {run.summary['failure']}", markup=False, highlight=False)


@archive_app.command("list")
@reports_user_errors
def list_command(
    domain: Annotated[str | None, typer.Option(help="Only this domain (default: every domain).")] = None,
    run: Annotated[str | None, typer.Option(help="Only the programs of this run (id or prefix).")] = None,
    top: Annotated[int, typer.Option(min=1, help="How many programs per domain.")] = 10,
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """The best programs per domain by select score, with their costs and test scores where known.

    With --run, every score is on that run's data (the mean over its datasets, as it selected); without,
    each program's best select evaluation on whatever data, and each row says which."""
    with open_archive(archive) as store:
        run_id = store.get_run(run).id if run else None
        domains = [domain] if domain else _domains(store, run_id)
        data = run_data_label(store.get_run(run_id)) if run_id else None
        listed: dict[str, list[ListedProgram]] = {}
        for name in domains:
            listed[name] = _run_rows(store, name, run_id, top) if run_id else _best_rows(store, name, top)
    if not any(listed.values()):
        where = f" in domain {domain}" if domain else ""
        where += f" in run {run_id}" if run_id else ""
        raise UserError(f"no program has a successful select evaluation{where}; nothing to list")
    if as_json:
        print(
            json.dumps(
                {name: [_program_row_json(row) for row in rows] for name, rows in listed.items()}, indent=2
            )
        )
        return
    for name, rows in listed.items():
        if rows:
            out.print(programs_table(name, rows, data))


@archive_app.command("show")
@reports_user_errors
def show_command(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="Program id or unique prefix.")],
    source: Annotated[bool, typer.Option(help="Print the source code.")] = True,
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """A program: origin, commit message, scores per split, agent and category, costs, failures, source."""
    with open_archive(archive) as store:
        program = store.get_program(program_id)
        evaluations = store.program_evaluations(program.id)
        children = store.children(program.id)
    if as_json:
        print(json.dumps(_program_json(program, evaluations, len(children)), indent=2))
        return
    out.print(program_card(program, len(children)))
    if evaluations:
        out.print(evaluations_table(evaluations))
        for evaluation in evaluations:
            if evaluation.ok:
                out.print(categories_table(evaluation))
        failed = failures(evaluations)
        if failed is not None:
            out.print(failed)
    else:
        out.print("not evaluated yet")
    if source:
        out.print(Syntax(program.source, "python", line_numbers=True, word_wrap=True))


@archive_app.command("diff")
@reports_user_errors
def diff_command(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="Program id or unique prefix.")],
    other_id: Annotated[
        str | None, typer.Argument(metavar="[OTHER]", help="Compare with this program instead of the parent.")
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """The unified diff from a program's parent to it, or from ID to OTHER."""
    with open_archive(archive) as store:
        program = store.get_program(program_id)
        if other_id is not None:
            old, new = program, store.get_program(other_id)
        elif program.parent_ids:
            old, new = store.get_program(program.parent_ids[0]), program
        else:
            what = f"seed {program.seed_name}" if program.seed_name else "a program without parents"
            raise UserError(
                f"program {short(program.id)} is {what}, so it has no parent to diff against; "
                "give a second id to compare it with"
            )
    diff = unified_diff(old.source, new.source, _label(old), _label(new))
    if not diff:
        out.print(f"{short(old.id)} and {short(new.id)} have the same source")
        return
    if not out.is_terminal:  # piped or redirected: a plain patch, e.g. for `git apply` or `patch`
        out.out(diff, end="", highlight=False)
        return
    if new.commit_message:
        out.print(Text.assemble((short(new.id), "bold"), ": ", new.commit_message))
    out.print(Syntax(diff, "diff", word_wrap=True))


@archive_app.command("lineage")
@reports_user_errors
def lineage_command(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="Program id or unique prefix.")],
    run: Annotated[
        str | None,
        typer.Option(help="Score on this run's data (default: the run that created the program)."),
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """A program's ancestry: its parents, their parents, down to the seeds, with select scores on one
    run's data, so that every score in the tree is comparable."""
    with open_archive(archive) as store:
        program = store.get_program(program_id)
        known = {ancestor.id: ancestor for ancestor in store.ancestors(program.id)}
        run_id = store.get_run(run).id if run else program.run_id
        if run_id is not None:
            on_run = store.run_scores(run_id, "select")
            scores = {ancestor_id: f"select {score(on_run.get(ancestor_id))}" for ancestor_id in known}
            note = f"select scores on the data of run {run_id}: {run_data_label(store.get_run(run_id))}"
        else:
            scores = {ancestor_id: _labelled_best(store, ancestor_id) for ancestor_id in known}
            note = "no run to compare on: each program's best select score, with the data it was on"
    out.print(ancestry_tree(program, known, scores))
    out.print(Text(note, style="dim"))


def _best_rows(store: ArchiveStore, domain: str, top: int) -> list[ListedProgram]:
    rows = []
    for program, select in store.best_programs(domain, "select", limit=top):
        test = best_evaluation(store.program_evaluations(program.id), "test", like=select)
        score_test = None if test is None else test.score
        rows.append(ListedProgram(program, select.score, score_test, select.cost, select.data_name or "–"))
    return rows


def _run_rows(store: ArchiveStore, domain: str, run_id: str, top: int) -> list[ListedProgram]:
    """The run's programs by their score on its data; costs are those of one of its datasets."""
    on_run, tested = store.run_scores(run_id, "select"), store.run_scores(run_id, "test")
    evaluated = {p.id: (p, e) for p, e in store.best_programs(domain, "select", limit=None, run_id=run_id)}
    ranked = sorted(
        (program_id for program_id in on_run if program_id in evaluated),
        key=lambda pid: (-on_run[pid], evaluated[pid][0].created_at, pid),
    )
    label = run_data_label(store.get_run(run_id))
    return [
        ListedProgram(evaluated[pid][0], on_run[pid], tested.get(pid), evaluated[pid][1].cost, label)
        for pid in ranked[:top]
    ]


@archive_app.command("operators")
@reports_user_errors
def operators_command(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="Run id or unique prefix.")],
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """What each mutation operator did in a run: tried, made a program, beat its parent on select."""
    with open_archive(archive) as store:
        run = store.get_run(run_id)
        stats = operator_stats(store, run.id)
    if as_json:
        print(json.dumps([row.to_json() for row in stats], indent=2))
        return
    if not stats:
        raise UserError(f"run {run.id} has no candidates yet")
    out.print(operators_table(run.id, stats))


def _domains(store: ArchiveStore, run_id: str | None) -> list[str]:
    if run_id is not None:
        return [store.get_run(run_id).domain]
    names = {run.domain for run in store.list_runs()}
    return sorted(names) if names else store.program_domains()


def _labelled_best(store: ArchiveStore, program_id: str) -> str:
    best = best_evaluation(store.program_evaluations(program_id), "select")
    return "select –" if best is None else f"select {score(best.score)} on {best.data_name or 'unnamed data'}"


def _label(program: Program) -> str:
    return f"{short(program.id)} ({program.seed_name})" if program.seed_name else short(program.id)


def _run_json(
    run: Any, candidates: int, best_select: float | None, best_test: float | None
) -> dict[str, Any]:
    return {
        "id": run.id,
        "domain": run.domain,
        "status": run.status,
        "created_at": run.created_at.isoformat(),
        "candidates": candidates,
        "best_select": best_select,
        "best_test": best_test,
        "failure": (run.summary or {}).get("failure"),
    }


def _evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return evaluation.model_dump(mode="json", exclude={"logs"})


def _program_row_json(row: ListedProgram) -> dict[str, Any]:
    return {
        "id": row.program.id,
        "seed_name": row.program.seed_name,
        "mutator": row.program.mutator,
        "run_id": row.program.run_id,
        "select": row.select,
        "test": row.test,
        "data": row.data,
        "cost": row.cost,
    }


def _program_json(program: Program, evaluations: list[Evaluation], children: int) -> dict[str, Any]:
    described = program.model_dump(mode="json")
    described["children"] = children
    described["evaluations"] = [_evaluation_json(evaluation) for evaluation in evaluations]
    return described
