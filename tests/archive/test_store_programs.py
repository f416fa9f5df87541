"""Programs in the archive: one row per source, ids resolvable by prefix, lineage through parents."""

from __future__ import annotations

import hashlib
import pickle

import pytest

from archive import ArchiveError, ArchiveLookupError, ArchiveStore, program_id_for
from tests.archive.builders import DOMAIN, source


def test_the_same_source_twice_is_one_program_and_the_first_creator_is_kept(store: ArchiveStore) -> None:
    first_run = store.create_run(DOMAIN, {}, seed=0)
    second_run = store.create_run(DOMAIN, {}, seed=1)
    first = store.add_program(source(1), DOMAIN, mutator="seed", run_id=first_run.id, seed_name="bm25_turns")
    again = store.add_program(
        source(1), DOMAIN, mutator="structural", commit_message="other", run_id=second_run.id, island=2
    )

    assert again.id == first.id == hashlib.sha256(source(1).encode()).hexdigest() == program_id_for(source(1))
    assert (again.mutator, again.seed_name, again.run_id) == ("seed", "bm25_turns", first_run.id)
    assert len(store.list_programs()) == 1
    # ... but it takes part in both runs, with each run's own island.
    assert [(p.id, m.island) for p, m in store.run_programs(second_run.id)] == [(first.id, 2)]
    assert [p.id for p in store.list_programs(run_id=first_run.id)] == [first.id]


def test_a_program_is_found_by_any_unique_prefix_of_its_id(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)

    for prefix in (program.id, program.id[:12], program.id[:3], program.id[:6].upper()):
        assert store.get_program(prefix).source == source(1)


def test_an_unknown_or_malformed_prefix_is_one_clear_sentence(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    unused = next(c for c in "0123456789abcdef" if c != program.id[0])

    with pytest.raises(ArchiveLookupError, match=f"^no program id starts with '{unused}'$"):
        store.get_program(unused)
    with pytest.raises(ArchiveLookupError, match="is not a program id"):
        store.get_program("xyz!")
    with pytest.raises(ArchiveLookupError, match="is not a program id"):
        store.get_program("")


def test_an_ambiguous_prefix_names_the_candidates_and_asks_for_more(store: ArchiveStore) -> None:
    by_first_char: dict[str, list[str]] = {}
    n = 0
    while True:  # find two sources whose ids share their first character
        n += 1
        by_first_char.setdefault(program_id_for(source(n))[0], []).append(source(n))
        shared = next((group for group in by_first_char.values() if len(group) == 2), None)
        if shared:
            break
    ids = sorted(store.add_program(text, DOMAIN).id for text in shared)

    with pytest.raises(ArchiveLookupError, match="several programs") as raised:
        store.get_program(ids[0][0])
    message = str(raised.value)
    assert ids[0][:12] in message and ids[1][:12] in message and message.endswith("give more characters")
    assert "\n" not in message


def test_lineage_follows_primary_parents_and_ancestors_cover_every_parent(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    seed_a = store.add_program(source(1), DOMAIN, run_id=run.id, seed_name="a")
    seed_b = store.add_program(source(2), DOMAIN, run_id=run.id, seed_name="b")
    child = store.add_program(source(3), DOMAIN, [seed_a.id], "structural", "TOP_K 1 -> 3", run.id, 0, 1)
    cross = store.add_program(source(4), DOMAIN, [child.id, seed_b.id], "crossover", "read() from b", run.id)
    grandchild = store.add_program(source(5), DOMAIN, [cross.id], "llm:openai:gpt-4.1-mini", "dates", run.id)

    assert [p.id for p in store.lineage(grandchild.id[:10])] == [seed_a.id, child.id, cross.id, grandchild.id]
    assert {p.id for p in store.ancestors(grandchild.id)} == {
        seed_a.id,
        seed_b.id,
        child.id,
        cross.id,
        grandchild.id,
    }
    assert store.get_program(cross.id).parent_ids == [child.id, seed_b.id]  # primary parent first
    assert [p.id for p in store.children(seed_b.id)] == [cross.id]
    assert [p.id for p in store.children(child.id)] == [cross.id]
    assert store.children(grandchild.id) == []
    assert store.lineage(seed_a.id)[0].id == seed_a.id


def test_a_parent_must_already_be_in_the_archive(store: ArchiveStore) -> None:
    with pytest.raises(ArchiveLookupError, match=r"parent program \w+ is not in the archive"):
        store.add_program(source(2), DOMAIN, [program_id_for(source(1))], "structural")
    assert store.list_programs() == []


def test_a_program_cannot_join_an_unknown_run(store: ArchiveStore) -> None:
    with pytest.raises(ArchiveLookupError, match="no run has the id 'feedbeef'"):
        store.add_program(source(1), DOMAIN, run_id="feedbeef")


def test_sources_are_stored_exactly_and_nul_characters_are_refused(store: ArchiveStore) -> None:
    text = 'NOTE = "naïve café — 日本 \\x00"\r\n\tTOP_K = 3  \n'
    assert store.get_program(store.add_program(text, DOMAIN).id).source == text
    with pytest.raises(ArchiveError, match="NUL"):
        store.add_program("X = 1\x00\n", DOMAIN)


def test_a_store_reopens_its_archive_after_pickling(store: ArchiveStore) -> None:
    program = store.add_program(source(1), DOMAIN)
    copy = pickle.loads(pickle.dumps(store))
    try:
        assert copy.get_program(program.id).source == source(1)
    finally:
        copy.close()


def test_writes_in_a_transaction_commit_together_or_not_at_all(store: ArchiveStore) -> None:
    run = store.create_run(DOMAIN, {}, seed=0)
    with store.transaction():
        program = store.add_program(source(1), DOMAIN, run_id=run.id)
        with store.transaction():  # nested: joins the outer one
            store.record_candidate(
                run.id, parent_ids=[], mutator="m", status="accepted", program_id=program.id
            )
    assert [c.program_id for c in store.candidates(run.id)] == [program.id]

    with pytest.raises(RuntimeError), store.transaction():
        store.add_program(source(2), DOMAIN, run_id=run.id)
        store.record_candidate(run.id, parent_ids=[], mutator="m", status="rejected", reason="r")
        raise RuntimeError("the driver dies between the two")
    assert program_id_for(source(2)) not in {program.id for program in store.list_programs()}
    assert len(store.candidates(run.id)) == 1
