"""One planning episode: the tasks of one layout, in order, through one memory.

Before a task the agent fills the program's Query from the task sentence and reads memory (capped at
the read budget before the agent sees it, by `evaluators.runner.Memory`); it then acts until the goal
is reached or the step limit is spent; afterwards it fills a KnowledgeItem and the host writes the
trajectory as `raw_text`:

    Task: put a hot apple in countertop.
    > go to countertop 2
    You arrive at countertop 2. On the countertop 2, you see a apple 1.
    ...
    Outcome: success in 9 steps.

The world's first observation (the list of receptacles) is left out: every task of the layout
starts with it. The host keeps the goal checking; the program only sees what the agent wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from evaluators.planning.data import Observation, PlanningDataset, PlanningEpisode, PlanningTask
from evaluators.runner import Memory
from sandbox.contract import ProgramDescription


class TaskPolicy(Protocol):
    def act(self, observation: Observation) -> str: ...


class PlanningAgent(Protocol):
    """Fills the program's schemas and plays tasks; `llm_calls` counts its model calls so far."""

    name: str
    llm_calls: int

    def fill_query(self, program: ProgramDescription, goal_text: str, task_number: int) -> dict[str, Any]: ...

    def fill_item(self, program: ProgramDescription, raw_text: str, task_number: int) -> dict[str, Any]: ...

    def start(self, program: ProgramDescription, first: Observation, memory: str) -> TaskPolicy: ...


@dataclass(frozen=True)
class TaskRun:
    """How one task went: success, commands used, what memory gave, the trajectory written."""

    task: PlanningTask
    success: bool
    steps: int
    context: str
    raw_text: str
    agent_llm_calls: int


def run_episode(
    episode: PlanningEpisode,
    dataset: PlanningDataset,
    memory: Memory,
    agent: PlanningAgent,
) -> list[TaskRun]:
    """Play every task of `episode` through `memory`; a program failure passes (`ProgramFailure`)."""
    program = memory.program
    runs: list[TaskRun] = []
    for number, task in enumerate(episode.tasks):
        calls_before = agent.llm_calls
        context = memory.read(agent.fill_query(program, task.goal_text, number))
        success, trajectory = play_task(dataset, episode, task, agent, program, context)
        raw_text = format_trajectory(task.goal_text, trajectory, success)
        memory.write(agent.fill_item(program, raw_text, number), raw_text)
        calls = agent.llm_calls - calls_before
        runs.append(TaskRun(task, success, len(trajectory), context, raw_text, calls))
    return runs


def play_task(
    dataset: PlanningDataset,
    episode: PlanningEpisode,
    task: PlanningTask,
    agent: PlanningAgent,
    program: ProgramDescription,
    memory: str,
) -> tuple[bool, list[tuple[str, str]]]:
    """(won, [(command, observation), ...]) of one task played to a win or the step limit."""
    environment = dataset.open_task(episode, task)
    try:
        observation = environment.reset()
        policy = agent.start(program, observation, memory)
        trajectory: list[tuple[str, str]] = []
        while not observation.won and len(trajectory) < dataset.step_limit:
            command = policy.act(observation)
            observation = environment.step(command)
            trajectory.append((command, observation.text))
        return observation.won, trajectory
    finally:
        environment.close()


def format_trajectory(goal_text: str, trajectory: list[tuple[str, str]], success: bool) -> str:
    lines = [f"Task: {goal_text}"]
    for command, observation in trajectory:
        lines.append(f"> {command}")
        lines.append(" ".join(observation.split()))
    outcome = "success" if success else "failure"
    lines.append(f"Outcome: {outcome} in {len(trajectory)} steps.")
    return "\n".join(lines)
