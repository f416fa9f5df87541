"""Planning goals: the six ALFWorld task types, the sentences that state them, and a parser back.

Both worlds (the built-in household and ALFWorld) state a task as one sentence ("put a hot apple in
countertop."). Agents get only that sentence; `parse_goal` is how the rule-based agent understands
it, and it reads every phrasing ALFWorld's grammar uses, so the same agent plays both worlds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PICK_AND_PLACE = "pick_and_place"
PICK_CLEAN = "pick_clean_then_place"
PICK_HEAT = "pick_heat_then_place"
PICK_COOL = "pick_cool_then_place"
LOOK_IN_LIGHT = "look_at_obj_in_light"
PICK_TWO = "pick_two_obj_and_place"

TASK_KINDS = (PICK_AND_PLACE, PICK_CLEAN, PICK_HEAT, PICK_COOL, LOOK_IN_LIGHT, PICK_TWO)

TREATMENT_VERB = {PICK_CLEAN: "clean", PICK_HEAT: "heat", PICK_COOL: "cool"}
"""The command verb a task needs done to its object before placing it."""

ALFWORLD_TASK_KINDS = {
    "pick_and_place_simple": PICK_AND_PLACE,
    "pick_clean_then_place_in_recep": PICK_CLEAN,
    "pick_heat_then_place_in_recep": PICK_HEAT,
    "pick_cool_then_place_in_recep": PICK_COOL,
    "look_at_obj_in_light": LOOK_IN_LIGHT,
    "pick_two_obj_and_place": PICK_TWO,
}
"""ALFWorld's task-type folder prefixes, mapped to ours."""


@dataclass(frozen=True)
class Goal:
    """What a task asks: its kind, the object type, and the receptacle type to put it in (or the lamp
    type for `look_at_obj_in_light`)."""

    kind: str
    obj: str
    target: str

    @property
    def verb(self) -> str | None:
        """`clean`, `heat` or `cool` when the object must be treated first."""
        return TREATMENT_VERB.get(self.kind)

    @property
    def text(self) -> str:
        """The sentence that states the goal, in ALFWorld's main phrasing."""
        if self.kind == LOOK_IN_LIGHT:
            return f"look at {self.obj} under the {self.target}."
        if self.kind == PICK_TWO:
            return f"put two {self.obj} in {self.target}."
        adjective = {PICK_CLEAN: "clean ", PICK_HEAT: "hot ", PICK_COOL: "cool "}.get(self.kind, "")
        return f"put a {adjective}{self.obj} in {self.target}."


_NAME = r"([a-z]+)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (rf"^(?:look at|examine) (?:the |a |some )?{_NAME} (?:under|with) the {_NAME}$", LOOK_IN_LIGHT),
        (rf"^(?:put|place) two {_NAME}s? (?:in|on|in/on) {_NAME}$", PICK_TWO),
        (rf"^find two {_NAME}s? and put them (?:in|on|in/on) {_NAME}$", PICK_TWO),
        (rf"^(?:put|place) (?:a|an|some) clean {_NAME} (?:in|on|in/on) {_NAME}$", PICK_CLEAN),
        (rf"^clean (?:a|an|some) {_NAME} and put it (?:in|on|in/on) {_NAME}$", PICK_CLEAN),
        (rf"^(?:put|place) (?:a|an|some) hot {_NAME} (?:in|on|in/on) {_NAME}$", PICK_HEAT),
        (rf"^heat (?:a|an|some) {_NAME} and put it (?:in|on|in/on) {_NAME}$", PICK_HEAT),
        (rf"^(?:put|place) (?:a|an|some) (?:cool|cold) {_NAME} (?:in|on|in/on) {_NAME}$", PICK_COOL),
        (rf"^cool (?:a|an|some) {_NAME} and put it (?:in|on|in/on) {_NAME}$", PICK_COOL),
        (rf"^(?:put|place) (?:a|an|some) {_NAME} (?:in|on|in/on) {_NAME}$", PICK_AND_PLACE),
    )
)


def parse_goal(text: str) -> Goal | None:
    """The goal a task sentence states (with or without "Your task is to:"), or None if unrecognised."""
    sentence = text.strip().lower()
    sentence = re.sub(r"^.*your task is to:\s*", "", sentence, flags=re.DOTALL).strip().rstrip(".")
    sentence = re.sub(r"\s+", " ", sentence)
    for pattern, kind in _PATTERNS:
        match = pattern.match(sentence)
        if match:
            return Goal(kind, match.group(1), match.group(2))
    return None
