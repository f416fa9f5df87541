"""The planning domain: data specs, and the evaluation of a memory program on a split.

A data spec is what a user types after `--data`:
- `household` (the embedded default: seed 0, 60 episodes of 6 tasks) or
  `household:seed=3,households=20,tasks=6,trials=1`: the built-in household world, generated, no
  download; a room gives one to three tasks, as the floor plans of ALFWorld's dev games give games, and
  `trials=N` plays N tasks in each room;
- `alfworld:PATH`: ALFWorld games (`game.tw-pddl` files under PATH), played with the `alfworld` extra.

An evaluation plays each episode of the split with a fresh memory (one session per episode, kept across
its tasks), plays the same tasks with no memory (cached, see `baseline`), and scores each task by
success and steps saved (`scoring`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from evaluators.api import Domain, data_options
from evaluators.planning import scoring as scoring_module
from evaluators.planning.alfworld import load_alfworld
from evaluators.planning.baseline import NO_MEMORY_PROGRAM, BaselineCache, BaselineRun
from evaluators.planning.data import DataError, PlanningDataset, PlanningEpisode
from evaluators.planning.episode import PlanningAgent, TaskRun, run_episode
from evaluators.planning.household import generate_dataset
from evaluators.planning.llm_agent import LLMPlanningAgent
from evaluators.planning.offline_agent import OfflinePlanningAgent
from evaluators.planning.scoring import task_score
from evaluators.result import CaseResult, EvaluationResult
from evaluators.runner import DEFAULT_READ_CHAR_LIMIT, Played, ResultHeader, play_units, to_result
from evaluators.splits import take_split
from evaluators.summary import Metrics
from sandbox.session import Capabilities, InProcessSession, SessionFactory

DOMAIN = "planning"
DEFAULT_DATA = "household"
MAX_TRAJECTORY_CHARS = 4000
"""How much of a task's trajectory a case keeps for the reflective mutator (the end, where it failed)."""

Progress = Callable[[int, int], None]
"""(episodes done, episodes total); the no-memory baseline's episodes count when they are played."""

_HOUSEHOLD_OPTIONS = ("seed", "households", "tasks", "trials")


def load_dataset(spec: str) -> PlanningDataset:
    """The dataset a data spec names; raises `DataError` with one clear sentence otherwise."""
    kind, _, argument = spec.partition(":")
    if kind == "household":
        return generate_dataset(**_household_options(argument))
    if kind == "alfworld":
        if not argument:
            raise DataError(
                "--data alfworld: needs a folder of games, e.g. alfworld:data/alfworld/valid_seen"
            )
        return load_alfworld(Path(argument).expanduser())
    raise DataError(
        f"unknown planning data spec {spec!r};"
        " use household[:seed=N,households=N,tasks=N,trials=N] or alfworld:PATH"
    )


def _household_options(argument: str) -> dict[str, int]:
    example = "household:seed=3,households=20,tasks=6,trials=1"
    options = data_options("household", argument, dict.fromkeys(_HOUSEHOLD_OPTIONS, int), example)
    if min(options.get(name, 1) for name in ("households", "tasks", "trials")) < 1:
        raise DataError("household: households, tasks and trials must be at least 1")
    return options


def _baseline(played: Played[TaskRun]) -> BaselineRun:
    """What the no-memory program's play of the tasks tells of each: success and steps."""
    if played.failure is not None:  # the no-memory program cannot fail; if it does, it is a bug
        raise played.failure
    outcomes = {run.task.task_id: (run.success, run.steps) for run in played.outcomes}
    return BaselineRun(outcomes, played.costs.agent_llm_calls or 0)


def _case(run: TaskRun, baseline: BaselineRun, step_limit: int, read_char_limit: int) -> CaseResult:
    baseline_success, baseline_steps = baseline.outcomes[run.task.task_id]
    score, saved = task_score(run.success, run.steps, baseline_steps, len(run.context), read_char_limit)
    expert = run.task.expert_steps
    no_memory = f"{'success' if baseline_success else 'failure'} in {baseline_steps} steps"
    return CaseResult(
        case_id=run.task.task_id,
        category=run.task.goal.kind,
        score=score,
        prompt=run.task.goal_text,
        expected=f"success in {expert} steps (expert); no memory: {no_memory}"
        if expert
        else f"success; no memory: {no_memory}",
        output=_tail(run.raw_text),
        context=run.context,
        metrics={
            "success": float(run.success),
            "steps": float(run.steps),
            "baseline_success": float(baseline_success),
            "baseline_steps": float(baseline_steps),
            "steps_saved": float(baseline_steps - run.steps),
            "saved_share": saved,
            "expert_steps": float(expert) if expert else None,
            "read_chars": float(len(run.context)),
            "step_limit": float(step_limit),
        },
    )


def _tail(raw_text: str) -> str:
    if len(raw_text) <= MAX_TRAJECTORY_CHARS:
        return raw_text
    head, _, _ = raw_text.partition("\n")
    return head + "\n...\n" + raw_text[-(MAX_TRAJECTORY_CHARS - len(head) - 5) :]


class PlanningDomain(Domain[PlanningEpisode]):
    """The planning domain: a unit is a layout whose tasks are played in order through one memory
    (`episode`), against the same tasks played with no memory (`baseline`); scored by success and steps
    saved (`scoring`). Its agents act in the world.

    It keeps the no-memory baselines it has played, so evaluating many programs on one split plays
    the baseline once.
    """

    name = DOMAIN
    default_data = DEFAULT_DATA
    scoring = scoring_module.__doc__ or ""
    extra_operators = ("places",)
    """Where things of a kind were seen, counted over every task: what carries over between rooms."""

    def __init__(self) -> None:
        self.baselines = BaselineCache()

    def load_dataset(self, spec: str) -> PlanningDataset:
        return load_dataset(spec)

    def unit_id(self, unit: PlanningEpisode) -> str:
        return unit.episode_id

    def units(self, dataset: PlanningDataset, split: str) -> list[PlanningEpisode]:
        episodes = take_split(dataset.episodes, split, self.unit_id)
        if not episodes:
            raise DataError(f"split {split!r} of {dataset.name} holds no layout; use --split all")
        return episodes

    def summarize(self, cases: list[CaseResult]) -> Metrics:
        return scoring_module.summarize(cases)

    def make_agent(self, kind: str, llm: Any | None = None) -> PlanningAgent:
        if kind == "offline":
            return OfflinePlanningAgent()
        if kind == "llm":
            if llm is None:
                raise ValueError("the planning LLM agent needs a model: configure one (e.g. --model)")
            return LLMPlanningAgent(llm)
        raise ValueError(f"the planning domain has no {kind!r} agent; use offline or llm")

    def evaluate(
        self,
        source: str,
        dataset: PlanningDataset,
        split: str,
        agent: PlanningAgent,
        session_factory: SessionFactory,
        capabilities: Capabilities,
        read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
        progress: Progress | None = None,
    ) -> EvaluationResult:
        """Play the split's layouts with the program's memory and (once per split and agent) with none;
        a program failure gives a failed result (score 0), never raises."""
        episodes = self.units(dataset, split)
        fingerprint = self.split_fingerprint(dataset, split)
        header = ResultHeader(DOMAIN, split, agent.name, dataset.name, fingerprint)
        started = time.perf_counter()
        key = (fingerprint, split, agent.name, dataset.step_limit)
        baseline = self.baselines.get(key)
        total = len(episodes) * (1 if baseline else 2)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, total)

        def play(program: str, sessions: SessionFactory) -> Played[TaskRun]:
            return play_units(
                episodes,
                lambda episode, memory: run_episode(episode, dataset, memory, agent),
                program,
                sessions,
                capabilities,
                read_char_limit,
                agent,
                tick,
            )

        if baseline is None:  # the same tasks, the same agent, no memory: trusted, so in this process
            baseline = _baseline(play(NO_MEMORY_PROGRAM, InProcessSession))
            self.baselines.put(key, baseline)
        played = play(source, session_factory)
        layout_of = {task.task_id: episode.episode_id for episode in episodes for task in episode.tasks}
        cases = [
            replace(
                _case(run, baseline, dataset.step_limit, read_char_limit), unit=layout_of[run.task.task_id]
            )
            for run in played.outcomes
        ]
        return to_result(
            header,
            played,
            cases,
            self.summarize,
            time.perf_counter() - started,
            {"baseline_agent_llm_calls": float(baseline.agent_llm_calls)},
        )


DOMAIN_IMPLEMENTATION = PlanningDomain()
