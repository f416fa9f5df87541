"""The planning domain's data model, shared by the built-in household world and ALFWorld.

A dataset is a sequence of episodes; an episode is one layout (a household, an ALFWorld floor plan)
with tasks played in order through one memory, and is the unit of splitting, so a layout in `test`
is never seen in `reflect` or `select`. A task is played in a `TaskEnvironment`, the only surface
episodes and agents see of a world: text observations, the admissible commands, and whether the
goal is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from evaluators.conversation.data import DataError
from evaluators.planning.goals import Goal

DEFAULT_STEP_LIMIT = 50
"""Commands an agent may issue per task, as in ALFWorld's evaluations."""

__all__ = ["DEFAULT_STEP_LIMIT", "DataError", "PlanningDataset", "PlanningEpisode", "PlanningTask"]


@dataclass(frozen=True)
class PlanningTask:
    """One task: its goal, and how many commands a player who knows the household needs
    (`expert_steps`, from the built-in planner or ALFWorld's walkthrough; None when unknown)."""

    task_id: str
    goal: Goal
    goal_text: str
    expert_steps: int | None = None


@dataclass(frozen=True)
class PlanningEpisode:
    """Tasks in one layout, played in order with one memory."""

    episode_id: str
    tasks: tuple[PlanningTask, ...]


@dataclass(frozen=True)
class Observation:
    """What the agent perceives after a command (or at the start): the text, what it may do next,
    and whether the task is done."""

    text: str
    admissible: tuple[str, ...]
    won: bool = False


class TaskEnvironment(Protocol):
    def reset(self) -> Observation:
        """Start the task; the text ends with "Your task is to: ..."."""
        ...

    def step(self, command: str) -> Observation: ...

    def close(self) -> None: ...


class PlanningDataset(Protocol):
    """What episodes need of a dataset; implemented by `HouseholdDataset` and `AlfworldDataset`."""

    name: str
    episodes: tuple[PlanningEpisode, ...]
    step_limit: int

    def fingerprint(self) -> str: ...

    def open_task(self, episode: PlanningEpisode, task: PlanningTask) -> TaskEnvironment: ...
