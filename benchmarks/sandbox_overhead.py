"""What the sandbox costs: the same program on the same episodes, in-process and sandboxed, in one run.

Reports, side by side for in-process, the process backend and Docker:
- session start: a cold one (start a sandbox, load the program) and one from the factory's spare;
- the median round trip of one operation (a program whose read() does nothing, so only the trip counts);
- whole evaluations of a seed on a dataset (default bm25_turns on the LoCoMo dev slice), interleaved
  over several repeats so that a busy machine slows every backend alike; the fixed cost per
  evaluation is the sandboxed median minus the in-process one.

    python benchmarks/sandbox_overhead.py --out benchmarks/results/sandbox_overhead.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evaluators.conversation import domain
from evaluators.conversation.offline_agent import OfflineAgent
from providers.embedders import HashedLexicalEmbedder
from sandbox.backends import close_factory
from sandbox.docker_backend import docker_session_factory
from sandbox.image import image_tag
from sandbox.limits import SandboxLimits
from sandbox.process_backend import process_session_factory
from sandbox.session import Capabilities, InProcessSession, SessionFactory
from seeds import get_seed

NOOP = """
from dataclasses import dataclass, field
INSTRUCTION_KNOWLEDGE_ITEM = "Copy the text."
INSTRUCTION_QUERY = "Copy the question."
INSTRUCTION_RESPONSE = "Answer."
ALWAYS_ON_KNOWLEDGE = ""
@dataclass
class KnowledgeItem:
    text: str = field(default="", metadata={"description": "the text"})
@dataclass
class Query:
    text: str = field(default="", metadata={"description": "the question"})
class KnowledgeBase:
    def __init__(self, toolkit):
        pass
    def write(self, item, raw_text):
        pass
    def read(self, query):
        return ""
"""
REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = f"locomo:{REPO.parent / 'shared' / 'data' / 'locomo' / 'locomo_dev2.json'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", default="bm25_turns")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--round-trips", type=int, default=2000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    capabilities = Capabilities(embed=HashedLexicalEmbedder())
    load_average = os.getloadavg()[0]
    tag = image_tag()
    limits = SandboxLimits()
    factories: dict[str, SessionFactory] = {
        "in-process": InProcessSession,
        "process": process_session_factory(limits),
        "docker": docker_session_factory(limits),
    }
    time.sleep(2)  # let the first spares start

    starts = {name: session_starts(name, capabilities) for name in factories}
    trips = {name: round_trip(factory, capabilities, args.round_trips) for name, factory in factories.items()}

    dataset = domain.load_dataset(args.data)
    source = get_seed(args.seed).source
    seconds: dict[str, list[float]] = {name: [] for name in factories}
    scores: dict[str, set[float]] = {name: set() for name in factories}
    operations = 0
    names = list(factories)
    for repeat in range(args.repeats):
        for name in names[repeat % 3 :] + names[: repeat % 3]:  # each backend goes first in turn
            factory = factories[name]
            started = time.perf_counter()
            result = domain.evaluate(source, dataset, "all", OfflineAgent(), factory, capabilities)
            seconds[name].append(time.perf_counter() - started)
            assert result.ok, f"{name}: {result.failure_reason}: {result.failure_message}"
            scores[name].add(result.score)
            operations = len(result.cases) + sum(len(c.sessions) for c in dataset.conversations)
    for factory in factories.values():
        close_factory(factory)

    report = render(args, tag, dataset.name, len(dataset.conversations), operations, load_average, starts,
                    trips, seconds, scores)  # fmt: skip
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)


def session_starts(name: str, capabilities: Capabilities) -> tuple[float, float, float]:
    """Seconds until a session has loaded and described a program: (cold, from a spare, reusing the
    sandbox of the program's previous session). Each program text is new, so only the third reuses."""
    if name == "in-process":
        times = [_timed(lambda n=n: InProcessSession(variant(n), capabilities).close()) for n in range(9)]
        return statistics.median(times[:3]), statistics.median(times[3:6]), statistics.median(times[6:])
    make = docker_session_factory if name == "docker" else process_session_factory
    cold_factory, spare_factory, factory = make(prewarm=False, reuse=False), make(reuse=False), make()
    cold = [_timed(lambda n=n: cold_factory(variant(n), capabilities).close()) for n in range(3)]
    from_spare = []
    for n in range(3):
        time.sleep(1.5)  # the spare started by the previous session is ready by now
        from_spare.append(_timed(lambda n=n: spare_factory(variant(10 + n), capabilities).close()))
    factory(variant(20), capabilities).close()
    reused = [_timed(lambda: factory(variant(20), capabilities).close()) for _ in range(3)]
    for each in (cold_factory, spare_factory, factory):
        close_factory(each)
    return statistics.median(cold), statistics.median(from_spare), statistics.median(reused)


def variant(number: int) -> str:
    """The no-op program with a distinct text (so that no sandbox is reused across variants)."""
    return f"{NOOP}\n# variant {number}\n"


def round_trip(factory: SessionFactory, capabilities: Capabilities, count: int) -> float:
    """Median host-side seconds of one read() that does nothing: the cost of crossing the boundary."""
    session = factory(NOOP, capabilities)
    try:
        for _ in range(50):
            session.read({"text": "warm up"})
        samples = [session.read({"text": "q"})[1].seconds for _ in range(count)]
    finally:
        session.close()
    return statistics.median(samples)


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def render(
    args: argparse.Namespace,
    tag: str,
    data_name: str,
    conversations: int,
    operations: int,
    load_average: float,
    starts: dict[str, tuple[float, float, float]],
    trips: dict[str, float],
    seconds: dict[str, list[float]],
    scores: dict[str, set[float]],
) -> str:
    reference = statistics.median(seconds["in-process"])
    lines = [
        "# Sandbox overhead",
        "",
        f"`python benchmarks/sandbox_overhead.py --seed {args.seed} --repeats {args.repeats} "
        f"--round-trips {args.round_trips}{' --out ' + str(args.out) if args.out else ''}`",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load_average:.1f} at the start. Image `{tag}`.",
        f"Evaluation: `{args.seed}` on {data_name} ({conversations} conversations, {operations} operations, "
        f"offline agent, a fresh memory per conversation), median of {args.repeats} interleaved repeats.",
        "",
        "| backend | cold session start | start from the spare | start reusing the program's sandbox | "
        "median round trip | evaluation (median / fastest) | vs in-process | fixed cost per evaluation | "
        "score |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in seconds:
        median = statistics.median(seconds[name])
        cold, spare, reused = starts[name]
        score = ", ".join(f"{value:.4f}" for value in sorted(scores[name]))
        lines.append(
            f"| {name} | {cold * 1000:.0f} ms | {spare * 1000:.1f} ms | {reused * 1000:.1f} ms | "
            f"{trips[name] * 1e3:.3f} ms | {median:.2f} s / {min(seconds[name]):.2f} s | "
            f"{median / reference:.2f}x | "
            f"{(median - reference) * 1000:+.0f} ms | {score} |"
        )
    lines += [
        "",
        f"Load average at the end: {os.getloadavg()[0]:.1f}.",
        "",
        "Round trip: host-measured seconds of a read() whose body does nothing (request out, reply back).",
        "In-process it is the cost of the call itself, so the difference is what the sandbox adds.",
        "All evaluations, sandboxed or not, gave the score shown (one value means identical every time).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
