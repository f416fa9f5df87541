"""How far a run with the cascade follows the run without it, from the same run seed.

The cascade benchmark (`benchmarks/cascade.py`) compares the winners of the two runs; this one shows why
they differ as much as two run seeds' winners do. Both runs propose candidate n from a parent drawn from
their islands; once one child is stopped early in one run and joins its island in the other, the
islands differ, and so may every later draw. Counted per run seed: the candidates whose parents are the
same program in both runs, the candidates whose child is the same program, and the first candidate
where they part. The runs are those of `benchmarks/cascade.py` (offline agent, default data and budget).

    python benchmarks/cascade_paths.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.cascade import finished_run, run_config
from evolve.config import RunConfig

RESULTS = Path(__file__).parent / "results" / "cascade_paths.md"
RunPath = dict[int, tuple[tuple[str, ...], str | None]]
"""Per candidate sequence: its parents' program ids and its own (None when it made no program)."""


def one_path(cascade: bool, candidates: int, seed: int) -> RunPath:
    with finished_run(run_config(cascade, 0.0, candidates, seed, agent_model=None)) as (store, run_id, _):
        return {c.sequence: (tuple(c.parent_ids), c.program_id) for c in store.candidates(run_id)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=RunConfig().max_candidates)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    lines = [
        "# How far a run with the cascade follows the run without it",
        "",
        f"Command: `python benchmarks/cascade_paths.py --candidates {args.candidates} "
        f"--seeds {' '.join(map(str, args.seeds))}`; the runs of `benchmarks/cascade.py` with the offline "
        "agent (margin 0).",
        "",
        "| run seed | same parents | same child | first candidate where they part |",
        "|---:|---:|---:|---:|",
    ]
    for seed in args.seeds:
        without, with_cascade = one_path(False, args.candidates, seed), one_path(True, args.candidates, seed)
        sequences = sorted(without)  # every candidate is recorded in both runs, whatever became of it
        same_parents = sum(without[s][0] == with_cascade[s][0] for s in sequences)
        same_child = sum(without[s][1] == with_cascade[s][1] for s in sequences)
        parted = next((s for s in sequences if without[s] != with_cascade[s]), None)
        count = len(sequences)
        row = f"| {seed} | {same_parents} of {count} | {same_child} of {count} | {parted or '-'} |"
        lines.append(row)
        print(row, flush=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
