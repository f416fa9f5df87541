"""Fusion: one memory made of two elites' memories, their retrievals merged by rank, not by text.

Both memories store every session (the second through a toolkit whose vector collections have their own
names); a read asks both (the second with the query converted to its own schema) and merges their
output lines by weighted reciprocal rank: a line both rank high comes first, duplicates (a line whose
words a kept line already holds) are dropped, and FUSION_SECOND_WEIGHT splits the weight, and so the
read budget, between the two. Interleaving two programs' output text does not beat the better parent on
real data (measured); ranking does, when the two find different evidence.

The second memory is the donor module itself with its top-level names renamed (`TOP_K` becomes
`SECOND_TOP_K`, still a tunable; `KnowledgeBase` becomes `_SecondKnowledgeBase`); its instructions are
dropped (the parent's schemas and instructions stay those of the child). Refused when the two cannot
share one sandbox: both use the SQL database, a donor name would clash, or a donor local shadows a
renamed name.
"""

from __future__ import annotations

import ast
import copy

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.behaviours.wrapping import wrap
from evolve.mutators.program_text import (
    KNOWLEDGE_BASE,
    UPPER_CASE,
    ProgramText,
    apply_edits,
    bound_names,
    import_text,
)
from sandbox.contract import INSTRUCTION_NAMES

NAME = "fusion"
DROPPED = frozenset({*INSTRUCTION_NAMES, "COMMIT_MESSAGE", "REQUIRES"})
WRAPPER = '''
class KnowledgeBase:
    """{inner} fused with a second memory (from {donor}): both store every session, and their read()
    lines are merged by reciprocal rank."""

    def __init__(self, toolkit):
        self.inner = {inner}(toolkit)
        self.second = _SecondKnowledgeBase(_SecondToolkit(toolkit))

    def write(self, item, raw_text):
        self.inner.write(item, raw_text)
        self.second.write(_fusion_convert(item, _SecondKnowledgeItem), raw_text)

    def read(self, query):
        first = self.inner.read(query)
        second = self.second.read(_fusion_convert(query, _SecondQuery))
        return _fused_lines(first, second, FUSION_SECOND_WEIGHT, FUSION_RRF_K, FUSION_READ_CHARS)
'''


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    donors = list(context.donors)
    context.rng.shuffle(donors)
    for donor_id, donor in donors:
        made = fuse(program, donor, donor_id, context)
        if made is not None:
            return made
    return None


def fuse(
    program: ProgramText, donor: ProgramText, donor_id: str, context: OperatorContext
) -> Behaviour | None:
    """The child fusing `program` with `donor`, or None when the two cannot share one module."""
    if _uses(program, "db") and _uses(donor, "db"):
        return None
    second = second_module(donor, program)
    if second is None:
        return None
    imports, definitions = second
    weight = context.rng.choice((0.3, 0.5))
    constants = {
        "FUSION_SECOND_WEIGHT": str(weight),
        "FUSION_RRF_K": "10",
        "FUSION_READ_CHARS": str(context.read_chars),
    }
    helpers = {"_fusion_convert", "_SecondToolkit", "_fused_lines"}
    wrapper = WRAPPER.replace("{donor}", donor_id[:12])
    source = wrap(program, constants, helpers, wrapper)
    if source is None:
        return None
    source = _insert_second(source, imports, definitions)
    requires = sorted({*program.requires(), *donor.requires()})
    if requires != sorted(program.requires()):
        source = _with_requires(source, requires)
    description = f"fusion: retrievals of {donor_id[:12]} merged with this memory's by reciprocal rank"
    return Behaviour(source, description, donor_id)


def second_module(donor: ProgramText, program: ProgramText) -> tuple[str, str] | None:
    """The donor's imports that `program` lacks and its other definitions renamed, as code; None when a
    renamed name or an import would clash with one of `program`'s names."""
    taken = program.top_level()
    renames: dict[str, str] = {}
    imports: list[str] = []
    kept: list[ast.stmt] = []
    for node in donor.tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in bound_names(node):
                statement = import_text(node, name)
                mine = taken.get(name)
                if mine is None:
                    imports.append(statement)
                elif (
                    not isinstance(mine, ast.Import | ast.ImportFrom) or import_text(mine, name) != statement
                ):
                    return None
            continue
        names = bound_names(node)
        if set(names) & DROPPED:
            continue
        renames.update({name: _second_name(name) for name in names})
        kept.append(node)
    if set(renames.values()) & set(taken) or _shadowed(kept, set(renames)):
        return None
    tree = ast.Module(body=[_Renamer(renames).visit(copy.deepcopy(node)) for node in kept], type_ignores=[])
    return "".join(dict.fromkeys(imports)), ast.unparse(ast.fix_missing_locations(tree))


def _insert_second(source: str, imports: str, definitions: str) -> str:
    """`source` with the second memory's imports among its imports and its definitions just before the
    fused KnowledgeBase (the last class)."""
    child = ProgramText(source)
    wrapper = child.class_def(KNOWLEDGE_BASE)
    assert wrapper is not None
    at_class = child.line_span(wrapper)[0]
    at_imports = child.import_insertion_point()
    present = set(child.top_level())
    imports = "".join(line + "\n" for line in imports.splitlines() if line.split()[-1] not in present)
    block = "# The second memory, from another elite, its names prefixed.\n" + definitions + "\n\n\n"
    return apply_edits(source, [(at_imports, at_imports, imports), (at_class, at_class, block)])


def _with_requires(source: str, requires: list[str]) -> str:
    child = ProgramText(source)
    line = f"REQUIRES = {tuple(requires)!r}\n"
    node = child.assignment("REQUIRES")
    if node is not None:
        return apply_edits(source, [(*child.line_span(node), line)])
    at = child.definition_insertion_point()
    return apply_edits(source, [(at, at, line)])


def _uses(program: ProgramText, attribute: str) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == attribute for node in ast.walk(program.tree))


def _second_name(name: str) -> str:
    base = name.lstrip("_")
    private = "_" if name.startswith("_") else ""
    if UPPER_CASE.match(base):
        return f"{private}SECOND_{base}"
    if base[:1].isupper():
        return f"_Second{base}"
    return f"_second_{base}"


def _shadowed(nodes: list[ast.stmt], renamed: set[str]) -> bool:
    """Whether a parameter or a class-body name of the donor is also a renamed module name (renaming it
    everywhere would then change what the code means)."""
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.arg) and child.arg in renamed:
                return True
            if isinstance(child, ast.ClassDef):
                for statement in child.body:
                    targets = bound_names(statement) if not isinstance(statement, ast.FunctionDef) else []
                    if set(targets) & renamed:
                        return True
    return False


class _Renamer(ast.NodeTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.renames.get(node.id, node.id)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.renames.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        """The class renamed; its methods keep their names, even one named like a module-level function:
        a method is reached as an attribute (`self._fit`), which no rename touches."""
        methods = {id(s): s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        node.name = self.renames.get(node.name, node.name)
        self.generic_visit(node)
        for statement in node.body:
            if id(statement) in methods:
                statement.name = methods[id(statement)]
        return node

    def visit_Global(self, node: ast.Global) -> ast.Global:
        node.names = [self.renames.get(name, name) for name in node.names]
        return node
