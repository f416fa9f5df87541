"""The planning evaluation end to end: seeds beat no memory, failures and gaming score nothing."""

from __future__ import annotations

import re
import statistics

import pytest

from evaluators.domains import get_domain
from evaluators.planning.baseline import NO_MEMORY_PROGRAM
from evaluators.planning.data import DataError, Observation
from evaluators.planning.domain import PlanningDomain, load_dataset
from evaluators.planning.goals import TREATMENT_VERB
from evaluators.planning.llm_agent import LLMPlanningAgent, choose_command
from evaluators.result import EvaluationResult
from evaluators.splits import take_split
from providers.embedders import make_embedder
from sandbox.contract import load_program
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import get_seed
from tests.planning.programs import PLACE_MAP, TRAJECTORY_MEMORY
from tests.programs import QUESTION_ECHO, WHOLE_STORE_TRUNCATED, degenerate

SMALL = "household:seed=0,households=10,tasks=6,trials=1"
"""Every task in a room of its own: what these tests say memory carries over is procedure and priors."""
FIRST = Observation("Your task is to: put a apple in fridge.", ("go to fridge 1", "look", "inventory"))


@pytest.fixture(scope="module")
def domain():
    return PlanningDomain()


@pytest.fixture(scope="module")
def dataset(domain):
    return domain.load_dataset(SMALL)


@pytest.fixture(scope="module")
def capabilities():
    return Capabilities(embed=make_embedder("hashed"))


def run(domain, dataset, capabilities, source, split="select", agent=None, **options) -> EvaluationResult:
    agent = agent or domain.make_agent("offline")
    return domain.evaluate(source, dataset, split, agent, InProcessSession, capabilities, **options)


def test_the_domain_is_registered_with_the_household_world_as_default():
    domain = get_domain("planning")
    assert domain.name == "planning" and domain.default_data == "household"
    assert len(domain.load_dataset(domain.default_data).episodes) == 60


def test_memory_saves_more_when_tasks_come_in_rooms_seen_before(domain, capabilities):
    """As in ALFWorld's floor plans: the room's receptacles carry over, so remembered places pay more."""
    source = get_seed("experience_learner").source
    saved = {
        trials: run(
            domain,
            load_dataset(f"household:tasks=6,trials={trials}"),
            capabilities,
            source,
            split="all",
        ).metrics["steps_saved"]
        for trials in (1, 6)
    }
    assert saved[6] > 1.5 * saved[1], saved


@pytest.mark.parametrize("source", [TRAJECTORY_MEMORY, get_seed("bm25_turns").source])
def test_a_memory_of_trajectories_beats_no_memory(domain, dataset, capabilities, source):
    # All 60 tasks: on the 24 of `select` a saving of one step a task is within the noise of the draw.
    none = run(domain, dataset, capabilities, NO_MEMORY_PROGRAM, split="all")
    memory = run(domain, dataset, capabilities, source, split="all")
    assert none.ok and memory.ok and 0.0 <= memory.score <= 1.0
    assert none.metrics["steps_saved"] == 0.0 and none.score == pytest.approx(
        none.metrics["success_rate"] / 2
    )
    assert memory.metrics["steps"] < none.metrics["steps"] - 1
    # A margin of 0.01: with the task's object mostly in the open, as in ALFWorld, there is less for a
    # memory to save (bm25_turns: 0.020 over no memory here, after paying for reading 2,000 characters;
    # 0.008 on the ALFWorld dev games); it was 0.02 when a quarter of the task objects were hidden.
    assert memory.score > none.score + 0.01
    # Rooms differ from task to task: what carries over is mostly which appliance heats, cools, cleans.
    treated = [c.metrics["steps_saved"] for c in memory.cases if c.category in TREATMENT_VERB]
    untreated = [c.metrics["steps_saved"] for c in memory.cases if c.category not in TREATMENT_VERB]
    assert statistics.fmean(treated) > 2 and statistics.fmean(treated) > statistics.fmean(untreated) + 1
    assert memory.metrics["success_rate"] >= none.metrics["success_rate"]
    assert set(memory.by_category) <= {case.category for case in memory.cases}
    case = memory.cases[-1]
    assert case.prompt and case.output.startswith("Task: ") and "no memory" in case.expected


def test_echoing_the_task_saves_nothing(domain, dataset, capabilities):
    none = run(domain, dataset, capabilities, NO_MEMORY_PROGRAM)
    echo = run(domain, dataset, capabilities, QUESTION_ECHO)
    assert echo.metrics["steps_saved"] == 0.0 and echo.score < none.score


def test_returning_everything_stored_is_cut_at_the_budget_and_loses_to_a_concise_memory(
    domain, dataset, capabilities
):
    dump = run(domain, dataset, capabilities, WHOLE_STORE_TRUNCATED)
    assert dump.cost["read_chars_mean"] <= 3000 and dump.cost["truncated_reads"] > 0
    concise = run(domain, dataset, capabilities, PLACE_MAP)
    assert concise.cost["read_chars_mean"] < dump.cost["read_chars_mean"]
    assert concise.score > dump.score


def test_a_crashing_program_gives_a_failed_result_with_its_logs(domain, dataset, capabilities):
    crashing = degenerate("self.texts.append(raw_text)", "raise RuntimeError('lost the map')")
    result = run(domain, dataset, capabilities, crashing)
    assert result.status == "failed" and result.score == 0.0
    assert result.failure_reason == "crash" and "lost the map" in result.failure_message
    assert result.logs


def test_the_baseline_is_played_once_per_split_and_agent(dataset, capabilities):
    domain = PlanningDomain()
    totals: list[int] = []
    for _ in range(2):
        run(
            domain,
            dataset,
            capabilities,
            TRAJECTORY_MEMORY,
            progress=lambda done, total: totals.append(total),
        )
    select = len(take_split(dataset.episodes, "select", lambda e: e.episode_id))
    assert totals[0] == 2 * select and totals[-1] == select


def test_results_round_trip_through_json(domain, dataset, capabilities):
    result = run(domain, dataset, capabilities, TRAJECTORY_MEMORY, split="reflect")
    assert EvaluationResult.from_json(result.to_json()) == result
    assert result.metrics["tasks"] == len(result.cases) and result.agent == "offline"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("household:seed=x", "bad household option"),
        ("household:households=0", "at least 1"),
        ("household:trials=0", "at least 1"),
        ("alfworld", "needs a folder"),
        ("alfworld:/nowhere", "is not a folder"),
        ("babyai", "unknown planning data spec"),
    ],
)
def test_bad_data_specs_are_one_sentence(spec, message):
    with pytest.raises(DataError, match=message):
        load_dataset(spec)


class ScriptedModel:
    """A stand-in model: JSON for schema prompts, and the first 'go to' of the admissible list."""

    def __init__(self) -> None:
        self.prompts: list[tuple[str, str | None]] = []

    def __call__(self, prompt: str, system: str | None) -> str:
        self.prompts.append((prompt, system))
        if "JSON" in (system or ""):
            return '{"summary": "apple 1 at countertop 1"}' if "summary" in prompt else '{"text": "apple"}'
        commands = prompt.rsplit("Admissible commands: ", 1)[1].split(", ")
        go = [c for c in commands if c.startswith("go to")]
        return f"Thought: explore.\nAction: {(go or commands)[0]}"


def test_the_llm_agent_acts_on_admissible_commands_with_the_programs_instructions(domain, capabilities):
    dataset = domain.load_dataset("household:seed=0,households=1,tasks=2")
    model = ScriptedModel()
    result = run(domain, dataset, capabilities, TRAJECTORY_MEMORY, split="all", agent=LLMPlanningAgent(model))
    assert result.ok and result.agent == "llm"
    steps = sum(int(c.metrics["steps"]) for c in result.cases)
    fills = 2 * len(result.cases)
    assert result.cost["agent_llm_calls"] == steps + fills
    assert result.cost["baseline_agent_llm_calls"] > 0
    systems = [system for _, system in model.prompts if system and "household" in system]
    assert any("Go first where memory says things are." in s for s in systems)
    assert any(re.search(r"What your memory returned for this task:\n", p) for p, _ in model.prompts)


def test_an_llm_action_slightly_off_maps_to_the_admissible_command():
    admissible = ("go to countertop 1", "go to cabinet 2", "look")
    assert choose_command("Thought: hm\nAction: go to countertop 1.", admissible) == "go to countertop 1"
    assert choose_command("Action: go to the cabinet 2", admissible) == "go to cabinet 2"
    assert choose_command("I would dance", admissible) == "i would dance"


def test_the_llm_agent_takes_a_providers_client_and_accounts_its_calls_as_the_agents():
    class Completion:
        text = "Thought: look first.\nAction: look"

    class Client:
        def __init__(self) -> None:
            self.calls: list[dict] = []

        def complete(self, prompt, **options):
            self.calls.append(options)
            return Completion()

    client = Client()
    agent = PlanningDomain().make_agent("llm", llm=client)
    policy = agent.start(load_program(TRAJECTORY_MEMORY).description, FIRST, "")
    assert policy.act(FIRST) == "look"
    assert agent.llm_calls == 1 and client.calls[0]["purpose"] == "agent"
    assert "Go first where memory says things are." in client.calls[0]["system"]
    with pytest.raises(ValueError, match="needs a model"):
        PlanningDomain().make_agent("llm")
