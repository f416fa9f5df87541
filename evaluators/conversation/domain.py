"""The conversation domain: data specs, and the evaluation of a program on a split.

A data spec is what a user types after `--data`:
- `synthetic` (the embedded default) or `synthetic:seed=3,conversations=6`; `synthetic:style=assistant` for
  the assistant-style variant (a user asking an assistant for help over many sessions);
- `conversations:PATH` (one's own conversations, JSON Lines: `conversations_file`, docs/conversations.md);
- `locomo:PATH` (LoCoMo's JSON, e.g. locomo10.json);
- `longmemeval:PATH` (a LongMemEval JSON file; each question is its own episode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluators.api import Assistant, Domain, data_options
from evaluators.conversation import scoring as scoring_module
from evaluators.conversation.conversations_file import load_conversations
from evaluators.conversation.data import Conversation, ConversationDataset, DataError
from evaluators.conversation.episode import run_episode
from evaluators.conversation.locomo import load_locomo
from evaluators.conversation.longmemeval import load_longmemeval
from evaluators.conversation.synthetic import generate_dataset
from evaluators.conversation.synthetic_assistant import generate_assistant_dataset
from evaluators.result import CaseResult
from evaluators.splits import take_split
from evaluators.summary import Metrics

DOMAIN = "conversation"
DEFAULT_DATA = "synthetic"
LOADERS = {"conversations": load_conversations, "locomo": load_locomo, "longmemeval": load_longmemeval}
"""The data kinds read from a file, by the name a spec gives them (`conversations:PATH`)."""
SYNTHETIC_STYLES = ("chat", "assistant")
"""`chat`: two people over weeks (LoCoMo-like, the default); `assistant`: a user and an assistant over many
task sessions (LongMemEval-like)."""


def load_dataset(spec: str) -> ConversationDataset:
    """The dataset a data spec names; raises `DataError` with one clear sentence otherwise."""
    kind, _, argument = spec.partition(":")
    if kind == "synthetic":
        options = _synthetic_options(argument)
        if options.pop("style", "chat") == "assistant":
            return generate_assistant_dataset(**options)
        return generate_dataset(**options)
    if kind in LOADERS:
        if not argument:
            raise DataError(f"--data {kind}: needs a path, e.g. {kind}:data/{kind}.json")
        return LOADERS[kind](Path(argument).expanduser())
    raise DataError(
        f"unknown data spec {spec!r}; use synthetic, conversations:PATH, locomo:PATH or longmemeval:PATH"
    )


def _synthetic_options(argument: str) -> dict[str, Any]:
    options = data_options(
        "synthetic",
        argument,
        {"seed": int, "conversations": int, "style": _synthetic_style},
        "synthetic:seed=3,conversations=6 or synthetic:style=assistant",
    )
    if options.get("conversations", 1) < 1:
        raise DataError("synthetic: conversations must be at least 1")
    return options


def _synthetic_style(value: str) -> str:
    if value not in SYNTHETIC_STYLES:
        raise ValueError(value)
    return value


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


class ConversationDomain(Domain[Conversation]):
    """The conversation domain: a unit is a conversation, written session by session into a fresh
    memory, then questioned (`episode`); scored by evidence recall and LoCoMo's answer score (`scoring`).
    Its agents are the default ones."""

    name = DOMAIN
    default_data = DEFAULT_DATA
    scoring = scoring_module.__doc__ or ""

    def load_dataset(self, spec: str) -> ConversationDataset:
        return load_dataset(spec)

    def unit_id(self, unit: Conversation) -> str:
        return unit.conversation_id

    def units(self, dataset: ConversationDataset, split: str) -> list[Conversation]:
        return list(split_dataset(dataset, split).conversations)

    def split_fingerprint(self, dataset: ConversationDataset, split: str) -> str:
        return split_dataset(dataset, split).fingerprint()

    def play(self, unit: Conversation, assistant: Assistant) -> list[CaseResult]:
        return run_episode(unit, assistant.memory, assistant.agent, getattr(assistant.agent, "judge", None))

    def summarize(self, cases: list[CaseResult]) -> Metrics:
        return scoring_module.summarize(cases)


DOMAIN_IMPLEMENTATION = ConversationDomain()
evaluate = DOMAIN_IMPLEMENTATION.evaluate
"""`evaluate(source, dataset, split, agent, session_factory, capabilities, read_char_limit, progress)`:
a fresh memory per conversation, metrics over all questions; a failing program gives a failed result."""
