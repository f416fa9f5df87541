"""Behavioural operators: what each does to what a memory returns, that it applies where the program's
structure allows and only there, and that its child is still one standalone program."""

from __future__ import annotations

import random
import re
from textwrap import dedent
from types import SimpleNamespace

import pytest

from evolve.mutators.behaviours import (
    BEHAVIOURS,
    dates,
    fusion,
    neighbours,
    packing,
    query_expansion,
    rerank,
    sessions,
    speaker,
)
from evolve.mutators.behaviours.base import OperatorContext
from evolve.mutators.behaviours.runtime import (
    _asked_party_first,
    _best_sessions,
    _expanded_query,
    _fused_lines,
    _ledger_role,
    _ledger_speaker,
    _second_signal,
    _TurnLedger,
)
from evolve.mutators.behaviours.wrapping import outdated_helpers
from evolve.mutators.program_text import ProgramText
from evolve.mutators.smoke import smoke_run
from evolve.mutators.structural import ALL_OPERATORS, OPERATORS, StructuralMutator
from providers.embedders import HashedLexicalEmbedder
from sandbox.contract import load_program
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import SEEDS, get_seed

SESSIONS = (
    "[s1 | 8 May, 2023]\n"
    "Maya: Guess what, I finally moved.\n"
    "Leo: Where to?\n"
    "Maya: A small flat in Lisbon near the river.\n"
    "Leo: Lovely, Lisbon has great light.",
    "[s2 | 20 May, 2023]\n"
    "Leo: I bake sourdough bread at the bakery every morning.\n"
    "Maya: Sourdough bread from the bakery sounds great.\n"
    "Leo: The bakery opens at five.",
)

KEYWORD_MEMORY = dedent(
    '''
    from dataclasses import dataclass, field

    INSTRUCTION_KNOWLEDGE_ITEM = "Copy the session."
    INSTRUCTION_QUERY = "Copy the question."
    INSTRUCTION_RESPONSE = "Answer from the notes."
    ALWAYS_ON_KNOWLEDGE = ""
    READ_CHAR_BUDGET = 3000
    STOP = {"where", "is", "the", "when", "does", "at", "in", "a", "to"}


    @dataclass
    class KnowledgeItem:
        session_date: str = field(default="", metadata={"description": "The date"})


    @dataclass
    class Query:
        text: str = field(metadata={"description": "The question"})


    class KnowledgeBase:
        """Bare turns (no dates), read back in the order stored when they share a word with the question."""

        def __init__(self, toolkit):
            self.notes = []

        def write(self, item, raw_text):
            self.notes.extend(line for line in raw_text.splitlines()[1:] if line.strip())

        def read(self, query):
            words = set(query.text.lower().replace("?", "").split()) - STOP
            hits = [n for n in self.notes if words & set(n.lower().replace(".", "").split())]
            return "\\n".join(hits)[:READ_CHAR_BUDGET]
    '''
)
"""Stores turns without their date and returns every turn sharing a word with the question, in order."""

ECHO_MEMORY = KEYWORD_MEMORY.replace(
    '        return "\\n".join(hits)[:READ_CHAR_BUDGET]', "        return query.text"
)
"""Returns the query it was asked: shows what a query wrapper passes on."""


def context(seed: int = 0, donors=()) -> OperatorContext:
    return OperatorContext(random.Random(seed), 3000, tuple(donors))


def read_after_writes(source: str, question: str, sessions: tuple[str, ...] = SESSIONS) -> str:
    session = InProcessSession(source, Capabilities(embed=HashedLexicalEmbedder()))
    try:
        for raw in sessions:
            session.write({"session_date": raw.splitlines()[0][6:-1]}, raw)
        fields = session.description.query_schema["properties"]
        return session.read(dict.fromkeys(fields, question))[0]
    finally:
        session.close()


def child_of(operator, source: str, ctx: OperatorContext | None = None) -> str:
    made = operator(ProgramText(source), ctx or context())
    assert made is not None
    load_program(made.source)
    return made.source


def test_neighbours_brings_the_turns_around_each_hit_from_its_session_and_nothing_else():
    parent_output = read_after_writes(KEYWORD_MEMORY, "Where is the flat?")
    assert parent_output == "Maya: A small flat in Lisbon near the river."
    child = child_of(neighbours.apply, KEYWORD_MEMORY)
    assert read_after_writes(child, "Where is the flat?").splitlines() == [
        "[8 May, 2023] Leo: Where to?",
        "Maya: A small flat in Lisbon near the river.",
        "[8 May, 2023] Leo: Lovely, Lisbon has great light.",
    ]
    # The wrapped memory is the parent's code, unchanged; the child's tunables are new constants.
    assert "class _Memory:" in child and "NEIGHBOUR_TURNS = 1" in child
    assert "NEIGHBOUR_READ_CHARS = 3000" in child


def test_neighbours_never_repeats_a_turn_and_keeps_to_its_budget():
    child = child_of(neighbours.apply, KEYWORD_MEMORY).replace("NEIGHBOUR_HITS = ", "NEIGHBOUR_HITS = 10 or ")
    lines = read_after_writes(child, "bakery bread").splitlines()
    assert len(lines) == len(set(line.split("] ")[-1] for line in lines))
    small = child.replace("NEIGHBOUR_READ_CHARS = 3000", "NEIGHBOUR_READ_CHARS = 120")
    assert len(read_after_writes(small, "bakery bread")) <= 120


def test_dates_prefixes_each_returned_turn_with_its_session_date_and_applies_only_where_dates_are_lost():
    child = child_of(dates.apply, KEYWORD_MEMORY)
    assert read_after_writes(child, "bakery").splitlines() == [
        "[20 May, 2023] Leo: I bake sourdough bread at the bakery every morning.",
        "[20 May, 2023] Maya: Sourdough bread from the bakery sounds great.",
        "[20 May, 2023] Leo: The bakery opens at five.",
    ]
    assert dates.apply(ProgramText(get_seed("bm25_turns").source), context()) is None  # it keeps dates
    assert dates.apply(ProgramText(child), context()) is None  # nor twice


def test_rerank_by_bm25_puts_the_turns_that_match_the_question_best_first():
    parent = read_after_writes(KEYWORD_MEMORY, "when does the bakery open at five").splitlines()
    assert parent[-1] == "Leo: The bakery opens at five."
    ctx = context()
    ctx.rng.choice = lambda options: "bm25" if "bm25" in options else options[0]  # type: ignore[method-assign]
    child = child_of(rerank.apply, KEYWORD_MEMORY, ctx)
    assert '"bm25"' in child
    # Fused by rank: at weight 1 the program's first line holds its place; weighted up, bm25 decides.
    assert read_after_writes(child, "when does the bakery open at five").splitlines()[0] == parent[0]
    weighted = child.replace("RERANK_WEIGHT = 1.0", "RERANK_WEIGHT = 3.0")
    reranked = read_after_writes(weighted, "when does the bakery open at five").splitlines()
    assert reranked[0] == "Leo: The bakery opens at five."
    assert sorted(reranked) == sorted(parent)  # re-ordered, nothing added or lost


def test_bm25_discounts_a_long_turn_for_its_length_as_much_as_asked():
    pasted = "user: " + " ".join(["Please act as a market research expert and write the tables."] * 8)
    ledger = ledger_of_sessions(("[s1 | 1 May, 2023]\nuser: I posted my chili recipe.\n" + pasted,))
    short, long = "user: I posted my chili recipe.", pasted + " My chili recipe."
    asked = {"chili", "recipe"}
    assert _second_signal("bm25", short, asked, set(), ledger) > _second_signal(
        "bm25", long, asked, set(), ledger
    )
    assert _second_signal("bm25", short, asked, set(), ledger, 0.0) == pytest.approx(
        _second_signal("bm25", long, asked, set(), ledger, 0.0)
    )
    # b beyond [0, 1] (the numeric mutator may push it there) is clamped, never a negative length norm.
    assert _second_signal("bm25", short, asked, set(), ledger, 5.0) == _second_signal(
        "bm25", short, asked, set(), ledger, 1.0
    )


def test_query_expansion_adds_words_that_share_turns_with_the_question_words():
    child = child_of(query_expansion.apply, ECHO_MEMORY).replace(
        "EXPANSION_TERMS = ", "EXPANSION_TERMS = 2 or "
    )
    asked = read_after_writes(child, "sourdough")
    assert asked.startswith("sourdough ") and set(asked.split()[1:]) == {"bakery", "bread"}
    # The query keeps its type: a wrapped memory reads the program's own Query.
    ledger = _TurnLedger()
    for raw in SESSIONS:
        ledger.add_session(raw)
    query = load_program(ECHO_MEMORY).make_query({"text": "lisbon"})
    assert type(_expanded_query(query, ledger, 3, 40)) is type(query)


def test_sessions_reads_the_best_turns_of_the_session_the_question_is_about_first():
    silent = KEYWORD_MEMORY.replace('        return "\\n".join(hits)[:READ_CHAR_BUDGET]', '        return ""')
    assert read_after_writes(silent, "Is Maya's flat near the river?") == ""
    child = child_of(sessions.apply, silent)
    one = re.sub(r"SESSIONS_TOP = \d", "SESSIONS_TOP = 1", child)
    # Session 1 is the one about the flat; of its turns, only two share a word with the question, the
    # flat's best. Nothing comes from session 2, though it holds a turn of Maya's too.
    assert read_after_writes(one, "Is Maya's flat near the river?").splitlines() == [
        "[8 May, 2023] Maya: A small flat in Lisbon near the river.",
        "[8 May, 2023] Maya: Guess what, I finally moved.",
    ]
    two = re.sub(r"SESSIONS_TOP = \d", "SESSIONS_TOP = 2", child)
    assert "[20 May, 2023] Maya: Sourdough bread from the bakery sounds great." in read_after_writes(
        two, "Is Maya's flat near the river?"
    )
    assert "SESSION_TURNS = 2" in child and "SESSIONS_READ_CHARS = 3000" in child


def test_sessions_puts_its_turns_before_the_programs_own_and_shows_each_turn_once():
    child = re.sub(r"SESSIONS_TOP = \d", "SESSIONS_TOP = 1", child_of(sessions.apply, KEYWORD_MEMORY))
    lines = read_after_writes(child, "Where is the flat near the river?").splitlines()
    assert lines[0] == "[8 May, 2023] Maya: A small flat in Lisbon near the river."
    assert sum("small flat in Lisbon" in line for line in lines) == 1
    small = child.replace("SESSIONS_READ_CHARS = 3000", "SESSIONS_READ_CHARS = 60")
    assert len(read_after_writes(small, "Where is the flat near the river?")) <= 60


def test_best_sessions_ranks_whole_sessions_not_their_single_turns():
    ledger = _TurnLedger()
    ledger.add_session(
        "[s1 | 1 May, 2023]\nLeo: The bakery opened.\nMaya: Which bread?\nLeo: Sourdough bread!"
    )
    ledger.add_session("[s2 | 2 May, 2023]\nMaya: Bakery bread, sourdough? I like tea.\nLeo: Tea is fine.")
    ledger.add_session("[s3 | 3 May, 2023]\nLeo: Rain again.")
    # s2's one turn matches all three words; s1 says them over three turns and says more of them.
    assert _best_sessions({"bakery", "bread", "sourdough"}, ledger, 3) == [0, 1]
    assert _best_sessions({"rain"}, ledger, 1) == [2]
    assert _best_sessions({"snow"}, ledger, 3) == []


def test_fusion_writes_both_memories_and_merges_their_rankings_without_duplicates():
    donor = get_seed("bm25_turns").source
    made = fusion.fuse(ProgramText(KEYWORD_MEMORY), ProgramText(donor), "bm25_turns", context())
    assert made is not None and made.donor_id == "bm25_turns"
    load_program(made.source)
    child = made.source
    assert "SECOND_TOP_K = 30" in child and "class _SecondKnowledgeBase:" in child
    assert "class _SecondQuery:" in child and child.count("INSTRUCTION_QUERY =") == 1
    output = read_after_writes(child, "Where is the flat in Lisbon?").splitlines()
    # Both rank the Lisbon turn first: it comes first, once (bm25 shows it with its date).
    assert "A small flat in Lisbon near the river." in output[0]
    assert sum("small flat in Lisbon" in line for line in output) == 1
    # bm25 alone finds the second Lisbon turn (the parent's keyword match misses "Lisbon,"), so it is in.
    assert any("Lisbon has great light" in line for line in output)


def test_fusion_keeps_the_donors_method_named_like_one_of_its_module_functions():
    """Found in a run: a donor with a module function `_fit` and a method `_fit` (called as
    `self._fit`) lost the method's name to the rename, and every write of the child crashed."""
    donor = KEYWORD_MEMORY.replace(
        "class KnowledgeBase:", "def _kept(notes):\n    return notes\n\n\nclass KnowledgeBase:"
    ).replace(
        '        return "\\n".join(hits)[:READ_CHAR_BUDGET]',
        '        return "\\n".join(self._kept(_kept(hits)))[:READ_CHAR_BUDGET]\n\n'
        "    def _kept(self, notes):\n        return notes[:20]",
    )
    assert "def _kept(self, notes)" in donor and "def _kept(notes)" in donor
    made = fusion.fuse(ProgramText(KEYWORD_MEMORY), ProgramText(donor), "donor", context())
    assert made is not None
    assert "def _second_kept(notes)" in made.source and "def _kept(self, notes)" in made.source
    assert "A small flat in Lisbon near the river." in read_after_writes(made.source, "Where is the flat?")


def test_fused_lines_weight_the_second_ranking_by_its_share():
    first, second = "a1 x\na2 x\na3 x", "b1 y\nb2 y\nb3 y"
    assert _fused_lines(first, second, 0.5, 10, 3000).splitlines()[:2] == ["a1 x", "b1 y"]
    assert _fused_lines(first, second, 0.9, 10, 3000).splitlines()[:2] == ["b1 y", "b2 y"]
    assert _fused_lines("the cat sat on the mat", "[May] the cat sat on the mat", 0.5, 10, 3000) == (
        "the cat sat on the mat"
    )


def test_fusion_is_refused_when_both_memories_need_the_sql_database():
    uses_db = get_seed("fact_manager").source
    assert fusion.fuse(ProgramText(uses_db), ProgramText(uses_db), "x", context()) is None


def ledger_of_sessions(sessions: tuple[str, ...] = SESSIONS) -> _TurnLedger:
    ledger = _TurnLedger()
    for raw in sessions:
        ledger.add_session(raw)
    return ledger


ALIKE_SESSIONS = (
    "[s1 | 3 March, 2023]\nuser: I'm looking for some tips on baking bread at home.",
    "[s2 | 9 April, 2023]\nuser: I'm looking for some tips on training my puppy to sit.",
)
"""A user's chats open alike: two turns whose first six words are the same."""


def test_a_line_is_located_at_the_turn_it_shows_among_turns_that_start_alike():
    ledger = ledger_of_sessions(ALIKE_SESSIONS)
    assert ledger.locate("user: I'm looking for some tips on training my puppy") == (1, 0)
    assert ledger.locate("- [9 Apr] user: I'm looking for some tips on baking") == (0, 0)
    assert ledger.locate("user: I'm looking for some help") == (0, 0)  # no telling: the first
    child = child_of(dates.apply, KEYWORD_MEMORY)
    assert read_after_writes(child, "puppy", ALIKE_SESSIONS) == (
        "[9 April, 2023] user: I'm looking for some tips on training my puppy to sit."
    )


def test_a_turns_speaker_is_the_name_before_its_colon_whatever_precedes_it():
    assert _ledger_speaker("Maya: A small flat in Lisbon.") == "Maya"
    assert _ledger_speaker("[8 May, 2023] Leo: Where to?") == "Leo"
    assert _ledger_speaker("Mary Ann: Hello there.") == "Mary Ann"
    assert _ledger_speaker("no speaker here: at all") is None


def test_speaker_reads_what_the_person_asked_about_said_and_leaves_the_others_look_alikes_out():
    ledger = ledger_of_sessions()
    look_alike = "Leo: Lovely, Lisbon has great light."
    read = _asked_party_first(
        look_alike, SimpleNamespace(text="Where in Lisbon did Maya move?"), ledger, 10, 3000, 0.75
    )
    assert read == "[8 May, 2023] Maya: A small flat in Lisbon near the river."
    assert (
        _asked_party_first(look_alike, SimpleNamespace(text="Where in Lisbon?"), ledger, 10, 3000, 0.75)
        == look_alike
    )
    both = SimpleNamespace(text="Did Maya tell Leo about Lisbon?")
    assert _asked_party_first(look_alike, both, ledger, 10, 3000, 0.75) == look_alike


def test_speaker_reads_the_persons_reply_to_a_line_of_the_other_after_the_persons_best_turns():
    ledger = ledger_of_sessions()
    question = SimpleNamespace(text="Where did Maya go?")  # no turn of Maya's holds "go"
    read = _asked_party_first(
        "Leo: Where to?\nMaya: Guess what, I finally moved.", question, ledger, 10, 3000, 0.75
    )
    assert read.splitlines() == [
        "Maya: Guess what, I finally moved.",
        "[8 May, 2023] Maya: A small flat in Lisbon near the river.",
    ]
    settled = SimpleNamespace(text="Did Maya finally settle?")  # her best turn says "finally"; then the reply
    assert _asked_party_first("Leo: Where to?", settled, ledger, 10, 3000, 0.75).splitlines() == [
        "[8 May, 2023] Maya: Guess what, I finally moved.",
        "[8 May, 2023] Maya: A small flat in Lisbon near the river.",
    ]
    river = SimpleNamespace(text="Where by the river did Maya move?")  # the reply is her best turn too
    read = _asked_party_first("Leo: Where to?", river, ledger, 10, 3000, 0.75)
    assert read == "[8 May, 2023] Maya: A small flat in Lisbon near the river."
    last_word = SimpleNamespace(text="What does Maya bake?")  # Leo's last line has no reply: left out
    assert _asked_party_first("Leo: The bakery opens at five.", last_word, ledger, 10, 3000, 0.75) == ""


def test_speaker_keeps_every_line_of_the_party_even_two_that_show_one_turn():
    # A program's summary line may quote a turn's start; the turn's own line after it still counts.
    summary = "[s1] topics: flat, Lisbon. Maya: A small flat in Lisbon ..."
    text = summary + "\n[8 May, 2023] Maya: A small flat in Lisbon near the river."
    read = _asked_party_first(
        text, SimpleNamespace(text="Where is Maya's flat?"), ledger_of_sessions(), 10, 3000, 0.75
    )
    assert read == text


def test_speaker_child_drops_the_other_speakers_lines_from_what_its_parent_reads():
    question = "Does Leo like the bakery bread?"
    parent = read_after_writes(KEYWORD_MEMORY, question).splitlines()
    assert any(line.startswith("Maya:") for line in parent)
    child = read_after_writes(child_of(speaker.apply, KEYWORD_MEMORY), question).splitlines()
    assert child == [line for line in parent if line.startswith("Leo:")]  # Maya's reply is shown already


CHAT_SESSIONS = (
    "[c1 | 2 May, 2023]\n"
    "user: Any tips for my commute? It takes me 45 minutes each way by train.\n"
    "assistant: For a long train commute, podcasts and audiobooks make the 45 minutes pass quickly.",
    "[c2 | 9 May, 2023]\n"
    "user: Where should I eat in New York? I am vegan.\n"
    "assistant: Try Beyond Sushi, a vegan eatery with several locations in New York.\n"
    "user: Thanks, my sister lives in New York too.",
)


def test_a_turns_chat_role_is_user_or_assistant_before_its_colon():
    assert _ledger_role("user: Hi.") == "user"
    assert _ledger_role("[9 May, 2023] Assistant: Try this.") == "assistant"
    assert _ledger_role("Maya: Hi.") is None


def test_speaker_in_a_chat_reads_the_users_turns_for_a_question_about_the_user():
    ledger = ledger_of_sessions(CHAT_SESSIONS)
    look_alike = (
        "assistant: For a long train commute, podcasts and audiobooks make the 45 minutes pass quickly."
    )
    read = _asked_party_first(
        look_alike, SimpleNamespace(text="How long is my commute?"), ledger, 10, 3000, 0.75
    )
    assert read == "[2 May, 2023] user: Any tips for my commute? It takes me 45 minutes each way by train."


def test_speaker_in_a_chat_reads_the_assistants_turns_for_a_question_about_what_it_said():
    ledger = ledger_of_sessions(CHAT_SESSIONS)
    user_line = "user: Where should I eat in New York? I am vegan."
    for question in (
        "Can you remind me of the vegan eatery you recommended in New York?",
        "Which vegan eatery in New York did you say I should try?",
        "Going back to our previous conversation about New York, which vegan eatery was it?",
    ):
        read = _asked_party_first(user_line, SimpleNamespace(text=question), ledger, 10, 3000, 0.75)
        assert (
            read
            == "[9 May, 2023] assistant: Try Beyond Sushi, a vegan eatery with several locations in New York."
        )
    # What the user says they said is the user's.
    mine = SimpleNamespace(text="In our previous conversation I told you where my sister lives: where?")
    assert _asked_party_first(user_line, mine, ledger, 1, 3000, 0.75).splitlines()[0] == user_line


def test_speaker_in_a_chat_reads_the_users_turns_for_a_question_about_the_people_in_the_users_life():
    chat = ledger_of_sessions(CHAT_SESSIONS)
    look_alike = "assistant: Try Beyond Sushi, a vegan eatery with several locations in New York."
    read = _asked_party_first(
        look_alike, SimpleNamespace(text="Where does the sister live?"), chat, 10, 3000, 0.75
    )
    assert read == "[9 May, 2023] user: Thanks, my sister lives in New York too."


def test_speaker_changes_nothing_for_a_question_about_no_one_of_a_dialogue_between_named_people():
    friends = ledger_of_sessions()
    look_alike = "Leo: Lovely, Lisbon has great light."
    assert (
        _asked_party_first(look_alike, SimpleNamespace(text="Where did I move?"), friends, 10, 3000, 0.75)
        == look_alike
    )


def test_speaker_in_a_chat_child_drops_the_assistants_lines_from_what_its_parent_reads_for_a_user_question():
    question = "How long does my train commute take?"
    child_source = child_of(speaker.apply, KEYWORD_MEMORY)
    parent, child = (
        read_after_writes(source, question, CHAT_SESSIONS) for source in (KEYWORD_MEMORY, child_source)
    )
    assert any(line.startswith("assistant:") for line in parent.splitlines())
    assert child.splitlines() == [line for line in parent.splitlines() if line.startswith("user:")]


BUDGET_READ = """\
    def read(self, query):
        kept, used = [], 0
        for note in sorted(self.notes, key=len, reverse=True):
            if used + len(note) + 1 > READ_CHAR_BUDGET:
                break
            kept.append(note)
            used += len(note) + 1
        for note in kept:
            if note.startswith("Leo"):
                break
        else:
            kept.append("(no Leo)")
        return "\\n".join(kept)
"""
BUDGET_MEMORY = (
    KEYWORD_MEMORY[: KEYWORD_MEMORY.index("    def read(self, query):")].replace(
        "READ_CHAR_BUDGET = 3000", "READ_CHAR_BUDGET = 130"
    )
    + BUDGET_READ
)
"""Fills a small budget with its longest turns first; its second loop's `break` is not a budget's."""


def test_packing_fills_the_budget_past_an_item_that_does_not_fit():
    parent_output = read_after_writes(BUDGET_MEMORY, "anything").splitlines()
    # The two longest turns fit (56 + 52 characters with their newlines); the third does not: the read ends.
    assert parent_output == [
        "Leo: I bake sourdough bread at the bakery every morning.",
        "Maya: Sourdough bread from the bakery sounds great.",
    ]
    child = child_of(packing.apply, BUDGET_MEMORY)
    lines = read_after_writes(child, "anything").splitlines()
    # Skipping the turns that do not fit, the child also takes the shorter ones further down.
    assert lines[:2] == parent_output and lines[2:] == ["Leo: Where to?"]
    assert len("\n".join(lines)) <= 130


def test_packing_changes_only_the_break_of_a_loop_that_fills_a_budget():
    made = packing.apply(ProgramText(BUDGET_MEMORY), context())
    assert made is not None
    assert made.description.startswith("packing: ") and "(loop)" in made.description
    changed = [
        (old, new)
        for old, new in zip(BUDGET_MEMORY.splitlines(), made.source.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [(" " * 16 + "break", " " * 16 + "continue")]
    # A program whose loops fill no budget (or already skip what does not fit) is left to other operators.
    assert packing.apply(ProgramText(KEYWORD_MEMORY), context()) is None
    assert packing.apply(ProgramText(made.source), context()) is None


def test_packing_leaves_while_loops_and_loops_with_an_else_alone():
    loop = "        for note in sorted(self.notes, key=len, reverse=True):\n"
    looping = BUDGET_MEMORY.replace(
        loop,
        "        notes = sorted(self.notes, key=len, reverse=True)\n"
        "        while notes:\n"
        "            note = notes.pop(0)\n",
    )
    fill = "            used += len(note) + 1\n"
    with_else = BUDGET_MEMORY.replace(fill, fill + "        else:\n            kept.append('(all)')\n")
    assert looping.count("while notes:") == 1 and with_else.count("(all)") == 1
    assert packing.budget_breaks(ProgramText(looping)) == []
    assert packing.budget_breaks(ProgramText(with_else)) == []


def test_a_wrapped_program_can_be_wrapped_again_and_stays_one_program():
    source = KEYWORD_MEMORY
    for operator in (neighbours.apply, rerank.apply, dates.apply):
        source = child_of(operator, source)
    assert ("class _Memory2:" in source and "class _Memory3:" not in source) or "class _Memory3:" in source
    assert source.count("class _TurnLedger:") == 1
    assert read_after_writes(source, "flat").startswith("[8 May, 2023]")


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_every_behaviour_applies_to_every_seed_and_its_child_runs(seed):
    donors = [("bm25_turns", ProgramText(get_seed("bm25_turns").source))]
    parent = ProgramText(get_seed(seed).source)
    for name, operator in BEHAVIOURS.items():
        made = operator(parent, context(1, donors))
        if made is None:
            # dates depends on what the program does; packing needs a loop that ends at a full budget
            assert name == "dates" or (name == "packing" and not packing.budget_breaks(parent))
            continue
        assert smoke_run(made.source).ok, (name, seed)


def test_the_mutator_names_the_operator_of_each_child_and_prefers_the_one_asked_for():
    parent = get_seed("vector_rag").source
    others = [("bm25_turns", get_seed("bm25_turns").source)]
    for kind in BEHAVIOURS:
        mutator = StructuralMutator(random.Random(0), operators=ALL_OPERATORS, preferred=kind)
        assert mutator.name == f"structural:{kind}"
        mutation = mutator.mutate(parent, "vector_rag", others)
        assert mutation is not None and mutation.mutator == f"structural:{kind}"
        assert mutation.commit_message.startswith(f"{kind}: ")
    seen = {StructuralMutator(random.Random(seed)).mutate(parent, "p", others).mutator for seed in range(40)}
    assert {"structural:constant", "structural:fusion", "structural:neighbours"} <= seen
    # Re-ranking and query expansion were measured to help nothing: off unless asked for; places reads
    # trajectories of a text world: offered where a domain asks for it.
    assert not {"structural:rerank", "structural:query_expansion", "structural:places"} & seen
    assert not {"rerank", "query_expansion", "places"} & set(OPERATORS)


def test_read_budgets_never_go_past_the_host_cap_and_a_parent_over_it_is_clamped():
    mutator = StructuralMutator(random.Random(0), operators=("constant",), read_chars=3000)
    for _ in range(30):
        child = mutator.mutate(KEYWORD_MEMORY, "p")
        assert child is not None
        assert load_program(child.source).module.READ_CHAR_BUDGET < 3000
    over = KEYWORD_MEMORY.replace("READ_CHAR_BUDGET = 3000", "READ_CHAR_BUDGET = 8030")
    child = StructuralMutator(random.Random(0), operators=("neighbours",), read_chars=3000).mutate(over, "p")
    assert child is not None and "READ_CHAR_BUDGET = 3000" in child.source
    assert "READ_CHAR_BUDGET 8030 -> 3000 (the host's read cap)" in child.commit_message


def test_a_program_holding_an_older_copy_of_a_runtime_helper_is_not_wrapped_by_an_operator_that_needs_it():
    with_sessions = child_of(sessions.apply, KEYWORD_MEMORY)
    assert outdated_helpers(ProgramText(with_sessions), {"_TurnLedger", "_asked_party_first"}) == []
    assert speaker.apply(ProgramText(with_sessions), context()) is not None
    # As made before the ledger kept each turn's role: today's speaker would fail at its first read.
    older = with_sessions.replace("            self.roles.append(_ledger_role(line))\n", "")
    assert older != with_sessions
    load_program(older)
    assert outdated_helpers(ProgramText(older), {"_TurnLedger", "_asked_party_first"}) == ["_TurnLedger"]
    assert speaker.apply(ProgramText(older), context()) is None


def test_a_helper_whose_numbers_the_numeric_mutator_tuned_is_no_older_copy():
    with_sessions = child_of(sessions.apply, KEYWORD_MEMORY)
    tuned = with_sessions.replace("_LEDGER_KEY_WORDS = 6", "_LEDGER_KEY_WORDS = 7").replace(
        "norm = 1.2 *", "norm = 1.5 *"
    )
    assert "_LEDGER_KEY_WORDS = 7" in tuned and "norm = 1.5 *" in tuned
    assert outdated_helpers(ProgramText(tuned), {"_TurnLedger", "_asked_party_first"}) == []
    assert speaker.apply(ProgramText(tuned), context()) is not None
