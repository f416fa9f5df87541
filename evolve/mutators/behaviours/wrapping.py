"""Wrapping a program's memory: the robust way to change what it does, whatever its internals are.

The program's `KnowledgeBase` is renamed (`_Memory`, then `_Memory2` when wrapped again) and a new
`KnowledgeBase` holds it, passes every write on, and post-processes what its `read` returns (or the query
it is given). Every program has a `KnowledgeBase`, so a wrapper applies to every program; the wrapped code
is left exactly as it was, so the diff to the parent is the behaviour added, and nothing more.

The wrapper's tunables become UPPER_CASE constants of the child (found and tuned by the numeric mutator
afterwards), and the helpers it calls are copied from `runtime.py` with the imports they need.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from functools import lru_cache
from pathlib import Path

from evolve.mutators.crossover import bring_along
from evolve.mutators.program_text import KNOWLEDGE_BASE, ProgramText, apply_edits, drop_docstrings, free_names

RUNTIME = Path(__file__).with_name("runtime.py")
MAX_LAYERS = 4
"""A program wrapped this many times is not wrapped again: each layer costs a store of every turn."""


@lru_cache(maxsize=1)
def runtime_program() -> ProgramText:
    """The helpers' module, parsed once."""
    return ProgramText(RUNTIME.read_text(encoding="utf-8"))


_RECORDING_WRAPPER = '''
class KnowledgeBase:
    """{inner}, <what>."""

    def __init__(self, toolkit):
        self.inner = {inner}(toolkit)
        self.<record> = <record_class>()

    def write(self, item, raw_text):
        self.inner.write(item, raw_text)
        self.<record>.<add>(raw_text)

    def read(self, query):
<read>
'''


def recording_wrapper(what: str, record: str, record_class: str, add: str, read: str) -> str:
    """The wrapper class of a behaviour that keeps its own record of every text written: it passes every
    write on and gives the raw text to `self.<record>.<add>` too (`record` an instance of the runtime class
    `record_class`), and its `read` is `read` (the body of the method, any indentation, using
    `self.inner`, `self.<record>` and `query`). `what` ends its docstring ("{inner}, `what`.")."""
    body = textwrap.indent(textwrap.dedent(read).strip("\n"), " " * 8)
    head, tail = _RECORDING_WRAPPER.split("<read>")
    head = head.replace("<what>", what).replace("<record_class>", record_class)
    return head.replace("<record>", record).replace("<add>", add) + body + tail


def ledger_wrapper(what: str, read: str) -> str:
    """The wrapper class of the behaviours that need to know where and when each turn was said: it keeps
    the turns in a `_TurnLedger` (`self.ledger`); see `recording_wrapper`."""
    return recording_wrapper(what, "ledger", "_TurnLedger", "add_session", read)


def inner_name(program: ProgramText) -> str | None:
    """The name the wrapped `KnowledgeBase` takes: the first free one of _Memory, _Memory2, ...; None when
    the program is already wrapped MAX_LAYERS times."""
    taken = set(program.top_level())
    for layer in range(1, MAX_LAYERS + 1):
        name = "_Memory" if layer == 1 else f"_Memory{layer}"
        if name not in taken:
            return name
    return None


def wrap(
    program: ProgramText, constants: dict[str, str], helpers: set[str], wrapper_class: str
) -> str | None:
    """The child's source: `program` with its KnowledgeBase renamed and held by `wrapper_class` (a class
    definition in which `{inner}` names the wrapped class), `constants` (name -> value text) defined and
    `helpers` brought from the runtime. None when the program has no KnowledgeBase, already defines one
    of the constants (the operator was applied before), holds an older copy of a helper
    (`outdated_helpers`), or a helper would clash with its names."""
    knowledge_base = program.class_def(KNOWLEDGE_BASE)
    inner = inner_name(program)
    if knowledge_base is None or inner is None or set(constants) & set(program.top_level()):
        return None
    if outdated_helpers(program, helpers):
        return None
    brought = bring_along(program, runtime_program(), helpers)
    if brought is None:
        return None
    at = program.definition_insertion_point()
    definitions = "".join(f"{name} = {value}\n" for name, value in constants.items())
    edits = [*_renames(program, knowledge_base, inner), (at, at, definitions + "\n\n"), *brought[0]]
    source = apply_edits(program.source, edits).rstrip("\n")
    return source + "\n\n\n" + wrapper_class.format(inner=inner).strip("\n") + "\n"


def outdated_helpers(program: ProgramText, helpers: set[str]) -> list[str]:
    """The runtime definitions that `helpers` need (they and what they use, transitively) which `program`
    already holds in another form than the runtime's, docstrings and numbers aside (the numeric mutator
    tunes literals). A program keeps its own copy of a helper (`bring_along` adds only what it lacks), so
    a program made by an older runtime would get today's helpers beside its old ones: today's
    `_asked_party_first` beside an old `_TurnLedger` fails at its first read. Such a program (met on
    `--resume` of a run started before a helper changed) is not wrapped by an operator that needs one."""
    held = program.top_level()
    return sorted(
        name
        for name, code in _runtime_closure(frozenset(helpers)).items()
        if name in held and _code_without_numbers(held[name]) != code
    )


@lru_cache(maxsize=64)
def _runtime_closure(helpers: frozenset[str]) -> dict[str, str]:
    """The runtime definitions `helpers` need (they and what they use, transitively; imports aside), each
    as `_code_without_numbers` gives it. Cached: the runtime is the same for every program wrapped."""
    runtime = runtime_program().top_level()
    closure: dict[str, str] = {}
    pending = sorted(helpers)
    while pending:
        name = pending.pop()
        if name in closure or name not in runtime or isinstance(runtime[name], ast.Import | ast.ImportFrom):
            continue
        closure[name] = _code_without_numbers(runtime[name])
        pending.extend(sorted(free_names(runtime[name])))
    return closure


def _code_without_numbers(node: ast.stmt) -> str:
    """`node`'s syntax tree without docstrings, with every number 0: what stays when the numeric mutator
    has tuned it and a docstring was reworded."""
    tree = copy.deepcopy(node)
    drop_docstrings(tree)
    for part in ast.walk(tree):
        if isinstance(part, ast.Constant) and type(part.value) in (int, float):
            part.value = 0
    return ast.dump(tree, include_attributes=False)


def _renames(program: ProgramText, knowledge_base: ast.ClassDef, inner: str) -> list[tuple[int, int, str]]:
    """Edits renaming the class and every reference to it by name."""
    line_start = program.offset(knowledge_base.lineno, knowledge_base.col_offset)
    name_at = program.source.index(KNOWLEDGE_BASE, line_start)
    edits = [(name_at, name_at + len(KNOWLEDGE_BASE), inner)]
    for node in ast.walk(program.tree):
        if isinstance(node, ast.Name) and node.id == KNOWLEDGE_BASE:
            start, end = program.span(node)
            edits.append((start, end, inner))
    return edits
