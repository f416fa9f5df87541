"""The offline structural mutator: numbers it may change and how, crossover with dependencies, validity,
determinism, and that greedy search with it improves a deliberately mistuned program."""

from __future__ import annotations

import ast
import difflib
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from evaluators.conversation.domain import evaluate, load_dataset
from evaluators.conversation.offline_agent import OfflineAgent
from evolve.mutators.crossover import Part, transplant
from evolve.mutators.numeric import number_sites, perturb_number
from evolve.mutators.program_text import ProgramText
from evolve.mutators.smoke import smoke_run
from evolve.mutators.structural import TUNING_OPERATORS, Mutation, StructuralMutator
from providers.embedders import HashedLexicalEmbedder
from sandbox.contract import load_program
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import SEEDS, get_seed
from tests.programs import MSTAR_VECTOR_SEARCH

REPO = Path(__file__).resolve().parents[2]

_HEADER = """
from dataclasses import dataclass, field

INSTRUCTION_KNOWLEDGE_ITEM = "Copy the session."
INSTRUCTION_QUERY = "Copy the question."
INSTRUCTION_RESPONSE = "Answer from the notes."
ALWAYS_ON_KNOWLEDGE = ""
"""
_SCHEMAS = """

@dataclass
class KnowledgeItem:
    session_date: str = field(default="", metadata={"description": "The date"})


@dataclass
class Query:
    text: str = field(metadata={"description": "The question"})
"""
_NOTES_CLASS = """

class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.notes = []

    def write(self, item, raw_text):
        self.notes.extend(line for line in raw_text.splitlines()[1:] if line.strip())

    def read(self, query):
        return "\\n".join(self.notes)
"""

PLAIN = dedent(_HEADER + _SCHEMAS + _NOTES_CLASS)
"""No tunable constant and no literal worth changing: nothing the mutator may touch on its own."""

TUNED = dedent(
    _HEADER
    + """
LIMIT = 4  # how many notes read() returns
SCALE = 0.5
STRICT = False
"""
    + _SCHEMAS
    + """

class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.notes = []

    def write(self, item, raw_text):
        self.notes.extend(line for line in raw_text.splitlines()[1:] if line.strip())

    def read(self, query):
        kept = self.notes[-LIMIT:] if not STRICT else self.notes[-1:]
        return "\\n".join(kept)[: int(3000 * SCALE) + 1500]
"""
)

KEYWORD_DONOR = dedent(
    _HEADER.replace("import dataclass, field", "import dataclass, field\nimport re")
    + """
MIN_SHARED = 2

_WORD = re.compile(r"[a-z]+")
"""
    + _SCHEMAS
    + """

def shared_words(note, words):
    return len(set(_WORD.findall(note.lower())) & words)


class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.notes = []

    def write(self, item, raw_text):
        self.notes.extend(line for line in raw_text.splitlines()[1:] if line.strip())

    def read(self, query):
        words = set(_WORD.findall(query.text.lower()))
        return "KEYWORDS\\n" + "\\n".join(n for n in self.notes if shared_words(n, words) >= MIN_SHARED)
"""
)
"""A donor whose `read` needs an import, a regex constant, a tunable and a helper the child lacks."""

INDEXED_DONOR = dedent(
    _HEADER
    + _SCHEMAS
    + """

class KnowledgeBase:
    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.by_word = {}

    def write(self, item, raw_text):
        for line in raw_text.splitlines()[1:]:
            for word in line.lower().split():
                self.by_word.setdefault(word, []).append(line)

    def read(self, query):
        found = [line for word in query.text.lower().split() for line in self.by_word.get(word, [])]
        return "INDEXED\\n" + "\\n".join(dict.fromkeys(found))
"""
)
"""A donor whose `read` reads `self.by_word`, which only its own `__init__` and `write` maintain."""

TWO_FIELD_QUERY = PLAIN.replace(
    '    text: str = field(metadata={"description": "The question"})',
    '    words: str = field(metadata={"description": "Key words"})\n'
    '    speaker: str = field(default="", metadata={"description": "Who"})',
)

SESSIONS = (
    "[s1 | 8 May, 2023]\nMaya: My cat Pixel sleeps all day.\nLeo: Pixel is a lazy cat indeed.",
    "[s2 | 9 May, 2023]\nLeo: I bake sourdough bread.\nMaya: Bread every morning?",
)


def run_read(source: str, question: str) -> str:
    session = InProcessSession(source, Capabilities(embed=HashedLexicalEmbedder()))
    for raw in SESSIONS:
        session.write({"session_date": raw[5:16]}, raw)
    fields = session.description.query_schema["properties"]
    return session.read(dict.fromkeys(fields, question))[0]


def module_values(source: str, names: tuple[str, ...]) -> dict[str, object]:
    module = load_program(source).module
    return {name: getattr(module, name) for name in names}


def test_perturbed_numbers_keep_their_type_and_sign_and_always_change():
    rng = random.Random(0)
    for value in (1, 2, 3, 8, 30, 3000, -4, 0, 0.75, 0.05, 1.2, 2.5, -0.3, 0.0, True, False):
        for _ in range(200):
            new = perturb_number(value, rng)
            assert type(new) is type(value) and new != value, (value, new)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                assert new >= 1
            if value < 0:
                assert new < 0
            if isinstance(value, float) and 0 < value < 1:
                assert 0 < new <= 1


def test_constant_perturbation_changes_only_the_named_constants_and_keeps_their_types():
    names = ("LIMIT", "SCALE", "STRICT")
    original = module_values(TUNED, names)
    seen: set[str] = set()
    for seed in range(30):
        mutation = StructuralMutator(random.Random(seed), operators=TUNING_OPERATORS).mutate(TUNED, "parent")
        assert mutation is not None
        values = module_values(mutation.source, names)
        changed = {n for n in names if values[n] != original[n]}
        named = {change.split()[0] for change in mutation.changes if change.split()[0] in names}
        assert changed == named
        for name in names:
            assert type(values[name]) is type(original[name])
        seen |= changed
    assert seen == set(names)


def test_a_constant_change_leaves_every_other_line_and_comment_as_it_was():
    for seed in range(20):
        mutation = StructuralMutator(random.Random(seed), operators=TUNING_OPERATORS).mutate(TUNED, "parent")
        assert mutation is not None
        diff = [
            line
            for line in difflib.unified_diff(
                TUNED.splitlines(), mutation.source.splitlines(), n=0, lineterm=""
            )
            if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
        ]
        assert len(diff) == 2 * len({line[1:].split("=")[0] for line in diff if line.startswith("-")})
        if any("LIMIT" in change for change in mutation.changes):
            assert "  # how many notes read() returns" in mutation.source


def test_code_literals_are_sizes_and_thresholds_not_indices_range_bounds_or_fstrings():
    source = PLAIN.replace(
        '        return "\\n".join(self.notes)',
        "        lines = [self.notes[2] for _ in range(0, 10)] if len(self.notes) > 5 else []\n"
        '        label = "★ score " + f"{len(lines):.2f}"\n'
        '        return label + "\\n".join(self.notes[-3:])[: int(len(lines) * 0.5) + 700]',
    )
    literals = [(site.value, site.label) for site in number_sites(ProgramText(source)) if not site.tunable]
    assert literals == [(v, "KnowledgeBase.read") for v in (5, 3, 0.5, 700)]
    for seed in range(10):
        mutation = StructuralMutator(random.Random(seed), operators=TUNING_OPERATORS).mutate(source, "parent")
        assert mutation is not None and "★ score" in mutation.source
        assert "self.notes[2]" in mutation.source and "range(0, 10)" in mutation.source


def test_crossover_transplants_a_method_with_the_helpers_constants_and_imports_it_needs():
    child, donor = ProgramText(PLAIN), ProgramText(KEYWORD_DONOR)
    made = transplant(child, donor, "donor", Part("method", "read"))
    assert made is not None
    source, description = made
    assert description == "KnowledgeBase.read; brings MIN_SHARED, _WORD, shared_words, re from donor"
    new = ProgramText(source)
    assert ast.dump(new.methods()["read"]) == ast.dump(donor.methods()["read"])
    assert ast.dump(new.methods()["write"]) == ast.dump(child.methods()["write"])
    assert "import re\n" in source and "def shared_words(" in source
    assert (
        run_read(source, "cat Pixel")
        == "KEYWORDS\nMaya: My cat Pixel sleeps all day.\nLeo: Pixel is a lazy cat indeed."
    )
    assert run_read(PLAIN, "cat Pixel").startswith("Maya: My cat")


def test_the_mutator_recombines_when_other_programs_differ_and_names_the_donor():
    mutator = StructuralMutator(random.Random(3), operators=TUNING_OPERATORS)
    mutation = mutator.mutate(PLAIN, "parent", others=[("donor", KEYWORD_DONOR)])
    assert mutation is not None
    assert mutation.parent_ids == ("parent", "donor")
    assert mutation.mutator == "structural:recombine"
    assert mutation.changes[0].startswith("KnowledgeBase.read") and mutation.changes[0].endswith("from donor")
    assert mutation.commit_message == "; ".join(mutation.changes)
    assert run_read(mutation.source, "cat Pixel").startswith("KEYWORDS")


def test_crossover_takes_the_methods_that_set_the_attributes_a_transplanted_method_reads():
    made = transplant(ProgramText(PLAIN), ProgramText(INDEXED_DONOR), "donor", Part("method", "read"))
    assert made is not None
    source, description = made
    assert description.startswith("KnowledgeBase class (all of read, __init__, write)")
    assert run_read(source, "sourdough") == "INDEXED\nLeo: I bake sourdough bread."


def test_crossover_refuses_a_method_reading_a_query_field_the_child_does_not_have():
    child = ProgramText(
        TWO_FIELD_QUERY.replace("(self.notes)", "([n for n in self.notes if query.words in n])")
    )
    assert transplant(child, ProgramText(KEYWORD_DONOR), "donor", Part("method", "read")) is None


def test_crossover_reads_a_one_field_query_under_the_childs_field_name():
    child, donor = ProgramText(get_seed("bm25_turns").source), ProgramText(get_seed("vector_rag").source)
    made = transplant(child, donor, "vector_rag", Part("method", "read"))
    assert made is not None
    source, description = made
    assert (
        "reads Query.text as Query.query" in description
        and "brings CHUNK_TURNS, CHUNK_OVERLAP" in description
    )
    assert "query.query" in ProgramText(source).segment(ProgramText(source).methods()["read"])
    assert smoke_run(source).ok


FIRST_SEEDS = ("bm25_turns", "vector_rag", "dual_memory")
"""A fixed set of seeds for the tests that need the same programs whatever seeds get added."""


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_every_child_passes_the_contract_and_smokes_like_its_parent_and_differs_from_it(seed):
    names = [s.name for s in SEEDS]
    # A few other seeds as donors (the neighbours in the registry) keep the test quick as seeds are added.
    neighbours = [names[(names.index(seed) + step) % len(names)] for step in (1, 2, 5)]
    others = [(n, get_seed(n).source) for n in dict.fromkeys(neighbours) if n != seed]
    others += [("mstar", MSTAR_VECTOR_SEARCH), ("tuned", TUNED)]
    parent = get_seed(seed).source
    parent_smoke = smoke_run(parent)
    for rng_seed in range(5):
        mutation = StructuralMutator(random.Random(rng_seed)).mutate(parent, seed, others)
        assert isinstance(mutation, Mutation)
        load_program(mutation.source)
        child_smoke = smoke_run(mutation.source)
        assert child_smoke.ok or (not parent_smoke.ok and child_smoke.reason == parent_smoke.reason)
        assert ast.dump(ProgramText(mutation.source).tree) != ast.dump(ProgramText(parent).tree)
        assert mutation.parent_ids[0] == seed and len(mutation.changes) >= 1


def test_a_program_with_nothing_to_tune_and_no_other_program_gives_none_from_tuning():
    tuning = {"operators": TUNING_OPERATORS, "max_attempts": 5}
    assert StructuralMutator(random.Random(0), **tuning).mutate(PLAIN, "plain") is None
    assert StructuralMutator(random.Random(0), **tuning).mutate(PLAIN, "a", [("b", PLAIN)]) is None
    assert StructuralMutator(random.Random(0)).mutate("def broken(:\n", "x") is None


def test_a_child_that_crashes_or_hangs_is_never_returned():
    def guarded(statement: str) -> str:
        return TUNED.replace(
            "    def read(self, query):\n", f"    def read(self, query):\n        {statement}\n"
        )

    # Any change of LIMIT makes the first crash and the second hang; other changes are harmless.
    crashing, hanging = guarded('assert LIMIT == len("four")'), guarded('while LIMIT != len("four"): pass')
    assert smoke_run(crashing.replace("LIMIT = 4", "LIMIT = 5")).reason == "crash"
    assert smoke_run(hanging.replace("LIMIT = 4", "LIMIT = 5"), seconds=0.5).reason == "timeout"
    for parent in (crashing, hanging):
        for seed in range(8):
            mutation = StructuralMutator(random.Random(seed), smoke_seconds=0.5).mutate(parent, "p")
            assert mutation is not None and "LIMIT = 4" in mutation.source
            assert smoke_run(mutation.source).ok


def test_a_parent_that_needs_an_llm_still_gets_children_offline():
    needs_llm = TUNED.replace(
        "    def write(self, item, raw_text):\n",
        "    def write(self, item, raw_text):\n        self.toolkit.llm(raw_text[:LIMIT * 100])\n",
    ).replace('ALWAYS_ON_KNOWLEDGE = ""', 'ALWAYS_ON_KNOWLEDGE = ""\nREQUIRES = ("llm",)')
    assert smoke_run(needs_llm).reason == "llm_unavailable"
    mutation = StructuralMutator(random.Random(0)).mutate(needs_llm, "p")
    assert mutation is not None and "self.toolkit.llm(" in mutation.source
    answer = lambda prompt, system, max_tokens: "ok"  # noqa: E731
    assert smoke_run(mutation.source, Capabilities(embed=HashedLexicalEmbedder(), llm=answer)).ok


def test_the_same_random_state_and_inputs_give_the_same_children():
    others = [(name, get_seed(name).source) for name in FIRST_SEEDS if name != "bm25_turns"]
    parent = get_seed("bm25_turns").source

    def children(seed: int) -> list[Mutation | None]:
        mutator = StructuralMutator(random.Random(seed))
        return [mutator.mutate(parent, "bm25_turns", others) for _ in range(8)]

    assert children(11) == children(11)
    assert children(11) != children(12)


def test_children_do_not_depend_on_the_process_hash_seed():
    script = dedent(
        """
        import hashlib, random
        from evolve.mutators.structural import StructuralMutator
        from seeds.registry import get_seed
        programs = [(name, get_seed(name).source) for name in ("bm25_turns", "vector_rag", "dual_memory")]
        mutator = StructuralMutator(random.Random(5))
        out = [mutator.mutate(p, n, [o for o in programs if o[0] != n]) for n, p in programs * 3]
        print(hashlib.sha256(repr(out).encode()).hexdigest())
        """
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env=os.environ | {"PYTHONHASHSEED": str(hash_seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in (1, 2)
    }
    assert len(digests) == 1


def test_greedy_search_with_the_mutator_improves_a_mistuned_program():
    dataset = load_dataset("synthetic:conversations=2")
    capabilities = Capabilities(embed=HashedLexicalEmbedder())

    def score(source: str) -> float:
        result = evaluate(source, dataset, "all", OfflineAgent(), InProcessSession, capabilities)
        assert result.ok
        return result.score

    parent = re.sub(r"^TOP_K = 30$", "TOP_K = 2", get_seed("bm25_turns").source, flags=re.M)
    parent_score = score(parent)
    best, best_score = parent, parent_score
    mutator = StructuralMutator(random.Random(0), operators=TUNING_OPERATORS)  # a mistuning is tuning's job
    for step in range(30):
        mutation = mutator.mutate(best, f"step-{step}")
        assert mutation is not None
        child_score = score(mutation.source)
        if child_score > best_score:
            best, best_score = mutation.source, child_score
        if best_score >= parent_score + 0.01:
            break
    assert best_score >= parent_score + 0.01, (parent_score, best_score)
