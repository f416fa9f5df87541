"""Games of one floor plan: what carries over between them in ALFWorld, and what memory saves when it does.

ALFWorld's games are trials of AI2-THOR floor plans. The dev slice samples 24 games from 21 floor plans,
so nearly every game is a room of its own; `valid_unseen` is 134 games from 4 floor plans, and the
adapter plays each floor plan as one run of about 33 games in the same room. The built-in world models
both (`household`, whose rooms give one to three tasks as the dev games' floor plans give games, and
`household:trials=N`, `evaluators/planning/household.py`). This benchmark writes to
benchmarks/results/floor_plans.md:

1. what the games of one floor plan share, read from the PDDL problems of the dev games whose floor plan
   has several (2 and 14): the same receptacles, and how often an object lies on a receptacle where an
   object of its kind lay in another game of the plan; the same statistics for the built-in world's
   trials of a room (a statistic of the games, which the world is not fitted to: its objects are only
   placed afresh by the catalog's priors);
2. every seed with the offline agent on the built-in world in three regimes (every task in a room of its
   own, `trials=1`; the default, rooms as the dev games' floor plans; runs of 33 tasks in one room, as
   `valid_unseen`'s floor plans), pooled over `--builtin-seeds`: the no-memory steps, each seed's steps
   and share of them saved, and the Spearman correlation of the saved shares between the regimes and
   within each (unit vs unit);
3. with `--orders N`, every seed on the dev games themselves (the `alfworld` extra), in N orders of their
   runs: the no-memory steps and the steps saved on games that replay a room played earlier in their run
   and on games in a room new to it, how much of the seeds' differences each part holds, and how each
   built-in regime ranks the seeds against each part.

    python benchmarks/floor_plans.py --alfworld ../shared/data/alfworld/valid_seen_dev24 --builtin-seeds 8 \\
        --orders 8

`valid_unseen` itself is not in ../shared/data; issue 18 quotes what was measured on it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise, permutations
from pathlib import Path

from benchmarks.planning_transfer import (
    alfworld_orders,
    alfworld_rooms,
    evaluate_all,
    evaluate_offline,
    results_header,
)
from benchmarks.rank_reliability import pairwise_reliability, spearman
from evaluators.planning.alfworld import AlfworldTask, load_alfworld
from evaluators.planning.data import PlanningDataset, PlanningTask
from evaluators.planning.household import generate_dataset
from sandbox.hash_seed import pin_hash_seed
from seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "floor_plans.md"
PLAN_TRIALS = 33
"""Games per floor plan in ALFWorld's `valid_unseen` (134 games, 4 floor plans)."""

Placements = dict[str, set[str]]
"""Object kind -> the receptacles (ids in ALFWorld, names in the built-in world) holding one."""
PARTS = ("all", "replayed", "new")
"""The dev games as a whole, those that replay a room of their run, and those in a room new to it."""
Game = tuple[set[str], Placements, list[tuple[str, str]]]
"""A game's receptacles, its placements by kind, and its objects as (kind, receptacle)."""


def alfworld_plans(folder: Path) -> dict[str, list[Game]]:
    """Per floor plan with several games: each game's receptacles, placements by kind, and objects."""
    plans: dict[str, list[Game]] = defaultdict(list)
    for room in alfworld_rooms(folder):
        plans[room.floor_plan].append((room.receptacle_ids, by_kind(room.placed), room.placed))
    return {plan: games for plan, games in plans.items() if len(games) > 1}


def builtin_plans(seed: int, households: int, trials: int) -> list[list[Game]]:
    """The built-in world's rooms with `trials` tasks each, in the same form."""
    plans = []
    for episode in generate_dataset(seed, households, trials, trials).episodes:
        games = []
        for task in episode.tasks:
            objects = [(p.kind, p.receptacle) for p in task.layout.placements if p.kind != "desklamp"]
            games.append(({r.name for r in task.layout.receptacles}, by_kind(objects), objects))
        plans.append(games)
    return plans


def by_kind(objects: list[tuple[str, str]]) -> Placements:
    places: Placements = defaultdict(set)
    for kind, where in objects:
        places[kind].add(where)
    return places


def shared(plans: list[list[Game]]) -> tuple[float, int, int, int]:
    """Over ordered pairs of games of a plan: (share of receptacles in both, objects lying where their
    kind lay in the other game, objects of a kind the other game had, pairs)."""
    receptacles, hits, objects, pairs = [], 0, 0, 0
    for games in plans:
        for (recs_a, places_a, _), (recs_b, _, objects_b) in permutations(games, 2):
            pairs += 1
            receptacles.append(len(recs_a & recs_b) / len(recs_b))
            for kind, where in objects_b:
                if kind in places_a:
                    objects += 1
                    hits += where in places_a[kind]
    return statistics.fmean(receptacles), hits, objects, pairs


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alfworld", required=True, help="a folder of ALFWorld games (valid_seen_dev24)")
    parser.add_argument("--builtin-seeds", type=int, default=2, help="seeds of the built-in world, pooled")
    parser.add_argument("--households", type=int, default=20, help="episodes per built-in seed")
    parser.add_argument("--orders", type=int, default=0, help="orders of the dev games to play (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="processes")
    args = parser.parse_args()
    started = time.perf_counter()
    command = "python benchmarks/floor_plans.py --alfworld " + args.alfworld
    command += f" --builtin-seeds {args.builtin_seeds} --households {args.households} --orders {args.orders}"
    built_in, saved = seed_lines(args)
    body = [*sharing_lines(Path(args.alfworld), args), *built_in]
    if args.orders:
        dev, dev_saved = replay_lines(Path(args.alfworld), args)
        body += [*dev, *agreement_lines(saved, dev_saved)]
    title = "Games of one floor plan: what carries over, and what memory saves when rooms repeat"
    lines = [*results_header(title, command, started), *body]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def sharing_lines(folder: Path, args: argparse.Namespace) -> list[str]:
    real = alfworld_plans(folder)
    rows = [("ALFWorld dev games, floor plans " + ", ".join(sorted(real)), shared(list(real.values())))]
    for trials in (2, 6):
        plans = [
            p for seed in range(args.builtin_seeds) for p in builtin_plans(seed, args.households, trials)
        ]
        rows.append((f"built-in, `trials={trials}` ({len(plans)} rooms)", shared(plans)))
    lines = [
        "## What the games of one floor plan share",
        "",
        "Over every ordered pair of games of one floor plan (trials of one room): the share of the second"
        " game's receptacles the first has too (ALFWorld: by PDDL id), and of the second game's objects"
        " whose kind the first game has, how many lie on a receptacle where one of their kind lay in the"
        " first.",
        "",
        "| games | pairs | receptacles in both | objects where their kind lay before |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, (receptacles, hits, objects, pairs) in rows:
        share = f"{hits} of {objects} ({100 * hits / objects:.0f}%)"
        lines.append(f"| {label} | {pairs} | {100 * receptacles:.0f}% | {share} |")
    real_replays, real_games = replays(folder)
    built = [
        e.tasks
        for seed in range(args.builtin_seeds)
        for e in generate_dataset(seed, args.households).episodes
    ]
    built_replays = sum(
        a.layout.receptacles == b.layout.receptacles for tasks in built for a, b in pairwise(tasks)
    )
    built_games = sum(len(tasks) for tasks in built)
    lines += [
        "",
        f"Games that replay a room played earlier in their run: {real_replays} of the {real_games} dev games"
        f" ({100 * real_replays / real_games:.0f}%, in the adapter's runs); {built_replays} of the"
        f" {built_games} tasks of the default built-in world ({100 * built_replays / built_games:.0f}%: a run"
        " of six tasks cuts some rooms short).",
    ]
    return [*lines, ""]


def replays(folder: Path) -> tuple[int, int]:
    """(games whose floor plan an earlier game of their run had, games) in the adapter's runs."""
    flags = [flag for episode in load_alfworld(folder).episodes for flag in replayed(episode.tasks)]
    return sum(flags), len(flags)


def replayed(tasks: tuple[PlanningTask, ...]) -> list[bool]:
    """For each ALFWorld game of a run, whether an earlier game of the run had its floor plan."""
    plans = [task.floor_plan for task in tasks if isinstance(task, AlfworldTask)]
    assert len(plans) == len(tasks), "not a run of ALFWorld games"
    return [plan in plans[:n] for n, plan in enumerate(plans)]


def seed_lines(args: argparse.Namespace) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The table of every seed in every regime, and the saved shares by regime and seed."""
    regimes = {
        "a room of its own (`trials=1`)": [
            generate_dataset(seed, args.households, trials=1) for seed in range(args.builtin_seeds)
        ],
        "rooms as the dev games' floor plans (`household`)": [
            generate_dataset(seed, args.households) for seed in range(args.builtin_seeds)
        ],
        f"{PLAN_TRIALS} tasks to a room (`tasks={PLAN_TRIALS},trials={PLAN_TRIALS}`)": [
            generate_dataset(seed, args.households, PLAN_TRIALS, PLAN_TRIALS)
            for seed in range(args.builtin_seeds)
        ],
    }
    programs = [(seed.name, seed.source) for seed in SEEDS]
    outcomes = evaluate_all(programs, regimes, args.workers)
    names = [seed.name for seed in SEEDS]
    own, default, plan = list(regimes)
    names.sort(key=lambda n: -outcomes[n][plan].saved())
    lines = [
        "## What each seed saves in each regime",
        "",
        f"Pooled over built-in seeds 0-{args.builtin_seeds - 1}, {args.households} episodes each. *Steps* per"
        " task with the memory; *saved*: 1 − steps / no-memory steps.",
        "",
        "| program | " + " | ".join(f"{r}: steps | saved" for r in regimes) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in regimes) + " |",
    ]
    base = {r: next(iter(outcomes.values()))[r].pooled() for r in regimes}
    lines.append(
        "| no memory | "
        + " | ".join(f"{base[r].baseline_steps / base[r].tasks:.1f} | 0%" for r in regimes)
        + " |"
    )
    for name in names:
        cells = []
        for regime in regimes:
            unit = outcomes[name][regime].pooled()
            cells.append(f"{unit.steps / unit.tasks:.1f} | {100 * outcomes[name][regime].saved():.1f}%")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines.append("")
    for a, b in ((own, default), (own, plan), (default, plan)):
        rho = spearman([outcomes[n][a].saved() for n in names], [outcomes[n][b].saved() for n in names])
        lines.append(f"- Spearman of the saved shares, {a} vs {b}: **{rho:.2f}**")
    lines.append("")
    if args.builtin_seeds > 1:
        for regime in regimes:
            column = [outcomes[n][regime] for n in names]
            pair, pooled = pairwise_reliability(
                args.builtin_seeds, lambda units, column=column: [o.saved(units) for o in column]
            )
            lines.append(
                f"- {regime}: two built-in seeds rank the seeds alike at {pair:.2f} (pooled {pooled:.2f})."
            )
        lines.append("")
    saved = {regime: {n: outcomes[n][regime].saved() for n in names} for regime in regimes}
    return lines, saved


def replay_steps(source: str, datasets: list[PlanningDataset]) -> dict[str, tuple[float, float]]:
    """(steps saved, no-memory steps), summed over the games that replay a room of their run and over the
    others."""
    sums = {"replayed": [0.0, 0.0], "new": [0.0, 0.0]}
    for dataset in datasets:
        result = evaluate_offline(source, dataset)
        if not result.ok:
            raise SystemExit(f"failed on {dataset.name}: {result.failure_reason}")
        cases = {case.case_id: case.metrics for case in result.cases}
        for episode in dataset.episodes:
            for task, again in zip(episode.tasks, replayed(episode.tasks), strict=True):
                part = sums["replayed" if again else "new"]
                part[0] += float(cases[task.task_id]["steps_saved"] or 0)
                part[1] += float(cases[task.task_id]["baseline_steps"] or 0)
    return {part: (saved, base) for part, (saved, base) in sums.items()}


def replay_lines(folder: Path, args: argparse.Namespace) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The table of every seed on the dev games, and its saved steps on replayed, new and all games."""
    datasets = alfworld_orders(folder, args.orders)
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {seed.name: pool.submit(replay_steps, seed.source, datasets) for seed in SEEDS}
        steps = {name: future.result() for name, future in futures.items()}
    names = sorted(steps, key=lambda n: -sum(saved for saved, _ in steps[n].values()))
    base = {part: steps[names[0]][part][1] for part in ("replayed", "new")}
    lines = [
        "## On the dev games: games that replay a room, and games in a new one",
        "",
        f"Every seed on the 24 dev games in {args.orders} orders of their runs (a floor plan's games always"
        " in one run). *Replayed*: the games whose floor plan an earlier game of their run had; *new*: the"
        f" others. No-memory steps summed: {base['replayed']:.0f} on replayed games, {base['new']:.0f} on new"
        " ones.",
        "",
        "| program | saved on replayed games | saved on new games | its saved steps on replayed games |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in names:
        (rep, rep_base), (new, new_base) = steps[name]["replayed"], steps[name]["new"]
        share = rep / (rep + new) if rep + new else 0.0
        lines.append(
            f"| `{name}` | {rep:.0f} ({100 * rep / rep_base:.1f}%) | {new:.0f} ({100 * new / new_base:.1f}%)"
            f" | {100 * share:.0f}% |"
        )
    total = [sum(saved for saved, _ in steps[n].values()) for n in names]
    lines += [""]
    for part in ("replayed", "new"):
        column = [steps[n][part][0] for n in names]
        rho = spearman(total, column)
        lines.append(
            f"- the seeds' saved steps on {part} games alone: variance {statistics.pvariance(column):.1f}"
            f" (all games: {statistics.pvariance(total):.1f}), Spearman with all games {rho:.2f}"
        )
    saved = {part: {n: steps[n][part][0] for n in names} for part in ("replayed", "new")}
    saved["all"] = {n: saved["replayed"][n] + saved["new"][n] for n in names}
    return [*lines, ""], saved


def agreement_lines(built_in: dict[str, dict[str, float]], dev: dict[str, dict[str, float]]) -> list[str]:
    """Spearman of each built-in regime's saved shares with the dev games' saved steps, by kind of game."""
    names = sorted(dev["all"])
    lines = [
        "## Each built-in regime against the dev games",
        "",
        "Spearman correlation of the seeds' saved share in each regime of the built-in world with their steps"
        " saved on the dev games (the table above), on all games, on games replaying a room, on new ones.",
        "",
        "| regime | all dev games | replayed games | new games |",
        "| --- | ---: | ---: | ---: |",
    ]
    for regime, column in built_in.items():
        rhos = [spearman([column[n] for n in names], [dev[part][n] for n in names]) for part in PARTS]
        lines.append(f"| {regime} | " + " | ".join(f"{rho:.2f}" for rho in rhos) + " |")
    return [*lines, ""]


if __name__ == "__main__":
    main()
