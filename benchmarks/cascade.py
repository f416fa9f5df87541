"""What cascade evaluation saves: the task agent's work per run, at the same budget and run seed.

Target (issue 14): with the cascade, the task agent's model calls per run fall by at least 40%, and the
final winner's `test` score is within 0.01 of the run without it (same run seed); shown on an offline
run too, where the agent's work is counted as agent operations (one per session written, one per
question read and answered).

Each run is a real `run_evolution` (as `mnemoforge evolve` drives it), at the default budget and for
several run seeds, each once with the cascade and once without. The loop takes its candidates in in
proposal order, so a run seed gives the same run whatever order the 2 workers finish in (a run repeated
lands on the same winner to the digit; tests/evolve/test_concurrent_proposals.py checks it): the test
gap is what the cascade itself changed on that seed's path (a child stopped early never becomes a
parent), and its sign says which run found the better winner. Over several seeds, the mean gap comes
with a 95% bootstrap interval over the seeds. The runs: the offline structural mutator,
seeds bm25_turns and vector_rag, the default synthetic data (10 conversations: `select` holds four, the
cascade's first part one), in-process programs, 2 Ray workers. The LLM agent's model is the local fake
server (tests/providers/fake_llm_server.py `reading`, on 127.0.0.1, no delay: it answers with the
retrieved line sharing the most words with the question), the response cache off so that every call the
agent makes is counted. (Until 3 December the fake answered with the first retrieved line, `echoing`;
then one operator that puts a session's best turns first lifted a program by ~0.19, and whether one
early child of it was stopped decided a run. A model that reads the whole memory does not reward a
memory for its first line alone.)

    python benchmarks/cascade.py
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive import ArchiveStore
from evaluators.conversation.domain import load_dataset, split_dataset
from evolve.cascade import JOINED
from evolve.config import RunConfig
from evolve.loop import RunSummary
from evolve.run import run_evolution
from providers.config import LLMSettings
from tests.providers.fake_llm_server import FakeLLMServer, reading

RESULTS = Path(__file__).parent / "results" / "cascade.md"
DATA = "synthetic"
TARGET_FALL = 0.40
TARGET_TEST_GAP = 0.01
OFF, ON = "off", "on"
"""The runs per seed: without the cascade and with it."""


def agent_operations(split: str) -> int:
    """Sessions written plus questions asked in one evaluation of `split`."""
    chosen = split_dataset(load_dataset(DATA), split)
    return sum(len(c.sessions) + len(c.questions) for c in chosen.conversations)


def run_config(
    cascade: bool, margin: float, candidates: int, seed: int, agent_model: str | None
) -> RunConfig:
    """The benchmark's run: see the module docstring."""
    return RunConfig(
        data=DATA,
        agent="llm" if agent_model else "offline",
        agent_model=agent_model,
        llm=LLMSettings(cache=False),
        sandbox="inprocess",
        seeds=("bm25_turns", "vector_rag"),
        islands=2,
        max_candidates=candidates,
        workers=2,
        seed=seed,
        cascade=cascade,
        cascade_margin=margin,
    )


@contextmanager
def finished_run(config: RunConfig) -> Iterator[tuple[ArchiveStore, str, RunSummary]]:
    """Run `config` in an archive and cache of its own, and hand out the archive, run id and summary;
    both are deleted when the block ends."""
    with tempfile.TemporaryDirectory() as directory:
        os.environ["MNEMOFORGE_CACHE_DIR"] = directory
        store = ArchiveStore(f"sqlite:///{directory}/archive.db")
        run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
        yield store, run.id, run_evolution(config, store, run.id)


def one_run(
    cascade: bool, margin: float, candidates: int, seed: int, agent_model: str | None
) -> dict[str, float]:
    with finished_run(run_config(cascade, margin, candidates, seed, agent_model)) as (store, run_id, summary):
        evaluations = store.run_evaluations(run_id)
        calls = store.llm_cost(run_id).by_purpose.get("agent", {}).get("calls", 0)
        played = [e for e in evaluations if e.worker != JOINED]  # a joined one played nothing itself
        return {
            "agent_operations": sum(agent_operations(e.split) for e in played),
            "agent_calls": calls,
            "evaluations": len(played),
            "stopped_early": summary.stopped_early,
            "best_select": summary.best_select,
            "best_test": summary.best_test if summary.best_test is not None else float("nan"),
            "seed_won": float(summary.best_program_id == summary.best_seed_program_id),
            "seconds": summary.seconds,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=RunConfig().max_candidates)
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0, 1, 2],
        help="run seeds: each gives one path with the cascade and one without",
    )
    parser.add_argument("--margin", type=float, default=RunConfig().cascade_margin)
    parser.add_argument("--agents", nargs="+", default=["offline", "llm"], choices=["offline", "llm"])
    args = parser.parse_args()
    rows: list[tuple[str, int, dict[str, dict[str, float]]]] = []
    with FakeLLMServer(reply=reading()) as server:
        models = {"offline": None, "llm": f"openai-compatible:{server.openai_url}:fake-model"}
        for label in args.agents:
            for seed in args.seeds:
                results = {
                    kind: one_run(kind == ON, args.margin, args.candidates, seed, models[label])
                    for kind in (OFF, ON)
                }
                rows.append((label, seed, results))
                print(label, seed, results, flush=True)
    RESULTS.write_text("\n".join(report(rows, args)) + "\n")
    print(f"wrote {RESULTS}")


def mean_interval(values: list[float], resamples: int = 10_000) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of the mean of `values` (the run seeds' gaps)."""
    draw = random.Random(0)
    means = sorted(statistics.fmean(draw.choices(values, k=len(values))) for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def report(rows: list[tuple[str, int, dict[str, dict[str, float]]]], args: argparse.Namespace) -> list[str]:
    lines = [
        "# Cascade evaluation: the task agent's work per run",
        "",
        f"Command: `python benchmarks/cascade.py --candidates {args.candidates} "
        f"--seeds {' '.join(map(str, args.seeds))} --margin {args.margin:g} "
        f"--agents {' '.join(args.agents)}`",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; structural mutator, seeds "
        f"bm25_turns and vector_rag, 2 islands, {args.candidates} candidates, default synthetic data "
        "(select: 4 conversations; the cascade's first part: 1, the rest: 3), in-process programs, "
        "2 Ray workers; the LLM agent's model is the fake server on 127.0.0.1 (`reading`: deterministic, no "
        "delay, answers with the retrieved line sharing most words with the question; response cache "
        "off). Agent work counts every evaluation the run played (first parts, rests, all of select "
        "without the cascade, and the final test of the winner and the best seed); a "
        "`select` evaluation joined from its parts played nothing itself. Fall and test gap are against "
        "the run without the cascade (the gap: this run's winner's test score minus that one's).",
        "",
        "| agent | run seed | cascade | agent work | fall | evaluations | stopped early | winner | "
        "winner's select | winner's test | test gap |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    falls: dict[str, list[float]] = {}
    gaps: dict[str, list[float]] = {}
    for label, seed, results in rows:
        key = "agent_calls" if label == "llm" else "agent_operations"
        unit = "model calls" if label == "llm" else "operations"
        base = results[OFF]
        for kind, result in results.items():
            fall = 1 - result[key] / base[key] if base[key] else 0.0
            gap = result["best_test"] - base["best_test"]
            if kind == ON:
                falls.setdefault(label, []).append(fall)
                gaps.setdefault(label, []).append(gap)
            lines.append(
                f"| {label} | {seed} | {kind} | {result[key]:.0f} {unit} | "
                f"{fall:.0%} | {result['evaluations']:.0f} | {result['stopped_early']:.0f} | "
                f"{'the best seed' if result['seed_won'] else 'a candidate'} | "
                f"{result['best_select']:.4f} | {result['best_test']:.4f} | {gap:+.4f} |"
            )
    lines += [
        "",
        "| agent | run seeds | mean fall | smallest fall | seeds falling 40% or more | mean test gap [95%] | "
        "seeds within 0.01 | largest gap (either way) |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for label, values in falls.items():
        low, high = mean_interval(gaps[label])
        lines.append(
            f"| {label} | {len(values)} | {statistics.fmean(values):.0%} | {min(values):.0%} | "
            f"{sum(fall >= TARGET_FALL for fall in values)} | "
            f"{statistics.fmean(gaps[label]):+.4f} [{low:+.4f}, {high:+.4f}] | "
            f"{sum(abs(gap) <= TARGET_TEST_GAP for gap in gaps[label])} | {max(map(abs, gaps[label])):.4f} |"
        )
    lines += [
        "",
        f"Targets: agent work falls by at least {TARGET_FALL:.0%} with the cascade; the winner's test score "
        f"within {TARGET_TEST_GAP} of the run without it. The winner is the best seed when no candidate beat "
        "it on select beyond the interval of its select gain (`evolve.loop.winner`, since 3 December).",
    ]
    return lines


if __name__ == "__main__":
    main()
