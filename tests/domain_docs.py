"""The files and commands of docs/domains.md, as the tests that run them read them."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "domains.md"
_FILE = re.compile(r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<text>.*?)```", re.DOTALL)
_COMMANDS = re.compile(r"<!-- commands -->\n```bash\n(?P<text>.*?)```", re.DOTALL)


def documented_files() -> dict[str, str]:
    """Each file the walkthrough shows, by its path relative to where the reader works."""
    return {match["path"]: match["text"] for match in _FILE.finditer(DOCS.read_text(encoding="utf-8"))}


def documented_commands() -> list[list[str]]:
    """The commands the walkthrough runs, split into words."""
    match = _COMMANDS.search(DOCS.read_text(encoding="utf-8"))
    assert match, f"{DOCS} has no <!-- commands --> block"
    return [line.split() for line in match["text"].splitlines() if line.strip()]


def documented_scores() -> dict[str, float]:
    """The selection scores the walkthrough reports as measured, by program."""
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    sentence = text.split("Measured here", 1)[1].split(". ", 1)[0]
    return {name: float(score) for name, score in re.findall(r"`(\w+)` (\d\.\d+)", sentence)}


def write_documented_files(folder: Path) -> None:
    for relative, text in documented_files().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
