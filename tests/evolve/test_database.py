"""The program database: selection is fitness-biased but never greedy, diversity survives, islands migrate."""

from __future__ import annotations

import random
from collections import Counter

from evolve.database import Island, Member, ProgramDatabase, behaviour_descriptor


def member(name: str, score: float, descriptor: tuple[int, int] = (1, 0)) -> Member:
    return Member(name, f"# {name}", score, descriptor)


def test_behaviour_descriptor_buckets_read_size_and_llm_use() -> None:
    assert behaviour_descriptor({"read_chars_mean": 2500.0, "llm_calls_per_operation": 0.0}) == (2, 0)
    assert behaviour_descriptor({"read_chars_mean": 900.0, "llm_calls_per_operation": 0.5}) == (0, 1)
    assert behaviour_descriptor({"read_chars_mean": 9000.0, "llm_calls_per_operation": 2.0}) == (3, 2)
    assert behaviour_descriptor({}) == (0, 0)


def test_selection_prefers_better_programs_but_not_only_the_best() -> None:
    database = ProgramDatabase(islands=1, capacity=5, temperature=0.05)
    for name, score, cell in (("best", 0.50, (1, 0)), ("good", 0.45, (2, 0)), ("poor", 0.20, (3, 0))):
        database.add(member(name, score, cell))
    rng = random.Random(1)
    picks = Counter(database.select_parent(0, rng).program_id for _ in range(2000))
    assert picks["best"] > picks["good"] > picks["poor"]
    assert picks["good"] > 200  # exp(-0.05 / 0.05) = 0.37 of the best's weight: not greedy


def test_crowded_behaviour_cells_share_their_selection_weight() -> None:
    database = ProgramDatabase(islands=1, capacity=10, temperature=1.0)
    for index in range(4):
        database.add(member(f"same-{index}", 0.5, (1, 0)))
    database.add(member("different", 0.5, (3, 1)))
    rng = random.Random(2)
    picks = Counter(database.select_parent(0, rng).program_id for _ in range(4000))
    # four members share one cell: together they weigh what the lone member of the other cell weighs
    assert 0.4 < picks["different"] / 4000 < 0.6


def test_a_member_more_changes_a_choice_only_when_it_wins_it_and_leaves_later_draws_alone() -> None:
    """Common random numbers: two runs of one seed whose islands differ by one member stay on one path."""
    smaller = ProgramDatabase(islands=1, capacity=10, temperature=0.05)
    larger = ProgramDatabase(islands=1, capacity=10, temperature=0.05)
    for name, score, cell in (
        ("a", 0.50, (1, 0)),
        ("b", 0.48, (2, 0)),
        ("c", 0.47, (1, 0)),
        ("d", 0.45, (3, 0)),
    ):
        smaller.add(member(name, score, cell))
        larger.add(member(name, score, cell))
    larger.add(member("extra", 0.49, (0, 1)))  # a cell of its own: no one else's weight changes
    changed = 0
    for seed in range(400):
        here, there = random.Random(seed), random.Random(seed)
        parent, other_parent = smaller.select_parent(0, here), larger.select_parent(0, there)
        if other_parent.program_id != "extra":
            assert other_parent == parent
        else:
            changed += 1
        shown = [m.program_id for m in smaller.inspirations(0, parent, 2, here)]
        other_shown = [m.program_id for m in larger.inspirations(0, parent, 2, there)]
        kept = [name for name in other_shown if name != "extra"]
        assert kept == shown[: len(kept)]  # the extra member, where it is shown, only pushes the others on
        assert here.random() == there.random()  # what the mutator draws next does not hang on the island
    assert 40 < changed < 200  # the extra member wins its softmax share of the choices, no more


def test_full_island_evicts_the_worst_of_the_most_crowded_cell_and_keeps_the_best() -> None:
    island = Island(capacity=3)
    island.add(member("best", 0.9, (1, 0)))
    island.add(member("crowd-a", 0.5, (2, 0)))
    island.add(member("crowd-b", 0.4, (2, 0)))
    island.add(member("rare", 0.1, (3, 1)))
    assert set(island.members) == {"best", "crowd-a", "rare"}


def test_migration_moves_each_islands_best_to_the_next() -> None:
    database = ProgramDatabase(islands=3, capacity=4, temperature=0.1)
    database.add(member("a", 0.3), island=0)
    database.add(member("b", 0.6), island=1)
    database.add(member("c", 0.2), island=2)
    database.migrate()
    assert set(database.islands[1].members) == {"a", "b"}
    assert set(database.islands[2].members) == {"b", "c"}
    assert set(database.islands[0].members) == {"a", "c"}
    assert database.best_per_island() == [0.3, 0.6, 0.6]


def test_inspirations_exclude_the_parent_and_start_with_other_islands_best() -> None:
    database = ProgramDatabase(islands=2, capacity=5, temperature=0.1)
    for name, score in (("p", 0.5), ("q", 0.4), ("r", 0.3)):
        database.add(member(name, score), island=0)
    database.add(member("other-best", 0.7), island=1)
    parent = database.islands[0].members["p"]
    chosen = database.inspirations(0, parent, 2, random.Random(0))
    assert chosen[0].program_id == "other-best"
    assert len(chosen) == 2 and all(m.program_id != "p" for m in chosen)


def test_seeds_join_every_island_and_selection_is_deterministic() -> None:
    database = ProgramDatabase(islands=3, capacity=4, temperature=0.1)
    database.add(member("seed", 0.4))
    assert all("seed" in island.members for island in database.islands)
    database.add(member("x", 0.41), island=0)
    first = [database.select_parent(0, random.Random(7)).program_id for _ in range(3)]
    assert first == [database.select_parent(0, random.Random(7)).program_id for _ in range(3)]
