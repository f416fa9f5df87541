"""What cascade evaluation saves: the task agent's work per run, at the same budget and run seed.

Target (issue 14): with the cascade, the task agent's model calls per run fall by at least 40%, and the
final winner's `test` score is within 0.01 of the run without it (same run seed); shown on an offline
run too, where the agent's work is counted as agent operations (one per session written, one per
question read and answered).

Each run is a real `run_evolution` (as `mnemoforge evolve` drives it): the offline structural mutator,
seeds bm25_turns and vector_rag, the default synthetic data (10 conversations: `select` holds four, the
cascade's first part one), in-process programs, 2 Ray workers. The LLM agent's model is the local fake
server (tests/providers/fake_llm_server.py `echoing`, on 127.0.0.1, no delay), the response cache off so
that every call the agent makes is counted.

    python benchmarks/cascade.py --candidates 16
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from archive import ArchiveStore
from evaluators.conversation.domain import load_dataset, split_dataset
from evolve.config import RunConfig
from evolve.run import run_evolution
from providers.config import LLMSettings
from tests.providers.fake_llm_server import FakeLLMServer, echoing

RESULTS_DIR = Path(__file__).parent / "results"
DATA = "synthetic"
TARGET_FALL = 0.40
TARGET_TEST_GAP = 0.01


def agent_operations(split: str) -> int:
    """Sessions written plus questions asked in one evaluation of `split`."""
    chosen = split_dataset(load_dataset(DATA), split)
    return sum(len(c.sessions) + len(c.questions) for c in chosen.conversations)


def one_run(
    cascade: bool, margin: float, candidates: int, seed: int, agent_model: str | None, cache: bool
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        os.environ["MNEMOFORGE_CACHE_DIR"] = directory
        store = ArchiveStore(f"sqlite:///{directory}/archive.db")
        config = RunConfig(
            data=DATA,
            agent="llm" if agent_model else "offline",
            agent_model=agent_model,
            llm=LLMSettings(cache=cache),
            sandbox="inprocess",
            seeds=("bm25_turns", "vector_rag"),
            islands=2,
            max_candidates=candidates,
            workers=2,
            seed=seed,
            cascade=cascade,
            cascade_margin=margin,
        )
        run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
        summary = run_evolution(config, store, run.id)
        evaluations = store.run_evaluations(run.id)
        calls = store.llm_cost(run.id).by_purpose.get("agent", {}).get("calls", 0)
        return {
            "agent_operations": sum(agent_operations(e.split) for e in evaluations),
            "agent_calls": calls,
            "evaluations": len(evaluations),
            "stopped_early": summary.stopped_early,
            "best_select": summary.best_select,
            "best_test": summary.best_test if summary.best_test is not None else float("nan"),
            "seconds": summary.seconds,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--margin", type=float, default=RunConfig().cascade_margin)
    parser.add_argument("--agents", nargs="+", default=["offline", "llm"], choices=["offline", "llm"])
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the response cache on (as runs have it by default), fresh per run: a part evaluated "
        "again for a candidate that goes on is then answered from it",
    )
    args = parser.parse_args()
    rows = []
    with FakeLLMServer(reply=echoing()) as server:
        models = {"offline": None, "llm": f"openai-compatible:{server.openai_url}:fake-model"}
        for label in args.agents:
            results = {
                cascade: one_run(cascade, args.margin, args.candidates, args.seed, models[label], args.cache)
                for cascade in (False, True)
            }
            rows.append((label, results))
            print(label, results, flush=True)
    lines = [
        "# Cascade evaluation: the task agent's work per run",
        "",
        f"Command: `python benchmarks/cascade.py --candidates {args.candidates} --seed {args.seed} "
        f"--margin {args.margin:g} --agents {' '.join(args.agents)}{' --cache' if args.cache else ''}`",
        f"Machine: {os.cpu_count()} cores shared with other agents' work, "
        f"Python {platform.python_version()}; structural mutator, seeds bm25_turns and vector_rag, "
        f"2 islands, {args.candidates} candidates, run seed {args.seed}, "
        "default synthetic data (select: 4 conversations; the cascade's part: 1), "
        "in-process programs, 2 Ray workers; the LLM agent's model is the fake server on 127.0.0.1 "
        "(deterministic, no delay, response cache "
        f"{'on, fresh per run; cached answers are not model calls' if args.cache else 'off'}). "
        "Agent work counts every evaluation of the run (cascade part, select, and the final test of the "
        "winner and the best seed).",
        "",
        "| agent | cascade | agent work | fall | evaluations | stopped early | best select | best test | "
        "test gap |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, results in rows:
        key = "agent_calls" if label == "llm" else "agent_operations"
        unit = "model calls" if label == "llm" else "operations"
        base = results[False]
        for cascade, result in results.items():
            fall = 1 - result[key] / base[key] if base[key] else 0.0
            gap = abs(result["best_test"] - base["best_test"])
            lines.append(
                f"| {label} | {'on' if cascade else 'off'} | {result[key]:.0f} {unit} | "
                f"{fall:.0%} | {result['evaluations']:.0f} | {result['stopped_early']:.0f} | "
                f"{result['best_select']:.4f} | {result['best_test']:.4f} | {gap:.4f} |"
            )
    lines += [
        "",
        f"Targets: agent work falls by at least {TARGET_FALL:.0%} with the cascade; the winner's test score "
        f"within {TARGET_TEST_GAP} of the run without it.",
    ]
    results = RESULTS_DIR / ("cascade_cached.md" if args.cache else "cascade.md")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text("\n".join(lines) + "\n")
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
