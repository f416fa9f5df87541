"""The built-in household text world: a layout, its state, and the rules of every command.

A `Layout` is a room as a task finds it (receptacles in the order the room lists them, objects where
they lie); `HouseholdWorld` plays one task in it. Commands are ALFWorld's:

    go to R | open R | close R | take X from R | put X in/on R | clean X with R | heat X with R
    cool X with R | use L | examine X | examine R | look | inventory

The rules, which the tests pin down: only what is admissible does anything (anything else answers
"Nothing happens." and changes nothing); a closed receptacle hides its contents until opened; one
object can be held at a time; a microwave makes the held object hot, a fridge cold, a sink basin
clean; using a desk lamp lights the held object. `admissible_commands()` lists exactly the commands
that do something, so the rules live in one place: `_actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from evaluators.planning.catalog import APPLIANCE_VERB, LAMPS, OBJECT_KINDS, VERB_STATE
from evaluators.planning.goals import LOOK_IN_LIGHT, PICK_TWO, Goal

NOTHING_HAPPENS = "Nothing happens."


@dataclass(frozen=True)
class Receptacle:
    name: str
    kind: str
    room: str
    openable: bool


@dataclass(frozen=True)
class Placement:
    """An object (`apple 2`) of a kind (`apple`) lying in or on a receptacle."""

    name: str
    kind: str
    receptacle: str


@dataclass(frozen=True)
class Layout:
    """A room's receptacles (in the order its description lists them) and where objects lie."""

    layout_id: str
    receptacles: tuple[Receptacle, ...]
    placements: tuple[Placement, ...]

    def receptacle(self, name: str) -> Receptacle:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Receptacle]:
        return {r.name: r for r in self.receptacles}

    def describe(self) -> str:
        """What the agent sees when a task starts."""
        listed = _enumerate(r.name for r in self.receptacles)
        return f"You are in the middle of a room. Looking quickly around you, you see {listed}."


@dataclass
class WorldState:
    location: str | None = None
    held: str | None = None
    contents: dict[str, list[str]] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)
    states: dict[str, set[str]] = field(default_factory=dict)
    lamps_on: set[str] = field(default_factory=set)


class HouseholdWorld:
    """One task in a room, from its initial state; `step` plays a command, `won` says if done."""

    def __init__(self, layout: Layout, goal: Goal) -> None:
        self.layout = layout
        self.goal = goal
        self.kinds = {p.name: p.kind for p in layout.placements}
        self._targets = [r.name for r in layout.receptacles if r.kind == goal.target]
        self.state = WorldState()
        self.reset()

    def reset(self) -> str:
        self.state = WorldState(contents={r.name: [] for r in self.layout.receptacles})
        for placement in self.layout.placements:
            self.state.contents[placement.receptacle].append(placement.name)
            self.state.states[placement.name] = set()
        return f"{self.layout.describe()}\n\nYour task is to: {self.goal.text}"

    def admissible_commands(self) -> list[str]:
        return list(self._actions())

    def step(self, command: str) -> str:
        """Play one command; an inadmissible one changes nothing."""
        action = self._actions().get(" ".join(command.strip().lower().split()))
        return action() if action else NOTHING_HAPPENS

    @property
    def won(self) -> bool:
        goal, state = self.goal, self.state
        if goal.kind == LOOK_IN_LIGHT:
            return self._held_kind() == goal.obj and self._lamp_here_on(goal.target)
        wanted_state = VERB_STATE.get(goal.verb or "")
        placed = [
            name
            for receptacle in self._targets
            for name in state.contents[receptacle]
            if self.kinds[name] == goal.obj and (wanted_state is None or wanted_state in state.states[name])
        ]
        return len(placed) >= (2 if goal.kind == PICK_TWO else 1)

    # The rules: every command that does something, and what it does.

    def _actions(self) -> dict[str, Callable[[], str]]:
        state = self.state
        actions: dict[str, Callable[[], str]] = {}
        for receptacle in self.layout.receptacles:
            if receptacle.name != state.location:
                actions[f"go to {receptacle.name}"] = lambda r=receptacle: self._go(r)
        here = self.layout.receptacle(state.location) if state.location else None
        if here is not None:
            if here.openable and here.name not in state.opened:
                actions[f"open {here.name}"] = lambda: self._open(here)
            if here.openable and here.name in state.opened:
                actions[f"close {here.name}"] = lambda: self._close(here)
            visible = self._visible(here)
            if state.held is None:
                for name in visible:
                    if self.kinds[name] not in LAMPS:
                        actions[f"take {name} from {here.name}"] = lambda n=name: self._take(n, here)
            else:
                held = state.held
                if self._accessible(here):
                    actions[f"put {held} in/on {here.name}"] = lambda: self._put(held, here)
                verb = APPLIANCE_VERB.get(here.kind)
                if verb and verb in OBJECT_KINDS[self.kinds[held]].treatments:
                    actions[f"{verb} {held} with {here.name}"] = lambda: self._treat(verb, held, here)
            for name in visible:
                if self.kinds[name] in LAMPS:
                    actions[f"use {name}"] = lambda n=name: self._use_lamp(n)
                actions[f"examine {name}"] = lambda n=name: self._examine_object(n)
            actions[f"examine {here.name}"] = lambda: self._describe(here)
        if state.held is not None:
            actions[f"examine {state.held}"] = lambda: self._examine_object(state.held)
        actions["look"] = self._look
        actions["inventory"] = self._inventory
        return actions

    def _go(self, receptacle: Receptacle) -> str:
        self.state.location = receptacle.name
        return f"You arrive at {receptacle.name}. {self._describe(receptacle)}"

    def _open(self, receptacle: Receptacle) -> str:
        self.state.opened.add(receptacle.name)
        return f"You open the {receptacle.name}. {self._describe(receptacle)}"

    def _close(self, receptacle: Receptacle) -> str:
        self.state.opened.discard(receptacle.name)
        return f"You close the {receptacle.name}."

    def _take(self, name: str, receptacle: Receptacle) -> str:
        self.state.contents[receptacle.name].remove(name)
        self.state.held = name
        return f"You pick up the {name} from the {receptacle.name}."

    def _put(self, name: str, receptacle: Receptacle) -> str:
        self.state.contents[receptacle.name].append(name)
        self.state.held = None
        return f"You put the {name} in/on the {receptacle.name}."

    def _treat(self, verb: str, name: str, receptacle: Receptacle) -> str:
        states = self.state.states[name]
        states.add(VERB_STATE[verb])
        states.discard({"heat": "cold", "cool": "hot"}.get(verb, ""))
        return f"You {verb} the {name} using the {receptacle.name}."

    def _use_lamp(self, lamp: str) -> str:
        self.state.lamps_on.add(lamp)
        if self.state.held is not None:
            self.state.states[self.state.held].add("in light")
        return f"You turn on the {lamp}."

    def _examine_object(self, name: str) -> str:
        states = self.state.states[name]
        if self.state.held == name and self._lamp_here_on(None):
            states.add("in light")
        adjectives = ", ".join(s for s in ("hot", "cold", "clean", "in light") if s in states)
        return f"This is a {adjectives + ' ' if adjectives else ''}{name}."

    def _look(self) -> str:
        if self.state.location is None:
            return self.layout.describe()
        here = self.layout.receptacle(self.state.location)
        return f"You are at {here.name} in the {here.room}. {self._describe(here)}"

    def _inventory(self) -> str:
        held = self.state.held
        return f"You are carrying: a {held}." if held else "You are not carrying anything."

    # Helpers.

    def _accessible(self, receptacle: Receptacle) -> bool:
        return not receptacle.openable or receptacle.name in self.state.opened

    def _visible(self, receptacle: Receptacle) -> list[str]:
        return list(self.state.contents[receptacle.name]) if self._accessible(receptacle) else []

    def _describe(self, receptacle: Receptacle) -> str:
        if not self._accessible(receptacle):
            return f"The {receptacle.name} is closed."
        seen = _enumerate(self.state.contents[receptacle.name]) or "nothing"
        if receptacle.openable:
            return f"The {receptacle.name} is open. In it, you see {seen}."
        return f"On the {receptacle.name}, you see {seen}."

    def _held_kind(self) -> str | None:
        return self.kinds[self.state.held] if self.state.held else None

    def _lamp_here_on(self, lamp_kind: str | None) -> bool:
        if self.state.location is None:
            return False
        return any(
            name in self.state.lamps_on and (lamp_kind is None or self.kinds[name] == lamp_kind)
            for name in self.state.contents[self.state.location]
        )


def _enumerate(names) -> str:
    listed = [f"a {name}" for name in names]
    if len(listed) > 1:
        listed[-1] = "and " + listed[-1]
    return ", ".join(listed)
