"""The built-in household world's rules: what each command does, and that nothing else does anything."""

from __future__ import annotations

import copy

import pytest

from evaluators.planning.goals import (
    LOOK_IN_LIGHT,
    PICK_AND_PLACE,
    PICK_COOL,
    PICK_HEAT,
    PICK_TWO,
    Goal,
)
from evaluators.planning.world import NOTHING_HAPPENS, HouseholdWorld, Layout, Placement, Receptacle

KITCHEN = Layout(
    "test-kitchen",
    (
        Receptacle("countertop 1", "countertop", "kitchen", False),
        Receptacle("fridge 1", "fridge", "kitchen", True),
        Receptacle("microwave 1", "microwave", "kitchen", True),
        Receptacle("cabinet 1", "cabinet", "kitchen", True),
        Receptacle("sidetable 1", "sidetable", "bedroom", False),
    ),
    (
        Placement("apple 1", "apple", "countertop 1"),
        Placement("mug 1", "mug", "cabinet 1"),
        Placement("mug 2", "mug", "countertop 1"),
        Placement("book 1", "book", "countertop 1"),
        Placement("desklamp 1", "desklamp", "sidetable 1"),
    ),
)


def world(goal: Goal | None = None) -> HouseholdWorld:
    return HouseholdWorld(KITCHEN, goal or Goal(PICK_AND_PLACE, "apple", "cabinet"))


def play(w: HouseholdWorld, *commands: str) -> str:
    observation = ""
    for command in commands:
        observation = w.step(command)
        assert observation != NOTHING_HAPPENS, f"{command!r} did nothing"
    return observation


def test_the_first_observation_lists_every_receptacle_and_states_the_task():
    text = world().reset()
    assert "a countertop 1, a fridge 1, a microwave 1, a cabinet 1, and a sidetable 1" in text
    assert text.endswith("Your task is to: put a apple in cabinet.")


def test_a_heated_object_is_hot_and_cooling_it_makes_it_cold_instead():
    w = world(Goal(PICK_HEAT, "apple", "cabinet"))
    play(w, "go to countertop 1", "take apple 1 from countertop 1", "go to microwave 1")
    assert play(w, "heat apple 1 with microwave 1") == "You heat the apple 1 using the microwave 1."
    assert w.state.states["apple 1"] == {"hot"}
    assert play(w, "examine apple 1") == "This is a hot apple 1."
    play(w, "go to fridge 1", "cool apple 1 with fridge 1")
    assert w.state.states["apple 1"] == {"cold"}


def test_a_closed_receptacle_hides_its_contents_until_opened():
    w = world()
    assert play(w, "go to cabinet 1") == "You arrive at cabinet 1. The cabinet 1 is closed."
    assert not any("mug 1" in c for c in w.admissible_commands())
    assert w.step("take mug 1 from cabinet 1") == NOTHING_HAPPENS
    assert (
        play(w, "open cabinet 1") == "You open the cabinet 1. The cabinet 1 is open. In it, you see a mug 1."
    )
    assert "take mug 1 from cabinet 1" in w.admissible_commands()
    play(w, "close cabinet 1")
    assert "take mug 1 from cabinet 1" not in w.admissible_commands()


@pytest.mark.parametrize(
    "command",
    [
        "take mug 1 from cabinet 1",  # elsewhere, and closed
        "go to garage 1",
        "heat apple 1 with countertop 1",
        "put mug 2 in/on countertop 1",
        "use desklamp 1",
        "fly away",
        "",
    ],
)
def test_an_invalid_command_changes_nothing(command):
    w = world()
    play(w, "go to countertop 1")
    before = copy.deepcopy(w.state)
    assert w.step(command) == NOTHING_HAPPENS
    assert w.state == before


def test_only_one_object_is_held_at_a_time():
    w = world()
    play(w, "go to countertop 1", "take apple 1 from countertop 1")
    assert w.step("take mug 2 from countertop 1") == NOTHING_HAPPENS
    assert play(w, "inventory") == "You are carrying: a apple 1."


def test_every_admissible_command_does_something():
    w = world(Goal(PICK_HEAT, "mug", "cabinet"))
    for prefix in ([], ["go to countertop 1", "take mug 2 from countertop 1", "go to microwave 1"]):
        w.reset()
        play(w, *prefix)
        for command in w.admissible_commands():
            trial = copy.deepcopy(w)
            assert trial.step(command) != NOTHING_HAPPENS, command


def test_placing_the_object_in_the_target_kind_wins_and_elsewhere_does_not():
    w = world(Goal(PICK_AND_PLACE, "apple", "cabinet"))
    play(w, "go to countertop 1", "take apple 1 from countertop 1", "go to fridge 1", "open fridge 1")
    play(w, "put apple 1 in/on fridge 1")
    assert not w.won
    play(w, "take apple 1 from fridge 1", "go to cabinet 1", "open cabinet 1", "put apple 1 in/on cabinet 1")
    assert w.won


def test_a_treatment_goal_needs_the_treatment():
    w = world(Goal(PICK_COOL, "apple", "cabinet"))
    play(w, "go to countertop 1", "take apple 1 from countertop 1", "go to cabinet 1", "open cabinet 1")
    play(w, "put apple 1 in/on cabinet 1")
    assert not w.won
    play(w, "take apple 1 from cabinet 1", "go to fridge 1", "cool apple 1 with fridge 1")
    play(w, "go to cabinet 1", "put apple 1 in/on cabinet 1")
    assert w.won


def test_looking_at_an_object_under_the_lamp_needs_it_held_there():
    w = world(Goal(LOOK_IN_LIGHT, "book", "desklamp"))
    play(w, "go to sidetable 1", "use desklamp 1")
    assert not w.won
    play(w, "go to countertop 1", "take book 1 from countertop 1", "go to sidetable 1")
    assert w.won  # the lamp is still on
    assert "in light" in play(w, "examine book 1")


def test_two_objects_are_needed_for_a_two_object_goal():
    w = world(Goal(PICK_TWO, "mug", "countertop"))
    play(w, "go to cabinet 1", "open cabinet 1", "take mug 1 from cabinet 1", "go to countertop 1")
    assert not w.won  # mug 2 already lies there, mug 1 is still held
    play(w, "put mug 1 in/on countertop 1")
    assert w.won


def test_reset_puts_everything_back():
    w = world()
    play(w, "go to countertop 1", "take apple 1 from countertop 1", "go to fridge 1", "open fridge 1")
    w.reset()
    assert w.state.held is None and w.state.location is None and not w.state.opened
    assert "apple 1" in w.state.contents["countertop 1"]
