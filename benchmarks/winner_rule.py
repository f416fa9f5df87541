"""What the winner rule turns down: the main job's best candidates whose select gain is within noise.

A run's answer is its best program on `select` only when that program beats the best seed there beyond
`select`'s noise (the 95% paired bootstrap interval of its gain lies above zero, `evolve.loop.winner`);
otherwise the best seed stays the answer. This benchmark runs the README's main job (the default
conversation run: built-in data, 18 seeds, 48 candidates, offline mutator and agent, 2 Ray workers;
programs in-process, which scores them as the Docker sandbox does) for several run seeds and, wherever
a candidate beat the best seed on `select` (turned down or not), evaluates the best one on what the run
never selected on: `test` of the built-in data and, with `--transfer`, all of other data (the real dev
slices). Its gain over the best seed there, with a 95% paired bootstrap interval over units (none from
fewer than four, as in a run's summary), says what the rule cost or saved. With `--data` the runs
select on other data (the main job's settings otherwise) and the results go to `--results`.

    python benchmarks/winner_rule.py --seeds 0 1 2 3 4 5 6 7 \\
        --transfer locomo:../shared/data/locomo/locomo_dev2.json
    python benchmarks/winner_rule.py --seeds 0 1 2 3 \\
        --data longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json \\
        --transfer locomo:../shared/data/locomo/locomo_dev2.json \\
        --results benchmarks/results/winner_rule_longmemeval.md
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

from benchmarks.cascade import finished_run
from evaluators.domains import get_domain
from evolve.config import RunConfig
from evolve.evaluation import EvaluationSetup, assemble, open_embedder
from evolve.gains import describe_gain, results_gain
from sandbox.backends import make_session_factory

RESULTS = Path(__file__).parent / "results" / "winner_rule.md"
DOMAIN = get_domain("conversation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--transfer", action="append", default=[], help="data spec, evaluated on all of it")
    parser.add_argument("--data", default=DOMAIN.default_data, help="the runs' data spec (default: built-in)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results file to write")
    args = parser.parse_args()
    rows = [one_seed(seed, args.data, args.transfer) for seed in args.seeds]
    args.results.write_text("\n".join(report(rows, args)) + "\n")
    print(f"wrote {args.results}")


def one_seed(seed: int, data: str, transfer: list[str]) -> dict:
    config = RunConfig(domain="conversation", data=(data,), sandbox="inprocess", seed=seed, workers=2)
    with finished_run(config) as (store, _run_id, summary):
        row = {
            "seed": seed,
            "best_seed": summary.best_seed,
            "candidate": summary.best_candidate_id,
            "select_gain": summary.select_gain,
            "answer_is_seed": summary.best_program_id == summary.best_seed_program_id,
            "held_out": {},
        }
        if summary.select_gain is None:  # no candidate above the best seed on select
            print(row, flush=True)
            return row
        sources = [
            store.get_program(p).source for p in (summary.best_candidate_id, summary.best_seed_program_id)
        ]
    for spec, split in [(data, "test"), *((spec, "all") for spec in transfer)]:
        setup = evaluation_setup(spec, config.read_chars)
        candidate, seed_result = (setup.run(source, split) for source in sources)
        row["held_out"][f"{spec} ({split})"] = results_gain(DOMAIN, candidate, seed_result, seed)
    print(row, flush=True)
    return row


def evaluation_setup(spec: str, read_chars: int) -> EvaluationSetup:
    dataset = DOMAIN.load_dataset(spec)
    return assemble(
        DOMAIN, dataset, "offline", open_embedder("hashed"), make_session_factory("inprocess"), read_chars
    )


def report(rows: list[dict], args: argparse.Namespace) -> list[str]:
    held_out = sorted({name for row in rows for name in row["held_out"]})
    lines = [
        "# The winner rule: best candidates turned down for a select gain within noise",
        "",
        f"Command: `python benchmarks/winner_rule.py --seeds {' '.join(map(str, args.seeds))}"
        + (f" --data {args.data}" if args.data != DOMAIN.default_data else "")
        + "".join(f" --transfer {spec}" for spec in args.transfer)
        + (f" --results {args.results}" if args.results != RESULTS else "")
        + "`",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}. The README's main job "
        f"(default conversation run, on {args.data}) per run seed, programs in-process; held-out gains "
        "are the best candidate minus the run's best seed, 95% paired bootstrap over units "
        "(conversations; questions where each is its own episode).",
        "",
        "| run seed | best seed | best candidate | its select gain [95%] | the run's answer | "
        + " | ".join(f"candidate - seed on {name}" for name in held_out)
        + " |",
        "|---:|---|---|---|---|" + "---|" * len(held_out),
    ]
    for row in rows:
        candidate = "-" if row["select_gain"] is None else f"`{row['candidate'][:12]}`"
        answer = "the best seed" if row["answer_is_seed"] else "the candidate"
        cells = [
            describe_gain(row["held_out"][name]) if name in row["held_out"] else "-" for name in held_out
        ]
        select = describe_gain(row["select_gain"])
        lines.append(
            f"| {row['seed']} | {row['best_seed']} | {candidate} | {select} | {answer} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


if __name__ == "__main__":
    main()
