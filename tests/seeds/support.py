"""What the seed tests share: the seeds of each part, an offline agent, a seed with constants overridden."""

from __future__ import annotations

import re

from evaluators.conversation.offline_agent import OfflineAgent
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds import get_seed

PART_A = (
    "dual_process",
    "hybrid_granular",
    "temporal_tree",
    "multi_channel",
    "layered_cognitive",
    "fact_manager",
    "zettelkasten",
)
PART_B = (
    "mixture_of_memories",
    "main_side_router",
    "eidetic_fading",
    "memcube",
    "static_dynamic",
    "tiered_os",
    "temporal_kg",
    "experience_learner",
)
NEED_AN_LLM = (set(PART_A) - {"multi_channel"}) | {"tiered_os", "temporal_kg", "experience_learner"}
"""multi_channel: SuperLocalMemory's mode A is LLM-free by design."""
AGENT = OfflineAgent()


def open_seed(name: str, llm=None, **constants: object) -> InProcessSession:
    """A live instance of a seed, with some of its UPPER_CASE constants overridden."""
    source = get_seed(name).source
    for constant, value in constants.items():
        source, count = re.subn(rf"^{constant} = .*$", f"{constant} = {value!r}", source, flags=re.M)
        assert count == 1, constant
    return InProcessSession(source, Capabilities(embed=HashedLexicalEmbedder(), llm=llm))
