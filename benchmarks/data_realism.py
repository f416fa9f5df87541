"""Does the built-in data behave like real conversations? Phenomena side by side, and the seeds' ranking.

(a) The properties of `benchmarks/realism_stats.py` for the default synthetic data, its assistant-style
variant, the LoCoMo dev slice and LongMemEval S dev45. (b) Every registered seed's evidence recall on each,
evaluated as `mnemoforge eval` does by default (the machinery of `benchmarks/seed_table.py`), and the
Spearman rank correlation of the seeds between built-in and real data: default vs LoCoMo, assistant-style
vs LongMemEval, on the default generator seed and on held-out generator seeds.

    python benchmarks/data_realism.py --locomo ../shared/data/locomo/locomo_dev2.json \\
        --longmemeval ../shared/data/longmemeval/longmemeval_s_dev45.json

Takes about half an hour on 2 cores (LongMemEval S is large); writes benchmarks/results/data_realism.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from benchmarks.rank_reliability import spearman
from benchmarks.realism_stats import STATISTICS, measure
from benchmarks.seed_table import evaluate
from evaluators.conversation import domain
from sandbox.hash_seed import pin_hash_seed
from seeds import SEEDS, Seed

OUTPUT = Path(__file__).resolve().parent / "results" / "data_realism.md"
HELD_OUT = (1, 2)


def cache_key(seed: Seed, fingerprint: str) -> str:
    return f"{hashlib.sha256(seed.source.encode()).hexdigest()[:16]}:{fingerprint}"


def recall_by_seed(
    seeds: list[Seed], spec: str, cache: dict[str, list[float]], reuse_only: bool = False
) -> tuple[dict[str, float], list[float]]:
    """Each seed's evidence recall on `spec` (0 for a failed evaluation), and each evaluation's seconds.

    `cache` maps (seed source, data fingerprint) to [recall, seconds]: the recall is deterministic, so an
    evaluation already made on the same program and the same data is not made again (LongMemEval S takes
    tens of minutes for all seeds). With `reuse_only`, a seed missing from the cache is left out.
    """
    fingerprint = domain.load_dataset(spec).fingerprint()
    recalls, seconds = {}, []
    for seed in seeds:
        key = cache_key(seed, fingerprint)
        if key not in cache and reuse_only:
            print(f"{seed.name:<22} {spec[:40]:<40} not evaluated (not in the cache)", flush=True)
            continue
        if key not in cache:
            started = time.perf_counter()
            result = evaluate(seed, spec)
            recall = float(result.metrics.get("evidence_recall") or 0.0) if result.ok else 0.0
            cache[key] = [recall, time.perf_counter() - started]
        recalls[seed.name], took = cache[key]
        seconds.append(took)
        print(f"{seed.name:<22} {spec[:40]:<40} evidence {recalls[seed.name]:.3f} ({took:.1f} s)", flush=True)
    return recalls, seconds


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locomo", required=True, help="the LoCoMo dev slice (locomo_dev2.json)")
    parser.add_argument("--longmemeval", required=True, help="LongMemEval S dev45 (longmemeval_s_dev45.json)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--cache", type=Path, help="a JSON file of evaluations to reuse and extend")
    parser.add_argument(
        "--reuse-only", action="store_true", help="evaluate nothing: report the cached evaluations only"
    )
    args = parser.parse_args()
    cache = json.loads(args.cache.read_text()) if args.cache and args.cache.is_file() else {}
    seeds = list(SEEDS)
    chat = {seed: "synthetic" if seed == 0 else f"synthetic:seed={seed}" for seed in (0, *HELD_OUT)}
    # Five conversations each: the assistant-style data is long, and 18 seeds x 3 generator seeds must fit.
    assistant = {seed: f"synthetic:style=assistant,seed={seed},conversations=5" for seed in (0, *HELD_OUT)}
    locomo, longmemeval = f"locomo:{args.locomo}", f"longmemeval:{args.longmemeval}"
    shown = {
        "synthetic (default)": chat[0],
        "synthetic:style=assistant": assistant[0],
        "LoCoMo dev slice": locomo,
        "LongMemEval S dev45": longmemeval,
    }
    started = time.perf_counter()
    measured = {title: measure(domain.load_dataset(spec)) for title, spec in shown.items()}
    recalls, seconds = {}, {}
    for spec in (*chat.values(), locomo, *assistant.values(), longmemeval):
        if args.cache and args.cache.is_file():  # another run may have added evaluations meanwhile
            cache = {**json.loads(args.cache.read_text()), **cache}
        recalls[spec], seconds[spec] = recall_by_seed(seeds, spec, cache, args.reuse_only)
        if args.cache:
            saved = json.loads(args.cache.read_text() or "{}") if args.cache.is_file() else {}
            args.cache.write_text(json.dumps({**saved, **cache}, indent=1))
    names = [seed.name for seed in seeds]

    def rho(built_in: str, real: str) -> str:
        """The correlation over the seeds evaluated on both, with their number when some are missing."""
        both = [n for n in names if n in recalls[built_in] and n in recalls[real]]
        value = spearman([recalls[built_in][n] for n in both], [recalls[real][n] for n in both])
        return f"{value:.2f}" + ("" if len(both) == len(names) else f" ({len(both)} seeds)")

    lines = [
        "# Built-in data against real data",
        "",
        f"Command: `python benchmarks/data_realism.py {' '.join(sys.argv[1:])}`",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"{time.perf_counter() - started:.0f} s in all. Seeds evaluated as `mnemoforge eval` does by default "
        "(in-process, offline agent, hashed lexical embedder, `read()` capped at 3,000 characters).",
        *(
            [
                "",
                "With `--cache`, an evaluation already in the cache (same seed source and data fingerprint) "
                "is reused, not repeated; with `--reuse-only`, a seed missing from it is left out, and a "
                "correlation over fewer than all seeds says over how many.",
            ]
            if args.cache
            else []
        ),
        "",
        "## Phenomena",
        "",
        "Computed the same way from every dataset (`benchmarks/realism_stats.py`), pooled over "
        "conversations.",
        "",
        "| property | " + " | ".join(shown) + " |",
        "|---|" + "---:|" * len(shown),
    ]
    for key, (label, _) in STATISTICS.items():
        lines.append(f"| {label} | " + " | ".join(f"{measured[t][key]:.3f}" for t in shown) + " |")
    lines += [
        "",
        "## Rank agreement of the 18 seeds (Spearman, evidence recall)",
        "",
        "| built-in data | real data | Spearman |",
        "|---|---|---:|",
    ]
    for seed, spec in chat.items():
        lines.append(
            f"| `{spec}`{' (default)' if seed == 0 else ' (held out)'} | LoCoMo dev slice | "
            f"{rho(spec, locomo)} |"
        )
    for seed, spec in assistant.items():
        lines.append(
            f"| `{spec}`{'' if seed == 0 else ' (held out)'} | LongMemEval S dev45 | "
            f"{rho(spec, longmemeval)} |"
        )
    lines += [
        f"| `{chat[0]}` | LongMemEval S dev45 | {rho(chat[0], longmemeval)} |",
        f"| `{assistant[0]}` | LoCoMo dev slice | {rho(assistant[0], locomo)} |",
        f"| LoCoMo dev slice | LongMemEval S dev45 | {rho(locomo, longmemeval)} |",
        "",
        "## Evidence recall per seed",
        "",
        "| seed | " + " | ".join(f"`{spec.split('/')[-1]}`" for spec in recalls) + " |",
        "|---|" + "---:|" * len(recalls),
    ]
    for name in sorted(names, key=lambda n: -recalls[locomo].get(n, 0.0)):
        cells = (f"{recalls[spec][name]:.3f}" if name in recalls[spec] else "–" for spec in recalls)
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Evaluation time per seed (seconds)",
        "",
        "Wall time of the run that made each evaluation (a cached one keeps its first time). These runs "
        "shared 2 cores with many other processes, so the times are inflated; "
        "`benchmarks/results/eval_speed.md` has the evaluation speed measured on its own.",
        "",
        "| data | median | max |",
        "|---|---:|---:|",
        *(
            f"| `{spec.split('/')[-1]}` | {statistics.median(s):.1f} | {max(s):.1f} |"
            for spec, s in seconds.items()
            if s
        ),
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
