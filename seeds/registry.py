"""The seed registry: every seed memory program, with the published system it re-implements.

Seeds are memory programs (source files in this folder), not modules of mnemoforge: they are read as
text and run like any evolved program. This registry is the one list of them; `mnemoforge seeds list`
shows it and evolution starts from it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sandbox.contract import declared_requires


class UnknownSeedError(KeyError):
    """No seed has that name."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Seed:
    """A seed program and its provenance; `requires` and `summary` are read from its source."""

    name: str
    reimplements: str
    reference: str

    @property
    def source(self) -> str:
        return _read_source(self.name)

    @property
    def summary(self) -> str:
        docstring = ast.get_docstring(ast.parse(self.source)) or ""
        return docstring.split("\n", 1)[0].strip()

    @property
    def requires(self) -> tuple[str, ...]:
        return declared_requires(self.source)


SEEDS: tuple[Seed, ...] = (
    Seed(
        "bm25_turns",
        "BM25 turn retrieval (LoCoMo / LongMemEval baseline)",
        "Maharana et al. 2024; Wu et al. 2025",
    ),
    Seed("vector_rag", "Vector RAG over chunked raw text (M★ vector-search seed)", "Lewis et al. 2020"),
    Seed("dual_memory", "SoulSpeak dual short/long-term memory with privacy redaction", "SoulSpeak 2024"),
    Seed("mixture_of_memories", "MoM: routed independent memories with a shared memory", "Du et al. 2025"),
    Seed("main_side_router", "WISE: main memory, side memory of edits, a router", "Wang et al. 2024"),
    Seed("eidetic_fading", "B'MOJO: eidetic window, fading state, innovation storage", "Zancato et al. 2024"),
    Seed("memcube", "MemOS MemCubes: provenance, versions, lifecycle, access policy", "Li et al. 2025"),
    Seed(
        "static_dynamic",
        "Mem4D / Dual Memory Networks: static and dynamic memories",
        "Cai et al. 2025; Zhang et al. 2024",
    ),
    Seed(
        "tiered_os",
        "Letta (MemGPT) core/recall/archival with MemoryOS heat tiers",
        "Packer et al. 2023; Kang et al. 2025",
    ),
    Seed("temporal_kg", "Zep / Graphiti bi-temporal knowledge graph", "Rasmussen et al. 2025"),
    Seed(
        "experience_learner",
        "ExpeL insights and AWM workflows from trajectories",
        "Zhao et al. 2024; Wang et al. 2024",
    ),
    Seed("dual_process", "D-Mem: fast vector retrieval, quality gate, full deliberation", "You et al. 2026"),
    Seed("hybrid_granular", "HyMem: summary tier and raw tier, scheduled by complexity", "Zhao et al. 2026"),
    Seed(
        "temporal_tree",
        "MemTree / MemForest hierarchical temporal index, collapsed retrieval",
        "Rezazadeh et al. 2024; Chen et al. 2026",
    ),
    Seed("multi_channel", "SuperLocalMemory: RRF-fused channels, Ebbinghaus forgetting", "Bhardwaj 2026"),
    Seed("layered_cognitive", "ZenBrain: layered memory with sleep consolidation and routing", "Bering 2026"),
    Seed(
        "fact_manager",
        "Mem0 / Memory-R2: facts with ADD/UPDATE/DELETE/NOOP and history",
        "Chhikara et al. 2025; Yan et al. 2025",
    ),
    Seed("zettelkasten", "A-Mem: linked notes with keywords, tags, context, evolution", "Xu et al. 2025"),
)


def get_seed(name: str) -> Seed:
    for seed in SEEDS:
        if seed.name == name:
            return seed
    known = ", ".join(s.name for s in SEEDS)
    raise UnknownSeedError(f"there is no seed named {name!r}; known seeds: {known}")


@cache
def _read_source(name: str) -> str:
    return resources.files("seeds").joinpath(f"{name}.py").read_text(encoding="utf-8")
