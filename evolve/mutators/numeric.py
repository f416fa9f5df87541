"""Perturbing numbers: a program's tunable UPPER_CASE constants, and numeric literals in its code.

Steps are multiplicative (log-normal, usually small, sometimes large) because tunables such as TOP_K,
BM25_K1 or a character budget live on very different scales. Integers move by at least 1 and keep their
sign; a positive integer stays at least 1; a fraction (0 < x < 1) stays at most 1; booleans flip.
"""

from __future__ import annotations

import ast
import math
import random
import re
from dataclasses import dataclass

from evolve.mutators.program_text import UPPER_CASE, Edit, Function, ProgramText
from sandbox.contract import INSTRUCTION_NAMES, SCHEMA_CLASSES

Number = int | float | bool

NOT_TUNABLE = frozenset({"COMMIT_MESSAGE", "REQUIRES", *INSTRUCTION_NAMES})
READ_BUDGET = re.compile(r"READ.*CHAR")
"""A tunable so named (READ_CHAR_BUDGET, NEIGHBOUR_READ_CHARS) sizes read() output: the host cuts that
output at its read cap, so the budget is kept at or below the cap (a larger one changes nothing but
where the host cuts, which is not a better memory)."""
SMALL_STEP, LARGE_STEP, LARGE_STEP_CHANCE = 0.25, 0.7, 0.25
"""Standard deviations of the log step; a large one is taken with LARGE_STEP_CHANCE."""


@dataclass(frozen=True)
class NumberSite:
    """A number the mutator may change: a tunable constant, or a literal in a function's code."""

    label: str  # "TOP_K", "WEIGHTS[1]", or the function holding a literal ("KnowledgeBase.read")
    node: ast.expr  # a Constant, or UnaryOp(-, Constant) for a negative constant
    value: Number
    tunable: bool


def number_sites(program: ProgramText) -> list[NumberSite]:
    """Every number the mutator may change, in source order: tunables first, then code literals."""
    return _tunables(program) + _code_literals(program)


def perturb_site(
    program: ProgramText, site: NumberSite, rng: random.Random, read_cap: int | None = None
) -> tuple[Edit, str]:
    """The edit that changes `site`, and its description (e.g. "TOP_K 30 -> 38"). A read budget never
    goes past `read_cap`: one at the cap can only go down."""
    start, end = program.span(site.node)
    old_text = program.source[start:end]
    new = perturb_number(site.value, rng)
    if read_cap is not None and is_read_budget(site):
        new = min(new, read_cap)
        if new == site.value:
            new = max(1, round(site.value * 0.9))
    new_text = format_number(new)
    label = site.label if site.tunable else f"{site.label} literal at line {site.node.lineno}"
    return (start, end, new_text), f"{label} {old_text} -> {new_text}"


def is_read_budget(site: NumberSite) -> bool:
    return (
        site.tunable
        and isinstance(site.value, int)
        and not isinstance(site.value, bool)
        and bool(READ_BUDGET.search(site.label))
    )


def clamp_read_budgets(program: ProgramText, read_cap: int) -> tuple[list[Edit], list[str]]:
    """Edits setting every read budget above `read_cap` to it, and their descriptions."""
    edits, changes = [], []
    for site in number_sites(program):
        if is_read_budget(site) and site.value > read_cap:
            start, end = program.span(site.node)
            edits.append((start, end, str(read_cap)))
            changes.append(f"{site.label} {program.source[start:end]} -> {read_cap} (the host's read cap)")
    return edits, changes


def perturb_number(value: Number, rng: random.Random) -> Number:
    """A different value of the same type; see the module docstring for the rules."""
    if isinstance(value, bool):
        return not value
    sigma = LARGE_STEP if rng.random() < LARGE_STEP_CHANCE else SMALL_STEP
    factor = math.exp(rng.gauss(0.0, sigma))
    if isinstance(value, int):
        return _perturb_int(value, factor)
    return _perturb_float(value, factor)


def format_number(value: Number) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _perturb_int(value: int, factor: float) -> int:
    if value == 0:
        return 1
    magnitude = abs(value)
    changed = max(1, round(magnitude * factor))
    if changed == magnitude:
        changed = magnitude + 1 if factor >= 1 or magnitude == 1 else magnitude - 1
    return changed if value > 0 else -changed


def _perturb_float(value: float, factor: float) -> float:
    if value == 0.0:
        return float(f"{0.1 * factor:.3g}")
    changed = value * factor
    if 0 < value < 1:
        changed = min(changed, 1.0)
    elif -1 < value < 0:
        changed = max(changed, -1.0)
    changed = float(f"{changed:.3g}")
    if changed == value:
        changed = float(f"{value * (1.1 if factor >= 1 and not 0 < value < 1 else 0.9):.4g}")
    return changed


def _number(node: ast.expr) -> Number | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return None


def _tunables(program: ProgramText) -> list[NumberSite]:
    scopes: list[tuple[str, list[ast.stmt]]] = [("", program.tree.body)]
    scopes += [
        (f"{node.name}.", node.body)
        for node in program.tree.body
        if isinstance(node, ast.ClassDef) and node.name not in SCHEMA_CLASSES
    ]
    sites: list[NumberSite] = []
    for prefix, body in scopes:
        for statement in body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            else:
                continue
            if (
                not isinstance(target, ast.Name)
                or not UPPER_CASE.match(target.id)
                or target.id in NOT_TUNABLE
            ):
                continue
            number = _number(value)
            if number is not None:
                sites.append(NumberSite(prefix + target.id, value, number, tunable=True))
            elif isinstance(value, ast.Tuple | ast.List):
                for index, element in enumerate(value.elts):
                    number = _number(element)
                    if number is not None:
                        sites.append(
                            NumberSite(f"{prefix}{target.id}[{index}]", element, number, tunable=True)
                        )
    return sites


def _code_literals(program: ProgramText) -> list[NumberSite]:
    functions: list[tuple[str, Function]] = [(f.name, f) for f in program.functions().values()]
    for node in program.tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in SCHEMA_CLASSES:
            functions += [(f"{node.name}.{m.name}", m) for m in node.body if isinstance(m, Function)]
    sites: list[NumberSite] = []
    for label, function in functions:
        defaults = [d for d in (*function.args.defaults, *function.args.kw_defaults) if d is not None]
        for root in (*defaults, *function.body):
            sites += [NumberSite(label, c, c.value, tunable=False) for c in _tunable_literals(root)]
    return sites


def _tunable_literals(node: ast.AST) -> list[ast.Constant]:
    """Numeric literals worth perturbing: not 0 or 1, not indices (slice bounds are kept: they are
    sizes), not range() bounds, not in logging calls, f-strings, annotations or nested signatures."""
    if isinstance(node, ast.Constant):
        value = node.value
        return [node] if type(value) in (int, float) and value not in (0, 1) else []
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        return _tunable_literals(node.value)  # an index, e.g. pair[1]; slice bounds are sizes, kept
    if isinstance(node, ast.JoinedStr | ast.arguments):
        return []
    if isinstance(node, ast.Call) and _is_range_or_logging(node.func):
        return []
    if isinstance(node, ast.AnnAssign):
        return _tunable_literals(node.value) if node.value is not None else []
    found: list[ast.Constant] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(node, Function) and child in (node.returns, *node.decorator_list):
            continue
        found += _tunable_literals(child)
    return found


def _is_range_or_logging(function: ast.expr) -> bool:
    dotted = ast.unparse(function)
    return dotted in ("range", "print") or "logger" in dotted or dotted.startswith("logging.")
