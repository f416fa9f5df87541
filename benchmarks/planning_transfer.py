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
   pooling the steps;
3. optionally, more programs (`--program NAME=FILE`, e.g. the winner of a built-in evolution) on both.

    python benchmarks/planning_transfer.py --alfworld ../shared/data/alfworld/valid_seen_dev24 \\
        --builtin-seeds 3 --orders 4 [--program winner=/tmp/winner.py]

The ALFWorld games are only read here, by the benchmark: the built-in world never depends on them.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from evaluators.planning.alfworld import GAME_FILE, AlfworldTask, group_games, load_alfworld
from evaluators.planning.catalog import BATHROOM, BEDROOM, KITCHEN, LIVING_ROOM, ROOM_TYPES
from evaluators.planning.data import PlanningDataset
from evaluators.planning.domain import PlanningDomain
from evaluators.planning.household import generate_dataset
from providers.embedders import make_embedder
from sandbox.session import Capabilities, InProcessSession
from seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "planning_transfer.md"
DOCS = ROOT / "docs" / "planning.md"
BEGIN, END = "<!-- planning_transfer:begin -->", "<!-- planning_transfer:end -->"
FOLDER = re.compile(r"^([a-z_]+)-([A-Za-z]+)-([A-Za-z]+)-([A-Za-z]+)-(\d+)$")
SHOWN_KINDS = ("cabinet", "drawer", "countertop", "stoveburner", "shelf", "sidetable", "diningtable")
SHOWN_OBJECTS = ("apple", "egg", "mug", "butterknife", "pot", "book", "keychain", "pillow", "cellphone")


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


def room_type(floor_plan: int) -> str:
    """ALFWorld's (AI2-THOR's) floor plans: 1-30 kitchens, 201-230 living rooms, 301-330 bedrooms, 401-430
    bathrooms."""
    return {0: KITCHEN, 2: LIVING_ROOM, 3: BEDROOM, 4: BATHROOM}[floor_plan // 100]


def alfworld_rooms(folder: Path) -> list[Room]:
    """Every game's room, read from its PDDL problem's initial facts."""
    rooms = []
    for path in sorted(folder.rglob(GAME_FILE)):
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
        )
        for obj, receptacle in re.findall(r"\(inReceptacle (\S+) (\S+)\)", facts):
            if receptacle in receptacles and (obj in movable or kinds.get(obj) == "desklamp"):
                room.objects.append((kinds[obj], receptacles[receptacle], receptacle in opens))
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


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rho: Pearson's correlation of the ranks, tied values sharing their mean rank."""

    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        result = [0.0] * len(values)
        start = 0
        while start < len(order):
            end = start
            while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
                end += 1
            for position in range(start, end + 1):
                result[order[position]] = (start + end) / 2 + 1
            start = end + 1
        return result

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


@dataclass(frozen=True)
class Outcome:
    saved: float
    success: float
    steps: float
    baseline_steps: float
    score: float
    status: str


def evaluate(domain: PlanningDomain, source: str, datasets: list[PlanningDataset]) -> Outcome:
    """The program on every dataset (orders of the same games, or seeds of the built-in world), pooled:
    saved share of the summed steps, mean success and score."""
    steps, base, success, score = 0.0, 0.0, [], []
    for dataset in datasets:
        result = domain.evaluate(
            source,
            dataset,
            "all",
            domain.make_agent("offline"),
            InProcessSession,
            Capabilities(embed=make_embedder("hashed")),
        )
        if not result.ok:
            return Outcome(0.0, 0.0, 0.0, 0.0, 0.0, result.failure_reason or "failed")
        tasks = float(result.metrics["tasks"] or 0)
        steps += float(result.metrics["steps"] or 0) * tasks
        base += float(result.metrics["baseline_steps"] or 0) * tasks
        success.append(float(result.metrics["success_rate"] or 0))
        score.append(result.score)
    count = sum(sum(len(e.tasks) for e in d.episodes) for d in datasets)
    return Outcome(
        1 - steps / base,
        statistics.fmean(success),
        steps / count,
        base / count,
        statistics.fmean(score),
        "ok",
    )


def alfworld_orders(folder: Path, orders: int) -> list[PlanningDataset]:
    """The games in `orders` orders: the adapter's own, then runs regrouped under other hash salts."""
    dataset = load_alfworld(folder)
    by_plan: dict[str, list[AlfworldTask]] = defaultdict(list)
    for task in (task for episode in dataset.episodes for task in episode.tasks):
        assert isinstance(task, AlfworldTask)
        by_plan[task.task_id.split("/")[0].rsplit("-", 1)[1]].append(task)
    return [dataset] + [
        replace(
            dataset, episodes=group_games(by_plan, f"order-{n}:"), content_hash=f"{dataset.content_hash}-{n}"
        )
        for n in range(1, orders)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alfworld", required=True, help="a folder of ALFWorld games (valid_seen_dev24)")
    parser.add_argument("--households", type=int, default=20, help="built-in episodes (default data: 20)")
    parser.add_argument("--builtin-seeds", type=int, default=1, help="built-in datasets (seeds 0..N-1)")
    parser.add_argument("--orders", type=int, default=1, help="orders of the ALFWorld games (runs regrouped)")
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
    header = [
        "# Built-in household world vs ALFWorld: rooms, and what memory saves",
        "",
        f"Command: `{command}`",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; offline agent, hashed embedder,"
        f" in-process sessions; {time.perf_counter() - started:.0f} s in all.",
        "",
    ]
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


def seed_lines(folder: Path, args: argparse.Namespace) -> list[str]:
    domain = PlanningDomain()
    programs = [(seed.name, seed.source) for seed in SEEDS]
    extra = [(name, Path(path).read_text()) for name, _, path in (p.partition("=") for p in args.program)]
    worlds = {
        "built-in": [generate_dataset(seed, args.households) for seed in range(args.builtin_seeds)],
        "ALFWorld": alfworld_orders(folder, args.orders),
    }
    outcomes: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for name, source in programs + extra:
        for world, datasets in worlds.items():
            outcomes[name][world] = evaluate(domain, source, datasets)
        print(name, {w: f"{o.saved:.3f}" for w, o in outcomes[name].items()}, flush=True)
    seeds = [name for name, _ in programs]
    rho = spearman(
        [outcomes[s]["built-in"].saved for s in seeds], [outcomes[s]["ALFWorld"].saved for s in seeds]
    )
    rho_score = spearman(
        [outcomes[s]["built-in"].score for s in seeds], [outcomes[s]["ALFWorld"].score for s in seeds]
    )
    base = {w: next(iter(outcomes.values()))[w].baseline_steps for w in worlds}
    lines = [
        "#### What each seed saves in each world",
        "",
        f"No memory: {base['built-in']:.1f} steps per task in the built-in world,"
        f" {base['ALFWorld']:.1f} on the ALFWorld games. *Saved* is the share of those steps a memory"
        " saved (1 − steps / no-memory steps).",
        "",
        "| program | built-in saved | built-in success | built-in score | ALFWorld saved | ALFWorld success"
        " | ALFWorld score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    order = sorted(outcomes, key=lambda n: -outcomes[n]["ALFWorld"].saved)
    for name in order:
        b, a = outcomes[name]["built-in"], outcomes[name]["ALFWorld"]
        label = f"`{name}`" + ("" if name in seeds else " (not a seed)")
        lines.append(
            f"| {label} | {pct(b.saved)} | {pct(b.success)} | {b.score:.3f} | {pct(a.saved)}"
            f" | {pct(a.success)} | {a.score:.3f} |"
        )
    lines += [
        "",
        f"**Spearman rank correlation of the seeds' saved share, built-in vs ALFWorld: {rho:.2f}**"
        f" (of their selection scores, which add the cost of reading: {rho_score:.2f})",
        "",
    ]
    return lines


if __name__ == "__main__":
    main()
