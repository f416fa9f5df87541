"""Query expansion: add to the question the words that co-occur with its words in the stored turns.

Real questions rarely reuse the words their evidence was said in ("What does she do for a living?" vs
"I started at the bakery"). Words that often share a turn with the question's words in this very store
bridge part of that gap without any model: the wrapper indexes every turn's words and, before the
program's own `read`, appends the EXPANSION_TERMS best such words (among the first EXPANSION_POOL turns
holding each question word, weighted by rarity) to the query's question field.
"""

from __future__ import annotations

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import ledger_wrapper, wrap
from evolve.mutators.program_text import ProgramText

NAME = "query_expansion"
WRAPPER = ledger_wrapper(
    "asked with the question plus words that co-occur with its words in the store",
    """
    return self.inner.read(_expanded_query(query, self.ledger, EXPANSION_TERMS, EXPANSION_POOL))
    """,
)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    terms = context.rng.choice((2, 3, 5))
    source = wrap(
        program,
        {"EXPANSION_TERMS": str(terms), "EXPANSION_POOL": "40"},
        {"_TurnLedger", "_expanded_query"},
        WRAPPER,
    )
    if source is None:
        return None
    return Behaviour(
        source, f"query_expansion: {terms} words that co-occur with the question's are added to it"
    )
