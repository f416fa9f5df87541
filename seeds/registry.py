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
        for node in ast.parse(self.source).body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "REQUIRES" for t in node.targets
            ):
                return tuple(ast.literal_eval(node.value))
        return ()


SEEDS: tuple[Seed, ...] = (
    Seed(
        "bm25_turns",
        "BM25 turn retrieval (LoCoMo / LongMemEval baseline)",
        "Maharana et al. 2024; Wu et al. 2025",
    ),
    Seed("vector_rag", "Vector RAG over chunked raw text (M★ vector-search seed)", "Lewis et al. 2020"),
    Seed("dual_memory", "SoulSpeak dual short/long-term memory with privacy redaction", "SoulSpeak 2024"),
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
