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
