"""Packing: a read fills its budget past an item that does not fit, instead of ending at it.

Memories assemble what `read` returns by walking their ranked items and stopping at the first one that
would overflow the character budget (`if used + len(turn) > BUDGET: break`). One long item near the top
of the ranking -- an assistant's 2,000-character answer in a LongMemEval haystack, a long session
summary -- then ends the read with most of the budget unused, and every shorter item ranked below it is
lost. Packing skips the item that does not fit and goes on with the next ones (`continue`): the same
ranking, the budget filled greedily, as a knapsack is. The items read keep their rank order.

The change is made where a `for` loop's body holds `if <total> > <limit>: break` and `<total>` adds up
lengths (a `len(...)` call, or a limit named like a budget): exactly the loops that fill a budget.
Loops with an `else` clause are left alone (`break` decides whether it runs), and so are `while` loops
(`continue` could loop forever).
"""

from __future__ import annotations

import ast
import re

from evolve.mutators.behaviours.base import Behaviour, OperatorContext
from evolve.mutators.program_text import Edit, ProgramText, apply_edits

NAME = "packing"
_BUDGET_NAME = re.compile(r"budget|chars|limit", re.IGNORECASE)


def apply(program: ProgramText, context: OperatorContext) -> Behaviour | None:
    sites = budget_breaks(program)
    if not sites:
        return None
    edits: list[Edit] = [(*program.span(site), "continue") for site in sites]
    loops = "loop" if len(sites) == 1 else f"{len(sites)} loops"
    return Behaviour(
        apply_edits(program.source, edits),
        f"packing: an item that does not fit the read budget is skipped, not the end of the read ({loops})",
    )


def budget_breaks(program: ProgramText) -> list[ast.Break]:
    """The `break` statements that end a `for` loop filling a budget, in source order."""
    found = []
    for loop in ast.walk(program.tree):
        if not isinstance(loop, ast.For | ast.AsyncFor) or loop.orelse:
            continue
        for statement in loop.body:
            if (
                isinstance(statement, ast.If)
                and not statement.orelse
                and len(statement.body) == 1
                and isinstance(statement.body[0], ast.Break)
                and _overflows_budget(statement.test)
            ):
                found.append(statement.body[0])
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def _overflows_budget(test: ast.expr) -> bool:
    """Whether `test` reads "a running total of lengths exceeds a limit": `a + b > limit` (or `>=`) where
    the sum takes a `len(...)` or the limit is named like a budget."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Gt | ast.GtE):
        return False
    total, limit = test.left, test.comparators[0]
    if not (isinstance(total, ast.BinOp) and isinstance(total.op, ast.Add)):
        return False
    takes_length = any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
        for node in ast.walk(total)
    )
    named_budget = any(
        _BUDGET_NAME.search(node.id if isinstance(node, ast.Name) else node.attr)
        for node in ast.walk(limit)
        if isinstance(node, ast.Name | ast.Attribute)
    )
    return takes_length or named_budget
