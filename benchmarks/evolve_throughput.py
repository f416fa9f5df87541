"""Candidates per minute with 1 and 2 Ray workers, and the loop's own overhead per candidate.

Targets (evolution issue): at least 1.6x the candidates per minute with 2 workers on 2 cores, and a loop
overhead (selecting, recording, dispatching: the driver's own time) under 5% of an evaluation's time.
The offline mutator runs in the workers (see evolve/proposals.py); its time per candidate is reported
beside the loop's. Each setting runs a fresh archive: the seeds are evaluated first (not timed), then the
evolving phase is timed from its first proposal to its last evaluation. Results go to
benchmarks/results/evolve_throughput.md.

    python benchmarks/evolve_throughput.py --sandbox docker --candidates 24
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import ray

from archive import ArchiveStore
from evolve.config import RunConfig
from evolve.loop import Evolution, RunStatus
from evolve.mutators.structural import StructuralMutator
from sandbox.backends import sweep_orphaned_sandboxes

RESULTS = Path(__file__).parent / "results" / "evolve_throughput.md"
SEEDS = ("bm25_turns", "vector_rag", "multi_channel")


def measure(workers: int, sandbox: str, candidates: int, data: str) -> dict[str, float]:
    """One run: evolving-phase candidates per minute, loop seconds per candidate, evaluation seconds."""
    with tempfile.TemporaryDirectory() as folder:
        store = ArchiveStore(f"sqlite:///{folder}/archive.db")
        config = RunConfig(
            data=data, sandbox=sandbox, workers=workers, max_candidates=candidates, seeds=SEEDS, seed=workers
        )
        run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
        marks: dict[str, float] = {}
        loop_at_start: list[float] = []

        def observe(status: RunStatus) -> None:
            if status.phase not in marks:
                marks[status.phase] = time.perf_counter()
                if status.phase == "evolving":
                    loop_at_start.append(status.loop_seconds)
                    loop_at_start.append(status.proposal_seconds)

        ray.init(num_cpus=workers, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        try:
            evolution = Evolution(config, store, run.id, lambda rng, _: StructuralMutator(rng))
            evolution.run(observe)
        finally:
            ray.shutdown()
            sweep_orphaned_sandboxes(sandbox)
        evolving = marks["testing"] - marks["evolving"]
        seed_ids = {program.id for program, _ in store.run_programs(run.id) if program.seed_name}
        evaluations = store.run_evaluations(run.id, "select")
        seconds = [e.seconds for e in evaluations if e.seconds and e.program_id not in seed_ids]
        loop = evolution.status.loop_seconds - loop_at_start[0]
        proposing = evolution.status.proposal_seconds - loop_at_start[1]
        return {
            "per_minute": candidates / evolving * 60,
            "loop_per_candidate": loop / candidates,
            "proposal_per_candidate": proposing / candidates,
            "evaluation_seconds": statistics.median(seconds),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sandbox", default="docker")
    parser.add_argument("--candidates", type=int, default=24)
    parser.add_argument("--data", default="synthetic:conversations=5")
    args = parser.parse_args()
    rows = {workers: measure(workers, args.sandbox, args.candidates, args.data) for workers in (1, 2)}
    for workers, row in rows.items():
        print(workers, row, flush=True)
    speedup = rows[2]["per_minute"] / rows[1]["per_minute"]
    lines = [
        "# Evolution throughput and loop overhead",
        "",
        f"Command: `python benchmarks/evolve_throughput.py --sandbox {args.sandbox} "
        f"--candidates {args.candidates} --data {args.data}`",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; offline structural mutator, "
        f"offline agent, seeds {', '.join(SEEDS)}.",
        "",
        "| workers | candidates / minute | evaluation (median s) | loop overhead / candidate (s) | share "
        "| mutation in workers / candidate (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, row in rows.items():
        share = row["loop_per_candidate"] / row["evaluation_seconds"]
        lines.append(
            f"| {workers} | {row['per_minute']:.1f} | {row['evaluation_seconds']:.2f} | "
            f"{row['loop_per_candidate']:.3f} | {share:.1%} | {row['proposal_per_candidate']:.3f} |"
        )
    lines += ["", f"Speed-up with 2 workers: {speedup:.2f}x (target: at least 1.6x)."]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
