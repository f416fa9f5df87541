"""The offline planning agent: it reads places and procedures from memory, and memory saves it steps."""

from __future__ import annotations

from evaluators.planning.catalog import APPLIANCE_VERB
from evaluators.planning.data import Observation
from evaluators.planning.goals import PICK_HEAT, Goal
from evaluators.planning.hints import Hints, contents_seen, trajectory_facts
from evaluators.planning.household import HouseholdEnvironment, generate_household
from evaluators.planning.offline_agent import OfflinePlanningAgent, query_text
from evaluators.planning.world import HouseholdWorld
from sandbox.contract import load_program
from tests.planning.programs import TRAJECTORY_MEMORY

RECEPTACLES = ["countertop 1", "countertop 2", "fridge 1", "microwave 1", "cabinet 1", "cabinet 10"]


def test_hints_name_the_place_nearest_each_mention_in_memory_order():
    memory = "\n".join(
        [
            "Seen: mug 1 at cabinet 10; apple 1 at countertop 2",
            "You arrive at fridge 1. The fridge 1 is open. In it, you see a apple 2, and a egg 1.",
            "> take apple 1 from countertop 1",
        ]
    )
    hints = Hints.read(memory, RECEPTACLES)
    assert hints.places("apple") == ["countertop 2", "fridge 1", "countertop 1"]
    assert hints.places("mug") == ["cabinet 10"]
    assert hints.places("pineapple") == []


def test_hints_skip_task_sentences_and_where_things_were_put():
    memory = "\n".join(
        [
            "Task: put a hot apple in countertop 1.",
            "You put the apple 1 in/on the countertop 2.",
            "> put apple 1 in/on fridge 1",
        ]
    )
    assert Hints.read(memory, RECEPTACLES).places("apple") == []


def test_hints_read_procedures_from_commands_and_prose():
    memory = "> heat apple 1 with microwave 1\nThe fridge 1 cools things."
    hints = Hints.read(memory, RECEPTACLES)
    assert hints.appliances("heat") == ["microwave 1"]
    assert hints.appliances("cool") == ["fridge 1"]
    assert hints.appliances("clean") == []


def test_a_treatment_names_where_it_is_done_not_where_its_object_is_found():
    room = [*RECEPTACLES, "sinkbasin 1"]
    treatments = {
        "clean": ("sinkbasin 1", ["clean", "cleans", "cleaned", "cleaning"]),
        "heat": ("microwave 1", ["heat", "heats", "heated", "heating"]),
        "cool": ("fridge 1", ["cool", "cools", "cooled", "cooling"]),
    }
    for verb, (appliance, forms) in treatments.items():
        for form in forms:
            command, sentence = (
                f"> {form} apple 1 with {appliance}",
                f"You {form} the apple 1 using the {appliance}.",
            )
            for line in (command, sentence):
                hints = Hints.read(line, room)
                assert hints.places("apple") == [], line
                assert hints.appliances(verb) == [appliance], line
    ordinary = [
        "> take apple 1 from countertop 2",
        "apple 1 at countertop 2",
        "On the countertop 2, you see a apple 1",
    ]
    for line in ordinary:
        assert Hints.read(f"> clean apple 1 with sinkbasin 1\n{line}", room).places("apple") == [
            "countertop 2"
        ], line


def test_observations_show_contents_and_trajectories_read_back_as_facts():
    assert contents_seen(
        "You arrive at countertop 1. On the countertop 1, you see a apple 1, and a mug 2."
    ) == (
        "countertop 1",
        ["apple 1", "mug 2"],
    )
    assert contents_seen("You open the fridge 1. The fridge 1 is open. In it, you see nothing.") == (
        "fridge 1",
        [],
    )
    assert contents_seen("You arrive at cabinet 1. The cabinet 1 is closed.") is None
    raw = "\n".join(
        [
            "Task: put a hot apple in countertop.",
            "> go to fridge 1",
            "You arrive at fridge 1. The fridge 1 is open. In it, you see a apple 2.",
            "> take apple 2 from fridge 1",
            "You pick up the apple 2 from the fridge 1.",
            "> go to microwave 1",
            "You arrive at microwave 1. The microwave 1 is closed.",
            "> heat apple 2 with microwave 1",
            "You heat the apple 2 using the microwave 1.",
            "Outcome: failure in 50 steps.",
        ]
    )
    facts = trajectory_facts(raw)
    assert facts.task == "put a hot apple in countertop."
    assert (facts.success, facts.steps) == (False, 50)
    assert facts.seen == ("apple 2 at fridge 1",)
    assert facts.procedures == ("heat apple 2 with microwave 1",)
    assert facts.contents_lines() == ["On the fridge 1, you see a apple 2."]


def test_what_memory_shows_a_receptacle_held_does_not_push_it_back():
    """Rooms differ from task to task, so a countertop remembered without an apple may hold one now:
    memory moves hinted places forward and nothing back."""
    memory = "On the countertop 1, you see a mug 1.\nThe cabinet 1 is open. In it, you see nothing."
    first = Observation(
        "Your task is to: put a apple in fridge.", (*(f"go to {r}" for r in RECEPTACLES), "look")
    )
    with_memory = OfflinePlanningAgent().start(None, first, memory)
    without = OfflinePlanningAgent().start(None, first, "")
    assert with_memory.act(first) == without.act(first) == "go to countertop 1"
    assert with_memory._unexplored_first() == without._unexplored_first() == RECEPTACLES


def _play(task, memory: str) -> tuple[bool, int, list[str]]:
    environment = HouseholdEnvironment(HouseholdWorld(task.layout, task.goal))
    observation = environment.reset()
    policy = OfflinePlanningAgent().start(None, observation, memory)
    commands = []
    while not observation.won and len(commands) < 50:
        command = policy.act(observation)
        assert command in observation.admissible, command
        commands.append(command)
        observation = environment.step(command)
    return observation.won, len(commands), commands


def test_the_agent_explores_to_a_win_and_memory_of_the_places_saves_steps():
    saved = 0
    for task in generate_household(0, 2).tasks:
        won, steps, _ = _play(task, "")
        if not won:
            continue
        places = [f"{p.name} at {p.receptacle}" for p in task.layout.placements]
        tools = [
            f"{APPLIANCE_VERB[r.kind]} with {r.name}"
            for r in task.layout.receptacles
            if r.kind in APPLIANCE_VERB
        ]
        where = "\n".join(places + tools)
        won_again, steps_again, _ = _play(task, where)
        assert won_again and steps_again <= steps
        assert steps_again <= task.expert_steps + 2, (task.goal_text, steps_again, task.expert_steps)
        saved += steps - steps_again
    assert saved > 0


def test_the_agent_is_deterministic():
    tasks = generate_household(0, 4).tasks
    first = [_play(task, "")[2] for task in tasks]
    assert first == [_play(task, "")[2] for task in tasks]


def test_the_agent_fills_any_schema_from_a_trajectory():
    program = load_program(TRAJECTORY_MEMORY).description
    raw = "\n".join(
        [
            "Task: put a apple in fridge.",
            "> go to countertop 1",
            "You arrive at countertop 1. On the countertop 1, you see a apple 1.",
            "Outcome: failure in 1 steps.",
        ]
    )
    item = OfflinePlanningAgent().fill_item(program, raw, 0)
    assert "On the countertop 1, you see a apple 1." in item["summary"]
    query = OfflinePlanningAgent().fill_query(program, "put a hot apple in fridge.", 0)
    assert query == {"text": query_text("put a hot apple in fridge.")}
    assert "apple" in query["text"] and "heat" in query["text"]


def test_an_unparseable_task_makes_the_agent_look_rather_than_guess():
    first = Observation("Your task is to: juggle the oranges.", ("go to fridge 1", "look", "inventory"))
    policy = OfflinePlanningAgent().start(None, first, "")
    assert policy.act(first) == "look"
    assert Goal(PICK_HEAT, "apple", "fridge").verb == "heat"
