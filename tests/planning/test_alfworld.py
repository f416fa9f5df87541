"""ALFWorld through the adapter: the dev games load with no extra, and with it their walkthroughs win.

Playing needs the `alfworld` extra (PyPI `textworld[pddl]` and `alfworld`). Without it the playing
tests fail, saying so, unless MNEMOFORGE_ALFWORLD_OPTIONAL=1 is set, where they are skipped.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter

import pytest

from evaluators.planning.alfworld import GAMES_PER_EPISODE, AlfworldTask, load_alfworld
from evaluators.planning.domain import PlanningDomain
from evaluators.planning.goals import TASK_KINDS, parse_goal
from providers.embedders import make_embedder
from sandbox.session import Capabilities, InProcessSession
from seeds.registry import get_seed
from tests.conftest import SHARED_DATA

ALFWORLD_DEV = SHARED_DATA / "alfworld" / "valid_seen_dev24"
EXTRA_INSTALLED = all(importlib.util.find_spec(name) for name in ("textworld", "alfworld"))
OPTIONAL = os.environ.get("MNEMOFORGE_ALFWORLD_OPTIONAL") == "1"

needs_extra = pytest.mark.skipif(
    not EXTRA_INSTALLED and OPTIONAL,
    reason="textworld/alfworld are not installed and MNEMOFORGE_ALFWORLD_OPTIONAL=1",
)


@pytest.fixture(scope="module")
def dataset():
    assert ALFWORLD_DEV.is_dir(), f"the ALFWorld dev games are missing at {ALFWORLD_DEV}"
    return load_alfworld(ALFWORLD_DEV)


def require_extra() -> None:
    if not EXTRA_INSTALLED:
        pytest.fail(
            "textworld and alfworld are not importable: install the extra "
            "(pip install -e '.[alfworld]'), or set MNEMOFORGE_ALFWORLD_OPTIONAL=1 to skip these tests"
        )


def floor_plan(task) -> str:
    return task.task_id.split("/")[0].rsplit("-", 1)[1]


def test_the_dev_games_load_without_the_extra_in_runs_of_whole_floor_plans(dataset):
    tasks = [task for episode in dataset.episodes for task in episode.tasks]
    assert len(tasks) == 24 and len({t.task_id for t in tasks}) == 24
    assert Counter(task.goal.kind for task in tasks) == {kind: 4 for kind in TASK_KINDS}
    for episode in dataset.episodes[:-1]:
        assert len(episode.tasks) >= GAMES_PER_EPISODE
    owners = {}
    for episode in dataset.episodes:
        plans = [floor_plan(task) for task in episode.tasks]
        assert episode.episode_id == "floorplans-" + "-".join(dict.fromkeys(plans))
        for plan in plans:
            assert owners.setdefault(plan, episode.episode_id) == episode.episode_id
    for task in tasks:
        assert (
            isinstance(task, AlfworldTask) and task.walkthrough and task.expert_steps == len(task.walkthrough)
        )
        assert task.floor_plan == floor_plan(task)
        parsed = parse_goal(task.goal_text)
        assert parsed == task.goal, task.task_id
    assert load_alfworld(ALFWORLD_DEV).fingerprint() == dataset.fingerprint()


@needs_extra
def test_every_expert_walkthrough_wins_through_the_adapter(dataset):
    require_extra()
    for episode in dataset.episodes:
        for task in episode.tasks:
            environment = dataset.open_task(episode, task)
            try:
                observation = environment.reset()
                assert f"Your task is to: {task.goal_text}" in observation.text
                assert any(c.startswith("go to ") for c in observation.admissible)
                for command in task.walkthrough:
                    assert not observation.won, f"{task.task_id} won before its walkthrough ended"
                    assert command in observation.admissible, (task.task_id, command)
                    observation = environment.step(command)
                assert observation.won, f"{task.task_id}: the walkthrough did not win"
            finally:
                environment.close()


@needs_extra
def test_the_offline_agent_plays_alfworld_with_the_same_episode_and_metric_code(dataset):
    require_extra()
    domain = PlanningDomain()
    capabilities = Capabilities(embed=make_embedder("hashed"))
    agent = domain.make_agent("offline")
    result = domain.evaluate(
        get_seed("bm25_turns").source, dataset, "all", agent, InProcessSession, capabilities
    )
    assert result.ok and result.metrics["tasks"] == 24
    metrics = result.metrics
    print(
        f"\noffline agent on {dataset.name}: success rate {metrics['baseline_success_rate']:.3f} with no "
        f"memory ({metrics['baseline_steps']:.1f} steps per task), {metrics['success_rate']:.3f} with "
        f"bm25_turns ({metrics['steps']:.1f} steps); expert {metrics['expert_steps']:.1f} steps"
    )
    assert metrics["baseline_success_rate"] >= 0.75
