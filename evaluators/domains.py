"""The task domains, behind one protocol: what evolution and the CLI know of a task.

Like GEPA's adapter, the search knows a task only through this narrow surface: load the data a spec
names, build an agent, evaluate a program on a split. A new domain is one new module registered in
`DOMAINS`, not edits across the tree.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

from evaluators.result import CaseResult, EvaluationResult
from sandbox.session import Capabilities, SessionFactory

Progress = Callable[[int, int], None]


class DomainDataset(Protocol):
    """What every domain's dataset offers: a name people read and a fingerprint of its exact content."""

    name: str

    def fingerprint(self) -> str: ...


class TaskDomain(Protocol):
    """A task domain. `evaluate` never raises for a failing program: it returns a failed result."""

    name: str
    default_data: str
    scoring: str
    """How the selection score is computed, in words: shown to the reflective mutator."""

    def load_dataset(self, spec: str) -> DomainDataset:
        """The dataset a user's data spec names; raises `DataError` with one clear sentence otherwise."""
        ...

    def split_fingerprint(self, dataset: Any, split: str) -> str:
        """The fingerprint `evaluate` records for `split`, so a caller can find an identical evaluation."""
        ...

    def make_agent(self, kind: str, llm: Any | None = None) -> Any:
        """The agent of `kind` ("offline" or "llm"); the LLM agent needs `llm` (a providers client)."""
        ...

    def evaluate(
        self,
        source: str,
        dataset: Any,
        split: str,
        agent: Any,
        session_factory: SessionFactory,
        capabilities: Capabilities,
        read_char_limit: int,
        progress: Progress | None = None,
    ) -> EvaluationResult: ...

    def case_units(self, dataset: Any, split: str) -> dict[str, str]:
        """Each case id of `split` with its unit (conversation, layout): what a bootstrap resamples, and
        what tells whether a split holds anything (empty when it does not)."""
        ...

    def score_cases(self, cases: list[CaseResult]) -> float:
        """The selection score of a list of cases, as `evaluate` computes it for a whole split."""
        ...


_MODULES = {
    "conversation": "evaluators.conversation.domain",
    "planning": "evaluators.planning.domain",
}


class UnknownDomainError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def get_domain(name: str) -> TaskDomain:
    """The domain registered under `name`; each domain module exposes a `DOMAIN_IMPLEMENTATION` object."""
    if name not in _MODULES:
        raise UnknownDomainError(f"unknown domain {name!r}; choose one of {', '.join(_MODULES)}")
    try:
        module = importlib.import_module(_MODULES[name])
    except ModuleNotFoundError as error:
        raise UnknownDomainError(
            f"the {name} domain is not available in this installation ({error})"
        ) from None
    return module.DOMAIN_IMPLEMENTATION


def domain_names() -> tuple[str, ...]:
    return tuple(_MODULES)
