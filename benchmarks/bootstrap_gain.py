"""A run's winner against the seeds on some data, with a 95% bootstrap interval of the gain.

For the end-of-run held-out test (`--split test` on the run's own data) and for transfer to other data
(`--split all` on, e.g., the LoCoMo dev slice) until `--transfer` reports intervals itself. Every program
is evaluated in the sandbox (`--sandbox`, as `mnemoforge eval` does) with the offline agent; the gain is
winner minus the best seed *on this data* (which need not be the run's best seed), and its interval comes
from resampling units with replacement (paired: the same units for both programs), 2,000 times, where a
unit is a conversation, or a question when the data has too few conversations to resample.

    python benchmarks/bootstrap_gain.py --run sqlite:///runs.db#af2a \\
        --data longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json --split test --seeds run

`--run` may be given more than once (winners of several runs against the same seeds, evaluated once);
`--seeds run` compares with the run's own best seed only (the end-of-run test), `--seeds all` with the
best of every registered seed on this data (transfer).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

from archive import ArchiveStore, program_id_for
from evaluators.conversation.domain import evaluate, load_dataset, split_dataset
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.conversation.scoring import aggregate
from evaluators.result import CaseResult
from providers.embedders import make_embedder
from sandbox.backends import close_factory, make_session_factory
from sandbox.session import Capabilities
from seeds.registry import SEEDS

RESAMPLES = 2000
MIN_CONVERSATIONS = 8
"""Fewer conversations than this are resampled by question: a 2-conversation bootstrap means nothing."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", action="append", default=[], help="ARCHIVE_URL#RUN_ID: that run's winner is compared"
    )
    parser.add_argument("--seeds", choices=("run", "all"), default="all")
    parser.add_argument("--data", required=True, help="data spec, e.g. locomo:PATH")
    parser.add_argument("--split", default="all", help="test (the run's held-out split) or all")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the resampling")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--cache", help="a JSON file keeping each program's cases on this data (seeds are evaluated once)"
    )
    args = parser.parse_args()

    winners: dict[str, str] = {}
    run_seeds: dict[str, str] = {}
    for spec in args.run:
        url, _, run_id = spec.rpartition("#")
        with ArchiveStore(url) as store:
            run = store.get_run(run_id)
            winner, seed = _winner_and_seed(store, run)
            winners[run.id] = winner
            run_seeds[run.id] = seed
    seeds = {seed.name: seed.source for seed in SEEDS}
    if args.seeds == "run":
        seeds = {name: seeds[name] for name in run_seeds.values()}
    dataset = load_dataset(args.data)
    chosen = split_dataset(dataset, args.split)
    unit_of = _units(chosen)
    factory = make_session_factory(args.sandbox)
    capabilities = Capabilities(embed=make_embedder("hashed", None))
    cases: dict[str, list[CaseResult]] = {}
    scores: dict[str, float] = {}
    cache = _load_cache(args.cache)
    try:
        for name, source in {**{f"winner of {r}": s for r, s in winners.items()}, **seeds}.items():
            key = hashlib.sha256(f"{source}\0{chosen.fingerprint()}".encode()).hexdigest()
            if key not in cache:
                result = evaluate(source, dataset, args.split, OfflineAgent(), factory, capabilities)
                cached = [dataclasses.asdict(case) for case in result.cases] if result.ok else []
                cache[key] = {"name": name, "score": result.score, "cases": cached}
                _save_cache(args.cache, cache)
            cases[name] = [CaseResult(**case) for case in cache[key]["cases"]]
            scores[name] = cache[key]["score"]
    finally:
        close_factory(factory)
    if not winners:
        return
    best_seed = max(seeds, key=lambda n: scores[n])
    reports = []
    for run_id in winners:
        name = f"winner of {run_id}"
        low, high = _interval(cases[name], cases[best_seed], unit_of, random.Random(args.seed))
        reports.append(
            {
                "run": run_id,
                "winner": program_id_for(winners[run_id]),
                "data": chosen.name,
                "units": f"{len(set(unit_of.values()))} "
                + ("conversations" if _by_conversation(chosen) else "questions"),
                "winner_score": scores[name],
                "best_seed": best_seed,
                "best_seed_score": scores[best_seed],
                "gain": scores[name] - scores[best_seed],
                "interval_95": [low, high],
            }
        )
    if args.json:
        print(json.dumps({"comparisons": reports, "scores": scores}, indent=2))
        return
    for row in reports:
        low, high = row["interval_95"]
        print(
            f"{row['data']}: winner {row['winner'][:12]} of run {row['run']} {row['winner_score']:.3f}, "
            f"best seed {best_seed} "
            f"{row['best_seed_score']:.3f}, gain {row['gain']:+.3f} "
            f"(95% interval {low:+.3f} to {high:+.3f}, {row['units']})"
        )
    for name, score in sorted(scores.items(), key=lambda pair: -pair[1]):
        print(f"  {score:.3f}  {name}")


def _winner_and_seed(store: ArchiveStore, run) -> tuple[str, str]:
    """The run's best program (source) and best seed (name): from its summary, or for a run that did not
    finish, the best on `select` so far, as the loop's end of run would choose them."""
    if run.summary:
        return store.get_program(run.summary["best_program_id"]).source, run.summary["best_seed"]
    ranked = store.best_programs(run.domain, "select", limit=None, run_id=run.id)
    seeds = [(program, evaluation) for program, evaluation in ranked if program.seed_name]
    return ranked[0][0].source, max(seeds, key=lambda pair: pair[1].score)[0].seed_name


def _load_cache(path: str | None) -> dict:
    return json.loads(Path(path).read_text()) if path and Path(path).exists() else {}


def _save_cache(path: str | None, cache: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(cache))


def _by_conversation(chosen) -> bool:
    return len(chosen.conversations) >= MIN_CONVERSATIONS


def _units(chosen) -> dict[str, str]:
    """Question id -> the unit resampled: its conversation, or itself."""
    by_conversation = _by_conversation(chosen)
    return {
        question.question_id: conversation.conversation_id if by_conversation else question.question_id
        for conversation in chosen.conversations
        for question in conversation.questions
    }


def _interval(
    winner: list[CaseResult], seed: list[CaseResult], unit_of: dict[str, str], rng: random.Random
) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the resampled gain in selection score."""
    grouped: dict[str, tuple[list[CaseResult], list[CaseResult]]] = defaultdict(lambda: ([], []))
    for case in winner:
        grouped[unit_of[case.case_id]][0].append(case)
    for case in seed:
        grouped[unit_of[case.case_id]][1].append(case)
    units = sorted(grouped)
    gains = []
    for _ in range(RESAMPLES):
        drawn = [units[rng.randrange(len(units))] for _ in units]
        ours = [case for unit in drawn for case in grouped[unit][0]]
        theirs = [case for unit in drawn for case in grouped[unit][1]]
        gains.append(aggregate(ours)[0]["score"] - aggregate(theirs)[0]["score"])
    gains.sort()
    return gains[int(0.025 * RESAMPLES)], gains[int(0.975 * RESAMPLES) - 1]


if __name__ == "__main__":
    main()
