"""Crossover: transplant a part of another program (the donor) into the child, with what it needs.

Recombined parts are same-named `KnowledgeBase` methods, module-level functions and UPPER_CASE constants;
swapped parts (rarer, more conservative) are instruction strings and schema dataclasses. A transplant is
refused, rather than guessed, when its needs cannot be met:
- a method reading `self.x` that nothing in the child's class sets brings the donor methods that set it
  (often `__init__`, then whatever the old `__init__` fed), or is refused;
- a module-level name the child lacks is brought from the donor (imports, constants, helper functions,
  recursively), unless it would clash with a child name;
- a field read from a KnowledgeItem or Query must exist in the child's schema; the one rename made is
  between one-field schemas of the same type (`query.text` read as `query.query`);
- code that calls the LLM is only brought into a program that declares REQUIRES = ("llm",).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from evolve.mutators.program_text import (
    BUILTIN_NAMES,
    KNOWLEDGE_BASE,
    UPPER_CASE,
    Edit,
    Function,
    ProgramText,
    apply_edits,
    bound_names,
    class_attributes,
    free_names,
    import_text,
    reindent,
    same_code,
    schema_accesses,
    self_attributes,
    uses_llm,
)
from sandbox.contract import INSTRUCTION_NAMES, SCHEMA_CLASSES

RECOMBINED = ("method", "function", "constant")
SWAPPED = ("instruction", "schema")
CONTRACT_NAMES = frozenset({*INSTRUCTION_NAMES, *SCHEMA_CLASSES, KNOWLEDGE_BASE})
NOT_RECOMBINED = frozenset({"COMMIT_MESSAGE", "REQUIRES", *INSTRUCTION_NAMES})
_INSTRUCTION_SCHEMAS = {
    "INSTRUCTION_KNOWLEDGE_ITEM": ("KnowledgeItem",),
    "INSTRUCTION_QUERY": ("Query",),
    "INSTRUCTION_RESPONSE": SCHEMA_CLASSES,
    "ALWAYS_ON_KNOWLEDGE": SCHEMA_CLASSES,
}
"""An instruction is swapped only between programs whose schemas it talks about have the same fields."""

Renames = dict[tuple[str, str], str]
"""(schema class, donor field) -> child field."""


@dataclass(frozen=True)
class Part:
    """A transplantable part: kind is one of RECOMBINED or SWAPPED, name is what it is called in both."""

    kind: str
    name: str

    @property
    def key(self) -> str:
        """What it changes, named like a number site's label: "TOP_K", "KnowledgeBase.read"."""
        return f"{KNOWLEDGE_BASE}.{self.name}" if self.kind == "method" else self.name


def differing_parts(child: ProgramText, donor: ProgramText, kinds: tuple[str, ...]) -> list[Part]:
    """The parts of `kinds` that both programs define and that differ (ignoring formatting), in order."""
    parts: list[Part] = []
    if "method" in kinds:
        mine, theirs = child.methods(), donor.methods()
        parts += [Part("method", n) for n in mine if n in theirs and not same_code(mine[n], theirs[n])]
    if "function" in kinds:
        mine, theirs = child.functions(), donor.functions()
        parts += [Part("function", n) for n in mine if n in theirs and not same_code(mine[n], theirs[n])]
    names = list(child.top_level())
    if "constant" in kinds:
        parts += [
            Part("constant", n)
            for n in names
            if UPPER_CASE.match(n) and n not in NOT_RECOMBINED and _constants_differ(child, donor, n)
        ]
    if "instruction" in kinds:
        parts += [Part("instruction", n) for n in INSTRUCTION_NAMES if _constants_differ(child, donor, n)]
    if "schema" in kinds:
        parts += [
            Part("schema", n)
            for n in SCHEMA_CLASSES
            if child.class_def(n) and not same_code(child.class_def(n), donor.class_def(n))
        ]
    return parts


def transplant(child: ProgramText, donor: ProgramText, donor_id: str, part: Part) -> tuple[str, str] | None:
    """The child's new source with `part` taken from the donor, and what changed; None when refused."""
    make = {
        "method": _method,
        "function": _function,
        "constant": _constant,
        "instruction": _instruction,
        "schema": _schema,
    }[part.kind]
    made = make(child, donor, part.name)
    if made is None:
        return None
    edits, description = made
    return apply_edits(child.source, edits), f"{description} from {donor_id}"


def _method(child: ProgramText, donor: ProgramText, name: str) -> tuple[list[Edit], str] | None:
    child_class, donor_class = child.class_def(KNOWLEDGE_BASE), donor.class_def(KNOWLEDGE_BASE)
    if child_class is None or donor_class is None:
        return None
    mine, theirs = child.methods(), donor.methods()
    taken = _method_closure(child_class, mine, theirs, name)
    if taken is None or not all(donor.owns_lines(theirs[n], donor_class.body) for n in taken):
        return None
    functions = [theirs[n] for n in taken]
    renames = _field_renames(child, donor, functions, in_knowledge_base=True)
    needed = set().union(*(free_names(f) for f in functions))
    brought = bring_along(child, donor, needed)
    if renames is None or brought is None or not _llm_allowed(child, functions):
        return None
    body_indent = child.indentation(child_class.body[-1]) if child_class.body else "    "
    class_end = child.line_span(child_class)[1]
    edits: list[Edit] = []
    for method in functions:
        text = _renamed_text(donor, method, renames, in_knowledge_base=True)
        old = mine.get(method.name)
        if old is None:
            edits.append(
                (class_end, class_end, "\n" + reindent(text, donor.indentation(method), body_indent))
            )
        elif child.owns_lines(old, child_class.body):
            edits.append(
                (*child.line_span(old), reindent(text, donor.indentation(method), child.indentation(old)))
            )
        else:
            return None
    description = f"{KNOWLEDGE_BASE}.{name}"
    if set(taken) >= set(mine):
        description = f"{KNOWLEDGE_BASE} class (all of {', '.join(taken)})"
    elif len(taken) > 1:
        description += f" (with {', '.join(taken[1:])})"
    return edits + brought[0], description + _notes(brought[1], renames)


def _method_closure(
    child_class: ast.ClassDef, mine: dict[str, Function], theirs: dict[str, Function], first: str
) -> list[str] | None:
    """The donor methods to take so that every `self.x` read in the new class is set by it.

    For an attribute nothing sets any more, take the donor method that sets it; failing that, replace
    the child's methods that read it with their donor versions (taking `__init__` usually ends here).
    """
    class_level = class_attributes(child_class)
    my_attributes = {n: self_attributes(m) for n, m in mine.items()}
    their_attributes = {n: self_attributes(m) for n, m in theirs.items()}

    def unset(attributes: dict[str, tuple[set[str], set[str]]]) -> set[str]:
        read = set().union(*(r for r, _ in attributes.values()))
        written = set().union(*(w for _, w in attributes.values()))
        return read - written - class_level - set(attributes)

    already_unset = unset(my_attributes)
    taken = [first]
    while True:
        merged = my_attributes | {n: their_attributes[n] for n in taken}
        missing = sorted(unset(merged) - already_unset)
        if not missing:
            return taken
        attribute = missing[0]
        provider = [
            n
            for n, (_, written) in their_attributes.items()
            if n not in taken and (n == attribute or attribute in written)
        ][:1]
        readers = [n for n, (read, _) in merged.items() if n not in taken and attribute in read]
        added = provider or readers
        if not added or any(n not in theirs for n in added):
            return None
        taken += added


def _function(child: ProgramText, donor: ProgramText, name: str) -> tuple[list[Edit], str] | None:
    old, new = child.functions()[name], donor.functions()[name]
    if not (child.owns_lines(old, child.tree.body) and donor.owns_lines(new, donor.tree.body)):
        return None
    renames = _field_renames(child, donor, [new], in_knowledge_base=False)
    brought = bring_along(child, donor, free_names(new) - {name})
    if renames is None or brought is None or not _llm_allowed(child, [new]):
        return None
    text = _renamed_text(donor, new, renames, in_knowledge_base=False)
    return [(*child.line_span(old), text), *brought[0]], f"function {name}" + _notes(brought[1], renames)


def _constant(child: ProgramText, donor: ProgramText, name: str) -> tuple[list[Edit], str] | None:
    old, new = child.assignment(name), donor.assignment(name)
    if old is None or new is None or new.value is None or old.value is None:
        return None
    if not (child.owns_lines(old, child.tree.body) and donor.owns_lines(new, donor.tree.body)):
        return None
    if _value_kind(old.value) != _value_kind(new.value) or not _llm_allowed(child, [new]):
        return None
    brought = bring_along(child, donor, free_names(new.value))
    if brought is None:
        return None
    old_text, new_text = child.segment(old.value), donor.segment(new.value)
    short = max(len(old_text), len(new_text)) <= 40 and "\n" not in old_text + new_text
    description = f"{name} {old_text} -> {new_text}" if short else name
    return [(*child.line_span(old), donor.statement_text(new)), *brought[0]], description + _notes(
        brought[1], {}
    )


def _instruction(child: ProgramText, donor: ProgramText, name: str) -> tuple[list[Edit], str] | None:
    if any(child.schema_fields(s) != donor.schema_fields(s) for s in _INSTRUCTION_SCHEMAS[name]):
        return None
    new = donor.assignment(name)
    if new is None or new.value is None or free_names(new.value):
        return None
    made = _constant(child, donor, name)
    return (made[0], name) if made else None


def _schema(child: ProgramText, donor: ProgramText, name: str) -> tuple[list[Edit], str] | None:
    old, new = child.class_def(name), donor.class_def(name)
    if old is None or new is None:
        return None
    theirs = donor.schema_fields(name)
    mine = child.schema_fields(name)
    used = {node.attr for schema, node in _child_schema_accesses(child) if schema == name}
    if any(field not in theirs or theirs[field] != mine.get(field) for field in used):
        return None
    if not (child.owns_lines(old, child.tree.body) and donor.owns_lines(new, donor.tree.body)):
        return None
    brought = bring_along(child, donor, free_names(new) - {name})
    if brought is None:
        return None
    return [(*child.line_span(old), donor.statement_text(new)), *brought[0]], f"schema {name}" + _notes(
        brought[1], {}
    )


def _child_schema_accesses(child: ProgramText) -> list[tuple[str, ast.Attribute]]:
    accesses = [a for f in child.functions().values() for a in schema_accesses(f, in_knowledge_base=False)]
    for method in child.methods().values():
        accesses += schema_accesses(method, in_knowledge_base=True)
    return accesses


def _field_renames(
    child: ProgramText, donor: ProgramText, functions: list[Function], in_knowledge_base: bool
) -> Renames | None:
    renames: Renames = {}
    for function in functions:
        for schema, node in schema_accesses(function, in_knowledge_base):
            mine, theirs = child.schema_fields(schema), donor.schema_fields(schema)
            if node.attr in mine:
                continue
            if (
                len(mine) == 1
                and list(theirs) == [node.attr]
                and list(mine.values()) == list(theirs.values())
            ):
                renames[(schema, node.attr)] = next(iter(mine))
            else:
                return None
    return renames


def _renamed_text(donor: ProgramText, function: Function, renames: Renames, in_knowledge_base: bool) -> str:
    start = donor.line_span(function)[0]
    edits: list[Edit] = []
    for schema, node in schema_accesses(function, in_knowledge_base):
        field = renames.get((schema, node.attr))
        if field is not None:
            end = donor.offset(node.end_lineno or node.lineno, node.end_col_offset or 0) - start
            edits.append((end - len(node.attr), end, field))
    return apply_edits(donor.statement_text(function), edits)


def bring_along(
    child: ProgramText, donor: ProgramText, needed: set[str]
) -> tuple[list[Edit], list[str]] | None:
    """Edits adding the donor's module-level definitions that `needed` names and the child lacks, in
    dependency order, and the names brought; None when one is missing or would clash."""
    child_names = set(child.top_level())
    donor_names = donor.top_level()
    imports: list[str] = []
    definitions: list[ast.stmt] = []
    seen: set[str] = set()

    def bring(name: str) -> bool:
        if name in child_names or name in seen or name in BUILTIN_NAMES:
            return True
        seen.add(name)
        node = donor_names.get(name)
        if node is None or name in CONTRACT_NAMES:
            return False
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(import_text(node, name))
            return True
        names = bound_names(node)
        if child_names & set(names) or not donor.owns_lines(node, donor.tree.body):
            return False
        seen.update(names)
        if not all(bring(dependency) for dependency in in_donor_order(free_names(node) - set(names))):
            return False
        definitions.append(node)
        return True

    def in_donor_order(names: set[str]) -> list[str]:
        return sorted(names, key=lambda n: (donor_names[n].lineno if n in donor_names else 0, n))

    if not all(bring(name) for name in in_donor_order(needed)):
        return None
    edits: list[Edit] = []
    if imports:
        at = child.import_insertion_point()
        edits.append((at, at, "".join(imports)))
    if definitions:
        text = ""
        for node in definitions:  # two blank lines around functions and classes, as PEP 8 has it
            is_definition = isinstance(node, Function | ast.ClassDef)
            if is_definition and text and not text.endswith("\n\n\n"):
                text += "\n\n"
            text += donor.statement_text(node) + ("\n\n" if is_definition else "")
        if not text.endswith("\n\n\n"):
            text += "\n\n"
        at = child.definition_insertion_point()
        edits.append((at, at, text))
    brought = [name for n in definitions for name in bound_names(n)]
    brought += [line.split()[-1] for line in imports]
    return edits, brought


def _notes(brought: list[str], renames: Renames) -> str:
    notes = ""
    if brought:
        notes += f"; brings {', '.join(brought)}"
    for (schema, old), new in renames.items():
        notes += f"; reads {schema}.{old} as {schema}.{new}"
    return notes


def _llm_allowed(child: ProgramText, nodes: list[ast.stmt]) -> bool:
    return "llm" in child.requires() or not any(uses_llm(n) for n in nodes)


def _constants_differ(child: ProgramText, donor: ProgramText, name: str) -> bool:
    mine, theirs = child.assignment(name), donor.assignment(name)
    return mine is not None and theirs is not None and not same_code(mine.value, theirs.value)


def _value_kind(node: ast.expr) -> str:
    try:
        return type(ast.literal_eval(node)).__name__
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return type(node).__name__
