"""Behavioural operators: named code transformations that change what a memory does, not its constants.

Each has its own module saying what it does and why it can help; each returns a `Behaviour` (the child's
source and one sentence for its commit message) or None where the parent's structure does not allow it.
Most wrap the program's `KnowledgeBase` (`wrapping.py`), which works on every program; the code they add
comes from `runtime.py`.
"""

from evolve.mutators.behaviours import (
    dates,
    fusion,
    neighbours,
    packing,
    places,
    query_expansion,
    rerank,
    sessions,
    speaker,
)
from evolve.mutators.behaviours.base import Operator

BEHAVIOURS: dict[str, Operator] = {
    neighbours.NAME: neighbours.apply,
    dates.NAME: dates.apply,
    rerank.NAME: rerank.apply,
    query_expansion.NAME: query_expansion.apply,
    fusion.NAME: fusion.apply,
    sessions.NAME: sessions.apply,
    packing.NAME: packing.apply,
    speaker.NAME: speaker.apply,
    places.NAME: places.apply,
}
"""Operator name -> operator, in the order they were added."""
