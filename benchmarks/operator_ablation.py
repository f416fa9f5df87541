"""Each behavioural operator applied once to each of some seeds: the change of the selection score.

Each change comes with its 95% paired bootstrap interval over the data's units, as a run reports gains.

How the operators kept on by default were chosen (benchmarks/results/offline_operators.md): an operator
that helps no seed on real data only spends candidates. Programs run in-process (the seeds and their
children are trusted code), offline agent, hashed embedder, read cap 3,000.

    python benchmarks/operator_ablation.py --data locomo:../shared/data/locomo/locomo_dev2.json \\
        --seeds dual_process,tiered_os,main_side_router,bm25_turns
    python benchmarks/operator_ablation.py --seeds all --operators packing \\
        --data longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json
"""

from __future__ import annotations

import argparse
import random

from evaluators.conversation.domain import evaluate, load_dataset
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.domains import get_domain
from evaluators.result import EvaluationResult
from evolve.gains import describe_gain, results_gain
from evolve.mutators.behaviours import BEHAVIOURS
from evolve.mutators.behaviours.base import OperatorContext
from evolve.mutators.behaviours.rerank import SIGNALS
from evolve.mutators.program_text import ProgramText
from providers.embedders import HashedLexicalEmbedder
from sandbox.hash_seed import pin_hash_seed
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import SEEDS, get_seed

DOMAIN = get_domain("conversation")


def main() -> None:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", default="all")
    parser.add_argument("--seeds", required=True, help="comma-separated seed names, or all")
    parser.add_argument("--operators", default="all", help="comma-separated operator names, or all")
    args = parser.parse_args()
    names = [seed.name for seed in SEEDS] if args.seeds == "all" else args.seeds.split(",")
    chosen = list(BEHAVIOURS) if args.operators == "all" else args.operators.split(",")
    unknown = [name for name in chosen if name not in BEHAVIOURS] + [
        name for name in names if name not in {seed.name for seed in SEEDS}
    ]
    if unknown:
        parser.error(f"unknown seed or operator {', '.join(unknown)}; operators: {', '.join(BEHAVIOURS)}")
    operators = {name: BEHAVIOURS[name] for name in chosen}
    dataset = load_dataset(args.data)
    capabilities = Capabilities(embed=HashedLexicalEmbedder())

    def run(source: str) -> EvaluationResult:
        return evaluate(source, dataset, args.split, OfflineAgent(), InProcessSession, capabilities)

    for name in names:
        source = get_seed(name).source
        base = run(source)
        print(f"{name}: {base.score if base.ok else float('nan'):.4f}", flush=True)
        donor = "bm25_turns" if name != "bm25_turns" else "dual_process"
        donors = ((donor, ProgramText(get_seed(donor).source)),)
        for operator, apply in operators.items():
            for signal in SIGNALS if operator == "rerank" else ("",):
                context = OperatorContext(random.Random(0), 3000, donors)
                if signal:  # each re-ranking signal in turn, not the one the random stream picks
                    context.rng.choice = lambda options, s=signal: s if s in options else options[0]
                made = apply(ProgramText(source), context)
                label = f"{operator} {signal}".strip()
                if made is None:
                    print(f"  {label}: does not apply", flush=True)
                    continue
                print(f"  {label}: {change(run(made.source), base)}  ({made.description})", flush=True)


def change(child: EvaluationResult, parent: EvaluationResult) -> str:
    """The child's score minus its parent's, with the paired bootstrap interval over the data's units that
    a run reports its gains with (`evolve.gains`); "failed" when either evaluation failed."""
    gain = results_gain(DOMAIN, child, parent, seed=0)
    return "failed" if gain is None else describe_gain(gain)


if __name__ == "__main__":
    main()
