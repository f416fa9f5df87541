"""The built-in planning data: households and their tasks, generated from a seed, no download.

Each household is a layout of its own (a kitchen, and some of a living room, a bedroom and a
bathroom, with their receptacles listed in a shuffled order and objects scattered where they
belong) and a sequence of tasks, one of each ALFWorld type per six, about objects that recur across
the sequence. Every task starts from the household's morning state (everything back in its place),
so what an agent saw in an earlier task stays true in a later one: a memory that keeps where things
are and which appliance does what saves real steps; one that does not, saves none.

Generation is deterministic: a household depends only on (seed, index), never on how many others
are generated, and the dataset fingerprint covers every generated fact.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass

from evaluators.planning.catalog import APPLIANCE_VERB, LAMP_PLACES, OBJECT_KINDS, OBJECTS, ROOMS
from evaluators.planning.data import DEFAULT_STEP_LIMIT, Observation, PlanningEpisode, PlanningTask
from evaluators.planning.expert import expert_plan
from evaluators.planning.goals import (
    LOOK_IN_LIGHT,
    PICK_AND_PLACE,
    PICK_TWO,
    TASK_KINDS,
    TREATMENT_VERB,
    Goal,
)
from evaluators.planning.world import HouseholdWorld, Layout, Placement, Receptacle

DEFAULT_HOUSEHOLDS = 20
DEFAULT_TASKS = 6
OBJECT_KINDS_PER_HOUSEHOLD = (12, 18)
REUSE_OBJECT_CHANCE = 0.5
"""How often a task asks again about an object kind an earlier task of the household used."""


@dataclass(frozen=True)
class HouseholdEpisode(PlanningEpisode):
    layout: Layout | None = None


@dataclass(frozen=True)
class HouseholdDataset:
    """Generated households, one episode each; see the module docstring."""

    name: str
    episodes: tuple[HouseholdEpisode, ...]
    step_limit: int = DEFAULT_STEP_LIMIT

    def fingerprint(self) -> str:
        payload = json.dumps([asdict(e) for e in self.episodes] + [self.step_limit], sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def open_task(self, episode: PlanningEpisode, task: PlanningTask) -> HouseholdEnvironment:
        assert isinstance(episode, HouseholdEpisode) and episode.layout is not None
        return HouseholdEnvironment(HouseholdWorld(episode.layout, task.goal))


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
    seed: int = 0, households: int = DEFAULT_HOUSEHOLDS, tasks: int = DEFAULT_TASKS
) -> HouseholdDataset:
    """`households` generated households of `tasks` tasks each; deterministic in its arguments."""
    episodes = tuple(generate_household(seed, index, tasks) for index in range(households))
    return HouseholdDataset(f"household(seed={seed},households={households},tasks={tasks})", episodes)


def generate_household(seed: int, index: int, tasks: int = DEFAULT_TASKS) -> HouseholdEpisode:
    layout_id = f"household-{seed}-{index}"
    rng = random.Random(layout_id)
    layout = generate_layout(rng, layout_id)
    goals = generate_goals(rng, layout, tasks)
    planned = tuple(
        PlanningTask(f"{layout_id}/task-{n}", goal, goal.text, len(expert_plan(layout, goal)))
        for n, goal in enumerate(goals)
    )
    return HouseholdEpisode(layout_id, planned, layout)


def generate_layout(rng: random.Random, layout_id: str) -> Layout:
    others = rng.sample(["living room", "bedroom", "bathroom"], rng.randint(1, 3))
    if "living room" not in others and "bedroom" not in others:
        others.append(rng.choice(["living room", "bedroom"]))  # somewhere for the desk lamp
    numbers: dict[str, int] = {}
    receptacles: list[Receptacle] = []
    for room in ["kitchen", *others]:
        for kind in ROOMS[room]:
            for _ in range(rng.randint(*kind.count)):
                numbers[kind.name] = numbers.get(kind.name, 0) + 1
                receptacles.append(
                    Receptacle(f"{kind.name} {numbers[kind.name]}", kind.name, room, kind.openable)
                )
    rng.shuffle(receptacles)
    present = {r.kind for r in receptacles}
    by_kind = {kind: [r for r in receptacles if r.kind == kind] for kind in present}
    lamp_place = rng.choice([r for r in receptacles if r.kind in LAMP_PLACES])
    placements = [Placement("desklamp 1", "desklamp", lamp_place.name)]
    candidates = [k for k in OBJECTS if present.intersection(k.places)]
    for kind in rng.sample(candidates, min(len(candidates), rng.randint(*OBJECT_KINDS_PER_HOUSEHOLD))):
        places = [r for place in kind.places if place in present for r in by_kind[place]]
        for number in range(1, rng.choice((1, 1, 2, 2, 3)) + 1):
            placements.append(Placement(f"{kind.name} {number}", kind.name, rng.choice(places).name))
    return Layout(layout_id, tuple(receptacles), tuple(placements))


def generate_goals(rng: random.Random, layout: Layout, count: int) -> list[Goal]:
    """`count` goals: the six kinds in a shuffled order (again for more), objects often recurring."""
    kinds: list[str] = []
    while len(kinds) < count:
        kinds.extend(rng.sample(TASK_KINDS, len(TASK_KINDS)))
    used: list[str] = []
    goals = []
    for kind in kinds[:count]:
        options = _goal_options(layout, kind) or _goal_options(layout, PICK_AND_PLACE)
        again = [goal for goal in options if goal.obj in used]
        goal = rng.choice(again if again and rng.random() < REUSE_OBJECT_CHANCE else options)
        used.append(goal.obj)
        goals.append(goal)
    return goals


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
        if verb and (verb not in OBJECT_KINDS[obj].treatments or verb not in APPLIANCE_VERB.values()):
            continue
        if kind == PICK_TWO and counts[obj] < 2:
            continue
        targets = [t for t in OBJECT_KINDS[obj].places if t in present and t not in lies_in[obj]]
        options.extend(Goal(kind, obj, target) for target in targets)
    return options
