"""A planner that knows the whole room: the shortest plan for a built-in task.

It is the built-in world's counterpart of ALFWorld's expert walkthrough: tests play it to prove every
generated task is winnable, and its length is each task's `expert_steps`, the floor that no memory can
beat. It tries every choice of object instances, appliance, lamp and target receptacle and keeps the
shortest plan, which is small work for a room of a few dozen receptacles.
"""

from __future__ import annotations

import itertools

from evaluators.planning.catalog import APPLIANCE_VERB, LAMPS
from evaluators.planning.goals import LOOK_IN_LIGHT, PICK_TWO, Goal
from evaluators.planning.world import Layout, Placement, Receptacle


def expert_plan(layout: Layout, goal: Goal) -> list[str]:
    """The shortest command list that wins `goal` from the layout's initial state; [] if none exists."""
    objects = [p for p in layout.placements if p.kind == goal.obj]
    plans: list[list[str]] = []
    if goal.kind == LOOK_IN_LIGHT:
        lamps = [p for p in layout.placements if p.kind == goal.target and p.kind in LAMPS]
        plans = [_light_plan(layout, obj, lamp) for obj in objects for lamp in lamps]
    else:
        targets = [r for r in layout.receptacles if r.kind == goal.target]
        appliances = [r for r in layout.receptacles if APPLIANCE_VERB.get(r.kind) == goal.verb] or [None]
        count = 2 if goal.kind == PICK_TWO else 1
        for chosen in itertools.permutations(objects, count):
            for target in targets:
                for appliance in appliances if goal.verb else [None]:
                    plans.append(_place_plan(layout, goal, list(chosen), target, appliance))
    return min(plans, key=len, default=[])


class _Walker:
    """Builds a plan while tracking where the player stands and what it has opened."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.location: str | None = None
        self.opened: set[str] = set()
        self.commands: list[str] = []

    def go(self, receptacle: Receptacle) -> None:
        if self.location != receptacle.name:
            self.commands.append(f"go to {receptacle.name}")
            self.location = receptacle.name

    def reach_inside(self, receptacle: Receptacle) -> None:
        self.go(receptacle)
        if receptacle.openable and receptacle.name not in self.opened:
            self.commands.append(f"open {receptacle.name}")
            self.opened.add(receptacle.name)

    def take(self, placement: Placement) -> None:
        receptacle = self.layout.receptacle(placement.receptacle)
        self.reach_inside(receptacle)
        self.commands.append(f"take {placement.name} from {receptacle.name}")


def _place_plan(
    layout: Layout, goal: Goal, objects: list[Placement], target: Receptacle, appliance: Receptacle | None
) -> list[str]:
    walker = _Walker(layout)
    for placement in objects:
        walker.take(placement)
        if appliance is not None and goal.verb:
            walker.go(appliance)
            walker.commands.append(f"{goal.verb} {placement.name} with {appliance.name}")
        walker.reach_inside(target)
        walker.commands.append(f"put {placement.name} in/on {target.name}")
    return walker.commands


def _light_plan(layout: Layout, obj: Placement, lamp: Placement) -> list[str]:
    walker = _Walker(layout)
    walker.take(obj)
    walker.go(layout.receptacle(lamp.receptacle))
    walker.commands.append(f"use {lamp.name}")
    return walker.commands
