"""Does the built-in household world reward the memories ALFWorld rewards? Statistics and rank correlation.

Three measurements, written to benchmarks/results/planning_transfer.md and into docs/planning.md
(between the `planning_transfer` markers):

1. the rooms side by side: what ALFWorld's games are made of (read from each game's PDDL problem: its
   receptacles, which open, its objects and where they lie) next to the built-in world's generated
   rooms (the receptacle kinds and counts, closed receptacles, where object kinds lie, task lengths);
2. every seed evaluated with the offline agent on both worlds (split `all`), its share of the
   no-memory steps saved (1 - steps / no-memory steps, over all tasks) in each, and the Spearman
   rank correlation of the two columns (ties get their mean rank). One evaluation of 24 games is a
   noisy estimate, so `--orders N` plays the ALFWorld games in N orders (the adapter's runs, then
   runs regrouped under other hash salts) and `--builtin-seeds N` the built-in world's seeds 0..N-1,
   pooling the steps; how well each world ranks the seeds like itself across those units, and the
   highest correlation that allows (`rank_reliability`); and, split by game rather than by order, how
   well another sample of as many ALFWorld games would rank the seeds like these (the ceiling for a
   world that models ALFWorld, not these games);
3. optionally, more programs (`--program NAME=FILE`, e.g. the winner of a built-in evolution) on both.

    python benchmarks/planning_transfer.py --alfworld ../shared/data/alfworld/valid_seen_dev24 \\
        --builtin-seeds 16 --orders 8 [--program winner=/tmp/winner.py]

That command plays 18 seeds on 8 x 24 games and 16 x 120 built-in tasks: 8-11 minutes on 2 quiet
cores (494 s and 653 s on 4 December 2026).

The ALFWorld games are only read here, by the benchmark: the built-in world never depends on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.rank_reliability import (
    ceiling,
    pairwise_reliability,
    random_split_halves,
    spearman,
    spearman_brown,
    split_half_reliability,
)
from evaluators.planning.alfworld import GAME_FILE, AlfworldTask, group_games, load_alfworld
from evaluators.planning.catalog import BATHROOM, BEDROOM, KITCHEN, LIVING_ROOM, ROOM_TYPES
from evaluators.planning.data import PlanningDataset
from evaluators.planning.domain import PlanningDomain
from evaluators.planning.household import generate_dataset
from evaluators.result import EvaluationResult
from providers.embedders import make_embedder
from sandbox.hash_seed import pin_hash_seed
from sandbox.session import Capabilities, InProcessSession
from seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "planning_transfer.md"
DOCS = ROOT / "docs" / "planning.md"
BEGIN, END = "<!-- planning_transfer:begin -->", "<!-- planning_transfer:end -->"
FOLDER = re.compile(r"^([a-z_]+)-([A-Za-z]+)-([A-Za-z]+)-([A-Za-z]+)-(\d+)$")
SHOWN_KINDS = ("cabinet", "drawer", "countertop", "stoveburner", "shelf", "sidetable", "diningtable")
SHOWN_OBJECTS = ("apple", "egg", "mug", "butterknife", "pot", "book", "keychain", "pillow", "cellphone")
HALF_SPLITS = 1000
"""Random halvings of the floor plans that the game-sampling reliability averages over."""


@dataclass
class Room:
    """What a room is made of, in either world: receptacles (kind, opens), objects (kind, where)."""

    room_type: str
    task_kind: str
    task_object: str
    receptacles: list[tuple[str, bool]] = field(default_factory=list)
    objects: list[tuple[str, str, bool]] = field(default_factory=list)
    """(object kind, receptacle kind, the receptacle opens)"""
    expert_steps: int = 0
    floor_plan: str = ""
    receptacle_ids: set[str] = field(default_factory=set)
    """ALFWorld's only: every receptacle's PDDL id, the same in every game of the floor plan."""
    placed: list[tuple[str, str]] = field(default_factory=list)
    """ALFWorld's only: (object kind, receptacle id) for every movable object."""


def room_type(floor_plan: int) -> str:
    """ALFWorld's (AI2-THOR's) floor plans: 1-30 kitchens, 201-230 living rooms, 301-330 bedrooms, 401-430
    bathrooms."""
    return {0: KITCHEN, 2: LIVING_ROOM, 3: BEDROOM, 4: BATHROOM}[floor_plan // 100]


def alfworld_rooms(folder: Path) -> list[Room]:
    """Every game's room, read from its PDDL problem's initial facts; `SystemExit` for a folder without
    games (a wrong path is one sentence, not a division by zero in the statistics)."""
    games = sorted(folder.rglob(GAME_FILE))
    if not games:
        raise SystemExit(f"no ALFWorld game ({GAME_FILE}) under {folder}")
    rooms = []
    for path in games:
        match = FOLDER.match(path.parent.parent.name) or FOLDER.match(path.parent.name)
        assert match, path
        game = json.loads(path.read_text())
        facts = game["pddl_problem"].split("(:init", 1)[1]
        receptacles = {r: k.lower() for r, k in re.findall(r"\(receptacleType (\S+) (\w+)Type\)", facts)}
        kinds = {o: k.lower() for o, k in re.findall(r"\(objectType (\S+) (\w+)Type\)", facts)}
        movable = set(re.findall(r"\(pickupable (\S+)\)", facts))
        opens = set(re.findall(r"\(openable (\S+)\)", facts))
        room = Room(
            room_type(int(match.group(5))),
            match.group(1),
            match.group(2).lower(),
            [(kind, name in opens) for name, kind in receptacles.items()],
            expert_steps=len(game.get("walkthrough", ())),
            floor_plan=match.group(5),
            receptacle_ids=set(receptacles),
        )
        for obj, receptacle in re.findall(r"\(inReceptacle (\S+) (\S+)\)", facts):
            if receptacle in receptacles and (obj in movable or kinds.get(obj) == "desklamp"):
                room.objects.append((kinds[obj], receptacles[receptacle], receptacle in opens))
            if receptacle in receptacles and obj in movable:
                room.placed.append((kinds[obj], receptacle))
        rooms.append(room)
    return rooms


def builtin_rooms(households: int) -> list[Room]:
    rooms = []
    kinds = {
        "pick_and_place": "pick_and_place_simple",
        "pick_clean_then_place": "pick_clean_then_place_in_recep",
    }
    kinds |= {"pick_heat_then_place": "pick_heat_then_place_in_recep"}
    kinds |= {"pick_cool_then_place": "pick_cool_then_place_in_recep"}
    for episode in generate_dataset(households=households).episodes:
        for task in episode.tasks:
            layout = task.layout
            by_name = {r.name: r for r in layout.receptacles}
            room = Room(
                layout.receptacles[0].room,
                kinds.get(task.goal.kind, task.goal.kind),
                task.goal.obj,
                [(r.kind, r.openable) for r in layout.receptacles],
                [
                    (p.kind, by_name[p.receptacle].kind, by_name[p.receptacle].openable)
                    for p in layout.placements
                ],
                task.expert_steps or 0,
            )
            rooms.append(room)
    return rooms


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def statistics_rows(rooms: list[Room]) -> dict[str, str]:
    """One column of the side-by-side table: label -> formatted value."""
    rows: dict[str, str] = {"games (rooms)": str(len(rooms))}
    types = Counter(r.room_type for r in rooms)
    for kind in ROOM_TYPES:
        rows[f"rooms that are a {kind}"] = pct(types[kind] / len(rooms))
    for kind in ROOM_TYPES:
        of_type = [r for r in rooms if r.room_type == kind]
        rows[f"receptacles in a {kind}"] = fmt(mean(len(r.receptacles) for r in of_type))
    for kind in SHOWN_KINDS:
        counts = [c for r in rooms if (c := sum(1 for k, _ in r.receptacles if k == kind))]
        with_it = len(counts) / len(rooms)
        rows[f"`{kind}`: rooms with one / how many"] = f"{pct(with_it)} / {fmt(mean(counts))}"
    receptacles = [opens for r in rooms for _, opens in r.receptacles]
    rows["receptacles that open and close"] = pct(mean(receptacles))
    for kind in ("cabinet", "drawer"):
        rows[f"`{kind}`s that open and close"] = pct(
            mean(o for r in rooms for k, o in r.receptacles if k == kind)
        )
    rows["movable objects in a room"] = fmt(mean(len(r.objects) for r in rooms))
    rows["object kinds in a room"] = fmt(mean(len({o for o, _, _ in r.objects}) for r in rooms))
    per_kind = Counter(
        n for r in rooms for n in Counter(k for k, _, _ in r.objects if k != "desklamp").values()
    )
    total = sum(per_kind.values())
    rows["instances of an object kind in a room: 1 / 2 / 3 / 4+"] = " / ".join(
        pct(n / total)
        for n in (per_kind[1], per_kind[2], per_kind[3], total - per_kind[1] - per_kind[2] - per_kind[3])
    )
    rows["objects inside something closed"] = pct(mean(hidden for r in rooms for _, _, hidden in r.objects))
    task_objects = [(k, hidden) for r in rooms for k, _, hidden in r.objects if k == r.task_object]
    rows["instances of the task's object"] = fmt(len(task_objects) / len(rooms))
    rows["the task's object inside something closed"] = pct(mean(h for _, h in task_objects))
    rows["expert steps per task"] = fmt(mean(r.expert_steps for r in rooms))
    for obj in SHOWN_OBJECTS:
        places = Counter(place for r in rooms for k, place, _ in r.objects if k == obj)
        total = sum(places.values())
        top = ", ".join(f"{place} {100 * n / total:.0f}%" for place, n in places.most_common(3))
        rows[f"where `{obj}` lies (top 3)"] = top or "—"
    return rows


@dataclass(frozen=True)
class Unit:
    """One program on one dataset (an order of the ALFWorld games, or a seed of the built-in world)."""

    steps: float
    baseline_steps: float
    tasks: int
    success: float
    score: float
    failure: str | None = None
    per_task: tuple[tuple[str, float, float], ...] = ()
    """(task id, steps, no-memory steps) of every task played."""


@dataclass(frozen=True)
class Outcome:
    """One program in one world, its units pooled: saved share of the summed steps, mean success, score."""

    units: tuple[Unit, ...]

    def pooled(self, indices: Iterable[int] | None = None) -> Unit:
        chosen = [self.units[i] for i in indices] if indices is not None else list(self.units)
        return Unit(
            sum(u.steps for u in chosen),
            sum(u.baseline_steps for u in chosen),
            sum(u.tasks for u in chosen),
            statistics.fmean(u.success for u in chosen),
            statistics.fmean(u.score for u in chosen),
        )

    def saved(self, indices: Iterable[int] | None = None) -> float:
        unit = self.pooled(indices)
        return saved_share(unit.steps, unit.baseline_steps)

    def saved_on(self, task_ids: set[str]) -> float:
        """The saved share over the tasks `task_ids` only, in every unit (every order of the games)."""
        played = [(steps, base) for u in self.units for task, steps, base in u.per_task if task in task_ids]
        return saved_share(sum(s for s, _ in played), sum(b for _, b in played))


def saved_share(steps: float, baseline_steps: float) -> float:
    """The share of the no-memory steps a memory saved (0 when nothing was played)."""
    return 1 - steps / baseline_steps if baseline_steps else 0.0


def evaluate_offline(source: str, dataset: PlanningDataset, split: str = "all") -> EvaluationResult:
    """The program on one split (by default all) of one dataset with the offline agent, in-process, hashed
    embedder."""
    domain = PlanningDomain()
    agent = domain.make_agent("offline")
    capabilities = Capabilities(embed=make_embedder("hashed"))
    return domain.evaluate(source, dataset, split, agent, InProcessSession, capabilities)


def evaluate_unit(source: str, dataset: PlanningDataset) -> Unit:
    """The program on one dataset with the offline agent, split `all`: summed steps and no-memory steps."""
    result = evaluate_offline(source, dataset)
    if not result.ok:
        return Unit(0.0, 0.0, 0, 0.0, 0.0, result.failure_reason or "failed")
    tasks = int(result.metrics["tasks"] or 0)
    return Unit(
        float(result.metrics["steps"] or 0) * tasks,
        float(result.metrics["baseline_steps"] or 0) * tasks,
        tasks,
        float(result.metrics["success_rate"] or 0),
        result.score,
        per_task=tuple(
            (case.case_id, float(case.metrics["steps"] or 0), float(case.metrics["baseline_steps"] or 0))
            for case in result.cases
        ),
    )


def alfworld_orders(folder: Path, orders: int) -> list[PlanningDataset]:
    """The games in `orders` orders: the adapter's own, then runs regrouped under other hash salts."""
    dataset = load_alfworld(folder)
    by_plan: dict[str, list[AlfworldTask]] = defaultdict(list)
    for task in (task for episode in dataset.episodes for task in episode.tasks):
        assert isinstance(task, AlfworldTask)
        by_plan[task.floor_plan].append(task)
    return [dataset] + [
        replace(
            dataset, episodes=group_games(by_plan, f"order-{n}:"), content_hash=f"{dataset.content_hash}-{n}"
        )
        for n in range(1, orders)
    ]


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alfworld", required=True, help="a folder of ALFWorld games (valid_seen_dev24)")
    parser.add_argument("--households", type=int, default=20, help="built-in episodes (default data: 20)")
    parser.add_argument("--builtin-seeds", type=int, default=1, help="built-in datasets (seeds 0..N-1)")
    parser.add_argument("--orders", type=int, default=1, help="orders of the ALFWorld games (runs regrouped)")
    parser.add_argument("--workers", type=int, default=2, help="processes evaluating at once (default 2)")
    parser.add_argument("--program", action="append", default=[], help="NAME=FILE, also on both worlds")
    parser.add_argument("--stats-only", action="store_true", help="only the side-by-side statistics")
    args = parser.parse_args()
    folder = Path(args.alfworld)
    started = time.perf_counter()
    real, built = statistics_rows(alfworld_rooms(folder)), statistics_rows(builtin_rooms(args.households))
    lines = [
        "#### The rooms side by side",
        "",
        f"| statistic | ALFWorld `{folder.name}` | built-in `household` ({args.households} episodes) |",
        "| --- | --- | --- |",
        *(f"| {label} | {real[label]} | {built[label]} |" for label in real),
        "",
    ]
    if not args.stats_only:
        lines += seed_lines(folder, args)
    command = "python benchmarks/planning_transfer.py --alfworld " + args.alfworld
    command += f" --builtin-seeds {args.builtin_seeds} --orders {args.orders}"
    command += "".join(f" --program {p}" for p in args.program) + (" --stats-only" if args.stats_only else "")
    header = results_header(
        "Built-in household world vs ALFWorld: rooms, and what memory saves", command, started
    )
    RESULTS.write_text("\n".join(header + lines) + "\n")
    docs = DOCS.read_text()
    if BEGIN in docs and END in docs:
        head, _, rest = docs.partition(BEGIN)
        _, _, tail = rest.partition(END)
        body = "\n".join(
            [f"Produced by `{command}` (also in `benchmarks/results/planning_transfer.md`).", "", *lines]
        )
        DOCS.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")
    print("\n".join(lines))


def results_header(title: str, command: str, started: float) -> list[str]:
    """The head of a planning benchmark's results file: what ran, on what machine and setup, for how long
    (`started`: `time.perf_counter()` at the start)."""
    return [
        f"# {title}",
        "",
        f"Command: `{command}`",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; offline agent, hashed embedder,"
        f" in-process sessions, hash seed {os.environ['PYTHONHASHSEED']};"
        f" {time.perf_counter() - started:.0f} s in all.",
        "",
    ]


def seed_lines(folder: Path, args: argparse.Namespace) -> list[str]:
    programs = [(seed.name, seed.source) for seed in SEEDS]
    programs += [(name, Path(path).read_text()) for name, _, path in (p.partition("=") for p in args.program)]
    worlds = {
        "ALFWorld": alfworld_orders(folder, args.orders),
        "built-in": [generate_dataset(seed, args.households) for seed in range(args.builtin_seeds)],
    }
    outcomes = evaluate_all(programs, worlds, args.workers)
    seeds = [seed.name for seed in SEEDS]
    rho = spearman(
        [outcomes[s]["built-in"].saved() for s in seeds], [outcomes[s]["ALFWorld"].saved() for s in seeds]
    )
    rho_score = spearman(
        [outcomes[s]["built-in"].pooled().score for s in seeds],
        [outcomes[s]["ALFWorld"].pooled().score for s in seeds],
    )
    base = {w: next(iter(outcomes.values()))[w].pooled() for w in worlds}

    def score_vs_saved(world: str) -> float:
        return spearman(
            [outcomes[s][world].pooled().score for s in seeds], [outcomes[s][world].saved() for s in seeds]
        )

    lines = [
        "#### What each seed saves in each world",
        "",
        f"No memory: {base['built-in'].baseline_steps / base['built-in'].tasks:.1f} steps per task in the"
        f" built-in world, {base['ALFWorld'].baseline_steps / base['ALFWorld'].tasks:.1f} on the ALFWorld"
        " games. *Saved* is the share of those steps a memory saved (1 − steps / no-memory steps), over all"
        f" {args.orders} orders of the games and all {args.builtin_seeds} built-in seeds.",
        "",
        "| program | built-in saved | built-in success | built-in score | ALFWorld saved | ALFWorld success"
        " | ALFWorld score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in sorted(outcomes, key=lambda n: -outcomes[n]["ALFWorld"].saved()):
        b, a = outcomes[name]["built-in"], outcomes[name]["ALFWorld"]
        label = f"`{name}`" + ("" if name in seeds else " (not a seed)")
        lines.append(
            f"| {label} | {100 * b.saved():.1f}% | {pct(b.pooled().success)} | {b.pooled().score:.3f}"
            f" | {100 * a.saved():.1f}% | {pct(a.pooled().success)} | {a.pooled().score:.3f} |"
        )
    lines += [
        "",
        f"**Spearman rank correlation of the seeds' saved share, built-in vs ALFWorld: {rho:.2f}**"
        f" (of their selection scores, which add the cost of reading: {rho_score:.2f})",
        "",
        "Within each world, the seeds' selection score against their saved share (Spearman): "
        + "; ".join(f"{world} {score_vs_saved(world):.2f}" for world in worlds)
        + ". A run maximizes the score, which charges the cost of reading; the steps a memory saves are"
        " only part of it.",
        "",
    ]
    table, reliability = reliability_lines({w: [outcomes[s][w] for s in seeds] for w in worlds}, rho)
    games = [task for episode in worlds["ALFWorld"][0].episodes for task in episode.tasks]
    plans = {task.task_id: task.floor_plan for task in games if isinstance(task, AlfworldTask)}
    built = reliability.get("built-in", 1.0)  # one built-in unit: nothing to say how noisy it is
    return lines + table + game_sampling_lines([outcomes[s]["ALFWorld"] for s in seeds], built, plans, rho)


def evaluate_all(
    programs: list[tuple[str, str]], worlds: dict[str, list[PlanningDataset]], workers: int
) -> dict[str, dict[str, Outcome]]:
    """Every program on every dataset of every world, `workers` processes at a time (one per core: the
    ALFWorld games play one at a time in a process)."""
    jobs = [
        (name, source, world, n)
        for world in worlds
        for name, source in programs
        for n in range(len(worlds[world]))
    ]
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(evaluate_unit, source, worlds[world][n]) for _, source, world, n in jobs]
        units = [future.result() for future in futures]
    outcomes: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for name, _, world, _ in jobs:
        outcomes[name].setdefault(world, Outcome(()))
    for (name, _, world, _), unit in zip(jobs, units, strict=True):
        if unit.failure:
            raise SystemExit(f"{name} failed on {world}: {unit.failure}")
        outcomes[name][world] = Outcome((*outcomes[name][world].units, unit))
    return outcomes


def reliability_lines(columns: dict[str, list[Outcome]], rho: float) -> tuple[list[str], dict[str, float]]:
    """How well each world ranks the seeds like itself, and the correlation that allows; with the pooled
    reliability of each world measured on two units or more."""
    lines = [
        "#### How well each world ranks the seeds like itself",
        "",
        "Each world's column is measured on several units (orders of the ALFWorld games, seeds of the"
        " built-in world). *Unit vs unit* is the mean Spearman correlation of the seeds' saved share between"
        " two single units; *pooled* steps it up to all units (Spearman-Brown); *split-half* correlates the"
        " even-numbered units pooled with the odd-numbered and steps that up. A column agrees with another"
        " at most as well as the square root of the product of their reliabilities.",
        "",
        "| world | units | unit vs unit | pooled reliability | split-half | split-half, stepped up |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    reliability: dict[str, float] = {}
    for world, outcomes in columns.items():
        units = len(outcomes[0].units)
        if units < 2:
            lines.append(f"| {world} | {units} | — | — | — | — |")
            continue

        def pool(indices: Sequence[int], outcomes: list[Outcome] = outcomes) -> list[float]:
            return [o.saved(indices) for o in outcomes]

        pair, pooled = pairwise_reliability(units, pool)
        half, stepped = split_half_reliability(units, pool)
        reliability[world] = pooled
        lines.append(f"| {world} | {units} | {pair:.2f} | {pooled:.2f} | {half:.2f} | {stepped:.2f} |")
    if len(reliability) == 2:
        real, built = reliability["ALFWorld"], reliability["built-in"]
        lines += [
            "",
            f"**Ceiling on the correlation with these units: {ceiling(real, built):.2f}**"
            f" (observed {rho:.2f});"
            f" for a world measured without noise against these ALFWorld orders: {ceiling(real, 1.0):.2f}.",
        ]
    return [*lines, ""], reliability


def game_sampling_lines(
    alfworld: list[Outcome], built: float, plans: dict[str, str], rho: float
) -> list[str]:
    """How well another sample of as many ALFWorld games would rank the seeds like these: the floor
    plans split into random halves (`HALF_SPLITS` times), each half's games pooled over every order; and
    the ceiling that leaves for a world whose column has the pooled reliability `built`."""
    plan_names = sorted(set(plans.values()))
    tasks_of = [{task for task, plan in plans.items() if plan == name} for name in plan_names]

    def pool(indices: Sequence[int]) -> list[float]:
        chosen = set().union(*(tasks_of[i] for i in indices))
        return [outcome.saved_on(chosen) for outcome in alfworld]

    correlations = sorted(random_split_halves(len(plan_names), pool, HALF_SPLITS))
    half = statistics.fmean(correlations)
    games = spearman_brown(half, 2)
    low, high = correlations[round(0.025 * (HALF_SPLITS - 1))], correlations[round(0.975 * (HALF_SPLITS - 1))]
    return [
        "#### How well another sample of ALFWorld games would rank the seeds",
        "",
        f"The orders above replay the same {len(plans)} games, so their agreement counts what is peculiar to"
        " these games as signal. Split instead by game: the"
        f" {len(plan_names)} floor plans (a floor plan's games share a room) are cut into two random halves"
        f" {HALF_SPLITS} times, each half's games pooled over every order; the halves rank the seeds alike"
        f" at **{half:.2f}** on average (one pair of halves: {low:.2f} to {high:.2f}, 95% of pairs), which"
        f" steps up to **{games:.2f}** for {len(plans)} games (Spearman-Brown): how well another sample of"
        " as many games would rank the seeds like these, the correlation real ALFWorld games themselves can"
        " be expected to show with this slice. That estimate comes from the same games and has an"
        " uncertainty of its own, not measured here.",
        "",
        f"**Ceiling on the correlation of a world that models ALFWorld (not these {len(plans)} games) with"
        f" this slice: {ceiling(games, built):.2f}** with the built-in units above; {ceiling(games, 1.0):.2f}"
        f" for a world measured without noise (observed {rho:.2f}).",
        "",
    ]


if __name__ == "__main__":
    main()
