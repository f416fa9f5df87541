"""Unified diffs between program sources, as text (for the terminal) and as typed lines (for HTML).

Both come from one `difflib.unified_diff` call, so the report and `mnemoforge archive diff` always
show the same change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff; `kind` is "add", "del", "hunk", "file" or "context"."""

    kind: str
    text: str


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """The unified diff from `old` to `new` ("" when they are equal), ending with a newline."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
        n=CONTEXT_LINES,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def diff_lines(old: str, new: str, old_label: str, new_label: str) -> list[DiffLine]:
    """The same diff as `unified_diff`, one typed line each, for rendering with colours."""
    typed = []
    for line in unified_diff(old, new, old_label, new_label).splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "context"
        typed.append(DiffLine(kind, line))
    return typed


def change_size(lines: list[DiffLine]) -> tuple[int, int]:
    """(lines added, lines removed) of a typed diff."""
    return sum(line.kind == "add" for line in lines), sum(line.kind == "del" for line in lines)
