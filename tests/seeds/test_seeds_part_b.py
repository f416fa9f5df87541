"""The seeds re-implementing MoM, WISE, B'MOJO, MemOS, Mem4D/DMN, Letta+MemoryOS, Zep and ExpeL/AWM.

Each seed is tested on the behaviour that makes it the architecture it names, through an in-process
session with the hashed embedder and, for the LLM paths, a deterministic fake LLM; each also meets the
contract and evaluates on a small synthetic dataset with the offline agent.
"""

from __future__ import annotations

import re

import pytest

from sandbox.session import FailureReason, InProcessSession, ProgramFailure
from sandbox.toolkit import CapabilityError
from tests.seeds.support import AGENT, NEED_AN_LLM, PART_B, open_seed


def write(session: InProcessSession, number: int, date: str, *turns: str):
    raw_text = "\n".join([f"[session_{number} | {date}]", *turns])
    return session.write(AGENT.fill_item(session.description, raw_text), raw_text)


def read(session: InProcessSession, question: str) -> str:
    return session.read(AGENT.fill_query(session.description, question, ""))[0]


def knowledge_base(session: InProcessSession):
    return session._kb  # the seed's own state, to check what it keeps


# -- temporal_kg (Zep / Graphiti) ----------------------------------------------------------------------


def test_temporal_kg_invalidates_a_contradicted_edge_and_puts_the_current_one_first() -> None:
    session = open_seed("temporal_kg")
    write(
        session, 1, "1 May 2023", "Nate: I live in Boston, it's lovely.", "Diego: My sister Claire visited."
    )
    write(session, 2, "1 June 2023", "Nate: We finally finished moving to Denver! Still unpacking.")
    edges = {edge.object: edge for edge in knowledge_base(session).edges}
    assert edges["boston"].invalid_at == "1 June 2023" and edges["boston"].expired_at == 2
    assert edges["denver"].invalid_at == "" and edges["denver"].valid_at == "1 June 2023"
    assert edges["Claire"].relation == "has_sister"
    facts = read(session, "Where does Nate live?").split("Episodes:")[0]
    assert facts.index("Denver") < facts.index("Boston")
    assert "[valid from 1 May 2023 until 1 June 2023, superseded] Nate: I live in Boston" in facts


def test_temporal_kg_stores_a_late_arriving_older_fact_as_already_invalid() -> None:
    session = open_seed("temporal_kg")
    write(session, 2, "1 June 2023", "Nate: I relocated to Denver and love it.")
    write(session, 1, "1 May 2023", "Nate: I love living in Boston.")
    edges = {edge.object: edge for edge in knowledge_base(session).edges}
    assert edges["denver"].invalid_at == ""
    assert edges["boston"].invalid_at == "1 June 2023"


def test_temporal_kg_does_not_attribute_someone_elses_move_to_the_speaker() -> None:
    session = open_seed("temporal_kg")
    write(
        session,
        1,
        "1 May 2023",
        "Nate: Irene just moved to Pittsburgh for work, so I have an excuse to visit.",
    )
    assert knowledge_base(session).edges == []
    assert "Irene just moved to Pittsburgh" in read(session, "Who moved to Pittsburgh?")


def test_temporal_kg_uses_the_llm_for_facts_and_invalidations() -> None:
    def fake_llm(prompt: str, system: str | None, max_tokens: int) -> str:
        if "Denver" in prompt:
            assert "0 | Nate | lives_in | Boston" in prompt  # the current facts are shown to the model
            return "FACT | Nate | lives_in | Denver | Nate moved to Denver | 0\nINVALIDATE | 0"
        return "FACT | Nate | lives_in | Boston | Nate lives in Boston | 0"

    session = open_seed("temporal_kg", llm=fake_llm)
    assert write(session, 1, "1 May 2023", "Nate: Boston is home.").llm_calls == 1
    assert write(session, 2, "1 June 2023", "Nate: Denver is home now.").llm_calls == 1
    boston, denver = knowledge_base(session).edges
    assert (boston.invalid_at, denver.invalid_at) == ("1 June 2023", "")
    assert "[valid from 1 June 2023, current] Nate moved to Denver" in read(session, "Nate home")


# -- memcube (MemOS) -----------------------------------------------------------------------------------


def test_memcube_merges_restatements_into_versions_and_expires_filler() -> None:
    session = open_seed("memcube", EPHEMERAL_TTL=2)
    write(
        session,
        1,
        "1 May 2023",
        "Nate: Hi Diego!",
        "Nate: I tried making falafel at home but it was a disaster.",
    )
    write(session, 2, "8 May 2023", "Nate: I tried making falafel at home and it was a disaster again.")
    write(session, 3, "15 May 2023", "Diego: Rainy day here.")
    cubes = knowledge_base(session).cubes
    greeting, falafel = cubes[0], cubes[1]
    assert falafel.state == "merged" and falafel.version == 2
    assert falafel.history == ["[1 May 2023] Nate: I tried making falafel at home but it was a disaster."]
    assert falafel.provenance == ["session_1 turn 2 (1 May 2023)", "session_2 turn 1 (8 May 2023)"]
    assert greeting.state == "expired" and greeting.provenance  # out of the index, metadata kept
    assert "Hi Diego" not in read(session, "Hi Diego")
    assert "again. (version 2)" in read(session, "falafel")


def test_memcube_archives_unused_cubes_ranks_them_lower_and_restores_them_when_read() -> None:
    session = open_seed("memcube", ARCHIVE_AFTER=2)
    write(session, 1, "1 May 2023", "Nate: My dog Rex loves the beach.")
    write(session, 2, "8 May 2023", "Diego: Busy week.")
    write(session, 3, "15 May 2023", "Diego: My dog Bolt loves the beach.")
    old, _, new = knowledge_base(session).cubes
    assert old.state == "archived" and new.state == "generated"
    context = read(session, "dog loves the beach")
    assert context.index("Bolt") < context.index("Rex")
    assert old.state == "generated" and old.uses == 1


def test_memcube_returns_private_cubes_only_to_their_owner() -> None:
    session = open_seed("memcube")
    write(session, 1, "1 May 2023", "Nate: Between us, I'm applying for a job at the observatory.")
    assert knowledge_base(session).cubes[0].access == "private"
    assert "observatory" not in read(session, "job observatory")
    owner_read = session.read({"query": "job observatory", "requester": "Nate"})[0]
    assert "observatory" in owner_read


# -- main_side_router (WISE) ---------------------------------------------------------------------------


def test_main_side_router_trusts_the_side_memory_for_an_updated_fact() -> None:
    session = open_seed("main_side_router")
    small_talk = ("Diego: Sounds great.", "Nate: Busy week.", "Diego: Same here.")
    write(session, 1, "1 May 2023", "Nate: I live in Boston and dive at the aquarium downtown.", *small_talk)
    write(session, 2, "1 June 2023", "Nate: I moved to Denver, no more aquarium downtown.", "Diego: Wow!")
    kb = knowledge_base(session)
    assert kb.side.count() == 1 and kb.revises == {4: 0}  # the edit, and the statement it revises
    context = read(session, "Where does Nate currently live?")
    assert context.startswith("Updated facts (side memory, trusted):\n[1 June 2023] Nate: I moved to Denver")
    assert "(revises the earlier: [1 May 2023] Nate: I live in Boston" in context
    assert "routed to side" in session.drain_logs()[-1]


def test_main_side_router_leaves_unrelated_queries_to_the_main_memory() -> None:
    session = open_seed("main_side_router")
    write(session, 1, "1 May 2023", "Diego: My favourite pizza is margherita.")
    write(session, 2, "1 June 2023", "Nate: I moved to Denver, far from the harbor.")
    context = read(session, "Which pizza does Diego like?")
    assert "side memory" not in context and "margherita" in context
    assert "routed to main" in session.drain_logs()[-1]


# -- mixture_of_memories (MoM) -------------------------------------------------------------------------

TOPICS = (
    "Nate: My garden tomatoes and basil are growing fast this summer.",
    "Diego: The chess tournament had twelve rounds and I won the final game.",
    "Nate: I repotted the basil and the tomatoes need more water.",
    "Diego: My chess coach says my endgame is getting stronger.",
    "Nate: The garden needs compost before the tomatoes ripen.",
    "Diego: I studied chess openings for the next tournament.",
)


def test_mixture_of_memories_routes_each_write_to_its_top_memories() -> None:
    session = open_seed("mixture_of_memories", NUM_MEMORIES=3, TOP_K_WRITE=1)
    for number in range(3):
        write(session, number + 1, f"{number + 1} May 2023", *TOPICS)
    kb = knowledge_base(session)
    homes = [
        [i for i, memory in enumerate(kb.memories) if turn in memory.turns] for turn in range(len(kb.turns))
    ]
    assert all(len(home) == 1 for home in homes)  # TOP_K_WRITE memories per turn
    assert all(memory.turns for memory in kb.memories)  # the load-balancing term spreads the inputs
    garden = {home[0] for turn, home in zip(kb.turns, homes, strict=True) if "tomatoes" in turn}
    chess = {home[0] for turn, home in zip(kb.turns, homes, strict=True) if "chess" in turn}
    assert garden.isdisjoint(chess)  # unrelated inputs do not interfere


def test_mixture_of_memories_reads_route_and_merge_several_memories() -> None:
    session = open_seed("mixture_of_memories", NUM_MEMORIES=3, TOP_K_WRITE=1, TOP_K_READ=2, SHARED_TURNS=2)
    for number in range(3):
        write(session, number + 1, f"{number + 1} May 2023", *TOPICS)
    kb = knowledge_base(session)
    context = read(session, "tomatoes chess")
    routed = re.search(r"routed to memories \[(.*?)\]", session.drain_logs()[-1]).group(1)
    assert len(routed.split(",")) == 2
    returned = [kb.turns.index(line) for line in context.splitlines()]
    sources = {i for turn in returned for i, memory in enumerate(kb.memories) if turn in memory.turns}
    assert len(sources) >= 2 and "tomatoes" in context and "chess" in context


# -- eidetic_fading (B'MOJO) ---------------------------------------------------------------------------


def test_eidetic_fading_keeps_an_exact_recent_window() -> None:
    session = open_seed("eidetic_fading", EIDETIC_TURNS=3)
    write(session, 1, "1 May 2023", "Nate: one two three.", "Diego: four five six.", "Nate: seven eight.")
    write(session, 2, "2 May 2023", "Diego: nine ten.", "Nate: eleven twelve.")
    recent = read(session, "anything").split("Recent turns:\n")[1].splitlines()
    assert recent == [
        "[1 May 2023] Nate: seven eight.",
        "[2 May 2023] Diego: nine ten.",
        "[2 May 2023] Nate: eleven twelve.",
    ]


def test_eidetic_fading_stores_only_what_the_fading_state_cannot_predict() -> None:
    session = open_seed("eidetic_fading", EIDETIC_TURNS=1)
    small_talk = "Diego: I tried making falafel at home but it was a disaster."
    write(session, 1, "1 May 2023", small_talk, "Nate: My sister Claire adopted a parrot named Kiwi.")
    write(session, 2, "2 May 2023", small_talk, "Nate: Bye!")
    storage = knowledge_base(session).storage
    assert sum("falafel" in turn for turn in storage) == 1  # the repeat was predictable
    assert "Kiwi" in read(session, "What is the parrot called?").split("Fading summary:")[0]


def test_eidetic_fading_summary_fades_old_sessions_out() -> None:
    session = open_seed("eidetic_fading", SUMMARY_SENTENCES=4)
    for number in range(1, 13):
        write(
            session, number, f"{number} May 2023", f"Nate: Today I visited museum number {number} downtown."
        )
    summary = read(session, "museum").split("Fading summary:\n")[1].split("\n\n")[0].splitlines()
    assert len(summary) <= 4
    assert all("[1 May 2023]" not in line for line in summary)
    assert any("[12 May 2023]" in line for line in summary)


# -- static_dynamic (Mem4D / Dual Memory Networks) ------------------------------------------------------


def test_static_dynamic_separates_stable_facts_from_changing_states() -> None:
    session = open_seed("static_dynamic", DYNAMIC_CAPACITY=2)
    write(
        session,
        1,
        "1 May 2023",
        "Nate: My sister is called Claire.",
        "Nate: I just moved to Denver yesterday.",
        "Nate: My sister is called Claire, as you know.",
        "Nate: Today I ran five miles.",
        "Nate: I started a new job at the library.",
    )
    kb = knowledge_base(session)
    static = list(kb.static.statements.values())
    dynamic = list(kb.dynamic.statements.values())
    assert dynamic == [
        "[1 May 2023] Nate: Today I ran five miles.",
        "[1 May 2023] Nate: I started a new job at the library.",
    ]
    assert "[1 May 2023] Nate: I just moved to Denver yesterday." in static  # consolidated history
    claire = [n for n, s in kb.static.statements.items() if "Claire" in s]
    assert len(claire) == 1 and kb.static.strength[claire[0]] == 2  # a restatement strengthens


def test_static_dynamic_reads_the_two_memories_alternately() -> None:
    session = open_seed("static_dynamic")
    write(
        session,
        1,
        "1 May 2023",
        "Nate: My cat Sprout is ginger.",
        "Nate: Sprout the cat is shy with guests.",
        "Nate: Yesterday Sprout the cat caught a mouse.",
        "Nate: Sprout the cat is sleeping now.",
    )
    lines = read(session, "Sprout cat").splitlines()
    kb = knowledge_base(session)
    kinds = ["dynamic" if line in kb.dynamic.statements.values() else "static" for line in lines]
    assert kinds == ["static", "dynamic", "static", "dynamic"]


# -- tiered_os (Letta + MemoryOS) ----------------------------------------------------------------------

HOT_TOPIC = (
    "Nate: My pottery class made me a bowl with a blue glaze.",
    "Diego: That sounds lovely.",
    "Nate: I fired my pottery bowls in the kiln at the studio.",
    "Diego: Nice, pottery takes patience.",
)


def test_tiered_os_promotes_a_hot_segment_into_a_core_block_within_its_limit() -> None:
    session = open_seed("tiered_os", STM_PAGES=1, CORE_BLOCK_CHARS=120)
    for number in range(1, 7):
        write(session, number, f"{number} May 2023", *HOT_TOPIC)
    kb = knowledge_base(session)
    assert "Nate" in kb.core and any("pottery" in fact for fact in kb.core["Nate"])
    for block in kb.core.values():
        assert sum(len(line) + 1 for line in block) <= 120
    context = read(session, "What is the weather like in Lisbon?")  # core blocks come with every read
    assert context.startswith("<core:")
    assert all(line in context for block in kb.core.values() for line in block)


def test_tiered_os_reads_heat_up_the_segments_they_use() -> None:
    session = open_seed("tiered_os", STM_PAGES=1, PROMOTE_HEAT=1000.0)
    write(session, 1, "1 May 2023", *HOT_TOPIC, "Nate: Chess club meets on Fridays.", "Diego: Cool.")
    kb = knowledge_base(session)
    before = {id(s): s.heat(kb.clock) for s in kb.segments}
    assert "kiln" in read(session, "pottery kiln")
    assert any(s.heat(kb.clock) > before[id(s)] for s in kb.segments)
    assert len(kb.turns) == 6  # the recall log keeps every message


def test_tiered_os_lets_the_llm_rewrite_a_core_block_at_most_once_per_write() -> None:
    calls = []

    def fake_llm(prompt: str, system: str | None, max_tokens: int) -> str:
        calls.append(prompt)
        return "Nate makes pottery.\nNate fires bowls in a kiln."

    session = open_seed("tiered_os", llm=fake_llm, STM_PAGES=1)
    stats = [write(session, number, f"{number} May 2023", *HOT_TOPIC) for number in range(1, 7)]
    assert all(s.llm_calls <= 1 for s in stats) and len(calls) == sum(s.llm_calls for s in stats) >= 1
    assert "Core memory block about Nate" in calls[0] and "kiln" in calls[0]
    assert knowledge_base(session).core["Nate"][:2] == ["Nate makes pottery.", "Nate fires bowls in a kiln."]


# -- experience_learner (ExpeL / AWM) ------------------------------------------------------------------

HOT_APPLE_SUCCESS = """Task: put a hot apple in the fridge
> go to countertop 1
On the countertop 1, you see an apple 1.
> take apple 1 from countertop 1
> go to microwave 1
> heat apple 1 with microwave 1
> go to fridge 1
> open fridge 1
> put apple 1 in/on fridge 1
Outcome: success in 7 steps"""
HOT_POTATO_FAILURE = """Task: put a hot potato in the fridge
> go to countertop 2
> take potato 1 from countertop 2
> go to fridge 1
> open fridge 1
> put potato 1 in/on fridge 1
Outcome: failure after 5 steps"""
BOOK_SUCCESS = """Task: find a book on the shelf
> go to shelf 1
> take book 1 from shelf 1
Outcome: success in 2 steps"""


def write_trajectory(session: InProcessSession, text: str):
    return session.write(AGENT.fill_item(session.description, text), text)


def test_experience_learner_distills_insights_and_workflows_from_successes_and_failures() -> None:
    session = open_seed("experience_learner")
    for trajectory in (HOT_POTATO_FAILURE, HOT_APPLE_SUCCESS, BOOK_SUCCESS):
        write_trajectory(session, trajectory)
    kb = knowledge_base(session)
    rules = [rule[0] for rule in kb.insights]
    assert "For tasks like 'put a hot apple in the fridge', do 'heat {apple} with microwave': " in " ".join(
        rules
    )
    assert all("book" not in rule for rule in rules)  # only similar tasks are compared
    routine = next(iter(kb.workflows))
    assert len(kb.workflows) == 2 and routine[:2] == ("go to countertop 1", "take {2} from countertop 1")


def test_experience_learner_retrieves_by_task_similarity_successes_first() -> None:
    session = open_seed("experience_learner")
    for trajectory in (BOOK_SUCCESS, HOT_POTATO_FAILURE, HOT_APPLE_SUCCESS):
        write_trajectory(session, trajectory)
    context = read(session, "put a hot egg in the fridge")
    assert context.startswith("Insights:\n- For tasks like 'put a hot apple in the fridge', do")
    assert (
        "Workflows:\n- e.g. 'put a hot apple in the fridge' (x1): go to countertop 1; take {apple}" in context
    )
    apple = context.index("Experience: put a hot apple in the fridge (success)")
    potato = context.index("Experience: put a hot potato in the fridge (failure)")
    assert apple < potato and "> heat apple 1 with microwave 1" in context
    assert "find a book" not in context.split("Experience:")[0]


def test_experience_learner_downvotes_a_rule_that_a_success_contradicts() -> None:
    session = open_seed("experience_learner")
    cooled = "> cool {0} 1 with fridge 1\n> put {0} 1"
    write_trajectory(session, HOT_APPLE_SUCCESS)
    write_trajectory(session, HOT_POTATO_FAILURE.replace("> put potato 1", cooled.format("potato")))
    rule = next(r for r in knowledge_base(session).insights if "avoid 'cool {potato} with {fridge}'" in r[0])
    assert rule[1] == 2
    write_trajectory(
        session, HOT_APPLE_SUCCESS.replace("apple", "egg").replace("> put egg 1", cooled.format("egg"))
    )
    assert rule[1] == 1


def test_experience_learner_applies_the_llms_expel_operations() -> None:
    def fake_llm(prompt: str, system: str | None, max_tokens: int) -> str:
        return "AGREE 1" if "1. Heat" in prompt else "ADD: Heat the object before putting it away."

    session = open_seed("experience_learner", llm=fake_llm)
    assert write_trajectory(session, HOT_APPLE_SUCCESS).llm_calls == 1
    write_trajectory(session, HOT_POTATO_FAILURE)
    assert knowledge_base(session).insights == [
        ["Heat the object before putting it away.", 3, "put a hot apple in the fridge"]
    ]


def test_experience_learner_keeps_any_text_as_an_experience() -> None:
    session = open_seed("experience_learner")
    write(session, 1, "1 May 2023", "Nate: My sister Claire adopted a parrot.", "Diego: Lovely!")
    kb = knowledge_base(session)
    assert kb.pool[0].outcome == "unknown" and kb.insights == []
    assert "Experience: [session_1 | 1 May 2023] (unknown)\nNate: My sister Claire adopted a parrot." in read(
        session, "Who adopted a parrot?"
    )


@pytest.mark.parametrize("name", sorted(NEED_AN_LLM & set(PART_B)))
def test_llm_seeds_take_the_offline_path_only_when_no_llm_is_configured(name: str) -> None:
    def spent(prompt: str, system: str | None, max_tokens: int) -> str:
        raise CapabilityError("llm_budget", "the run's LLM budget is spent")

    session = open_seed(name, llm=spent, **({"STM_PAGES": 1} if name == "tiered_os" else {}))
    with pytest.raises(ProgramFailure) as failure:
        for number in range(1, 7):  # enough for every seed to call its LLM
            write(session, number, f"{number} May 2023", *HOT_TOPIC)
            write_trajectory(session, HOT_APPLE_SUCCESS)
    assert failure.value.reason == FailureReason.LLM_BUDGET
