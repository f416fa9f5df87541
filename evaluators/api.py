"""The public API of a task domain: what you write to evolve memories for your own task.

A domain says four things (see docs/domains.md for a complete one written from scratch):

- how to load data: `load(spec)` turns what a user types after `--data` into units (a user, a
  conversation, a household), each with an `id`; raise `DataError` with one sentence for bad input;
- what an episode is: `play(unit, assistant)` plays one unit with a fresh memory. The `Assistant` is
  the task agent holding the memory program under evaluation: `remember(text)` stores a text,
  `recall(request)` asks the memory (what `read()` returned, cut at the read budget) and
  `answer(request, recalled)` is the agent's reply from it;
- how an episode is scored: `play` returns one `Case` per scored request, with its score in [0, 1] and
  any metrics; `summarize` (optional) turns cases into the metrics and the selection `score` (by default
  the mean case score);
- `name`, `default_data` (the spec used when a user gives none) and `scoring` (how the score is made,
  in words: the reflective mutator reads it).

The platform keeps the rest: the sandbox, one fresh memory per unit, the splits by unit (a unit is
never in two splits), costs and failures, the agents (offline, and LLM with `--agent llm`), the archive,
the CLI and the report. Make a domain findable with an entry point in the group `mnemoforge.domains`
(`preferences = "my_package:DOMAIN"`) or name it by path (`--domain ./my_domain.py:DOMAIN`).

`Domain` implements the engine's `evaluators.domains.TaskDomain` protocol from these hooks; the built-in
conversation and planning domains are `Domain`s too, overriding more of them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass, replace
from typing import Any, Generic, TypeVar

from evaluators.conversation.data import DataError
from evaluators.domains import Progress
from evaluators.result import CaseResult, EvaluationResult
from evaluators.runner import DEFAULT_READ_CHAR_LIMIT, Memory, ResultHeader, play_units, to_result
from evaluators.splits import take_split
from evaluators.summary import Metrics, default_summary
from sandbox.session import Capabilities, SessionFactory

__all__ = ["Assistant", "Case", "DataError", "Dataset", "Domain", "Memory", "data_options"]

Case = CaseResult
"""One scored request: `Case(case_id, category, score, prompt, expected, output, context, metrics)`.
`category` is what the per-category breakdown groups by; `context` is what the memory returned."""

Unit = TypeVar("Unit")


class Assistant:
    """The task agent with the memory under evaluation: what an episode plays with.

    `remember`, `recall` and `answer` are the default agents' (the offline agent fills the program's
    schemas by field type and answers extractively; the LLM agent follows the program's instructions).
    A domain with agents of its own (`make_agent`) uses `agent` and `memory` directly.
    """

    def __init__(self, agent: Any, memory: Memory) -> None:
        self.agent = agent
        self.memory = memory

    def remember(self, text: str) -> None:
        """Store `text`: the agent fills the program's KnowledgeItem from it, the program writes both."""
        self.memory.write(self.agent.fill_item(self.memory.program, text), text)

    def recall(self, request: str, date: str = "") -> str:
        """What the memory returns for `request` (made on `date`, if known), cut at the read budget."""
        return self.memory.read(self.agent.fill_query(self.memory.program, request, date))

    def answer(self, request: str, recalled: str, date: str = "") -> str:
        """The agent's reply to `request` from what `recall` returned."""
        return self.agent.answer(self.memory.program, request, recalled, date)


@dataclass(frozen=True)
class Dataset(Generic[Unit]):
    """Loaded units under the name people read; the fingerprint is a hash of their content."""

    name: str
    units: tuple[Unit, ...]

    def fingerprint(self) -> str:
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:
        # Once per dataset (it is frozen): a worker records it with every evaluation.
        return _fingerprint(self.units)


class Domain(Generic[Unit]):
    """A task domain. Subclass it, set the three attributes, implement `load` and `play`."""

    name: str = ""
    default_data: str = ""
    scoring: str = "The selection score is the mean case score."
    """How the selection score is computed, in words: shown to the reflective mutator."""
    extra_operators: tuple[str, ...] = ()
    """Offline mutation operators made for this domain's programs, offered besides the default ones
    (`evolve.mutators.structural.ALL_OPERATORS` names them; planning adds `places`)."""

    # -- what a domain says ------------------------------------------------------------------------

    def load(self, spec: str) -> Sequence[Unit]:
        """The units a data spec names (`default_data` when the user gives none); `DataError` otherwise."""
        raise NotImplementedError(f"{type(self).__name__} must implement load(spec)")

    def play(self, unit: Unit, assistant: Assistant) -> list[Case]:
        """Play one unit with a fresh memory; one Case per scored request.

        Let a program's failure (`ProgramFailure`, raised by the memory) pass: the platform records it."""
        raise NotImplementedError(f"{type(self).__name__} must implement play(unit, assistant)")

    def unit_id(self, unit: Unit) -> str:
        """The unit's stable id (its `id` by default): splits are assigned by it."""
        return str(unit["id"] if isinstance(unit, dict) else unit.id)  # type: ignore[attr-defined]

    def summarize(self, cases: list[Case]) -> Metrics:
        """The metrics of a group of cases (all, or one category's), including the selection `score`."""
        return default_summary(cases)

    def score_cases(self, cases: list[Case]) -> float:
        """The selection score of some cases, as `evaluate` gives it for a whole split: what a bootstrap
        recomputes on resampled units."""
        return float(self.summarize(cases).get("score") or 0.0)

    def make_agent(self, kind: str, llm: Any | None = None) -> Any:
        """The agent of `kind`: "offline", or "llm" with `llm` (a providers client)."""
        if kind == "offline":
            from evaluators.conversation.offline_agent import OfflineAgent

            return OfflineAgent()
        if kind == "llm":
            if llm is None:
                raise ValueError(f"the {self.name} LLM agent needs a model: configure one (e.g. --model)")
            from evaluators.conversation.llm_agent import LLMConversationAgent

            return LLMConversationAgent(llm)
        raise ValueError(f"the {self.name} domain has no {kind!r} agent; use offline or llm")

    # -- what the platform calls (the TaskDomain protocol) -------------------------------------------

    def load_dataset(self, spec: str) -> Any:
        """The dataset a data spec names; raises `DataError` with one clear sentence otherwise."""
        units = tuple(self.load(spec))
        if not units:
            raise DataError(f"--data {spec}: the {self.name} domain found no unit in it")
        seen: set[str] = set()
        for unit in units:
            if (uid := self.unit_id(unit)) in seen:
                raise DataError(f"--data {spec}: two units have the id {uid!r}; ids must be unique")
            seen.add(uid)
        return Dataset(f"{self.name}:{spec}", units)

    def units(self, dataset: Any, split: str) -> list[Unit]:
        """The units of `split`; a split with none is the user's to fix (use `--split all`)."""
        chosen = take_split(dataset.units, split, self.unit_id)
        if not chosen:
            raise DataError(f"split {split!r} of {dataset.name} holds no unit; use --split all")
        return chosen

    def split_fingerprint(self, dataset: Any, split: str) -> str:
        """What evaluations of `split` record: the dataset's content and the split."""
        return hashlib.sha256(f"{dataset.fingerprint()}:{split}".encode()).hexdigest()[:16]

    def evaluate(
        self,
        source: str,
        dataset: Any,
        split: str,
        agent: Any,
        session_factory: SessionFactory,
        capabilities: Capabilities,
        read_char_limit: int = DEFAULT_READ_CHAR_LIMIT,
        progress: Progress | None = None,
    ) -> EvaluationResult:
        """Play every unit of `split` with a fresh memory; a failing program gives a failed result."""
        units = self.units(dataset, split)
        fingerprint = self.split_fingerprint(dataset, split)
        header = ResultHeader(self.name, split, agent.name, dataset.name, fingerprint)
        started = time.perf_counter()
        done = 0

        def episode_done() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, len(units))

        played = play_units(
            units,
            lambda unit, memory: with_unit(self.play(unit, Assistant(agent, memory)), self.unit_id(unit)),
            source,
            session_factory,
            capabilities,
            read_char_limit,
            agent,
            episode_done,
        )
        return to_result(header, played, played.outcomes, self.summarize, time.perf_counter() - started)


def with_unit(cases: Sequence[Case], unit_id: str) -> list[Case]:
    """The cases, each marked with the unit it was played in: what a bootstrap resamples."""
    return [replace(case, unit=unit_id) for case in cases]


def data_options(
    kind: str, argument: str, converters: Mapping[str, Callable[[str], Any]], example: str
) -> dict[str, Any]:
    """The `key=value,...` options after a data spec's kind (`synthetic:seed=3`), each converted by its
    converter; an unknown key or a value its converter refuses is a `DataError` showing `example`."""
    options: dict[str, Any] = {}
    for part in filter(None, argument.split(",")):
        key, _, value = part.partition("=")
        try:
            options[key] = converters[key](value.strip())
        except (KeyError, ValueError):
            raise DataError(f"bad {kind} option {part!r}; use e.g. {example}") from None
    return options


def _fingerprint(units: Sequence[Any]) -> str:
    """A short hash of units that are dataclasses or JSON values: equal hashes, equal data."""
    plain = [asdict(unit) if is_dataclass(unit) and not isinstance(unit, type) else unit for unit in units]
    payload = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
