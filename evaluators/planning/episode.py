"""One planning episode: the tasks of one layout, in order, through one memory.

Before a task the agent fills the program's Query from the task sentence and reads memory (capped at
the read budget before the agent sees it); it then acts until the goal is reached or the step limit
is spent; afterwards it fills a KnowledgeItem and the host writes the trajectory as `raw_text`:

    Task: put a hot apple in countertop.
    > go to countertop 2
    You arrive at countertop 2. On the countertop 2, you see a apple 1.
    ...
    Outcome: success in 9 steps.

The world's first observation (the list of receptacles) is left out: every task of the layout
starts with it. The host keeps the goal checking; the program only sees what the agent wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from evaluators.planning.data import Observation, PlanningDataset, PlanningEpisode, PlanningTask
from sandbox.contract import ProgramDescription
from sandbox.session import MemorySession


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


@dataclass
class EpisodeCosts:
    write_seconds: list[float] = field(default_factory=list)
    read_seconds: list[float] = field(default_factory=list)
    read_chars: list[int] = field(default_factory=list)
    truncated_reads: int = 0
    program_llm_calls: int = 0
    agent_llm_calls: int = 0
    embed_calls: int = 0

    def merge(self, other: EpisodeCosts) -> None:
        self.write_seconds.extend(other.write_seconds)
        self.read_seconds.extend(other.read_seconds)
        self.read_chars.extend(other.read_chars)
        self.truncated_reads += other.truncated_reads
        self.program_llm_calls += other.program_llm_calls
        self.agent_llm_calls += other.agent_llm_calls
        self.embed_calls += other.embed_calls


@dataclass
class EpisodeResult:
    episode_id: str
    runs: list[TaskRun]
    costs: EpisodeCosts
    logs: list[str]


def run_episode(
    episode: PlanningEpisode,
    dataset: PlanningDataset,
    session: MemorySession,
    agent: PlanningAgent,
    read_char_limit: int,
) -> EpisodeResult:
    """Play every task of `episode` through `session`; raises `ProgramFailure` if the program fails."""
    program = session.description
    costs = EpisodeCosts()
    runs: list[TaskRun] = []
    logs: list[str] = []
    for number, task in enumerate(episode.tasks):
        calls_before = agent.llm_calls
        context, stats = session.read(agent.fill_query(program, task.goal_text, number))
        costs.read_seconds.append(stats.seconds)
        costs.program_llm_calls += stats.llm_calls
        costs.embed_calls += stats.embed_calls
        if len(context) > read_char_limit:
            costs.truncated_reads += 1
            context = context[:read_char_limit]
        costs.read_chars.append(len(context))
        success, trajectory = play_task(dataset, episode, task, agent, program, context)
        raw_text = format_trajectory(task.goal_text, trajectory, success)
        stats = session.write(agent.fill_item(program, raw_text, number), raw_text)
        costs.write_seconds.append(stats.seconds)
        costs.program_llm_calls += stats.llm_calls
        costs.embed_calls += stats.embed_calls
        calls = agent.llm_calls - calls_before
        costs.agent_llm_calls += calls
        runs.append(TaskRun(task, success, len(trajectory), context, raw_text, calls))
        logs.extend(session.drain_logs())
    return EpisodeResult(episode.episode_id, runs, costs, logs)


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
