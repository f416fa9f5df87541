"""How long the offline evaluation of each seed takes, end to end, on the embedded and the real data.

Target (foundation issue): under 30 s per seed and dataset on 2 cores. Each evaluation runs in-process
with the offline agent and the hashed embedder, as `mnemoforge eval SEED --data ...` does; the time
includes generating or loading the data. Results go to benchmarks/results/eval_speed.md.

    python benchmarks/eval_speed.py --locomo ../shared/data/locomo/locomo_dev2.json
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from evaluators.conversation import domain
from evaluators.conversation.offline_agent import OfflineAgent
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import SEEDS

RESULTS = Path(__file__).parent / "results" / "eval_speed.md"
TARGET_SECONDS = 30.0


def time_evaluation(seed_source: str, data: str, repeats: int) -> tuple[float, float]:
    """(median seconds, selection score) of `repeats` full evaluations, data loading included."""
    seconds, score = [], 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        dataset = domain.load_dataset(data)
        result = domain.evaluate(
            seed_source,
            dataset,
            "all",
            OfflineAgent(),
            InProcessSession,
            Capabilities(embed=HashedLexicalEmbedder()),
        )
        seconds.append(time.perf_counter() - started)
        score = result.score
    return statistics.median(seconds), score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locomo", required=True, help="path of the LoCoMo dev slice (locomo_dev2.json)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    datasets = {"synthetic (default)": "synthetic", "LoCoMo dev slice": f"locomo:{args.locomo}"}
    rows = []
    for seed in SEEDS:
        for label, data in datasets.items():
            seconds, score = time_evaluation(seed.source, data, args.repeats)
            rows.append((seed.name, label, seconds, score))
            print(f"{seed.name:<22} {label:<20} {seconds:6.2f} s  score {score:.3f}", flush=True)
    lines = [
        "# Offline evaluation time per seed",
        "",
        f"Command: `python benchmarks/eval_speed.py --locomo ../shared/data/locomo/locomo_dev2.json "
        f"--repeats {args.repeats}`",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"median of {args.repeats} runs; target < {TARGET_SECONDS:.0f} s each.",
        "",
        "| seed | data | seconds (median) | selection score | within target |",
        "|---|---|---:|---:|---|",
    ]
    lines += [
        f"| {name} | {label} | {seconds:.2f} | {score:.3f} | {'yes' if seconds < TARGET_SECONDS else 'NO'} |"
        for name, label, seconds, score in rows
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
