"""The probes of the planning memory-ceiling benchmark hold exactly what the offline agent reads from memory
(places of a kind, most often seen first, and the treatments that worked), and its comparison counts units
as its results file says."""

from __future__ import annotations

from benchmarks.planning_memory_ceiling import PROBES, compared, probe_source
from benchmarks.planning_transfer import Outcome, Unit
from evaluators.planning.hints import Hints
from sandbox.contract import load_program

ROOM = ["countertop 1", "countertop 2", "fridge 1", "microwave 1", "cabinet 3"]
GAMES = [
    """Task: put a mug in cabinet.
> go to fridge 1
The fridge 1 is open. In it, you see a apple 2.
> go to countertop 2
On the countertop 2, you see a apple 1, and a mug 2.
> take mug 2 from countertop 2
You pick up the mug 2 from the countertop 2.
Outcome: success in 3 steps.""",
    """Task: put a hot apple in countertop.
> go to countertop 2
On the countertop 2, you see a apple 1, and a mug 1.
> take apple 1 from countertop 2
You pick up the apple 1 from the countertop 2.
> go to microwave 1
The microwave 1 is closed.
> heat apple 1 with microwave 1
You heat the apple 1 using the microwave 1.
Outcome: success in 4 steps.""",
]
QUERY = "put a hot apple in countertop. Where is the apple? What can heat the apple?"


def probe_read(places: int) -> str:
    program = load_program(probe_source(places))
    memory = program.new_knowledge_base(None)
    for game in GAMES:
        memory.write(program.make_item({}), game)
    return memory.read(program.make_query({"text": QUERY}))


def test_every_probe_meets_the_contract() -> None:
    for name, places in PROBES.items():
        assert load_program(probe_source(places)).description.warnings == (), name


def test_place_priors_name_every_place_a_kind_was_seen_most_often_first_and_the_treatment() -> None:
    """The apple was seen in the fridge first, then twice on countertop 2 (once in a task about a mug)."""
    hints = Hints.read(probe_read(6), ROOM)
    assert hints.places("apple") == ["countertop 2", "fridge 1"]
    assert hints.appliances("heat") == ["microwave 1"]
    assert hints.places("mug") == []  # the task does not ask for a mug


def test_treatments_only_names_no_place() -> None:
    hints = Hints.read(probe_read(0), ROOM)
    assert hints.places("apple") == [] and hints.appliances("heat") == ["microwave 1"]


def test_a_probe_is_compared_unit_by_unit_on_steps() -> None:
    def outcome(*steps: float) -> Outcome:
        return Outcome(tuple(Unit(s, 100.0, 10, 1.0, 0.5) for s in steps))

    assert compared(outcome(90, 95, 99, 80), outcome(91, 95, 98, 85)) == (2, 1)
