"""What an exported package's smoke test writes and asks, per domain.

Each sample is a few texts in the domain's own `raw_text` format, one question, and a string that only
one text holds, so a memory that stores and retrieves at all returns it. Every seed passes each sample
(tests/browse check this), so a failure means the export or the program broke, not the bar.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SmokeSample:
    description: str
    texts: tuple[str, ...]
    question: str
    expected: str


CONVERSATION = SmokeSample(
    description="Two dated conversation sessions, written as mnemoforge's conversation domain writes them.",
    texts=(
        "[session_1 | 8 May 2023]\n"
        "Maya: I finally adopted a cat last weekend, a grey tabby called Pickles.\n"
        "Leo: That's lovely! How is your new job at the bakery going?\n"
        "Maya: Busy but fun. I bake sourdough every morning at five.\n"
        "Leo: I went hiking in the Alps with my brother last month.",
        "[session_2 | 20 May 2023]\n"
        "Leo: I just moved to Lisbon for my new job at a design studio.\n"
        "Maya: Congratulations! Pickles knocked a vase off the shelf yesterday.\n"
        "Leo: Ha, cats. My sister Ana is visiting me next week.\n"
        "Maya: I'm learning to play the cello in the evenings.",
    ),
    question="Which city did Leo move to?",
    expected="Lisbon",
)

PLANNING = SmokeSample(
    description="Two household task trajectories, written as mnemoforge's planning domain writes them.",
    texts=(
        "Task: put a clean mug in coffeemachine.\n"
        "> go to countertop 2\n"
        "On the countertop 2, you see a mug 1, a bread 1, and a knife 2.\n"
        "> take mug 1 from countertop 2\n"
        "You pick up the mug 1 from the countertop 2.\n"
        "> clean mug 1 with sinkbasin 1\n"
        "You clean the mug 1 using the sinkbasin 1.\n"
        "> put mug 1 in/on coffeemachine 1\n"
        "You put the mug 1 in/on the coffeemachine 1.\n"
        "Outcome: success in 4 steps.",
        "Task: put some apple in fridge.\n"
        "> go to diningtable 1\n"
        "On the diningtable 1, you see an apple 2, a plate 1.\n"
        "> take apple 2 from diningtable 1\n"
        "You pick up the apple 2 from the diningtable 1.\n"
        "> put apple 2 in/on fridge 1\n"
        "You put the apple 2 in/on the fridge 1.\n"
        "Outcome: success in 3 steps.",
    ),
    question="put a mug in cabinet.",
    expected="mug 1",
)

SAMPLES = {"conversation": CONVERSATION, "planning": PLANNING}


def sample_for(domain: str) -> SmokeSample:
    """The domain's sample; the conversation one for a domain without its own (any memory stores text)."""
    return SAMPLES.get(domain, CONVERSATION)
