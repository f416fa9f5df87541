"""The built-in planning data: rooms and their tasks, generated from a seed, no download.

An episode (a "household", the unit of splitting) is a sequence of tasks of ALFWorld's six types, drawn
as often as ALFWorld's games have them, played in rooms generated from the catalog's priors (`catalog`):
the receptacle kinds and how many of each, which are closed, where each kind of object tends to lie, and
which appliance heats, cools or cleans.

ALFWorld's games are trials of floor plans. Games of one floor plan share the room (the same receptacles
under the same names) but not where its objects lie: ALFRED spawns every trial's objects anew. How many
games a floor plan gives depends on the set: the 24 dev games come from 21 floor plans, `valid_unseen`'s
134 games from 4; the adapter plays a floor plan's games in one run. So a room here gives a run one task
or several (`PLAN_GAMES`, as the dev games' floor plans do; `trials=N` fixes the number): its
receptacles, lamp and kinds of object kept, its objects placed afresh by the same priors
(`generate_trial`). Mostly, then, nothing about *this* room (where the apple lies) is true in the next,
and a memory pays off by procedures and priors; in a room played again, also by where things of a kind
were. The priors alone make an object lie where one of its kind lay in the room's earlier trial about as
often as in the dev games' floor plans with several games (`benchmarks/floor_plans.py`).

A task's room type follows the task as in ALFWorld (heating and cooling happen in kitchens, lamps stand
in bedrooms and living rooms), and a room lists its receptacles as ALFWorld does: kinds in alphabetical
order, each kind's highest number first.

A task's object is chosen as ALFWorld's tasks have theirs: mostly lying in the open. The room is drawn
first and the task chosen among what it allows; left at that, the task's object would be as often inside
something closed as any object (a quarter of them). ALFWorld's games are made the other way round
(ALFRED samples the task, then spawns the room around it and keeps the games its planner solved), and in
them the task's object is far more often in the open than objects in general: `TASK_OBJECT_IN_OPEN`.

Generation is deterministic: an episode depends only on (seed, index), never on how many others are
generated, and the dataset fingerprint covers every generated fact.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from typing import TypeVar

from evaluators.planning.catalog import (
    APPLIANCE_VERB,
    BATHROOM,
    BEDROOM,
    INSTANCES,
    KITCHEN,
    LAMP_PLACES,
    LAMP_PRESENCE,
    LIVING_ROOM,
    OBJECT_KINDS,
    OBJECTS,
    ROOMS,
    ObjectKind,
)
from evaluators.planning.data import DEFAULT_STEP_LIMIT, Observation, PlanningEpisode, PlanningTask
from evaluators.planning.expert import expert_plan
from evaluators.planning.goals import (
    LOOK_IN_LIGHT,
    PICK_AND_PLACE,
    PICK_CLEAN,
    PICK_COOL,
    PICK_HEAT,
    PICK_TWO,
    TREATMENT_VERB,
    Goal,
)
from evaluators.planning.world import HouseholdWorld, Layout, Placement, Receptacle

K = TypeVar("K")

DEFAULT_HOUSEHOLDS = 60
"""Episodes of the default data: 24 in `select` and 24 in `test`. Memories differ here by about a tenth
of a step a task; with 20 episodes (8 a split) the sign of such a difference on `select` came out against
the one pooled over many seeds of the world on 1 seed of 16 (benchmarks/planning_split_size.py)."""
DEFAULT_TASKS = 6
ROOM_ATTEMPTS = 20
"""Rooms drawn for a task before falling back to a pick-and-place task (a look task needs a lamp)."""

TASK_SHARES = {
    PICK_AND_PLACE: 0.22,
    PICK_CLEAN: 0.22,
    PICK_HEAT: 0.15,
    PICK_COOL: 0.17,
    LOOK_IN_LIGHT: 0.12,
    PICK_TWO: 0.15,
}
"""How often each task kind comes: about as in ALFWorld's validation games (seen and unseen together).
Kinds come independently, so a task often follows one of its kind, as in a run of ALFWorld games."""
APPLIANCE = {verb: kind for kind, verb in APPLIANCE_VERB.items()}
TASK_ROOMS: dict[str, dict[str, float]] = {
    PICK_HEAT: {KITCHEN: 1.0},
    PICK_COOL: {KITCHEN: 1.0},
    PICK_CLEAN: {KITCHEN: 0.75, BATHROOM: 0.25},
    LOOK_IN_LIGHT: {BEDROOM: 0.65, LIVING_ROOM: 0.35},
    PICK_AND_PLACE: {KITCHEN: 0.3, LIVING_ROOM: 0.3, BEDROOM: 0.25, BATHROOM: 0.15},
    PICK_TWO: {KITCHEN: 0.3, LIVING_ROOM: 0.25, BEDROOM: 0.3, BATHROOM: 0.15},
}
"""The room type a task of each kind is played in (ALFWorld's task types live in these rooms)."""
PLAN_GAMES = {1: 19, 2: 1, 3: 1}
"""How many games a room (a floor plan) gives a run, weighted as in the 24 ALFWorld `valid_seen` dev
games: 19 of their 21 floor plans give one game, one gives two and one three (the adapter plays a floor
plan's games in one run, so 3 of the 24 games replay a room seen earlier in their run). `trials=N` fixes
the number instead, e.g. 33 for a split like `valid_unseen` (134 games from 4 floor plans)."""
TASK_OBJECT_IN_OPEN = 20 / 24
"""The share of tasks whose object lies wholly in the open: no instance of it inside a receptacle that
opens and closes. Measured on the 24 ALFWorld `valid_seen` dev games (their PDDL problems, as
`benchmarks/planning_transfer.py` reads them): in 20 every instance of the task's object lies in the open,
in 3 some and in 1 all lie inside something closed; 5 of the 53 task-object instances (9%) are hidden,
against 22% of all movable objects. So the choice is modelled, not fitted: with this probability the task
is drawn among those whose object lies wholly in the open, otherwise among those whose object has an
instance inside something closed (either falls back on every task the room allows when it has none)."""


@dataclass(frozen=True)
class HouseholdTask(PlanningTask):
    layout: Layout | None = None


@dataclass(frozen=True)
class HouseholdDataset:
    """Generated episodes, each a run of tasks in rooms drawn for them; see the module docstring."""

    name: str
    episodes: tuple[PlanningEpisode, ...]
    step_limit: int = DEFAULT_STEP_LIMIT

    def fingerprint(self) -> str:
        payload = json.dumps([asdict(e) for e in self.episodes] + [self.step_limit], sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def open_task(self, episode: PlanningEpisode, task: PlanningTask) -> HouseholdEnvironment:
        assert isinstance(task, HouseholdTask) and task.layout is not None
        return HouseholdEnvironment(HouseholdWorld(task.layout, task.goal))


class HouseholdEnvironment:
    """A `TaskEnvironment` over the built-in world."""

    def __init__(self, world: HouseholdWorld) -> None:
        self.world = world

    def reset(self) -> Observation:
        return self._observe(self.world.reset())

    def step(self, command: str) -> Observation:
        return self._observe(self.world.step(command))

    def close(self) -> None:
        pass

    def _observe(self, text: str) -> Observation:
        return Observation(text, tuple(self.world.admissible_commands()), self.world.won)


def generate_dataset(
    seed: int = 0, households: int = DEFAULT_HOUSEHOLDS, tasks: int = DEFAULT_TASKS, trials: int | None = None
) -> HouseholdDataset:
    """`households` generated episodes of `tasks` tasks each, `trials` tasks to a room (by default as many
    as ALFWorld's floor plans give the dev games, `PLAN_GAMES`); deterministic in its arguments."""
    episodes = tuple(generate_household(seed, index, tasks, trials) for index in range(households))
    shown = f",trials={trials}" if trials is not None else ""
    return HouseholdDataset(f"household(seed={seed},households={households},tasks={tasks}{shown})", episodes)


def generate_household(
    seed: int, index: int, tasks: int = DEFAULT_TASKS, trials: int | None = None
) -> PlanningEpisode:
    """Episode `index`: `tasks` tasks of kinds drawn as ALFWorld's games come, in rooms of `trials` tasks
    each (by default a number drawn per room from `PLAN_GAMES`)."""
    episode_id = f"household-{seed}-{index}"
    rng = random.Random(episode_id)
    generated: list[HouseholdTask] = []
    left_in_room = 0
    for n in range(tasks):
        task_id = f"{episode_id}/task-{n}"
        if left_in_room:
            generated.append(generate_trial(rng, task_id, generated[-1]))
        else:
            generated.append(generate_task(rng, task_id, _weighted(rng, TASK_SHARES)))
            left_in_room = trials or _weighted(rng, PLAN_GAMES)
        left_in_room -= 1
    return PlanningEpisode(episode_id, tuple(generated))


def generate_task(rng: random.Random, task_id: str, kind: str) -> HouseholdTask:
    """A task of `kind` in a room drawn for it; a pick-and-place task if no drawn room allows `kind`."""
    for attempt in range(ROOM_ATTEMPTS + 1):
        wanted = kind if attempt < ROOM_ATTEMPTS else PICK_AND_PLACE
        room = _weighted(rng, TASK_ROOMS[wanted])
        layout = generate_room(rng, f"{task_id}/{room.replace(' ', '')}", room)
        options = _goal_options(layout, wanted)
        if options:
            return _task(rng, task_id, layout, options)
    raise AssertionError(f"no room allows a pick-and-place task for {task_id}")  # every room type does


def generate_trial(rng: random.Random, task_id: str, previous: HouseholdTask) -> HouseholdTask:
    """The next task in the room of `previous`, as ALFWorld's games of one floor plan are made: the same
    receptacles under the same names, the same lamp and the same kinds of object, but every object placed
    anew (ALFRED spawns each trial's objects at random among the places their kind may lie), and a task
    of a kind the room's type allows, as often as ALFWorld's task kinds come in such rooms."""
    assert previous.layout is not None
    plan = previous.layout
    room = plan.receptacles[0].room
    kinds = {kind: share * TASK_ROOMS[kind].get(room, 0.0) for kind, share in TASK_SHARES.items()}
    lamps = tuple(p for p in plan.placements if p.kind == "desklamp")
    present = {p.kind for p in plan.placements}
    for attempt in range(ROOM_ATTEMPTS + 1):
        wanted = _weighted(rng, kinds) if attempt < ROOM_ATTEMPTS else PICK_AND_PLACE
        objects = place_objects(rng, plan.receptacles, room, present)
        layout = Layout(f"{task_id}/{room.replace(' ', '')}", plan.receptacles, lamps + objects)
        options = _goal_options(layout, wanted)
        if options:
            return _task(rng, task_id, layout, options)
    raise AssertionError(f"no trial allows a pick-and-place task for {task_id}")  # its room's first did


def _task(rng: random.Random, task_id: str, layout: Layout, options: list[Goal]) -> HouseholdTask:
    goal = choose_goal(rng, layout, options)
    return HouseholdTask(task_id, goal, goal.text, len(expert_plan(layout, goal)), layout)


def generate_room(rng: random.Random, layout_id: str, room: str) -> Layout:
    """A room of type `room` drawn from the catalog's priors, listing its receptacles as ALFWorld does."""
    receptacles = [
        Receptacle(f"{kind.name} {number}", kind.name, room, rng.random() < kind.openable)
        for kind in ROOMS[room]
        if rng.random() < kind.presence
        for number in range(1, rng.randint(*kind.count) + 1)
    ]
    receptacles.sort(key=lambda r: (r.kind, -int(r.name.rsplit(" ", 1)[1])))
    kinds_present = {r.kind for r in receptacles}
    lamps: tuple[Placement, ...] = ()
    lamp_places = {kind: weight for kind, weight in LAMP_PLACES.items() if kind in kinds_present}
    if lamp_places and rng.random() < LAMP_PRESENCE.get(room, 0.0):
        lamp_kind = _weighted(rng, lamp_places)
        place = rng.choice([r for r in receptacles if r.kind == lamp_kind])
        lamps = (Placement("desklamp 1", "desklamp", place.name),)
    return Layout(layout_id, tuple(receptacles), lamps + place_objects(rng, tuple(receptacles), room))


def place_objects(
    rng: random.Random, receptacles: tuple[Receptacle, ...], room: str, present: set[str] | None = None
) -> tuple[Placement, ...]:
    """Objects placed in a room by the catalog's priors: each kind that turns up in rooms of this type
    (or, for another trial of a room, each kind in `present`), its instances counted as in ALFWorld's
    rooms and each put on a receptacle drawn by the kind's weights over where it lies."""
    by_kind: dict[str, list[Receptacle]] = {}
    for receptacle in receptacles:
        by_kind.setdefault(receptacle.kind, []).append(receptacle)
    placements: list[Placement] = []
    for kind in OBJECTS:
        places = {place: weight for place, weight in kind.places.items() if place in by_kind}
        if not places or not _turns_up(rng, kind, room, present):
            continue
        for number in range(1, _weighted(rng, INSTANCES) + 1):
            place = rng.choice(by_kind[_weighted(rng, places)])
            placements.append(Placement(f"{kind.name} {number}", kind.name, place.name))
    return tuple(placements)


def _turns_up(rng: random.Random, kind: ObjectKind, room: str, present: set[str] | None) -> bool:
    """Whether a kind of object is in the room: as often as in rooms of its type, or as it was in an
    earlier trial of this room (`present`)."""
    if present is not None:
        return kind.name in present
    return rng.random() < kind.rooms.get(room, 0.0)


def _weighted(rng: random.Random, weights: dict[K, float]) -> K:
    """One key of `weights`, drawn with its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def choose_goal(rng: random.Random, layout: Layout, options: list[Goal]) -> Goal:
    """One of `options`, its object wholly in the open as often as ALFWorld's are (`TASK_OBJECT_IN_OPEN`)."""
    in_open = [goal for goal in options if not hidden_instances(layout, goal.obj)]
    in_closed = [goal for goal in options if hidden_instances(layout, goal.obj)]
    pool = in_open if rng.random() < TASK_OBJECT_IN_OPEN else in_closed
    return rng.choice(pool or options)


def hidden_instances(layout: Layout, obj: str) -> int:
    """How many instances of object kind `obj` lie inside a receptacle that opens and closes."""
    return sum(1 for p in layout.placements if p.kind == obj and layout.receptacle(p.receptacle).openable)


def _goal_options(layout: Layout, kind: str) -> list[Goal]:
    """Every goal of `kind` the layout supports, none already done at the start."""
    present = {r.kind for r in layout.receptacles}
    lamps = sorted({p.kind for p in layout.placements if p.kind == "desklamp"})
    counts: dict[str, int] = {}
    lies_in: dict[str, set[str]] = {}
    for placement in layout.placements:
        counts[placement.kind] = counts.get(placement.kind, 0) + 1
        lies_in.setdefault(placement.kind, set()).add(layout.receptacle(placement.receptacle).kind)
    options = []
    for obj in sorted(k for k in counts if k in OBJECT_KINDS):
        if kind == LOOK_IN_LIGHT:
            options.extend(Goal(kind, obj, lamp) for lamp in lamps)
            continue
        verb = TREATMENT_VERB.get(kind)
        if verb and (verb not in OBJECT_KINDS[obj].treatments or APPLIANCE[verb] not in present):
            continue
        if kind == PICK_TWO and counts[obj] < 2:
            continue
        targets = [t for t in sorted(OBJECT_KINDS[obj].places) if t in present and t not in lies_in[obj]]
        options.extend(Goal(kind, obj, target) for target in targets)
    return options
