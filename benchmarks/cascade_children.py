"""How children differ from their parents on `select`, conversation by conversation: what a cascade can stop.

A cascade saves work only on the children it stops after its first part, and keeps the search as it
was only if it stops none that the search needs. This looks at the children of runs *without* the
cascade (offline structural mutator, default data and budget, as `benchmarks/cascade.py` runs them):
every program of the run is evaluated again on `select` with its cases, and each child is compared
case by case with its primary parent. A child is

- a copy: every case of `select` scores as its parent's (a changed constant that never comes into play);
- changed on some of the four select conversations only, or on all of them;
- better, equal or worse than its parent on all of `select`.

From these, the largest share of the agent's work any cascade with this first part could save while
letting on every child at least as good as its parent ("keep all >= parent"), and while letting on only
the strictly better ones ("keep only better"). Then the run's winner: each step of its lineage from its
seed, with its change on all of `select` and on the cascade part. A step that raised `select` but scored
every case of the part as its parent did is one the cascade stops (a tie with a program seen before), so
a run with the cascade cannot take that path.

    python benchmarks/cascade_children.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.cascade import DATA, agent_operations, finished_run, run_config
from evaluators.domains import TaskDomain, get_domain
from evaluators.result import CaseResult
from evolve.config import RunConfig
from evolve.evaluation import assemble, open_embedder
from sandbox.backends import make_session_factory

RESULTS = Path(__file__).parent / "results" / "cascade_children.md"


def child_rows(seed: int, candidates: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """One no-cascade run; per child: its changed conversations, its change on all of select and on the
    cascade part, against its primary parent; and the same for each step of the winner's lineage."""
    config = run_config(cascade=False, margin=0.0, candidates=candidates, seed=seed, agent_model=None)
    with finished_run(config) as (store, run_id, summary):
        winner_id = summary.best_program_id
        programs = [program for program, _ in store.run_programs(run_id)]
    domain = get_domain(config.domain)
    dataset = domain.load_dataset(DATA)
    setup = assemble(
        domain,
        dataset,
        "offline",
        open_embedder("hashed"),
        make_session_factory("inprocess"),
        config.read_chars,
    )
    part = {domain.unit_id(unit) for unit in domain.units(dataset, "cascade")}
    cases = {program.id: setup.run(program.source, "select").cases for program in programs}
    rows = {}
    for program in programs:
        if not program.parent_ids or program.parent_ids[0] not in cases:
            continue
        ours, theirs = cases[program.id], cases[program.parent_ids[0]]
        changed = {
            a.unit for a, b in zip(ours, theirs, strict=True) if _value(domain, a) != _value(domain, b)
        }
        part_change = domain.score_cases([a for a in ours if a.unit in part]) - domain.score_cases(
            [b for b in theirs if b.unit in part]
        )
        rows[program.id] = {
            "program": program.id[:8],
            "changed": len(changed),
            "change": domain.score_cases(list(ours)) - domain.score_cases(list(theirs)),
            "part_changed": bool(changed & part),
            "part_change": part_change,
        }
    parents = {program.id: program.parent_ids[0] for program in programs if program.parent_ids}
    lineage, step = [], winner_id
    while step in rows:
        lineage.append(rows[step])
        step = parents[step]
    return list(rows.values()), lineage[::-1]


def _value(domain: TaskDomain, case: CaseResult) -> float:
    """A case's own selection score: what the cascade's paired comparison compares."""
    return domain.score_cases([case])


def ceiling(children: int, going_on: int) -> float:
    """The share of the offline agent's work saved when `going_on` of `children` go on after the part
    (two seeds on all of select, the winner and the best seed tested), against no cascade."""
    select, part, rest, test = (
        agent_operations(split) for split in ("select", "cascade", "select_rest", "test")
    )
    without = (2 + children) * select + 2 * test
    with_cascade = 2 * select + children * part + going_on * rest + 2 * test
    return 1 - with_cascade / without


Rows = list[dict[str, object]]


def report(per_seed: dict[int, tuple[Rows, Rows]], candidates: int) -> list[str]:
    lines = [
        "# Children against their parents on select, conversation by conversation",
        "",
        f"Command: `python benchmarks/cascade_children.py --candidates {candidates} --seeds "
        f"{' '.join(map(str, per_seed))}`; runs without the cascade, offline agent, default synthetic data "
        "(select: 4 conversations, the cascade's part 1 of them).",
        "",
        "| run seed | children | copies | changed on 1 conv. | on 2-3 | on all 4 | better "
        "| better, part unchanged | worse | worse, part unchanged | ceiling: keep all >= parent "
        "| ceiling: keep only better |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for seed, (rows, _) in per_seed.items():
        better = [r for r in rows if float(r["change"]) > 0]  # type: ignore[arg-type]
        worse = [r for r in rows if float(r["change"]) < 0]  # type: ignore[arg-type]
        at_least = len(rows) - len(worse)
        lines.append(
            f"| {seed} | {len(rows)} | {sum(r['changed'] == 0 for r in rows)} | "
            f"{sum(r['changed'] == 1 for r in rows)} | {sum(r['changed'] in (2, 3) for r in rows)} | "
            f"{sum(r['changed'] == 4 for r in rows)} | {len(better)} | "
            f"{sum(not r['part_changed'] for r in better)} | {len(worse)} | "
            f"{sum(not r['part_changed'] for r in worse)} | {ceiling(len(rows), at_least):.0%} | "
            f"{ceiling(len(rows), len(better)):.0%} |"
        )
    lines += [
        "",
        "The winner's lineage, from its seed: each step's change on all of select and on the part "
        "(a step unchanged on the part is one the cascade stops).",
        "",
        "| run seed | step | change on select | change on the part | unchanged on the part |",
        "|---:|---|---:|---:|---|",
    ]
    for seed, (_, lineage) in per_seed.items():
        if not lineage:
            lines.append(f"| {seed} | (the winner is a seed) | | | |")
        for row in lineage:
            unchanged = "yes" if not row["part_changed"] else ""
            lines.append(
                f"| {seed} | {row['program']} | {float(row['change']):+.4f} | "  # type: ignore[arg-type]
                f"{float(row['part_change']):+.4f} | {unchanged} |"  # type: ignore[arg-type]
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=RunConfig().max_candidates)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    per_seed = {seed: child_rows(seed, args.candidates) for seed in args.seeds}
    RESULTS.write_text("\n".join(report(per_seed, args.candidates)) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
