"""A run's winner against the seeds on some data, with a 95% bootstrap interval of the gain.

For the end-of-run held-out test (`--split test` on the run's own data) and for transfer to other data
(`--split all` on, e.g., the LoCoMo dev slice) until `--transfer` reports intervals itself. Every program
is evaluated in the sandbox (`--sandbox`, as `mnemoforge eval` does) with the offline agent; the gain is
winner minus the best seed *on this data* (which need not be the run's best seed), and its interval comes
from resampling units with replacement (paired: the same units for both programs), 2,000 times, where a
unit is a conversation, or a question when the data has too few conversations to resample.

    python benchmarks/bootstrap_gain.py --archive sqlite:///runs.db --run af2a \\
        --data longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json --split test
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict

from archive import ArchiveStore
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
    parser.add_argument("--archive", required=True, help="archive URL, e.g. sqlite:///runs.db")
    parser.add_argument("--run", required=True, help="run id or prefix: its winner is compared")
    parser.add_argument("--data", required=True, help="data spec, e.g. locomo:PATH")
    parser.add_argument("--split", default="all", help="test (the run's held-out split) or all")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the resampling")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with ArchiveStore(args.archive) as store:
        run = store.get_run(args.run)
        winner_id = (run.summary or {})["best_program_id"]
        winner = store.get_program(winner_id)
    dataset = load_dataset(args.data)
    chosen = split_dataset(dataset, args.split)
    unit_of = _units(chosen)
    factory = make_session_factory(args.sandbox)
    capabilities = Capabilities(embed=make_embedder("hashed", None))
    try:
        programs = {"winner": winner.source} | {seed.name: seed.source for seed in SEEDS}
        cases: dict[str, list[CaseResult]] = {}
        scores: dict[str, float] = {}
        for name, source in programs.items():
            result = evaluate(source, dataset, args.split, OfflineAgent(), factory, capabilities)
            cases[name] = list(result.cases) if result.ok else []
            scores[name] = result.score
    finally:
        close_factory(factory)
    best_seed = max((name for name in programs if name != "winner"), key=lambda n: scores[n])
    low, high = _interval(cases["winner"], cases[best_seed], unit_of, random.Random(args.seed))
    report = {
        "run": run.id,
        "winner": winner_id,
        "data": chosen.name,
        "units": f"{len(set(unit_of.values()))} {'conversations' if _by_conversation(chosen) else 'questions'}",
        "winner_score": scores["winner"],
        "best_seed": best_seed,
        "best_seed_score": scores[best_seed],
        "gain": scores["winner"] - scores[best_seed],
        "interval_95": [low, high],
        "seeds": {name: round(score, 4) for name, score in sorted(scores.items(), key=lambda p: -p[1])},
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{chosen.name}: winner {winner_id[:12]} {scores['winner']:.3f}, best seed {best_seed} "
        f"{scores[best_seed]:.3f}, gain {report['gain']:+.3f} (95% interval {low:+.3f} to {high:+.3f}, "
        f"{report['units']})"
    )


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
