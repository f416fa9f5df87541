"""How many episodes must the planning data have for `select` to see what `places` gains over the seeds?

A planning run selects on the `select` split of its data. The `places` operator's children beat every seed
when the built-in world is pooled over many seeds (docs/planning.md), by about a hundredth of the score:
a tenth of a step a task and the cost of reading. This benchmark asks whether one draw of the world, of
`--households` episodes, shows it on `select`: for each of `--world-seeds` seeds of the world, the best
`select` score of the `places` children of every seed against the best of the seeds themselves, and on
how many world seeds the children are ahead. Offline agent, in-process sessions, hashed embedder.

    python benchmarks/planning_split_size.py --households 20 --world-seeds 16
    python benchmarks/planning_split_size.py --households 60 --world-seeds 8

Each command replaces its own row of benchmarks/results/planning_split_size.md and keeps the others.
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.planning_transfer import evaluate_offline
from evaluators.planning.domain import PlanningDomain
from evaluators.planning.household import generate_dataset
from evolve.mutators.behaviours import places
from evolve.mutators.behaviours.base import OperatorContext
from evolve.mutators.program_text import ProgramText
from sandbox.hash_seed import pin_hash_seed
from seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "planning_split_size.md"
TITLE = "# Episodes the planning data needs for `select` to see what `places` gains"
COLUMNS = (
    "| episodes | in `select` | world seeds | `places` ahead of every seed | best child - best seed | s |",
    "| ---: | ---: | ---: | ---: | --- | ---: |",
)


def select_score(job: tuple[str, int, int]) -> float:
    """The `select` score of one program on one seed of the world."""
    source, seed, households = job
    return evaluate_offline(source, generate_dataset(seed, households), "select").score


def places_child(source: str) -> str:
    """The seed wrapped by the `places` operator (its constants as the operator sets them)."""
    made = places.apply(ProgramText(source), OperatorContext(random.Random(0), 3000))
    if made is None:
        raise SystemExit("places did not apply to a seed")
    return made.source


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=60, help="episodes of each draw of the world")
    parser.add_argument("--world-seeds", type=int, default=8, help="draws of the world (seeds 0..N-1)")
    parser.add_argument("--workers", type=int, default=2, help="processes evaluating at once (default 2)")
    args = parser.parse_args()
    started = time.perf_counter()
    seeds = [seed.source for seed in SEEDS]
    programs = seeds + [places_child(source) for source in seeds]
    jobs = [(source, world, args.households) for world in range(args.world_seeds) for source in programs]
    with ProcessPoolExecutor(args.workers) as pool:
        scores = list(pool.map(select_score, jobs, chunksize=4))
    differences = []
    for world in range(args.world_seeds):
        row = scores[world * len(programs) : (world + 1) * len(programs)]
        differences.append(max(row[len(seeds) :]) - max(row[: len(seeds)]))
    select_units = len(PlanningDomain().units(generate_dataset(0, args.households), "select"))
    ahead = sum(difference > 0 for difference in differences)
    row = (
        f"| {args.households} | {select_units} | {args.world_seeds} | {ahead} of {args.world_seeds} |"
        f" {min(differences):+.3f} to {max(differences):+.3f} | {time.perf_counter() - started:.0f} |"
    )
    rows = [line for line in _rows() if _episodes(line) != args.households] + [row]
    lines = [
        TITLE,
        "",
        "Commands: `python benchmarks/planning_split_size.py --households N --world-seeds M` (one row each);"
        " all 18 seeds and their `places` children, offline agent, in-process sessions, hashed embedder.",
        "",
        *COLUMNS,
        *sorted(rows, key=_episodes),
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _rows() -> list[str]:
    """The rows already in the results file (other episode counts are kept)."""
    if not RESULTS.exists():
        return []
    lines = RESULTS.read_text().splitlines()
    return [line for line in lines if line.startswith("| ") and line[2:3].isdigit()]


def _episodes(row: str) -> int:
    return int(row.split("|")[1])


if __name__ == "__main__":
    main()
