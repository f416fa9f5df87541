"""The memory program contract (M★-compatible): load a program's source, check it, describe it.

A memory program is one module defining four instruction strings, two dataclasses (`KnowledgeItem`,
`Query`) and a `KnowledgeBase` class with `write(item, raw_text)` and `read(query) -> str`. This module
is the only place that knows those names. It runs inside the sandbox too, so it uses the standard
library only.

Checks happen in two passes: a static pass over the syntax tree (syntax, imports, missing names, with
line numbers) that never runs the program, then an executing pass that inspects the real objects.
Every problem is raised as a `ContractError` whose message is one sentence saying what to fix.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import types
from dataclasses import dataclass
from typing import Any

from sandbox.schema import SchemaError, dataclass_json_schema, instantiate

INSTRUCTION_NAMES = (
    "INSTRUCTION_KNOWLEDGE_ITEM",
    "INSTRUCTION_QUERY",
    "INSTRUCTION_RESPONSE",
    "ALWAYS_ON_KNOWLEDGE",
)
"""The four prompt constants; all but ALWAYS_ON_KNOWLEDGE must be non-empty."""

SCHEMA_CLASSES = ("KnowledgeItem", "Query")
KNOWN_CAPABILITIES = frozenset({"llm", "embed"})
ALLOWED_THIRD_PARTY_IMPORTS = frozenset({"numpy", "chromadb"})
"""Besides the standard library, programs may import numpy and `chromadb` (served by the toolkit's store)."""

FORBIDDEN_STDLIB_IMPORTS = frozenset({"tkinter", "idlelib", "turtle", "turtledemo", "ensurepip", "venv"})
"""Standard modules with no use in memory and no chance of working in a headless sandbox."""


class ContractError(ValueError):
    """A program that does not meet the contract. `line` is the source line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class ProgramDescription:
    """What agents need to use a program, as plain JSON-able data (it crosses the sandbox wire).

    `warnings` lists contract deviations that M★-era programs commonly have (e.g. fields without a
    description); they do not stop a program from running.
    """

    instructions: dict[str, str]
    knowledge_item_schema: dict[str, Any]
    query_schema: dict[str, Any]
    requires: tuple[str, ...] = ()
    commit_message: str = ""
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"requires": list(self.requires), "warnings": list(self.warnings)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProgramDescription:
        return cls(
            instructions=dict(data["instructions"]),
            knowledge_item_schema=dict(data["knowledge_item_schema"]),
            query_schema=dict(data["query_schema"]),
            requires=tuple(data.get("requires", ())),
            commit_message=str(data.get("commit_message", "")),
            warnings=tuple(data.get("warnings", ())),
        )


@dataclass
class LoadedProgram:
    """A checked program module, ready to build knowledge bases and schema instances."""

    module: types.ModuleType
    description: ProgramDescription

    def new_knowledge_base(self, toolkit: Any) -> Any:
        return self.module.KnowledgeBase(toolkit)

    def make_item(self, data: dict[str, Any]) -> Any:
        return instantiate(self.module.KnowledgeItem, data)

    def make_query(self, data: dict[str, Any]) -> Any:
        return instantiate(self.module.Query, data)


def load_program(source: str, module_name: str = "memory_program") -> LoadedProgram:
    """Check `source` against the contract and return it loaded; raise `ContractError` otherwise."""
    tree = check_source(source)
    module = types.ModuleType(module_name)
    module.__file__ = f"<{module_name}>"
    # dataclasses resolves string annotations through sys.modules, so the module must be registered.
    sys.modules[module_name] = module
    try:
        exec(compile(tree, module.__file__, "exec"), module.__dict__)
    except Exception as error:
        sys.modules.pop(module_name, None)
        line = _traceback_line(error, module.__file__)
        raise ContractError(
            f"the program raised {type(error).__name__} while being loaded: {error}", line
        ) from error
    description = describe_module(module, source)
    return LoadedProgram(module=module, description=description)


def check_source(source: str) -> ast.Module:
    """The static pass: syntax, imports and top-level names, without running anything."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ContractError(f"the program is not valid Python: {error.msg}", error.lineno) from error
    _check_imports(tree)
    defined = _top_level_names(tree)
    for name in (*INSTRUCTION_NAMES, *SCHEMA_CLASSES, "KnowledgeBase"):
        if name not in defined:
            raise ContractError(f"the program does not define {name}; {_WHAT_IS_NEEDED[name]}")
    return tree


def describe_module(module: types.ModuleType, source: str = "") -> ProgramDescription:
    """The executing pass: inspect the loaded objects and build the program's description."""
    lines = _definition_lines(source)
    warnings: list[str] = []
    instructions = {}
    for name in INSTRUCTION_NAMES:
        value = getattr(module, name)
        if not isinstance(value, str):
            raise ContractError(f"{name} must be a string, not {type(value).__name__}", lines.get(name))
        if not value.strip() and name != "ALWAYS_ON_KNOWLEDGE":
            raise ContractError(f"{name} must not be empty: it is the agent's instruction", lines.get(name))
        instructions[name] = value
    schemas = {}
    for name in SCHEMA_CLASSES:
        cls = getattr(module, name)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ContractError(f"{name} must be a class decorated with @dataclass", lines.get(name))
        try:
            schemas[name] = dataclass_json_schema(cls, warnings)
        except SchemaError as error:
            raise ContractError(str(error)) from None
    _check_knowledge_base(module.KnowledgeBase, lines.get("KnowledgeBase"))
    return ProgramDescription(
        instructions=instructions,
        knowledge_item_schema=schemas["KnowledgeItem"],
        query_schema=schemas["Query"],
        requires=_requires(module, lines.get("REQUIRES")),
        commit_message=str(getattr(module, "COMMIT_MESSAGE", "") or ""),
        warnings=tuple(warnings),
    )


_WHAT_IS_NEEDED = {
    "INSTRUCTION_KNOWLEDGE_ITEM": "add a string telling the agent how to turn raw text into a KnowledgeItem",
    "INSTRUCTION_QUERY": "add a string telling the agent how to turn a question into a Query",
    "INSTRUCTION_RESPONSE": "add a string telling the agent how to answer from what read() returned",
    "ALWAYS_ON_KNOWLEDGE": 'add ALWAYS_ON_KNOWLEDGE = "" (text always shown to the agent)',
    "KnowledgeItem": "add a @dataclass describing what is stored",
    "Query": "add a @dataclass describing what is asked",
    "KnowledgeBase": (
        "add a class with __init__(self, toolkit), write(self, item, raw_text) and read(self, query)"
    ),
}


def _check_imports(tree: ast.Module) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise ContractError(
                    "a memory program is a single module: relative imports cannot work", node.lineno
                )
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            allowed = top in ALLOWED_THIRD_PARTY_IMPORTS or (
                top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB_IMPORTS
            )
            if not allowed:
                raise ContractError(
                    f"the program imports {name!r}, which the sandbox does not have; "
                    "memory programs may use the standard library and numpy",
                    node.lineno,
                )


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            # Definitions under a top-level `if`/`try` count; the executing pass confirms them.
            names.update(_top_level_names(ast.Module(body=list(ast.iter_child_nodes(node)), type_ignores=[])))
    return names


def _definition_lines(source: str) -> dict[str, int]:
    if not source:
        return {}
    lines: dict[str, int] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            lines[node.name] = node.lineno
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    lines[target.id] = node.lineno
    return lines


_METHOD_ARGUMENTS = {
    "__init__": "(self, toolkit)",
    "write": "(self, item, raw_text)",
    "read": "(self, query)",
}


def _check_knowledge_base(cls: Any, line: int | None) -> None:
    if not isinstance(cls, type):
        raise ContractError("KnowledgeBase must be a class", line)
    for method, signature in _METHOD_ARGUMENTS.items():
        function = getattr(cls, method, None)
        if not callable(function):
            raise ContractError(f"KnowledgeBase has no {method}() method", line)
        code = getattr(function, "__code__", None)
        if code is None:  # object.__init__ or a builtin: nothing to inspect
            continue
        given = signature.count(",") + 1
        accepts_varargs = bool(code.co_flags & inspect.CO_VARARGS)
        required = code.co_argcount - len(getattr(function, "__defaults__", None) or ())
        if (code.co_argcount < given and not accepts_varargs) or required > given:
            raise ContractError(f"KnowledgeBase.{method} must accept {signature}", line)


def declared_requires(program: str | ast.Module) -> tuple[str, ...]:
    """The capabilities a program's source declares in `REQUIRES`, read without running it: a literal
    string is one name (`REQUIRES = "llm"` is `("llm",)`); no REQUIRES, or one that is not a literal
    string or sequence of strings, declares nothing (the executing pass refuses the latter)."""
    tree = ast.parse(program) if isinstance(program, str) else program
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "REQUIRES" for t in targets):
            try:
                return _capability_names(ast.literal_eval(node.value)) or ()
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return ()
    return ()


def _capability_names(value: Any) -> tuple[str, ...] | None:
    """`REQUIRES` as a tuple of names, or None when it is neither a string nor a sequence of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _requires(module: types.ModuleType, line: int | None) -> tuple[str, ...]:
    names = _capability_names(getattr(module, "REQUIRES", ()))
    if names is None:
        raise ContractError('REQUIRES must be a tuple of capability names, e.g. ("llm",)', line)
    unknown = sorted(set(names) - KNOWN_CAPABILITIES)
    if unknown:
        raise ContractError(f"REQUIRES names unknown capabilities {unknown}; known: llm, embed", line)
    return names


def _traceback_line(error: BaseException, filename: str) -> int | None:
    if isinstance(error, SyntaxError):
        return error.lineno
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
