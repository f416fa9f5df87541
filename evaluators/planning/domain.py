"""The planning domain: data specs, and the evaluation of a memory program on a split.

A data spec is what a user types after `--data`:
- `household` (the embedded default) or `household:seed=3,households=20,tasks=6`: the built-in
  household world (`household`), generated, no download;
- `alfworld:PATH`: ALFWorld games (`game.tw-pddl` files under PATH), played with the `alfworld` extra.

An evaluation plays each episode of the split with a fresh memory (one session per episode, kept across
its tasks), plays the same tasks with no memory (cached, see `baseline`), and scores each task by
success and steps saved (`scoring`).
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluators.planning import scoring as scoring_module
from evaluators.planning.alfworld import load_alfworld
from evaluators.planning.baseline import NO_MEMORY_PROGRAM, BaselineCache, BaselineRun
from evaluators.planning.data import DataError, PlanningDataset, PlanningEpisode
from evaluators.planning.episode import EpisodeCosts, PlanningAgent, TaskRun, run_episode
from evaluators.planning.household import generate_dataset
from evaluators.planning.llm_agent import LLMPlanningAgent
from evaluators.planning.offline_agent import OfflinePlanningAgent
from evaluators.planning.scoring import aggregate, task_score
from evaluators.result import CaseResult, EvaluationResult
from evaluators.splits import take_split
from sandbox.session import Capabilities, InProcessSession, ProgramFailure, SessionFactory

DOMAIN = "planning"
DEFAULT_DATA = "household"
DEFAULT_READ_CHAR_LIMIT = 3000
MAX_TRAJECTORY_CHARS = 4000
"""How much of a task's trajectory a case keeps for the reflective mutator (the end, where it failed)."""

Progress = Callable[[int, int], None]
"""(episodes done, episodes total); the no-memory baseline's episodes count when they are played."""

_HOUSEHOLD_OPTIONS = ("seed", "households", "tasks")


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
        f"unknown planning data spec {spec!r}; use household[:seed=N,households=N,tasks=N] or alfworld:PATH"
    )


def _household_options(argument: str) -> dict[str, int]:
    options: dict[str, int] = {}
    for part in filter(None, argument.split(",")):
        key, _, value = part.partition("=")
        if key not in _HOUSEHOLD_OPTIONS or not value.strip().lstrip("-").isdigit():
            raise DataError(f"bad household option {part!r}; use e.g. household:seed=3,households=20,tasks=6")
        options[key] = int(value)
    if options.get("households", 1) < 1 or options.get("tasks", 1) < 1:
        raise DataError("household: households and tasks must be at least 1")
    return options


def evaluate(
    source: str,
    dataset: PlanningDataset,
    split: str,
    agent: PlanningAgent,
    session_factory: SessionFactory,
    capabilities: Capabilities,
    read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
    progress: Progress | None = None,
    baselines: BaselineCache | None = None,
) -> EvaluationResult:
    """Evaluate `source` on one split; a program failure gives a failed result (score 0), never raises."""
    episodes = take_split(dataset.episodes, split, lambda e: e.episode_id)
    if not episodes:
        raise DataError(f"split {split!r} of {dataset.name} holds no layout; use --split all")
    fingerprint = split_fingerprint(dataset, split)
    base: dict[str, Any] = {
        "domain": DOMAIN,
        "split": split,
        "agent": agent.name,
        "data_name": dataset.name,
        "data_fingerprint": fingerprint,
    }
    started = time.perf_counter()
    key = (fingerprint, split, agent.name, dataset.step_limit)
    baseline = baselines.get(key) if baselines is not None else None
    total = len(episodes) * (1 if baseline else 2)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    if baseline is None:
        baseline = _baseline_run(dataset, episodes, agent, capabilities, read_char_limit, tick)
        if baselines is not None:
            baselines.put(key, baseline)
    runs: list[TaskRun] = []
    costs = EpisodeCosts()
    logs: list[str] = []
    for episode in episodes:
        session = None
        try:
            session = session_factory(source, capabilities)
            result = run_episode(episode, dataset, session, agent, read_char_limit)
        except ProgramFailure as failure:
            return EvaluationResult(
                **base,
                status="failed",
                score=0.0,
                cost=_cost_summary(costs, baseline, time.perf_counter() - started),
                failure_reason=failure.reason.value,
                failure_message=failure.message,
                logs=tuple((logs + failure.logs)[-40:]),
            )
        finally:
            if session is not None:
                session.close()
        runs.extend(result.runs)
        costs.merge(result.costs)
        logs.extend(result.logs)
        tick()
    cases = [_case(run, baseline, dataset.step_limit, read_char_limit) for run in runs]
    metrics, by_kind = aggregate(cases)
    return EvaluationResult(
        **base,
        status="ok",
        score=float(metrics["score"] or 0.0),
        metrics=metrics,
        by_category=by_kind,
        cost=_cost_summary(costs, baseline, time.perf_counter() - started),
        logs=tuple(logs[-40:]),
        cases=tuple(cases),
    )


def _baseline_run(
    dataset: PlanningDataset,
    episodes: list[PlanningEpisode],
    agent: PlanningAgent,
    capabilities: Capabilities,
    read_char_limit: int,
    tick: Callable[[], None],
) -> BaselineRun:
    outcomes: dict[str, tuple[bool, int]] = {}
    calls = 0
    for episode in episodes:
        session = InProcessSession(NO_MEMORY_PROGRAM, capabilities)
        try:
            result = run_episode(episode, dataset, session, agent, read_char_limit)
        finally:
            session.close()
        outcomes.update({run.task.task_id: (run.success, run.steps) for run in result.runs})
        calls += result.costs.agent_llm_calls
        tick()
    return BaselineRun(outcomes, calls)


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


def _cost_summary(costs: EpisodeCosts, baseline: BaselineRun, seconds: float) -> dict[str, float]:
    operations = len(costs.write_seconds) + len(costs.read_seconds)
    return {
        "read_chars_mean": statistics.fmean(costs.read_chars) if costs.read_chars else 0.0,
        "truncated_reads": float(costs.truncated_reads),
        "write_seconds_median": statistics.median(costs.write_seconds) if costs.write_seconds else 0.0,
        "read_seconds_median": statistics.median(costs.read_seconds) if costs.read_seconds else 0.0,
        "llm_calls": float(costs.program_llm_calls + costs.agent_llm_calls),
        "program_llm_calls": float(costs.program_llm_calls),
        "agent_llm_calls": float(costs.agent_llm_calls),
        "baseline_agent_llm_calls": float(baseline.agent_llm_calls),
        "llm_calls_per_operation": costs.program_llm_calls / operations if operations else 0.0,
        "embed_calls": float(costs.embed_calls),
        "seconds": seconds,
    }


def split_fingerprint(dataset: PlanningDataset, split: str) -> str:
    """What evaluations of `split` record: the dataset's content and the split (splits are by layout hash)."""
    return hashlib.sha256(f"{dataset.fingerprint()}:{split}".encode()).hexdigest()[:16]


class PlanningDomain:
    """The planning domain behind the `evaluators.domains.TaskDomain` protocol.

    It keeps the no-memory baselines it has played, so evaluating many programs on one split plays
    the baseline once.
    """

    name = DOMAIN
    default_data = DEFAULT_DATA
    scoring = scoring_module.__doc__ or ""

    def __init__(self) -> None:
        self.baselines = BaselineCache()

    def load_dataset(self, spec: str) -> PlanningDataset:
        return load_dataset(spec)

    def split_fingerprint(self, dataset: PlanningDataset, split: str) -> str:
        return split_fingerprint(dataset, split)

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
        return evaluate(
            source,
            dataset,
            split,
            agent,
            session_factory,
            capabilities,
            read_char_limit,
            progress,
            self.baselines,
        )

    def case_units(self, dataset: PlanningDataset, split: str) -> dict[str, str]:
        """Each task of `split` with its layout (the unit of splitting and of resampling); empty when
        the split holds no layout."""
        chosen = take_split(dataset.episodes, split, lambda e: e.episode_id)
        return {task.task_id: episode.episode_id for episode in chosen for task in episode.tasks}

    def score_cases(self, cases: list[CaseResult]) -> float:
        """The selection score of these cases, as `evaluate` computes it for a whole split."""
        return float(aggregate(cases)[0]["score"] or 0.0)


DOMAIN_IMPLEMENTATION = PlanningDomain()
