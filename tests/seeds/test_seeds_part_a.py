"""The seeds re-implementing D-Mem, HyMem, MemTree/MemForest, SuperLocalMemory, ZenBrain, Mem0 and A-Mem.

Each seed is tested on the behaviour that makes it the architecture it names, through an in-process
session with the hashed embedder and, for the LLM paths, a deterministic fake LLM (a plain callable); each
also meets the contract, evaluates on a small synthetic dataset with the offline agent, and reads the same
in the process sandbox.
"""

from __future__ import annotations

import json
import re

import numpy as np

from sandbox.session import InProcessSession
from tests.seeds.support import AGENT, open_seed


class FakeLLM:
    """A deterministic LLM backend: `reply(prompt)` gives the completion; every prompt is kept."""

    def __init__(self, reply) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def __call__(self, prompt: str, system: str | None, max_tokens: int) -> str:
        self.prompts.append(prompt)
        return self.reply(prompt)


def write(session: InProcessSession, number: int, date: str, *turns: str) -> list[str]:
    """Write one session; the program's log lines of that write."""
    raw_text = "\n".join([f"[session_{number} | {date}]", *turns])
    session.write(AGENT.fill_item(session.description, raw_text), raw_text)
    return session.drain_logs()


def read(session: InProcessSession, question: str) -> tuple[str, list[str], int]:
    """(what read() returned, its log lines, its LLM calls)."""
    context, stats = session.read(AGENT.fill_query(session.description, question, ""))
    return context, session.drain_logs(), stats.llm_calls


def knowledge_base(session: InProcessSession):
    return session._kb  # the seed's own state, to check what it keeps


# -- dual_process (D-Mem) ---------------------------------------------------------------------------------

LISBON = (
    "Ana: Any tips for my trip to Lisbon next month?",
    "Ben: Definitely try the custard tarts at the bakery in Belem.",
    "Ana: Noted, thanks!",
)


CELLO = "Ana: My sister Carla plays the cello in the city orchestra."


def test_dual_process_answers_routine_queries_from_the_fast_path() -> None:
    session = open_seed("dual_process")
    write(session, 1, "3 May 2023", CELLO, *LISBON)
    context, logs, calls = read(session, "Carla plays the cello in the city orchestra")
    assert logs[0].startswith("fast path") and calls == 0
    assert context.splitlines()[0] == f"[3 May 2023] {CELLO}"


def test_dual_process_falls_back_to_full_deliberation_when_the_gate_fails() -> None:
    session = open_seed("dual_process")
    write(session, 1, "3 May 2023", *LISBON)
    write(session, 2, "9 May 2023", CELLO)
    context, logs, _ = read(session, "What should Ana try in Lisbon before the trip?")
    assert logs[0].startswith("full deliberation, gate failed on") and "simplicity" in logs[0]
    # every stored turn was scored; the hit's neighbour (Ben's answer) comes with it, in conversation order
    assert context.splitlines()[:2] == [f"[3 May 2023] {LISBON[0]}", f"[3 May 2023] {LISBON[1]}"]

    strict = open_seed("dual_process", GATE_RELEVANCE=1.01)  # no fast result can pass
    write(strict, 1, "3 May 2023", *LISBON)
    assert "relevance" in read(strict, "custard tarts at the bakery in Belem")[1][0]


def test_dual_process_deliberation_lets_the_llm_pick_the_evidence_lines() -> None:
    def pick_the_tip(prompt: str) -> str:
        numbers = [line.split(".")[0] for line in prompt.splitlines() if "custard" in line]
        return f"[{numbers[0]}]"

    llm = FakeLLM(pick_the_tip)
    session = open_seed("dual_process", llm=llm, READ_CHAR_BUDGET=90)
    write(session, 1, "3 May 2023", *LISBON)
    context, _, calls = read(session, "What should Ana try in Lisbon before the trip?")
    assert calls == 1 and "Question: What should Ana try in Lisbon" in llm.prompts[-1]
    assert context == f"[3 May 2023] {LISBON[1]}"  # the budget holds one line: the LLM's choice
    assert read(session, "Any tips for my trip to Lisbon next month")[2] == 0  # fast path: no LLM


# -- hybrid_granular (HyMem) ------------------------------------------------------------------------------

BAKERY = (
    "Ana: I finally opened my own bakery on Elm Street, called Flour Power.",
    "Ben: That is wonderful news!",
    "Ana: We sell sourdough and cinnamon rolls.",
    "Ben: I will stop by this weekend.",
)


def test_hybrid_granular_answers_simple_queries_from_summaries() -> None:
    session = open_seed("hybrid_granular", SUMMARY_TURNS=1)
    write(session, 1, "3 May 2023", *BAKERY)
    context, logs, _ = read(session, "Ana opened which bakery on Elm Street?")
    assert logs == ["lightweight tier: answered from summaries"]
    assert context == f"[3 May 2023] session summary:\n{BAKERY[0]}"  # Level 1 only: one salient turn


def test_hybrid_granular_escalates_complex_queries_to_the_raw_turns() -> None:
    session = open_seed("hybrid_granular", SUMMARY_TURNS=1)
    write(session, 1, "3 May 2023", *BAKERY)
    write(session, 2, "20 May 2023", "Ben: How is the shop going?", "Ana: Busy! We sold out of sourdough.")
    context, logs, _ = read(session, "What did the bakery sell before it sold out of sourdough?")
    assert logs[-1].startswith("deep tier")
    raw = context.split("\n\n")[0].splitlines()
    assert raw[0] == "Raw turns:" and f"[3 May 2023] {BAKERY[2]}" in raw  # not in any summary


def test_hybrid_granular_uses_the_llm_to_summarise_and_to_schedule() -> None:
    def respond(prompt: str) -> str:
        if prompt.startswith("Summarise"):
            return "Ana opened the Flour Power bakery on Elm Street."
        return "COMPLEX" if "sell" in prompt.split("Question:")[1] else "SIMPLE"

    llm = FakeLLM(respond)
    session = open_seed("hybrid_granular", llm=llm)
    write(session, 1, "3 May 2023", *BAKERY)
    context, logs, calls = read(session, "What is the bakery called?")
    assert calls == 1 and logs == ["lightweight tier: answered from summaries"]
    assert context == "[3 May 2023] session summary:\nAna opened the Flour Power bakery on Elm Street."
    context, logs, _ = read(session, "What does the bakery sell?")
    assert logs[-1].startswith("deep tier") and BAKERY[2] in context


# -- temporal_tree (MemTree / MemForest) ------------------------------------------------------------------


def test_temporal_tree_updates_only_the_path_above_a_new_session() -> None:
    session = open_seed("temporal_tree")
    write(session, 1, "10 January 2023", "Ana: I started pottery classes at the community center.")
    kb = knowledge_base(session)
    january = kb.nodes["period:2023-01"].description
    january_row = kb.buffer[kb.row_of["period:2023-01"]].copy()
    logs = write(session, 2, "4 March 2023", "Ana: My pottery teacher loved my first vase.", "Ben: Nice!")
    assert logs == ["updated nodes: session:1, day:2023-03-04, period:2023-03 (+2 leaves)"]
    assert kb.nodes["period:2023-01"].description == january
    assert np.array_equal(kb.buffer[kb.row_of["period:2023-01"]], january_row)
    logs = write(session, 3, "4 March 2023", "Ana: I glazed the vase blue.")
    assert logs == ["updated nodes: session:2, day:2023-03-04, period:2023-03 (+1 leaves)"]
    day = kb.nodes["day:2023-03-04"]
    assert day.children == ["session:1", "session:2"] and day.turns == 3 and day.terms["vase"] == 2


def test_temporal_tree_returns_interval_summaries_above_the_turns() -> None:
    session = open_seed("temporal_tree")
    write(session, 1, "10 January 2023", "Ana: I started pottery classes at the community center.")
    write(session, 2, "4 March 2023", "Ana: My pottery teacher loved my first vase.", "Ben: Nice!")
    context, _, _ = read(session, "pottery vase")
    lines = context.splitlines()
    levels = [re.match(r"\[[^\]]+\] (period|day|session) \(", line) for line in lines]
    assert any(levels) and lines[-1].startswith("[") and ": " in lines[-1]
    assert "[4 March 2023] Ana: My pottery teacher loved my first vase." in lines  # a leaf
    first_leaf = next(i for i, level in enumerate(levels) if not level)
    assert all(levels[:first_leaf]) and not any(levels[first_leaf:])  # summaries first, then turns


def test_temporal_tree_restricts_a_question_naming_a_month_to_that_period() -> None:
    session = open_seed("temporal_tree")
    write(session, 1, "10 January 2023", "Ana: I started pottery classes at the community center.")
    write(session, 2, "4 March 2023", "Ana: My pottery teacher loved my first vase.")
    context, _, _ = read(session, "What happened with pottery in March 2023?")
    assert "March 2023" in context and "January" not in context


def test_temporal_tree_has_the_llm_summarise_each_session_node() -> None:
    llm = FakeLLM(lambda prompt: "Ana talked about her pottery class.")
    session = open_seed("temporal_tree", llm=llm)
    write(session, 1, "10 January 2023", "Ana: I started pottery classes at the community center.")
    kb = knowledge_base(session)
    assert len(llm.prompts) == 1 and "pottery classes" in llm.prompts[0]
    assert kb.nodes["session:0"].description.endswith("Ana talked about her pottery class.")
    assert kb.nodes["period:2023-01"].summary == "Ana talked about her pottery class."  # aggregated by rule


# -- multi_channel (SuperLocalMemory) ---------------------------------------------------------------------


def test_multi_channel_forgets_cold_small_talk_and_keeps_what_matters() -> None:
    session = open_seed("multi_channel")
    write(
        session,
        1,
        "2 January 2023",
        "Ben: Ha, true.",
        "Ana: My daughter Diane got into Stanford University to study marine biology in 2023.",
    )
    kb = knowledge_base(session)
    assert kb.alive == [True, True] and {kb.zone(0), kb.zone(1)} == {"active"}
    logs = write(session, 2, "10 March 2023", "Ana: The weather has been lovely.")
    assert kb.alive[:2] == [True, True] and kb.zone(0) == "cold" and kb.zone(1) == "active"
    logs = write(session, 3, "20 June 2023", "Ben: Same here.")
    assert kb.alive[0] is False and kb.alive[1] is True and logs[0].startswith("forgot")
    assert kb.zone(1) == "warm"
    context, _, _ = read(session, "Ha, true")
    assert "Ha, true" not in context  # forgotten means gone from every channel


def test_multi_channel_recall_reinforces_a_memory() -> None:
    session = open_seed("multi_channel")
    write(session, 1, "2 January 2023", "Ana: My daughter Diane got into Stanford to study marine biology.")
    write(session, 2, "20 June 2023", "Ben: Same here.")
    kb = knowledge_base(session)
    before = kb.retention(0)
    read(session, "Where does Diane study?")
    assert kb.recalls[0] == 1 and kb.retention(0) == 1.0 > before


def test_multi_channel_fuses_channels_reaching_what_keywords_alone_miss() -> None:
    session = open_seed("multi_channel")
    write(session, 1, "2 January 2023", "Ana: My daughter Diane starts college in the fall.")
    write(session, 2, "5 February 2023", "Ana: Work has been busy.", "Ben: My son plays football.")
    write(session, 3, "8 March 2023", "Ana: Diane just moved to San Diego for a marine biology internship.")
    kb = knowledge_base(session)
    question = "Which city does the daughter live in now?"
    keyword, activation = kb.keyword(question), kb.spread(kb.keyword(question))
    moved = next(i for i, text in enumerate(kb.text) if "San Diego" in text)
    assert moved not in keyword and moved in activation  # reached through the entity Diane
    context, logs, _ = read(session, question)
    assert "San Diego" in context and "activation" in logs[0]


# -- layered_cognitive (ZenBrain) -------------------------------------------------------------------------

ADOPTION = "Ana: We adopted a retired greyhound named Biscuit from the shelter in Portland."
NURSE = "Ana: I work as a nurse at Mercy Hospital."


def test_layered_cognitive_consolidates_episodes_into_semantic_and_core_memory() -> None:
    session = open_seed("layered_cognitive")
    logs = write(session, 1, "3 May 2023", ADOPTION, NURSE, "Ben: Cool.")
    kb = knowledge_base(session)
    texts = {
        layer: [m.text[len("[3 May 2023] ") :] for m in memories] for layer, memories in kb.layers.items()
    }
    assert ADOPTION in texts["semantic"] and "Ben: Cool." not in texts["semantic"]
    assert texts["core"] == [NURSE]
    assert len(texts["episodic"]) == 3 and texts["short_term"] == texts["episodic"]
    assert logs == ["sleep: consolidated 1 into semantic, 1 into core; pruned 0"]
    context, _, _ = read(session, "What kind of dog does Ana have?")
    assert context.startswith("Core memory:\n[3 May 2023] Ana: I work as a nurse")  # core is always shown


def test_layered_cognitive_decays_and_prunes_consolidated_episodes_but_keeps_their_gist() -> None:
    session = open_seed("layered_cognitive")
    write(session, 1, "3 May 2023", ADOPTION, "Ben: Cool.")
    logs = write(session, 2, "3 May 2024", "Ana: Long time no see!")
    kb = knowledge_base(session)
    assert logs[-1].endswith("pruned 1")  # the consolidated episode faded; the unconsolidated one stays
    episodes = [m.text for m in kb.layers["episodic"]]
    assert episodes == ["[3 May 2023] Ben: Cool.", "[3 May 2024] Ana: Long time no see!"]
    assert any(m.text == f"[3 May 2023] {ADOPTION}" for m in kb.layers["semantic"])


def test_layered_cognitive_routes_reads_by_the_kind_of_question() -> None:
    session = open_seed("layered_cognitive")
    write(session, 1, "3 May 2023", ADOPTION, "Ana: Biscuit sleeps on the sofa all day.")
    write(session, 2, "9 May 2023", "Ana: I usually walk Biscuit every morning before work.")
    context, logs, _ = read(session, "When did Ana adopt Biscuit?")
    assert logs == ["routed as 'when': Episodic memory 3"]
    context, logs, _ = read(session, "How does Ana usually start the day with Biscuit?")
    assert logs[0].startswith("routed as 'how': Procedural memory 1")
    assert context.startswith("Procedural memory:\n[9 May 2023] Ana: I usually walk Biscuit")
    _, logs, _ = read(session, "What is the name of Ana's greyhound?")
    assert logs[0].startswith("routed as 'identity': Semantic memory")


def test_layered_cognitive_lets_the_llm_choose_what_to_consolidate() -> None:
    llm = FakeLLM(lambda prompt: json.dumps({"semantic": [1], "procedural": [], "core": [0]}))
    session = open_seed("layered_cognitive", llm=llm)
    logs = write(session, 1, "3 May 2023", "Ana: Call me Annie.", "Ben: Ha, fine.")
    kb = knowledge_base(session)
    assert len(llm.prompts) == 1 and "0. [3 May 2023] Ana: Call me Annie." in llm.prompts[0]
    assert [m.text for m in kb.layers["core"]] == ["[3 May 2023] Ana: Call me Annie."]
    assert "[3 May 2023] Ben: Ha, fine." in [m.text for m in kb.layers["semantic"]]
    assert logs == ["sleep: consolidated 1 into core, 1 into semantic; pruned 0"]


# -- fact_manager (Mem0 / Memory-R2) ----------------------------------------------------------------------


def facts(session: InProcessSession) -> list[str]:
    return knowledge_base(session).facts.get()["documents"]


def history(session: InProcessSession) -> list[tuple]:
    return knowledge_base(session).db.execute("SELECT * FROM history").fetchall()


OLD_JOB = "Ana: I work as a nurse at the city hospital."
NEW_JOB = "Ana: Big change, I'm now a teacher at Lincoln Elementary."


def test_fact_manager_updates_a_changed_fact_instead_of_keeping_both() -> None:
    session = open_seed("fact_manager")
    write(session, 1, "3 May 2023", OLD_JOB, "Ben: I work at a bank downtown.")
    logs = write(session, 2, "9 June 2023", NEW_JOB)
    assert logs == ["9 June 2023: 1 facts; UPDATE 1"]
    assert facts(session) == ["Ben: I work at a bank downtown.", NEW_JOB]  # Ben's job is another slot
    assert history(session)[-1] == ("f0", "UPDATE", OLD_JOB, NEW_JOB, "9 June 2023")
    lines = read(session, "Where does Ana work?")[0].splitlines()
    current = lines.index(f"[9 June 2023] {NEW_JOB}")
    assert lines[current + 1] == f"[3 May 2023] (replaced on 9 June 2023) {OLD_JOB}"


def test_fact_manager_keeps_known_facts_once_and_deletes_contradicted_ones() -> None:
    session = open_seed("fact_manager")
    write(session, 1, "3 May 2023", "Ana: I play the violin in the community orchestra.", "Ben: Lovely!")
    logs = write(session, 2, "4 May 2023", "Ana: I play the violin in the community orchestra.")
    assert logs == ["4 May 2023: 1 facts; NOOP 1"] and len(facts(session)) == 1  # "Lovely!" is no fact
    logs = write(session, 3, "1 July 2023", "Ana: I no longer play the violin in the community orchestra.")
    assert logs == ["1 July 2023: 1 facts; ADD 1, DELETE 1"]
    assert facts(session) == ["Ana: I no longer play the violin in the community orchestra."]
    assert [row[:2] for row in history(session)] == [("f0", "ADD"), ("f0", "DELETE"), ("f1", "ADD")]


def test_fact_manager_applies_the_llm_operations_with_the_nearest_facts_in_view() -> None:
    replies = iter(
        [
            {"memory": [{"event": "ADD", "text": "Ana: lives in Porto"}]},
            {"memory": [{"event": "UPDATE", "id": "f0", "text": "Ana: lives in Lisbon"}, {"event": "NOOP"}]},
            "not json at all",
        ]
    )
    llm = FakeLLM(lambda prompt: json.dumps(next(replies)))
    session = open_seed("fact_manager", llm=llm)
    write(session, 1, "3 May 2023", "Ana: I live in Porto, right by the river.")
    write(session, 2, "9 June 2023", "Ana: We moved to Lisbon last week, the new flat is great.")
    assert "f0: Ana: lives in Porto" in llm.prompts[1]  # the stored fact nearest to the session
    assert facts(session) == ["Ana: lives in Lisbon"]
    assert [row[1] for row in history(session)] == ["ADD", "UPDATE"]
    logs = write(session, 3, "1 July 2023", "Ana: I started learning to surf with my friends.")
    assert "falling back to rules" in logs[0] and len(facts(session)) == 2


# -- zettelkasten (A-Mem) ---------------------------------------------------------------------------------


def test_zettelkasten_links_related_notes_both_ways_and_evolves_the_older_one() -> None:
    session = open_seed("zettelkasten")
    write(session, 1, "3 May 2023", "Ana: My cat Sprout learned to open the kitchen door.")
    kb = knowledge_base(session)
    before = kb.buffer[0].copy()
    logs = write(session, 2, "9 June 2023", "Ana: Sprout had a checkup at the vet, my cat is healthy.")
    old, new = kb.notes["n0"], kb.notes["n1"]
    assert new.links == {"n0"} and old.links == {"n1"}
    assert logs == ["9 June 2023: 1 notes, 1 neighbours evolved"]
    assert old.later == [f"{', '.join(new.keywords[:3])} (9 June 2023)"] and "Later:" in old.document()
    assert not np.array_equal(kb.buffer[0], before)  # the evolved neighbour is re-embedded
    assert new.tags == ["Ana", "Sprout"] and len(new.keywords) == 5 and "9 June 2023" in new.context


def test_zettelkasten_does_not_link_unrelated_notes() -> None:
    session = open_seed("zettelkasten")
    write(session, 1, "3 May 2023", "Ana: My cat Sprout learned to open the kitchen door.")
    write(session, 2, "9 June 2023", "Ben: The quarterly budget meeting ran three hours.")
    assert knowledge_base(session).notes["n1"].links == set()


def test_zettelkasten_reads_follow_links_to_related_notes() -> None:
    session = open_seed("zettelkasten", READ_TOP_K=1)
    write(session, 1, "3 May 2023", "Ana: My cat Sprout learned to open the kitchen door.")
    write(session, 2, "9 June 2023", "Ana: Sprout had a checkup at the vet, my cat is healthy.")
    write(session, 3, "1 July 2023", "Ben: The quarterly budget meeting ran three hours.")
    context, _, _ = read(session, "vet checkup healthy")
    assert context.splitlines() == [
        "[9 June 2023] Ana: Sprout had a checkup at the vet, my cat is healthy.",
        "[3 May 2023] Ana: My cat Sprout learned to open the kitchen door.",  # followed link
    ]


def test_zettelkasten_takes_notes_links_and_evolution_from_the_llm() -> None:
    def plan(prompt: str) -> str:
        if "n0:" not in prompt:
            return json.dumps(
                {"notes": [{"i": 0, "keywords": ["cat"], "tags": ["pets"], "context": "A pet"}]}
            )
        note = {"i": 0, "keywords": ["vet"], "tags": ["pets", "health"], "context": "Vet visit."}
        evolve = {"id": "n0", "tags": ["pets"], "context": "Sprout, the cat."}
        return json.dumps({"notes": [note | {"links": ["n0"]}], "evolve": [evolve]})

    llm = FakeLLM(plan)
    session = open_seed("zettelkasten", llm=llm)
    write(session, 1, "3 May 2023", "Ana: My cat Sprout learned to open the kitchen door.")
    write(session, 2, "9 June 2023", "Ana: Unrelated words entirely, no overlap here.")
    kb = knowledge_base(session)
    assert (kb.notes["n0"].keywords, kb.notes["n0"].tags) == (["cat"], ["pets"])
    assert kb.notes["n0"].context == "Sprout, the cat." and kb.notes["n0"].links == {"n1"}
    assert (kb.notes["n1"].tags, kb.notes["n1"].context) == (["pets", "health"], "Vet visit.")
    assert len(llm.prompts) == 2 and "0. Ana: Unrelated words" in llm.prompts[1]
