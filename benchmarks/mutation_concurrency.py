"""Reflective-mutation candidates per minute with 1 and with 8 proposals waiting for the model at once.

Target (issue 14): at least 5x the candidates per minute with 8 proposals in flight as with 1, with a
3-second model. The model is the local fake server (tests/providers/fake_llm_server.py, on 127.0.0.1):
each reply comes after a fixed delay and raises the program's TOP_K by a number no other reply used (a
valid, new child every time). Everything else is the real run (`evolve.run.run_evolution`, as
`mnemoforge evolve --model ...` drives it): the reflective mutator and its prompts, `reflect`
evaluations, smoke runs, novelty checks, the archive, Ray workers evaluating each child on `select`.
Timed from the first proposal to the last candidate's evaluation (the seeds before, and the final
`test` evaluations after, are not counted).

    python benchmarks/mutation_concurrency.py --latency 3 --proposals 1 8
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import tempfile
import threading
import time
from pathlib import Path

from archive import ArchiveStore
from evolve.config import RunConfig
from evolve.loop import RunStatus
from evolve.run import run_evolution
from tests.providers.fake_llm_server import FakeLLMServer, Reply, SeenRequest

RESULTS = Path(__file__).parent / "results" / "mutation_concurrency.md"
TARGET_SPEEDUP = 5.0
CURRENT_PROGRAM = re.compile(r"## The current program.*?```python\n(.*?)```", re.DOTALL)
TOP_K = re.compile(r"^TOP_K = (\d+)$", re.MULTILINE)


def slow_good_model(latency: float) -> Reply:
    """After `latency` seconds, a SEARCH/REPLACE edit raising TOP_K by a number not used before."""
    numbers = itertools.count(1)
    lock = threading.Lock()

    def reply(request: SeenRequest) -> str:
        time.sleep(latency)
        program = CURRENT_PROGRAM.search(request.messages[0]["content"])
        top_k = int(TOP_K.search(program.group(1)).group(1)) if program else 0
        with lock:
            raise_by = next(numbers)
        return (
            f"COMMIT: retrieve {raise_by} more turns\n<<<<<<< SEARCH\nTOP_K = {top_k}\n=======\n"
            f"TOP_K = {top_k + raise_by}\n>>>>>>> REPLACE\n"
        )

    return reply


class Clock:
    """Observes a run: when its evolving phase starts and ends, and how many candidates it made."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.ended: float | None = None
        self.candidates = 0
        self.driver_seconds = 0.0

    def __call__(self, status: RunStatus) -> None:
        if status.phase == "evolving" and self.started is None:
            self.started = time.perf_counter()
        if status.phase == "testing" and self.ended is None:
            self.ended = time.perf_counter()
            self.candidates = status.candidates_done
            self.driver_seconds = status.loop_seconds


def candidates_per_minute(
    model: str, proposals: int, candidates: int, workers: int, data: str
) -> tuple[float, int, float, float]:
    """(candidates per minute, candidates, seconds, the driver's own busy seconds) of one fresh run."""
    with tempfile.TemporaryDirectory() as directory:
        os.environ["MNEMOFORGE_CACHE_DIR"] = directory  # no reply from an earlier run's response cache
        store = ArchiveStore(f"sqlite:///{directory}/archive.db")
        config = RunConfig(
            mutation_model=model,
            data=data,
            sandbox="inprocess",
            seeds=("bm25_turns",),
            islands=2,
            max_candidates=candidates,
            workers=workers,
            proposals_in_flight=proposals,
        )
        run = store.create_run(config.domain, config.model_dump(mode="json"), config.seed)
        clock = Clock()
        run_evolution(config, store, run.id, observer=clock)
        assert clock.started is not None and clock.ended is not None
        seconds = clock.ended - clock.started
        return clock.candidates / seconds * 60, clock.candidates, seconds, clock.driver_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=3.0, help="seconds the fake model takes per call")
    parser.add_argument("--proposals", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=4, help="candidates per run = rounds x proposals")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--data", default="synthetic:conversations=3", help="small: the evaluations are not what is measured"
    )
    args = parser.parse_args()
    rows = []
    with FakeLLMServer(reply=slow_good_model(args.latency)) as server:
        model = f"openai-compatible:{server.openai_url}:fake-coder"
        for proposals in args.proposals:
            server.max_in_flight = 0
            rate, candidates, seconds, driver = candidates_per_minute(
                model, proposals, args.rounds * proposals, args.workers, args.data
            )
            rows.append((proposals, rate, candidates, seconds, driver, server.max_in_flight))
            print(
                f"{proposals} in flight: {candidates} candidates in {seconds:.1f} s = {rate:.1f} / minute "
                f"(at most {server.max_in_flight} model calls at once; the driver busy {driver:.1f} s)",
                flush=True,
            )
    base = rows[0][1]
    lines = [
        "# Reflective mutation: proposals waiting for the model at once",
        "",
        f"Command: `python benchmarks/mutation_concurrency.py --latency {args.latency:g} "
        f"--proposals {' '.join(map(str, args.proposals))} --rounds {args.rounds} --workers {args.workers} "
        f"--data {args.data}`",
        f"Machine: {os.cpu_count()} cores shared with other agents' work, "
        f"Python {platform.python_version()}; "
        f"a fake model on 127.0.0.1 answering after {args.latency:g} s; seed bm25_turns, 2 islands, "
        f"data {args.data} (select: one conversation), in-process sandbox, {args.workers} Ray workers; "
        f"each run makes {args.rounds} x (proposals in flight) candidates; one run each "
        "(latency-bound: the waiting, not the CPU, is measured).",
        "",
        "| proposals in flight | candidates | seconds | candidates / minute | speed-up "
        "| most model calls at once | driver busy (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {proposals} | {candidates} | {seconds:.1f} | {rate:.1f} | {rate / base:.2f}x | {most} "
        f"| {driver:.1f} |"
        for proposals, rate, candidates, seconds, driver, most in rows
    ]
    lines += [
        "",
        f"Target: at least {TARGET_SPEEDUP:g}x the candidates per minute with 8 in flight as with 1.",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
