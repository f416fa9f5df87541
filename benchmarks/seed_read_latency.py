"""How long each seed's read() takes with 5,000 stored turns: median and 95th percentile.

Target (seed library issue): median under 50 ms for every seed without an LLM in its read path. Each seed
runs in-process with the hashed embedder and the offline agent, as `mnemoforge eval` does, and stores one
synthetic conversation of 250 sessions of 20 turns (5,000 turns, dated over several years); then it answers
the conversation's questions REPEATS times and every read() is timed on the host. Seeds run their offline
path here; whether a seed calls the LLM when reading is measured separately, with a counting stand-in LLM
on a small memory, and shown in the table (those seeds' real read latency adds the LLM's). Results go to
benchmarks/results/seed_read_latency.md.

    python benchmarks/seed_read_latency.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from evaluators.conversation.data import Conversation, format_session
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.conversation.synthetic import generate_dataset
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import SEEDS

RESULTS = Path(__file__).parent / "results" / "seed_read_latency.md"
TARGET_MEDIAN_MS = 50.0
STORED_SESSIONS = 250
TURNS_PER_SESSION = 20


def fill(conversation: Conversation, session: InProcessSession, sessions: int | None = None) -> float:
    """Write the conversation's sessions (the first `sessions` of them); the seconds it took."""
    agent = OfflineAgent()
    started = time.perf_counter()
    for conversation_session in conversation.sessions[:sessions]:
        raw_text = format_session(conversation_session)
        session.write(agent.fill_item(session.description, raw_text), raw_text)
        session.drain_logs()
    return time.perf_counter() - started


def read_latencies(source: str, conversation: Conversation, repeats: int) -> tuple[list[float], float]:
    """(seconds of every read, seconds of all writes) on a memory holding the whole conversation."""
    session = InProcessSession(source, Capabilities(embed=HashedLexicalEmbedder()))
    agent = OfflineAgent()
    try:
        write_seconds = fill(conversation, session)
        seconds = []
        for _ in range(repeats):
            for question in conversation.questions:
                _, stats = session.read(
                    agent.fill_query(session.description, question.question, question.date)
                )
                session.drain_logs()
                seconds.append(stats.seconds)
        return seconds, write_seconds
    finally:
        session.close()


def reads_call_llm(source: str, conversation: Conversation) -> bool:
    """Whether read() calls the LLM when one is configured, on a memory of the first 10 sessions."""
    session = InProcessSession(
        source, Capabilities(embed=HashedLexicalEmbedder(), llm=lambda prompt, system, max_tokens: "[]")
    )
    agent = OfflineAgent()
    try:
        fill(conversation, session, sessions=10)
        calls = 0
        for question in conversation.questions[:10]:
            _, stats = session.read(agent.fill_query(session.description, question.question, question.date))
            calls += stats.llm_calls
        return calls > 0
    finally:
        session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="times each question is asked")
    parser.add_argument(
        "--seeds", nargs="*", help="only these seeds, printed and not recorded (default: all)"
    )
    args = parser.parse_args()
    conversation = generate_dataset(
        seed=0,
        conversations=1,
        sessions=(STORED_SESSIONS, STORED_SESSIONS),
        turns_per_session=(TURNS_PER_SESSION, TURNS_PER_SESSION),
    ).conversations[0]
    turns = sum(len(s.turns) for s in conversation.sessions)
    load = os.getloadavg()[0]  # other work on the machine inflates every number below
    rows = []
    for seed in SEEDS:
        if args.seeds and seed.name not in args.seeds:
            continue
        seconds, write_seconds = read_latencies(seed.source, conversation, args.repeats)
        median = statistics.median(seconds) * 1000
        p95 = statistics.quantiles(seconds, n=20)[-1] * 1000
        llm_read = reads_call_llm(seed.source, conversation)
        rows.append((seed.name, llm_read, median, p95, write_seconds))
        print(
            f"{seed.name:<22} median {median:7.1f} ms  p95 {p95:7.1f} ms  writes {write_seconds:6.1f} s",
            flush=True,
        )
    if args.seeds:
        return  # a partial run is printed, not recorded
    lines = [
        f"# read() latency per seed with {turns:,} stored turns",
        "",
        "Command: `python benchmarks/seed_read_latency.py"
        + (f" --repeats {args.repeats}`" if args.repeats != 3 else "`"),
        f"Machine: {os.cpu_count()} cores (load average {load:.1f} at the start), Python "
        f"{platform.python_version()}, {platform.machine()}. "
        f"In-process, hashed embedder, offline path; {len(conversation.questions)} questions asked "
        f"{args.repeats} times ({len(conversation.questions) * args.repeats} reads per seed). Target: median "
        f"< {TARGET_MEDIAN_MS:.0f} ms for seeds without an LLM in their read path; for the others the LLM's "
        "own latency comes on top.",
        "",
        "| seed | LLM in read path | median ms | p95 ms | writing all turns (s) | median within target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, llm_read, median, p95, write_seconds in rows:
        verdict = "n/a (LLM)" if llm_read else ("yes" if median < TARGET_MEDIAN_MS else "NO")
        llm = "yes" if llm_read else "no"
        lines.append(f"| {name} | {llm} | {median:.1f} | {p95:.1f} | {write_seconds:.1f} | {verdict} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
