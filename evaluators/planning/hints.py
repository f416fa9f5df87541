"""Reading places and procedures out of text: what the offline agent takes from `read()`.

The agent knows the receptacles of the room it stands in (the `go to` commands it may issue), so a
hint is any line of memory that names a kind of object (or a treatment verb) and one of those
receptacles. Within a line, the receptacle nearest the mention wins, so a trajectory line ("On the
countertop 2, you see a apple 1"), a command ("> take apple 1 from countertop 2", "> heat apple 1
with microwave 1") and a distilled fact ("apple 1 at countertop 2; mug 1 at cabinet 3") all read
right. Lines that state a task, or say where something was put, are skipped: they say where a task
wanted a thing, not where things of its kind are found. For the same reason a treatment names no place
of its object ("> clean butterknife 1 with sinkbasin 1" does not say butterknives lie in the sinkbasin),
only where the treatment is done. A hint is a prior, not a fact: the room may differ from the one
memory describes (it does in ALFWorld and in the built-in world), so the agent tries hinted places
first and then explores as it would without them.

Hints come in the order memory gives them: a program decides what the agent tries first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_OBJECT = re.compile(r"\b([a-z]+) (\d+)\b")
_SEEN = re.compile(r"\b(?:on|in) (?:the )?([a-z]+ \d+)\b[^.]*?,? you see (.*?)(?:\.|$)", re.IGNORECASE)
_IN_IT = re.compile(r"\b(?:at|the) ([a-z]+ \d+)\b.*?in it, you see (.*?)(?:\.|$)", re.I)
_SKIPPED = re.compile(
    r"^(?:\[[^\]]*\]\s*)*\W*(?:(?:task|goal)\s*:|.*your task is to|(?:you )?(?:put|move|place)[sd]?\b)", re.I
)
_VERB_FORMS = {
    "heat": r"heat(?:s|ed|ing)?",
    "cool": r"cool(?:s|ed|ing)?",
    "clean": r"clean(?:s|ed|ing)?",
}
_TREATED = re.compile(rf"\b(?:{'|'.join(_VERB_FORMS.values())}) (?:the |a )?$")
"""What comes right before the object of a treatment ("> clean butterknife 1 with sinkbasin 1", "You heat
the apple 1 using the microwave 1"): the receptacle after it is where the treatment is done, not where
objects of its kind are found."""
_LINK = re.compile(r"(?:\s*[\w'/]+){0,6}\s*")
"""What may stand between a mention and its receptacle: a few words, no punctuation."""
_CLAUSE_BREAK = re.compile(r"[;|]")
_COMMAND = re.compile(r"^>\s*(.+)$")
_OUTCOME = re.compile(r"^outcome:\s*(success|failure)\b.*?(\d+) steps?", re.I)


def objects_in(listing: str) -> list[str]:
    """The objects of "a apple 1, a bread 2, and a mug 1" (["apple 1", "bread 2", "mug 1"])."""
    return [f"{kind} {number}" for kind, number in _OBJECT.findall(listing.lower()) if kind != "and"]


def contents_seen(observation: str) -> tuple[str, list[str]] | None:
    """(receptacle, objects) when an observation shows what a receptacle holds."""
    for pattern in (_IN_IT, _SEEN):
        match = pattern.search(observation)
        if match:
            listing = match.group(2)
            return match.group(1).lower(), [] if listing.strip() == "nothing" else objects_in(listing)
    return None


@dataclass
class Hints:
    """Places and appliances named by a text, for the receptacles of one room."""

    lines: list[str]
    receptacle_pattern: re.Pattern[str] | None

    @classmethod
    def read(cls, text: str, receptacles: Iterable[str]) -> Hints:
        names = sorted(set(receptacles), key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")(?!\d)") if names else None
        lines = [line.lower() for line in text.splitlines() if line.strip() and not _SKIPPED.match(line)]
        return cls(lines, pattern)

    def places(self, kind: str) -> list[str]:
        """Receptacles memory says hold an object of `kind`, first named first. The object of a treatment
        is held while it is treated, so that line says nothing of where it lies (`_TREATED`)."""
        return self._nearest(re.compile(rf"\b{re.escape(kind)}\b(?: \d+\b)?"), skip=_TREATED)

    def appliances(self, verb: str) -> list[str]:
        """Receptacles memory says `verb` (heat, cool, clean) is done with, first named first."""
        return self._nearest(re.compile(rf"\b{_VERB_FORMS.get(verb, re.escape(verb))}\b"))

    def _nearest(self, mention: re.Pattern[str], skip: re.Pattern[str] | None = None) -> list[str]:
        """The receptacle linked to each mention, unless `skip` matches the text that ends at it."""
        found: list[str] = []
        if self.receptacle_pattern is None:
            return found
        for line in self.lines:
            places = [(m.start(), m.end(), m.group(1)) for m in self.receptacle_pattern.finditer(line)]
            for hit in mention.finditer(line):
                if skip is not None and skip.search(line, 0, hit.start()):
                    continue
                place = _place_of(line, hit, places)
                if place is not None and place not in found:
                    found.append(place)
        return found


def _place_of(line: str, hit: re.Match[str], places: list[tuple[int, int, str]]) -> str | None:
    """The receptacle a mention is linked to: the one right after it ("apple 1 at countertop 2",
    "heat apple 1 with microwave 1"), else the last one before it in its clause ("On the countertop 2,
    you see a apple 1")."""
    if any(start <= hit.start() < end for start, end, _ in places):
        return None  # the mention is part of a receptacle's name
    after = next((p for p in places if p[0] >= hit.end()), None)
    if after is not None and _LINK.fullmatch(line[hit.end() : after[0]]):
        return after[2]
    before = [p for p in places if p[1] <= hit.start() and not _CLAUSE_BREAK.search(line[p[1] : hit.start()])]
    return before[-1][2] if before else None


@dataclass(frozen=True)
class TrajectoryFacts:
    """What one written trajectory establishes: where things were seen, which treatments worked."""

    task: str
    success: bool
    steps: int
    seen: tuple[str, ...]
    procedures: tuple[str, ...]
    contents: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def contents_lines(self) -> list[str]:
        """What each receptacle held, in the world's own words ("On the shelf 1, you see nothing.")."""
        return [f"On the {place}, you see {_listing(objects)}." for place, objects in self.contents]


def _listing(objects: tuple[str, ...]) -> str:
    listed = [f"a {name}" for name in objects]
    if len(listed) > 1:
        listed[-1] = "and " + listed[-1]
    return ", ".join(listed) or "nothing"


def trajectory_facts(raw_text: str) -> TrajectoryFacts:
    """Read back a trajectory written by `episode.format_trajectory`."""
    task, success, steps = "", False, 0
    seen: dict[str, str] = {}
    contents: dict[str, tuple[str, ...]] = {}
    procedures: list[str] = []
    last_command = ""
    for line in raw_text.splitlines():
        if line.lower().startswith("task:"):
            task = line.split(":", 1)[1].strip()
            continue
        outcome = _OUTCOME.match(line)
        if outcome:
            success, steps = outcome.group(1).lower() == "success", int(outcome.group(2))
            continue
        command = _COMMAND.match(line)
        if command:
            last_command = command.group(1).strip().lower()
            continue
        shown = contents_seen(line)
        if shown:
            contents.setdefault(shown[0], tuple(shown[1]))
            for obj in shown[1]:
                seen.setdefault(obj, shown[0])
        if line.lower().startswith("you pick up"):
            obj_place = re.match(r"take (.+?) from (.+)$", last_command)
            if obj_place:
                seen.setdefault(obj_place.group(1), obj_place.group(2))
        treated = re.match(r"^(heat|cool|clean) .+ with .+$", last_command)
        if treated and line.lower().startswith("you ") and last_command not in procedures:
            procedures.append(last_command)
    facts = tuple(f"{obj} at {place}" for obj, place in seen.items())
    return TrajectoryFacts(task, success, steps, facts, tuple(procedures), tuple(contents.items()))
