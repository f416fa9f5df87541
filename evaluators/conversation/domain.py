"""The conversation domain: data specs, and the evaluation of a program on a split.

A data spec is what a user types after `--data`:
- `synthetic` (the embedded default) or `synthetic:seed=3,conversations=6`;
- `locomo:PATH` (LoCoMo's JSON, e.g. locomo10.json);
- `longmemeval:PATH` (a LongMemEval JSON file; each question is its own episode).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from evaluators.conversation import scoring as scoring_module
from evaluators.conversation.agent import ConversationAgent
from evaluators.conversation.data import ConversationDataset, DataError
from evaluators.conversation.episode import DEFAULT_READ_CHAR_LIMIT, EpisodeCosts, run_episode
from evaluators.conversation.locomo import load_locomo
from evaluators.conversation.longmemeval import load_longmemeval
from evaluators.conversation.offline_agent import OfflineAgent
from evaluators.conversation.scoring import aggregate
from evaluators.conversation.synthetic import generate_dataset
from evaluators.result import CaseResult, EvaluationResult
from evaluators.splits import take_split
from sandbox.session import Capabilities, ProgramFailure, SessionFactory

DOMAIN = "conversation"
DEFAULT_DATA = "synthetic"

Progress = Callable[[int, int], None]
"""(episodes done, episodes total)."""


def load_dataset(spec: str) -> ConversationDataset:
    """The dataset a data spec names; raises `DataError` with one clear sentence otherwise."""
    kind, _, argument = spec.partition(":")
    if kind == "synthetic":
        return generate_dataset(**_synthetic_options(argument))
    if kind in ("locomo", "longmemeval"):
        if not argument:
            raise DataError(f"--data {kind}: needs a path, e.g. {kind}:data/{kind}.json")
        path = Path(argument).expanduser()
        return load_locomo(path) if kind == "locomo" else load_longmemeval(path)
    raise DataError(f"unknown data spec {spec!r}; use synthetic, locomo:PATH or longmemeval:PATH")


def _synthetic_options(argument: str) -> dict[str, int]:
    options: dict[str, int] = {}
    for part in filter(None, argument.split(",")):
        key, _, value = part.partition("=")
        if key not in ("seed", "conversations") or not value.strip().lstrip("-").isdigit():
            raise DataError(f"bad synthetic option {part!r}; use e.g. synthetic:seed=3,conversations=6")
        options[key] = int(value)
    if options.get("conversations", 1) < 1:
        raise DataError("synthetic: conversations must be at least 1")
    return options


def evaluate(
    source: str,
    dataset: ConversationDataset,
    split: str,
    agent: ConversationAgent,
    session_factory: SessionFactory,
    capabilities: Capabilities,
    read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Evaluate `source` on one split: a fresh memory per conversation, metrics over all questions.

    A program failure ends the evaluation as failed (score 0) with its reason and logs; it is never raised.
    """
    chosen = split_dataset(dataset, split)
    conversations = chosen.conversations
    base = {
        "domain": DOMAIN,
        "split": split,
        "agent": agent.name,
        "data_name": dataset.name,
        "data_fingerprint": chosen.fingerprint(),
    }
    started = time.perf_counter()
    cases: list[CaseResult] = []
    costs = EpisodeCosts()
    logs: list[str] = []
    for done, conversation in enumerate(conversations):
        session = None
        try:
            session = session_factory(source, capabilities)
            episode = run_episode(
                conversation, session, agent, read_char_limit, getattr(agent, "judge", None)
            )
        except ProgramFailure as failure:
            return EvaluationResult(
                **base,
                status="failed",
                score=0.0,
                cost=_cost_summary(costs, time.perf_counter() - started),
                failure_reason=failure.reason.value,
                failure_message=failure.message,
                logs=tuple((logs + failure.logs)[-40:]),
            )
        finally:
            if session is not None:
                session.close()
        cases.extend(episode.cases)
        _merge_costs(costs, episode.costs)
        logs.extend(episode.logs)
        if progress:
            progress(done + 1, len(conversations))
    metrics, by_category = aggregate(cases)
    return EvaluationResult(
        **base,
        status="ok",
        score=float(metrics["score"] or 0.0),
        metrics=metrics,
        by_category=by_category,
        cost=_cost_summary(costs, time.perf_counter() - started),
        logs=tuple(logs[-40:]),
        cases=tuple(cases),
    )


def split_dataset(dataset: ConversationDataset, split: str) -> ConversationDataset:
    """The conversations of one split as a dataset; its fingerprint is what evaluations record.

    Kept on the dataset (frozen, so its splits never change): a worker evaluates one split again and
    again, and the split's fingerprint is then hashed once, not per evaluation."""
    splits = dataset.__dict__.setdefault("_splits", {})
    if split not in splits:
        conversations = take_split(dataset.conversations, split, lambda c: c.conversation_id)
        if not conversations:
            raise DataError(f"split {split!r} of {dataset.name} holds no conversation; use --split all")
        splits[split] = ConversationDataset(f"{dataset.name}[{split}]", tuple(conversations))
    return splits[split]


def _merge_costs(total: EpisodeCosts, part: EpisodeCosts) -> None:
    total.write_seconds.extend(part.write_seconds)
    total.read_seconds.extend(part.read_seconds)
    total.read_chars.extend(part.read_chars)
    total.truncated_reads += part.truncated_reads
    total.llm_calls += part.llm_calls
    total.embed_calls += part.embed_calls


def _cost_summary(costs: EpisodeCosts, seconds: float) -> dict[str, float]:
    operations = len(costs.write_seconds) + len(costs.read_seconds)
    return {
        "read_chars_mean": statistics.fmean(costs.read_chars) if costs.read_chars else 0.0,
        "truncated_reads": float(costs.truncated_reads),
        "write_seconds_median": statistics.median(costs.write_seconds) if costs.write_seconds else 0.0,
        "read_seconds_median": statistics.median(costs.read_seconds) if costs.read_seconds else 0.0,
        "llm_calls": float(costs.llm_calls),
        "llm_calls_per_operation": costs.llm_calls / operations if operations else 0.0,
        "embed_calls": float(costs.embed_calls),
        "seconds": seconds,
    }


class ConversationDomain:
    """The conversation domain behind the `evaluators.domains.TaskDomain` protocol."""

    name = DOMAIN
    default_data = DEFAULT_DATA
    scoring = scoring_module.__doc__ or ""

    def load_dataset(self, spec: str) -> ConversationDataset:
        return load_dataset(spec)

    def split_fingerprint(self, dataset: ConversationDataset, split: str) -> str:
        return split_dataset(dataset, split).fingerprint()

    def make_agent(self, kind: str, llm: object | None = None) -> ConversationAgent:
        if kind == "offline":
            return OfflineAgent()
        if kind == "llm":
            if llm is None:
                raise ValueError("the conversation LLM agent needs a model: configure one (e.g. --model)")
            from evaluators.conversation.llm_agent import LLMConversationAgent

            return LLMConversationAgent(llm)  # type: ignore[arg-type]
        raise ValueError(f"the conversation domain has no {kind!r} agent; use offline or llm")

    def evaluate(
        self,
        source: str,
        dataset: ConversationDataset,
        split: str,
        agent: ConversationAgent,
        session_factory: SessionFactory,
        capabilities: Capabilities,
        read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
        progress: Progress | None = None,
    ) -> EvaluationResult:
        return evaluate(
            source, dataset, split, agent, session_factory, capabilities, read_char_limit, progress
        )

    def case_units(self, dataset: ConversationDataset, split: str) -> dict[str, str]:
        """Each question of `split` with its conversation (the unit of splitting and of resampling);
        empty when the split holds no conversation."""
        chosen = take_split(dataset.conversations, split, lambda c: c.conversation_id)
        return {q.question_id: c.conversation_id for c in chosen for q in c.questions}

    def score_cases(self, cases: list[CaseResult]) -> float:
        """The selection score of these cases, as `evaluate` computes it for a whole split."""
        return float(aggregate(cases)[0]["score"] or 0.0)


DOMAIN_IMPLEMENTATION = ConversationDomain()
