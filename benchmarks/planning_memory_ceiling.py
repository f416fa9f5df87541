"""How many steps can any memory save the offline planning agent? Distilled probes against the best seeds.

Issue 18 asks the winner of a built-in evolution to save more steps on the ALFWorld dev games than the best
seed does. That is only possible if the best seeds leave steps that a memory could still save. This
benchmark measures where that limit lies with three probe programs, memories written by hand to hold
exactly what the offline agent can use (`evaluators/planning/hints.py`), and nothing else:

- `procedures_only`: the treatments that worked (`heat apple 1 with microwave 1`), for the task's words;
- `place_priors`: those, and where each kind of object was seen in every trajectory written so far
  (every object of every `On the countertop 2, you see ...` line, not only the task's), the most often
  seen places first, `PLACES_PER_KIND` of them;
- `place_priors_20`: the same with 20 places a kind instead of 6.

Since the probes' design became the planning domain's `places` operator, each seed of `--seeds` wrapped
by it is played too (`SEED+places`). Each program is played with the offline agent (in process, hashed
embedder, split `all`) on the ALFWorld games in `--orders` orders and on the built-in world's seeds
0..N-1, as `planning_transfer.py` plays the seeds, next to the seeds named by `--seeds`. The table gives
each program's share of the no-memory steps saved in each world and its selection score; then, for every
probe, on how many units (orders, built-in seeds) it saved more and fewer steps than the first of
`--seeds`.

    python benchmarks/planning_memory_ceiling.py --alfworld ../shared/data/alfworld/valid_seen_dev24 \\
        --builtin-seeds 16 --orders 8

Results: benchmarks/results/planning_memory_ceiling.md (5 December 2026: 134 s on 2 quiet cores with the
games' translations cached, without the `places` children; 287 s with them, the cores shared with a test
run); what they mean: docs/planning.md, "What any memory can save this agent".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.planning_split_size import places_child
from benchmarks.planning_transfer import Outcome, alfworld_orders, evaluate_all, results_header
from evaluators.planning.household import generate_dataset
from sandbox.hash_seed import pin_hash_seed
from seeds.registry import get_seed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "planning_memory_ceiling.md"
DEFAULT_SEEDS = "fact_manager,dual_memory,experience_learner,static_dynamic,eidetic_fading"

PROBE = '''
"""A probe: the treatments that worked and where each kind of object was seen, most often first."""

import re
from collections import Counter
from dataclasses import dataclass, field

INSTRUCTION_KNOWLEDGE_ITEM = "Note what each receptacle held."
INSTRUCTION_QUERY = "Name the objects the task needs."
INSTRUCTION_RESPONSE = "Go first where things of the kind were seen most often."
ALWAYS_ON_KNOWLEDGE = ""

PLACES_PER_KIND = {places}
SEEN = re.compile(r"(?:On the|The) ([a-z]+ \\d+)(?:, you see| is open\\. In it, you see) (.*)$")
OBJECT = re.compile(r"\\b([a-z]+) \\d+\\b")
WORD = re.compile(r"[a-z]+")


@dataclass
class KnowledgeItem:
    note: str = field(default="", metadata={{"description": "Unused: the trajectory is read"}})


@dataclass
class Query:
    text: str = field(metadata={{"description": "The task and what it needs"}})


class KnowledgeBase:
    def __init__(self, toolkit):
        self.where = {{}}
        self.procedures = []

    def write(self, item, raw_text):
        for line in raw_text.splitlines():
            seen = SEEN.search(line)
            if seen:
                for kind in OBJECT.findall(seen.group(2)):
                    self.where.setdefault(kind, Counter())[seen.group(1)] += 1
            if re.match(r"> (heat|cool|clean) ", line) and line[2:] not in self.procedures:
                self.procedures.append(line[2:])

    def read(self, query):
        wanted = list(dict.fromkeys(WORD.findall(query.text.lower())))
        lines = [p for p in self.procedures if set(WORD.findall(p)) & set(wanted)]
        for kind in wanted:
            for place, _ in self.where.get(kind, Counter()).most_common(PLACES_PER_KIND):
                lines.append(f"{{kind}} 1 at {{place}}")
        return "\\n".join(lines)
'''
PROBES = {"procedures_only": 0, "place_priors": 6, "place_priors_20": 20}
"""Probe name -> places a kind of object read back."""


def probe_source(places: int) -> str:
    """The probe program with `places` places a kind."""
    return PROBE.format(places=places).lstrip("\n")


def compared(probe: Outcome, seed: Outcome) -> tuple[int, int]:
    """On how many units the probe saved more steps than the seed, and on how many fewer."""
    higher = sum(p.steps < s.steps for p, s in zip(probe.units, seed.units, strict=True))
    lower = sum(p.steps > s.steps for p, s in zip(probe.units, seed.units, strict=True))
    return higher, lower


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alfworld", required=True, help="a folder of ALFWorld games (valid_seen_dev24)")
    parser.add_argument("--builtin-seeds", type=int, default=1, help="built-in datasets (seeds 0..N-1)")
    parser.add_argument("--orders", type=int, default=1, help="orders of the ALFWorld games (runs regrouped)")
    parser.add_argument("--seeds", default=DEFAULT_SEEDS, help="seeds to compare, the reference first")
    parser.add_argument("--workers", type=int, default=2, help="processes evaluating at once (default 2)")
    args = parser.parse_args()
    started = time.perf_counter()
    seeds = [name.strip() for name in args.seeds.split(",") if name.strip()]
    programs = [(name, get_seed(name).source) for name in seeds]
    programs += [(name, probe_source(places)) for name, places in PROBES.items()]
    programs += [(f"{name}+places", places_child(get_seed(name).source)) for name in seeds]
    worlds = {
        "ALFWorld": alfworld_orders(Path(args.alfworld), args.orders),
        "built-in": [generate_dataset(seed, 20) for seed in range(args.builtin_seeds)],
    }
    outcomes = evaluate_all(programs, worlds, args.workers)
    lines = [
        "| program | built-in saved | built-in score | ALFWorld saved | ALFWorld score |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, _ in programs:
        built, real = outcomes[name]["built-in"], outcomes[name]["ALFWorld"]
        lines.append(
            f"| `{name}` | {100 * built.saved():.1f}% | {built.pooled().score:.3f} |"
            f" {100 * real.saved():.1f}% | {real.pooled().score:.3f} |"
        )
    reference = seeds[0]
    lines += ["", f"Units on which each probe saved more / fewer steps than `{reference}`:", ""]
    for name in PROBES:
        built = compared(outcomes[name]["built-in"], outcomes[reference]["built-in"])
        real = compared(outcomes[name]["ALFWorld"], outcomes[reference]["ALFWorld"])
        lines.append(
            f"- `{name}`: built-in seeds {built[0]} more / {built[1]} fewer of {args.builtin_seeds};"
            f" ALFWorld orders {real[0]} more / {real[1]} fewer of {args.orders}"
        )
    command = f"python benchmarks/planning_memory_ceiling.py --alfworld {args.alfworld}"
    command += f" --builtin-seeds {args.builtin_seeds} --orders {args.orders}"
    command += f" --seeds {args.seeds}" if args.seeds != DEFAULT_SEEDS else ""
    header = results_header("How many steps can a memory save the offline planning agent?", command, started)
    RESULTS.write_text("\n".join(header + lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
