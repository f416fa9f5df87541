"""Reading a mutator model's reply: a commit message, then SEARCH/REPLACE edits or a whole program.

Models answer in two shapes, and both are accepted:

    COMMIT: keep the session date on every stored turn
    <<<<<<< SEARCH
    exact lines of the current program
    =======
    the lines that replace them
    >>>>>>> REPLACE

or a commit line followed by one fenced ```python block holding a whole new program. An edit whose SEARCH
text is not found, or is found in several places, is an `EditError` saying which block and why, so the
model can be asked to repair it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"<{5,9} SEARCH[^\n]*\n(.*?)\n?={5,9}[^\n]*\n(.*?)\n?>{5,9} REPLACE", re.DOTALL)
_FENCE = re.compile(r"```(?:python|py)?[^\n]*\n(.*?)```", re.DOTALL)
_COMMIT = re.compile(
    r"^\s*(?:\*{0,3}\s*)?COMMIT(?: MESSAGE)?\s*:?\s*\**\s*(.+)$", re.IGNORECASE | re.MULTILINE
)


class EditError(ValueError):
    """A reply that cannot be applied; the message is written for the model that produced it."""


@dataclass(frozen=True)
class ParsedReply:
    commit_message: str
    edits: tuple[tuple[str, str], ...] = ()
    program: str | None = None


def parse_reply(reply: str) -> ParsedReply:
    commit = _COMMIT.search(reply)
    message = commit.group(1).strip() if commit else ""
    edits = tuple((search, replace) for search, replace in _BLOCK.findall(reply))
    if edits:
        return ParsedReply(message, edits=edits)
    fences = [body for body in _FENCE.findall(reply) if "class KnowledgeBase" in body]
    if fences:
        return ParsedReply(message, program=max(fences, key=len).rstrip() + "\n")
    raise EditError(
        "the reply holds neither SEARCH/REPLACE blocks nor a ```python block with a whole program "
        "(defining class KnowledgeBase)"
    )


def apply_edits(source: str, edits: tuple[tuple[str, str], ...]) -> str:
    """Apply edits in order; each SEARCH must match one place (exactly, or ignoring trailing spaces)."""
    for number, (search, replace) in enumerate(edits, start=1):
        if not search.strip():
            raise EditError(f"SEARCH block {number} is empty: quote the lines to replace")
        count = source.count(search)
        if count == 1:
            source = source.replace(search, replace, 1)
            continue
        if count > 1:
            raise EditError(
                f"SEARCH block {number} matches {count} places: quote more lines to make it unique"
            )
        source = _replace_ignoring_trailing_space(source, search, replace, number)
    return source


def _replace_ignoring_trailing_space(source: str, search: str, replace: str, number: int) -> str:
    lines = source.split("\n")
    wanted = [line.rstrip() for line in search.split("\n")]
    stripped = [line.rstrip() for line in lines]
    starts = [i for i in range(len(lines) - len(wanted) + 1) if stripped[i : i + len(wanted)] == wanted]
    if len(starts) != 1:
        first = search.strip().splitlines()[0][:80]
        where = "is not in the current program" if not starts else f"matches {len(starts)} places"
        raise EditError(f"SEARCH block {number} (starting {first!r}) {where}: copy the lines exactly")
    start = starts[0]
    return "\n".join([*lines[:start], *replace.split("\n"), *lines[start + len(wanted) :]])
