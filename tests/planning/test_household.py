"""The generated rooms and tasks: deterministic, winnable, all six task kinds, ALFWorld-like rooms."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from itertools import pairwise

import pytest

from evaluators.planning.expert import expert_plan
from evaluators.planning.goals import ALFWORLD_TASK_KINDS, TASK_KINDS, Goal, parse_goal
from evaluators.planning.household import (
    TASK_OBJECT_IN_OPEN,
    TASK_ROOMS,
    choose_goal,
    generate_dataset,
    generate_household,
    hidden_instances,
)
from evaluators.planning.world import HouseholdWorld, Layout, Placement, Receptacle
from evaluators.splits import SPLITS, take_split


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(seed=0, households=12, tasks=6)


def test_generation_is_deterministic_and_depends_on_the_seed(dataset):
    again = generate_dataset(seed=0, households=12, tasks=6)
    assert again == dataset and again.fingerprint() == dataset.fingerprint()
    assert generate_dataset(seed=1, households=12, tasks=6).fingerprint() != dataset.fingerprint()


def test_a_household_does_not_depend_on_how_many_are_generated(dataset):
    assert generate_household(0, 5, 6) == dataset.episodes[5]
    assert generate_dataset(seed=0, households=3).episodes == dataset.episodes[:3]


def test_every_task_is_won_by_the_expert_plan_and_reports_its_length(dataset):
    for episode in dataset.episodes:
        for task in episode.tasks:
            world = HouseholdWorld(task.layout, task.goal)
            world.reset()
            plan = expert_plan(task.layout, task.goal)
            for command in plan:
                assert command in world.admissible_commands(), (task.task_id, command)
                world.step(command)
            assert world.won, task.task_id
            assert task.expert_steps == len(plan)


def test_tasks_cover_the_six_kinds_and_no_task_is_done_at_the_start(dataset):
    kinds = {task.goal.kind for episode in dataset.episodes for task in episode.tasks}
    assert kinds == set(TASK_KINDS)
    for episode in dataset.episodes:
        for task in episode.tasks:
            world = HouseholdWorld(task.layout, task.goal)
            world.reset()
            assert not world.won, task.task_id


def test_every_task_has_a_layout_of_its_own_listed_as_alfworld_lists_rooms(dataset):
    layouts = [task.layout for episode in dataset.episodes for task in episode.tasks]
    assert len({(layout.receptacles, layout.placements) for layout in layouts}) == len(layouts)
    for layout in layouts:
        assert len({r.room for r in layout.receptacles}) == 1
        listed = [(r.kind, -int(r.name.split()[1])) for r in layout.receptacles]
        assert listed == sorted(listed)
        assert layout.describe().startswith("You are in the middle of a room. Looking quickly around you")
    for task in (task for episode in dataset.episodes for task in episode.tasks):
        if task.goal.verb:
            assert task.layout.receptacles[0].room in TASK_ROOMS[task.goal.kind]


def test_the_test_split_holds_layouts_never_seen_in_the_other_splits(dataset):
    chosen = {split: take_split(dataset.episodes, split, lambda e: e.episode_id) for split in SPLITS}
    assert all(chosen.values())
    layouts = {
        split: {(t.layout.receptacles, t.layout.placements) for e in eps for t in e.tasks}
        for split, eps in chosen.items()
    }
    assert not layouts["test"] & (layouts["reflect"] | layouts["select"])
    task_ids = {split: {t.task_id for e in eps for t in e.tasks} for split, eps in chosen.items()}
    assert not task_ids["test"] & (task_ids["reflect"] | task_ids["select"])
    assert sum(len(e) for e in chosen.values()) == len(dataset.episodes)


@pytest.mark.parametrize(
    ("sentence", "goal"),
    [
        ("Your task is to: put a hot egg in fridge.", Goal("pick_heat_then_place", "egg", "fridge")),
        ("heat some egg and put it in countertop.", Goal("pick_heat_then_place", "egg", "countertop")),
        ("cool some apple and put it in microwave.", Goal("pick_cool_then_place", "apple", "microwave")),
        ("put a cool apple in garbagecan.", Goal("pick_cool_then_place", "apple", "garbagecan")),
        ("put a clean butterknife in drawer.", Goal("pick_clean_then_place", "butterknife", "drawer")),
        ("put some book on sidetable.", Goal("pick_and_place", "book", "sidetable")),
        ("examine the bowl with the desklamp.", Goal("look_at_obj_in_light", "bowl", "desklamp")),
        ("look at box under the desklamp.", Goal("look_at_obj_in_light", "box", "desklamp")),
        ("find two book and put them in desk.", Goal("pick_two_obj_and_place", "book", "desk")),
        ("put two alarmclock in dresser.", Goal("pick_two_obj_and_place", "alarmclock", "dresser")),
    ],
)
def test_goal_sentences_of_every_alfworld_phrasing_parse(sentence, goal):
    assert parse_goal(sentence) == goal


def test_generated_goal_sentences_parse_back(dataset):
    for episode in dataset.episodes:
        for task in episode.tasks:
            assert parse_goal(task.goal_text) == task.goal
    assert set(ALFWORLD_TASK_KINDS.values()) == set(TASK_KINDS)


class _Draw(random.Random):
    """A random source whose `random()` is fixed: which side of `TASK_OBJECT_IN_OPEN` the draw falls."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_task_object_is_chosen_in_the_open_with_alfworlds_share_else_hidden():
    kitchen = Layout(
        "room",
        (
            Receptacle("countertop 1", "countertop", "kitchen", False),
            Receptacle("fridge 1", "fridge", "kitchen", True),
            Receptacle("garbagecan 1", "garbagecan", "kitchen", False),
        ),
        (Placement("apple 1", "apple", "countertop 1"), Placement("egg 1", "egg", "fridge 1")),
    )
    apple, egg = Goal("pick_and_place", "apple", "garbagecan"), Goal("pick_and_place", "egg", "garbagecan")
    assert (hidden_instances(kitchen, "apple"), hidden_instances(kitchen, "egg")) == (0, 1)
    assert choose_goal(_Draw(TASK_OBJECT_IN_OPEN - 0.01), kitchen, [apple, egg]) == apple
    assert choose_goal(_Draw(TASK_OBJECT_IN_OPEN + 0.01), kitchen, [apple, egg]) == egg
    # With nothing on the drawn side, any task the room allows.
    assert choose_goal(_Draw(0.0), kitchen, [egg]) == egg
    assert choose_goal(_Draw(0.99), kitchen, [apple]) == apple


def test_over_many_tasks_the_task_object_lies_in_the_open_about_as_often_as_in_alfworld():
    """ALFWorld's dev games: the task's object wholly in the open in 20 of 24, 9% of its instances hidden,
    against 22% of all objects. Rooms are drawn as before; only the choice of task prefers the open."""
    tasks = [t for seed in range(3) for e in generate_dataset(seed, 20).episodes for t in e.tasks]
    in_open = statistics.fmean(hidden_instances(t.layout, t.goal.obj) == 0 for t in tasks)
    assert abs(in_open - TASK_OBJECT_IN_OPEN) < 0.06, in_open
    instances = [p for t in tasks for p in t.layout.placements if p.kind == t.goal.obj]
    hidden = sum(hidden_instances(t.layout, t.goal.obj) for t in tasks) / len(instances)
    every_object = statistics.fmean(
        t.layout.receptacle(p.receptacle).openable for t in tasks for p in t.layout.placements
    )
    assert hidden < 0.15 and every_object > 0.2, (hidden, every_object)


def test_a_kind_comes_once_twice_or_three_times_about_as_often_as_in_alfworld():
    """ALFWorld's dev games: of 420 (room, kind) pairs, 43% hold one instance, 28% two, 29% three or more."""
    counts = [
        n
        for seed in range(2)
        for e in generate_dataset(seed, 20).episodes
        for t in e.tasks
        for n in Counter(p.kind for p in t.layout.placements if p.kind != "desklamp").values()
    ]
    shares = [statistics.fmean(n == k for n in counts) for k in (1, 2)] + [
        statistics.fmean(n >= 3 for n in counts)
    ]
    assert all(abs(got - want) < 0.04 for got, want in zip(shares, (0.43, 0.28, 0.29), strict=True)), shares


@pytest.fixture(scope="module")
def floor_plans():
    return generate_dataset(seed=0, households=8, tasks=6, trials=3)


def test_one_trial_per_room_is_the_world_earlier_measurements_were_made_on():
    assert generate_dataset(seed=0, households=20, tasks=6, trials=1).fingerprint() == "b1850c26eea38771"


def test_by_default_a_room_gives_as_many_tasks_as_a_floor_plan_gives_alfworlds_dev_games():
    """19 of the dev games' 21 floor plans give one game, one two, one three: 3 of 24 games replay a room."""
    episodes = generate_dataset(seed=0, households=200, tasks=24).episodes
    replays = [a.layout.receptacles == b.layout.receptacles for e in episodes for a, b in pairwise(e.tasks)]
    assert 0.08 < statistics.fmean(replays) < 0.16


def test_trials_of_a_room_keep_its_receptacles_lamp_and_kinds_and_place_its_objects_anew(floor_plans):
    for episode in floor_plans.episodes:
        runs = [episode.tasks[n : n + 3] for n in range(0, 6, 3)]
        assert runs[0][0].layout.receptacles != runs[1][0].layout.receptacles
        for run in runs:
            first = run[0].layout
            for task in run[1:]:
                layout = task.layout
                assert layout.receptacles == first.receptacles
                lamps = [p for p in layout.placements if p.kind == "desklamp"]
                assert lamps == [p for p in first.placements if p.kind == "desklamp"]
                assert {p.kind for p in layout.placements} == {p.kind for p in first.placements}
                assert layout.placements != first.placements
                if task.goal.verb:
                    assert first.receptacles[0].room in TASK_ROOMS[task.goal.kind]
                world = HouseholdWorld(layout, task.goal)
                world.reset()
                assert not world.won
                for command in expert_plan(layout, task.goal):
                    world.step(command)
                assert world.won and task.expert_steps == len(expert_plan(layout, task.goal))


def test_an_object_lies_where_its_kind_lay_in_the_rooms_last_trial_about_as_often_as_in_alfworld():
    """In the dev games' floor plans with several games (2 and 14), 135 of 370 objects (36%) lie on a
    receptacle where an object of their kind lay in another game of the plan: the priors alone give that."""
    hits = []
    for episode in generate_dataset(seed=1, households=20, tasks=6, trials=6).episodes:
        for before, after in pairwise(episode.tasks):
            places: dict[str, set[str]] = {}
            for placement in before.layout.placements:
                places.setdefault(placement.kind, set()).add(placement.receptacle)
            hits += [p.receptacle in places[p.kind] for p in after.layout.placements if p.kind != "desklamp"]
    assert 0.25 < statistics.fmean(hits) < 0.45
