"""The `places` operator: a read for a task starts with where things of its kinds were seen over every
trajectory, and the treatments that worked; offered in the planning domain, and only there."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from evaluators.domains import get_domain
from evaluators.planning.hints import Hints
from evaluators.planning.offline_agent import OfflinePlanningAgent
from evolve.errors import UserError
from evolve.mutators.behaviours import places
from evolve.mutators.behaviours.base import OperatorContext
from evolve.mutators.behaviours.runtime import _PlaceCounts, _places_first
from evolve.mutators.numeric import number_sites
from evolve.mutators.program_text import ProgramText
from evolve.mutators.structural import OPERATORS
from evolve.run import offline_operators
from providers.embedders import HashedLexicalEmbedder
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import get_seed

TRAJECTORIES = (
    """Task: put a mug in cabinet.
> go to fridge 1
You arrive at fridge 1. The fridge 1 is closed.
> open fridge 1
You open the fridge 1. The fridge 1 is open. In it, you see a apple 2, and a egg 1.
> go to countertop 2
You arrive at countertop 2. On the countertop 2, you see a apple 1, and a mug 2.
> take mug 2 from countertop 2
You pick up the mug 2 from the countertop 2.
> go to cabinet 1
You arrive at cabinet 1. The cabinet 1 is open. In it, you see nothing.
> put mug 2 in/on cabinet 1
You put the mug 2 in/on the cabinet 1.
Outcome: success in 6 steps.""",
    """Task: put a hot apple in countertop.
> go to countertop 2
You arrive at countertop 2. On the countertop 2, you see a apple 1.
> take apple 1 from countertop 2
You pick up the apple 1 from the countertop 2.
> go to microwave 1
You arrive at microwave 1. The microwave 1 is closed.
> heat apple 1 with microwave 1
You heat the apple 1 using the microwave 1.
> go to countertop 1
You arrive at countertop 1. On the countertop 1, you see nothing.
> put apple 1 in/on countertop 1
You put the apple 1 in/on the countertop 1.
Outcome: success in 6 steps.""",
)
TASK = "put a hot apple in countertop. Where is the apple? What can heat the apple?"
ROOM = ["cabinet 1", "countertop 1", "countertop 2", "fridge 1", "microwave 1", "sinkbasin 1"]


def counts() -> _PlaceCounts:
    counted = _PlaceCounts()
    for trajectory in TRAJECTORIES:
        counted.add_trajectory(trajectory)
    return counted


def test_places_are_counted_over_every_object_seen_and_read_most_often_first() -> None:
    """The apple was seen in the fridge first (in a task about a mug), then twice on countertop 2."""
    read = _places_first("", SimpleNamespace(text=TASK), counts(), 6, 3000)
    assert read.splitlines() == [
        "heat apple 1 with microwave 1",
        "apple seen at countertop 2, 2 times",
        "apple seen at fridge 1, 1 time",
    ]
    assert _places_first("", SimpleNamespace(text=TASK), counts(), 1, 3000).splitlines()[1:] == [
        "apple seen at countertop 2, 2 times"
    ]


def test_the_programs_own_read_follows_without_the_raw_play_the_counts_hold() -> None:
    own = "\n".join(["Task: put a hot apple in countertop.", *TRAJECTORIES[1].splitlines()[1:], "Did: heat"])
    read = _places_first(own, SimpleNamespace(text=TASK), counts(), 6, 3000).splitlines()
    assert read[3:] == ["Task: put a hot apple in countertop.", "Outcome: success in 6 steps.", "Did: heat"]
    cut = _places_first(own, SimpleNamespace(text=TASK), counts(), 6, 70)
    assert len(cut) <= 70 and cut.startswith("heat apple 1 with microwave 1\napple seen at countertop 2")


def test_a_places_child_tells_the_offline_agent_where_to_look_and_what_heats() -> None:
    """Through the planning agent's own schema filling and hint reading; and `places` is applied once."""
    child = places.apply(ProgramText(get_seed("bm25_turns").source), OperatorContext(random.Random(0), 3000))
    assert child is not None and child.description.startswith("places: ")
    agent = OfflinePlanningAgent()
    session = InProcessSession(child.source, Capabilities(embed=HashedLexicalEmbedder()))
    try:
        for number, trajectory in enumerate(TRAJECTORIES):
            session.write(agent.fill_item(session.description, trajectory, number), trajectory)
        read = session.read(agent.fill_query(session.description, TASK, 2))[0]
    finally:
        session.close()
    hints = Hints.read(read, ROOM)
    assert hints.places("apple")[:2] == ["countertop 2", "fridge 1"]
    assert hints.appliances("heat") == ["microwave 1"]
    assert "You arrive at" not in read
    assert places.apply(ProgramText(child.source), OperatorContext(random.Random(0), 3000)) is None


def test_the_planning_domain_offers_places_and_the_conversation_domain_keeps_the_default_operators() -> None:
    assert offline_operators(get_domain("planning")) == (*OPERATORS, "places")
    assert offline_operators(get_domain("conversation")) == OPERATORS


def test_a_domain_naming_an_unknown_operator_is_told_before_the_run() -> None:
    domain = SimpleNamespace(name="mine", extra_operators=("places", "telepathy"))
    with pytest.raises(UserError, match="mine domain's extra_operators name no operator: telepathy"):
        offline_operators(domain)  # type: ignore[arg-type]


def test_the_literal_mutator_finds_no_regex_group_number_in_a_places_child() -> None:
    """A run once turned `seen.group(2)` into `group(3)` and the child crashed at its first write: the
    helpers name their groups, so no number the numeric mutator may tune picks a group."""
    child = places.apply(ProgramText(get_seed("bm25_turns").source), OperatorContext(random.Random(0), 3000))
    assert child is not None
    lines = child.source.splitlines()
    sites = number_sites(ProgramText(child.source))
    assert not [site.label for site in sites if ".group(" in lines[site.node.lineno - 1]]
