"""A memory program as text plus syntax tree: where its parts are, what they depend on, how to edit it.

The structural mutator edits the text at the positions the syntax tree gives, so everything it does not
touch (comments, formatting, blank lines) stays exactly as it was; nothing is regenerated with
`ast.unparse`. The analyses are approximate, erring towards reporting a dependency that is not one
(a name bound in a nested lambda can hide a real one); every child is loaded and smoke-run before use.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import re
import weakref
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sandbox.contract import SCHEMA_CLASSES, declared_requires

Edit = tuple[int, int, str]
"""(start, end, replacement) in character offsets of the source; start == end inserts."""

KNOWLEDGE_BASE = "KnowledgeBase"
UPPER_CASE = re.compile(r"^[A-Z][A-Z0-9_]*$")
BUILTIN_NAMES = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__"}
Function = ast.FunctionDef | ast.AsyncFunctionDef


class ProgramText:
    """One program's source and syntax tree; maps tree positions (UTF-8 columns) to string offsets.

    Treat it as immutable: `parse` shares instances between callers.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.tree = ast.parse(source)
        self.lines = source.split("\n")
        self._line_starts = [0]
        for line in self.lines[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        if not line.isascii():
            col = len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return self._line_starts[lineno - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    def line_span(self, node: ast.stmt) -> tuple[int, int]:
        """From the start of the statement's first line (decorators included) to after its last line."""
        first, last = _line_range(node)
        end = self._line_starts[last] if last < len(self.lines) else len(self.source)
        return self._line_starts[first - 1], end

    def statement_text(self, node: ast.stmt) -> str:
        """The statement's whole lines, ending with a newline."""
        text = self.source[slice(*self.line_span(node))]
        return text if text.endswith("\n") else text + "\n"

    def owns_lines(self, node: ast.stmt, siblings: Sequence[ast.stmt]) -> bool:
        """Whether no sibling shares the statement's lines (no `a = 1; b = 2`), so they can be replaced."""
        first, last = _line_range(node)
        return all(
            other is node or _line_range(other)[1] < first or _line_range(other)[0] > last
            for other in siblings
        )

    def indentation(self, node: ast.stmt) -> str:
        line = self.lines[node.lineno - 1]
        return line[: len(line) - len(line.lstrip())]

    def top_level(self) -> dict[str, ast.stmt]:
        """Each name bound at module level -> the (last) statement binding it."""
        names: dict[str, ast.stmt] = {}
        for node in self.tree.body:
            for name in bound_names(node):
                names[name] = node
        return names

    def class_def(self, name: str) -> ast.ClassDef | None:
        found = [n for n in self.tree.body if isinstance(n, ast.ClassDef) and n.name == name]
        return found[-1] if found else None

    def functions(self) -> dict[str, Function]:
        return {n.name: n for n in self.tree.body if isinstance(n, Function)}

    def methods(self, class_name: str = KNOWLEDGE_BASE) -> dict[str, Function]:
        cls = self.class_def(class_name)
        return {n.name: n for n in cls.body if isinstance(n, Function)} if cls else {}

    def assignment(self, name: str) -> ast.Assign | ast.AnnAssign | None:
        """The top-level `NAME = value` statement binding exactly `name`, if there is one."""
        node = self.top_level().get(name)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and _is_name(node.targets[0], name):
            return node
        if isinstance(node, ast.AnnAssign) and node.value is not None and _is_name(node.target, name):
            return node
        return None

    def schema_fields(self, class_name: str) -> dict[str, str]:
        """A schema dataclass's fields in order -> their annotation (as a dump), ClassVars left out."""
        cls = self.class_def(class_name)
        if cls is None:
            return {}
        return {
            n.target.id: ast.dump(n.annotation)
            for n in cls.body
            if isinstance(n, ast.AnnAssign)
            and isinstance(n.target, ast.Name)
            and "ClassVar" not in ast.dump(n.annotation)
        }

    def requires(self) -> tuple[str, ...]:
        return declared_requires(self.tree)

    def import_insertion_point(self) -> int:
        """Where a new import goes: after the last top-level import, else after the docstring."""
        body = self.tree.body
        imports = [n for n in body if isinstance(n, ast.Import | ast.ImportFrom)]
        if imports:
            return self.line_span(imports[-1])[1]
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
        ):
            return self.line_span(body[0])[1]
        return 0

    def definition_insertion_point(self) -> int:
        """Where a new helper goes: before the first top-level function or class."""
        for node in self.tree.body:
            if isinstance(node, Function | ast.ClassDef):
                return self.line_span(node)[0]
        return len(self.source)


@lru_cache(maxsize=512)
def parse(source: str) -> ProgramText:
    """The `ProgramText` of `source`, shared: elites are parsed once, not once per mutation."""
    return ProgramText(source)


def _line_range(node: ast.stmt) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return first, node.end_lineno or node.lineno


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; insertions at the same place keep the order they were given in."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1][0], pair[1][1], pair[0]))
    previous_end = -1
    for _, (start, end, _text) in ordered:
        if start < previous_end:
            raise ValueError("overlapping edits")
        previous_end = end
    for _, (start, end, text) in reversed(ordered):
        source = source[:start] + text + source[end:]
    return source


def reindent(text: str, old: str, new: str) -> str:
    """Move a block of whole lines from indentation `old` to `new` (lines not starting with `old` stay)."""
    if old == new:
        return text
    return "".join(
        new + line[len(old) :] if line.startswith(old) else line for line in text.splitlines(keepends=True)
    )


def bound_names(node: ast.stmt) -> list[str]:
    """The names a top-level statement binds."""
    if isinstance(node, Function | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"]
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    return [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]


def import_text(node: ast.Import | ast.ImportFrom, name: str) -> str:
    """An import statement that binds only `name`, as `node` binds it."""
    for alias in node.names:
        if (alias.asname or alias.name).split(".")[0] != name:
            continue
        suffix = f" as {alias.asname}" if alias.asname else ""
        if isinstance(node, ast.ImportFrom):
            return f"from {node.module} import {alias.name}{suffix}\n"
        return f"import {alias.name}{suffix}\n"
    raise KeyError(name)


_ATTRIBUTES: weakref.WeakKeyDictionary[ast.AST, tuple[set[str], set[str]]] = weakref.WeakKeyDictionary()
_DUMPS: weakref.WeakKeyDictionary[ast.AST, str] = weakref.WeakKeyDictionary()
_FREE_NAMES: weakref.WeakKeyDictionary[ast.AST, set[str]] = weakref.WeakKeyDictionary()


def free_names(node: ast.AST) -> set[str]:
    """Names `node` reads but does not bind itself (its module-level needs); do not modify the set."""
    if node not in _FREE_NAMES:
        _FREE_NAMES[node] = _free_names(node)
    return _FREE_NAMES[node]


def _free_names(node: ast.AST) -> set[str]:
    loaded: set[str] = set()
    bound: set[str] = set()
    declared_global: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            (loaded if isinstance(child.ctx, ast.Load) else bound).add(child.id)
        elif isinstance(child, ast.arg):
            bound.add(child.arg)
        elif isinstance(child, Function | ast.ClassDef) and child is not node:
            bound.add(child.name)
        elif isinstance(child, ast.Import | ast.ImportFrom) and child is not node:
            bound.update(bound_names(child))
        elif isinstance(child, ast.ExceptHandler) and child.name:
            bound.add(child.name)
        elif isinstance(child, ast.Global | ast.Nonlocal):
            declared_global.update(child.names)
        elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
            loaded.add(child.target.id)
    return (loaded - (bound - declared_global)) - BUILTIN_NAMES


def self_attributes(function: Function) -> tuple[set[str], set[str]]:
    """(attributes of `self` the method reads, attributes it sets); do not modify the sets."""
    if function not in _ATTRIBUTES:
        _ATTRIBUTES[function] = _self_attributes(function)
    return _ATTRIBUTES[function]


def _self_attributes(function: Function) -> tuple[set[str], set[str]]:
    arguments = function.args.posonlyargs + function.args.args
    if not arguments:
        return set(), set()
    receiver = arguments[0].arg
    # `self.n += 1` reads self.n before writing it: it needs the attribute, it does not create it.
    updated: set[int] = set()
    read: set[str] = set()
    written: set[str] = set()
    for child in ast.walk(function):  # breadth-first: an AugAssign comes before its target
        if isinstance(child, ast.AugAssign):
            updated.add(id(child.target))
        elif isinstance(child, ast.Attribute) and _is_name(child.value, receiver):
            creates = not isinstance(child.ctx, ast.Load) and id(child) not in updated
            (written if creates else read).add(child.attr)
    return read, written


def class_attributes(cls: ast.ClassDef) -> set[str]:
    """Names a class body binds other than its methods (class-level constants and the like)."""
    return {name for node in cls.body if not isinstance(node, Function) for name in bound_names(node)}


def schema_accesses(function: Function, in_knowledge_base: bool) -> list[tuple[str, ast.Attribute]]:
    """(schema class, attribute node) for each field the function reads from a KnowledgeItem or Query.

    A parameter holds a schema object when annotated with the class, or by position: the first argument
    of `KnowledgeBase.write` is the item and the first of `KnowledgeBase.read` is the query.
    """
    arguments = function.args.posonlyargs + function.args.args
    if in_knowledge_base and arguments:
        arguments = arguments[1:]
    holders: dict[str, str] = {}
    for argument in arguments:
        annotation = argument.annotation
        hint = annotation.id if isinstance(annotation, ast.Name) else getattr(annotation, "value", None)
        if hint in SCHEMA_CLASSES:
            holders[argument.arg] = str(hint)
    if in_knowledge_base and arguments:
        positional = {"write": "KnowledgeItem", "read": "Query"}.get(function.name)
        if positional:
            holders.setdefault(arguments[0].arg, positional)
    return [
        (holders[child.value.id], child)
        for child in ast.walk(function)
        if isinstance(child, ast.Attribute)
        and isinstance(child.value, ast.Name)
        and child.value.id in holders
    ]


def uses_llm(node: ast.AST) -> bool:
    return any(
        isinstance(child, ast.Attribute) and child.attr in ("llm", "llm_completion")
        for child in ast.walk(node)
    )


def same_code(a: ast.AST | None, b: ast.AST | None) -> bool:
    """Whether two nodes are the same code, ignoring positions, formatting and comments."""
    return a is not None and b is not None and _dump(a) == _dump(b)


def _dump(node: ast.AST) -> str:
    if node not in _DUMPS:
        _DUMPS[node] = ast.dump(node)
    return _DUMPS[node]


@lru_cache(maxsize=4096)
def program_shape(source: str) -> str:
    """A hash of the program's syntax tree without docstrings, comments, formatting or COMMIT_MESSAGE:
    two programs with the same shape behave identically, so only one is evaluated. Cached: a parent's
    shape is asked for with every child of it."""
    tree = ast.parse(source)
    drop_docstrings(tree)
    tree.body = [
        node
        for node in tree.body
        if not (
            isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == "COMMIT_MESSAGE" for t in node.targets)
        )
    ]
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode("utf-8")).hexdigest()


def drop_docstrings(tree: ast.AST) -> None:
    """Take every docstring out of `tree`, in place (a body left empty gets `pass`): what two programs
    that differ only in their prose have in common."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]


def _is_docstring(node: ast.AST) -> bool:
    """Whether `node` is a string standing alone: a docstring when it opens a body."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
