"""Can a run on this data tell memories apart? How the seeds' ranking on `select` carries over to `test`.

A run selects on `select` and reports on `test`. Where two disjoint samples of a data set's units rank the
seeds unlike each other, the program best on `select` is best partly by chance, and a gain on `select`
says little about `test`: no search can show a held-out gain smaller than that noise. So before asking a
run for one, measure it. For a data spec this prints each seed's score on `select`, `test` and all units;
the Spearman correlation of the seeds' `select` and `test` scores; and, over random disjoint draws of
units the size of `select` and `test`, the distribution of that correlation, how often the seed best on
the first draw is best on the second, and how much second-draw score picking it loses against the
second draw's best seed (the regret of selecting on that many units).

Every seed runs once on all units (in-process, offline agent, hashed embedder, read cap 3,000); the
draws recombine their per-unit cases with the domain's own score, so each draw's scores are exactly what
an evaluation of those units would give.

    python benchmarks/split_agreement.py \\
        --data longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json
    python benchmarks/split_agreement.py --data synthetic
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Sequence

from benchmarks.rank_reliability import spearman
from evaluators.conversation.domain import evaluate, load_dataset
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.domains import get_domain
from evaluators.result import CaseResult
from evaluators.splits import assign_splits
from evolve.gains import cases_by_unit
from providers.embedders import HashedLexicalEmbedder
from sandbox.hash_seed import pin_hash_seed
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import SEEDS

DOMAIN = get_domain("conversation")
DRAWS = 2000

UnitCases = dict[str, list[CaseResult]]


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a conversation data spec, e.g. synthetic")
    parser.add_argument("--draws", type=int, default=DRAWS)
    args = parser.parse_args()
    dataset = load_dataset(args.data)
    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    by_seed: dict[str, UnitCases] = {}
    for seed in SEEDS:
        result = evaluate(seed.source, dataset, "all", OfflineAgent(), InProcessSession, capabilities)
        grouped = cases_by_unit(result.cases) if result.ok else None
        if grouped is None:
            parser.error(f"{seed.name}: {result.failure_message or 'cases without their unit'}")
        by_seed[seed.name] = grouped
        print(f"evaluated {seed.name}: {result.score:.3f}", flush=True)
    report(args.data, by_seed, args.draws)


def score(units: UnitCases, chosen: Sequence[str]) -> float:
    """The domain's selection score of the cases of the `chosen` units."""
    return DOMAIN.score_cases([case for unit in chosen for case in units[unit]])


def report(spec: str, by_seed: dict[str, UnitCases], draws: int) -> None:
    """The table and the draws' statistics, as markdown."""
    seeds = sorted(by_seed)
    units = sorted(next(iter(by_seed.values())))
    splits = assign_splits(units)
    select = [unit for unit in units if splits[unit] == "select"]
    test = [unit for unit in units if splits[unit] == "test"]
    on_select = {seed: score(by_seed[seed], select) for seed in seeds}
    on_test = {seed: score(by_seed[seed], test) for seed in seeds}
    print(f"\n## `{spec}`: {len(units)} units, {len(select)} in `select`, {len(test)} in `test`\n")
    print("| seed | `select` | `test` | all |\n|---|---:|---:|---:|")
    for seed in sorted(seeds, key=lambda s: -on_select[s]):
        everything = score(by_seed[seed], units)
        print(f"| `{seed}` | {on_select[seed]:.3f} | {on_test[seed]:.3f} | {everything:.3f} |")
    rho = spearman([on_select[s] for s in seeds], [on_test[s] for s in seeds])
    print(f"\nSpearman of the seeds' `select` and `test` scores: **{rho:.2f}**.")
    correlations, same_best, regrets = draw_pairs(by_seed, units, len(select), len(test), draws)
    correlations.sort()
    low, high = correlations[int(0.025 * draws)], correlations[int(0.975 * draws) - 1]
    print(
        f"Over {draws} random disjoint draws of {len(select)} and {len(test)} units: Spearman "
        f"{statistics.fmean(correlations):.2f} on average (95% of draws {low:.2f} to {high:.2f}); the seed "
        f"best on the first draw is best on the second in {same_best / draws:.0%} of draws, and picking "
        f"it loses {statistics.fmean(regrets):.3f} of the second draw's score against that draw's best "
        f"seed on average (in 95% of draws at most {sorted(regrets)[int(0.95 * draws) - 1]:.3f})."
    )


def draw_pairs(
    by_seed: dict[str, UnitCases], units: list[str], first: int, second: int, draws: int
) -> tuple[list[float], int, list[float]]:
    """For `draws` random disjoint pairs of unit samples: the seeds' rank correlation between the two,
    how many times the first sample's best seed is the second's, and the second-sample score lost by
    picking the first sample's best."""
    rng = random.Random(0)
    seeds = sorted(by_seed)
    correlations, regrets, same_best = [], [], 0
    for _ in range(draws):
        shuffled = rng.sample(units, len(units))
        a, b = shuffled[:first], shuffled[first : first + second]
        on_a = [score(by_seed[seed], a) for seed in seeds]
        on_b = [score(by_seed[seed], b) for seed in seeds]
        correlations.append(spearman(on_a, on_b))
        picked = max(range(len(seeds)), key=lambda i: (on_a[i], -i))
        best = max(on_b)
        same_best += on_b[picked] == best
        regrets.append(best - on_b[picked])
    return correlations, same_best, regrets


if __name__ == "__main__":
    main()
