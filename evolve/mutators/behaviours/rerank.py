"""Re-rank: order what the program's `read` returns by its own order fused with a second signal.

A memory's own ranking decides which lines survive the host's read cap and which come first (an agent
reads the top first). A second, independent signal often knows what the first missed: BM25 against the
question (for an embedding or a structured memory), recency (later sessions first, for facts that
change), or entity overlap (the question's names). The two orders are merged by reciprocal rank with
RERANK_WEIGHT for the second, so the change is graded, not a replacement, and tunable.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "rerank"
SIGNALS = ("bm25", "recency", "entity")
WRAPPER = ledger_wrapper(
    "its output re-ranked by {signal} as a second signal (reciprocal-rank fusion)",
    """
    text = self.inner.read(query)
    return _reranked(text, query, self.ledger, "{signal}", RERANK_WEIGHT, RERANK_RRF_K, RERANK_READ_CHARS)
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    signal = context.rng.choice(SIGNALS)
    constants = {"RERANK_WEIGHT": "1.0", "RERANK_RRF_K": "10", "RERANK_READ_CHARS": str(context.read_chars)}
    wrapper = WRAPPER.replace("{signal}", signal)
    source = wrap(program, constants, {"_TurnLedger", "_reranked"}, wrapper)
    if source is None:
        return None
    return Behaviour(source, f"rerank: read() output re-ranked with {signal} as a second signal")
