"""How much faster an `--agent llm` evaluation runs when an episode overlaps its agent calls.

Target (issue 14): bm25_turns on the LoCoMo dev slice with a 0.5-second model at least 6x faster than
sequential, with identical scores. The model is the local fake server (tests/providers/fake_llm_server.py,
on 127.0.0.1) answering every request after a fixed delay, deterministically (`echoing`: a KnowledgeItem
or Query echoes its text, an answer is the first line of the retrieved memory, so a write or read out of
order would change the scores). "Sequential" is the same evaluation with the client's concurrency limit at 1.
The evaluation is what `mnemoforge eval bm25_turns --agent llm --data locomo:PATH --sandbox inprocess`
runs (the domain's `evaluate`, the LLM agent, the real openai SDK over HTTP), without the display;
the response cache is off, so every call waits for the model.

    python benchmarks/llm_agent_concurrency.py --locomo ../shared/data/locomo/locomo_dev2.json
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from evaluators.conversation import domain
from evaluators.conversation.llm_agent import LLMConversationAgent
from providers.config import LLMSettings
from providers.embedders import HashedLexicalEmbedder
from providers.llm import open_llm, toolkit_backend
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed
from tests.providers.fake_llm_server import FakeLLMServer, echoing

RESULTS = Path(__file__).parent / "results" / "llm_agent_concurrency.md"
TARGET_SPEEDUP = 6.0


def evaluate(model: str, data: str, concurrency: int) -> tuple[float, float, list[str], int]:
    """(seconds, selection score, the answers, model calls) of one evaluation on the whole slice."""
    settings = LLMSettings(cache=False, max_concurrency=concurrency, timeout=60.0)
    client = open_llm(model, settings)
    dataset = domain.load_dataset(data)
    started = time.perf_counter()
    result = domain.evaluate(
        get_seed("bm25_turns").source,
        dataset,
        "all",
        LLMConversationAgent(client),
        InProcessSession,
        Capabilities(embed=HashedLexicalEmbedder(), llm=toolkit_backend(client)),
    )
    seconds = time.perf_counter() - started
    assert result.ok, result.failure_message
    return seconds, result.score, [case.output for case in result.cases], client.ledger.totals().calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locomo", required=True, help="path of the LoCoMo dev slice (locomo_dev2.json)")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the fake model takes per call")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 16])
    args = parser.parse_args()
    rows = []
    with FakeLLMServer(reply=echoing(args.latency)) as server:
        model = f"openai-compatible:{server.openai_url}:fake-model"
        for concurrency in args.concurrency:
            server.max_in_flight = 0
            seconds, score, answers, calls = evaluate(model, f"locomo:{args.locomo}", concurrency)
            rows.append((concurrency, seconds, score, answers, calls, server.max_in_flight))
            print(
                f"concurrency {concurrency:>3}: {seconds:7.1f} s, score {score:.4f}, {calls} calls, "
                f"at most {server.max_in_flight} in flight",
                flush=True,
            )
    base_seconds, base_score, base_answers = rows[0][1], rows[0][2], rows[0][3]
    lines = [
        "# The LLM agent's calls overlapped inside an evaluation",
        "",
        "Command: `python benchmarks/llm_agent_concurrency.py "
        "--locomo ../shared/data/locomo/locomo_dev2.json "
        f"--latency {args.latency:g} --concurrency {' '.join(map(str, args.concurrency))}`",
        f"Machine: {os.cpu_count()} cores shared with other agents' work, "
        f"Python {platform.python_version()}; "
        f"bm25_turns on the whole LoCoMo dev slice (2 conversations, 38 sessions, 304 questions), "
        f"in-process sandbox, a fake model on 127.0.0.1 answering after {args.latency:g} s; one run each "
        "(latency-bound: the waiting, not the CPU, is measured).",
        "",
        "| concurrency limit | seconds | speed-up | selection score | answers identical | model calls | "
        "most in flight |",
        "|---:|---:|---:|---:|---|---:|---:|",
    ]
    for concurrency, seconds, score, answers, calls, most in rows:
        lines.append(
            f"| {concurrency} | {seconds:.1f} | {base_seconds / seconds:.2f}x | {score:.4f} | "
            f"{'yes' if answers == base_answers and score == base_score else 'NO'} | {calls} | {most} |"
        )
    lines += ["", f"Target: at least {TARGET_SPEEDUP:g}x faster than sequential with identical scores."]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
