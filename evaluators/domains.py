"""The task domains: the protocol evolution and the CLI know a task by, and how a domain is found.

Like GEPA's adapter, the search knows a task only through this narrow surface: load the data a spec
names, build an agent, evaluate a program on a split. Domain authors subclass `evaluators.api.Domain`,
which implements it from a few hooks.

A domain spec (what follows `--domain`) is one of:
- a name: an entry point of the group `mnemoforge.domains` that an installed package declares
  (`preferences = "my_package:DOMAIN"`); mnemoforge declares its built-in `conversation` and `planning`
  the same way, and knows them without package metadata too (a source checkout that is not installed);
- `module:attribute`: that attribute of an importable module;
- `path/to/file.py:attribute` (or just `path/to/file.py`, attribute `DOMAIN`): that attribute of a file.
The attribute is a domain object, or a domain class that is instantiated with no arguments.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from evaluators.result import CaseResult, EvaluationResult
from sandbox.session import Capabilities, SessionFactory

Progress = Callable[[int, int], None]

ENTRY_POINT_GROUP = "mnemoforge.domains"
BUILT_IN_DOMAINS = {
    "conversation": "evaluators.conversation.domain:DOMAIN_IMPLEMENTATION",
    "planning": "evaluators.planning.domain:DOMAIN_IMPLEMENTATION",
}
"""The built-in domains' entry points, as pyproject.toml declares them (a test keeps the two equal)."""
DEFAULT_ATTRIBUTE = "DOMAIN"
_REQUIRED = (
    "name",
    "default_data",
    "scoring",
    "load_dataset",
    "split_fingerprint",
    "make_agent",
    "evaluate",
    "units",
    "summarize",
    "score_cases",
)


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

    def units(self, dataset: Any, split: str) -> list[Any]:
        """The units of `split` (what splits assign: conversations, layouts); `DataError` when it holds
        none."""
        ...

    def summarize(self, cases: list[CaseResult]) -> dict[str, float | None]:
        """The metrics of a group of cases (all of a split, or one category's) as `evaluate` computes
        them, the selection `score` among them: what joins an evaluation from its parts."""
        ...

    def score_cases(self, cases: list[CaseResult]) -> float:
        """The selection score of a list of cases, as `evaluate` computes it for a whole split; every
        case carries its `unit`, which a bootstrap resamples."""
        ...


class UnknownDomainError(KeyError):
    """A domain spec that names no usable domain; the message says which and what to do."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class InstalledDomain:
    """A domain an entry point (or the built-in table) names: its name, `module:attribute`, its package."""

    name: str
    reference: str
    package: str


def installed_domains() -> list[InstalledDomain]:
    """Every domain a name finds, by name: the entry points, and the built-ins missing among them."""
    found = [
        InstalledDomain(point.name, point.value, point.dist.name if point.dist else "?")
        for point in entry_points(group=ENTRY_POINT_GROUP)
    ]
    declared = {entry.name for entry in found}
    found += [
        InstalledDomain(name, reference, "mnemoforge (built in)")
        for name, reference in BUILT_IN_DOMAINS.items()
        if name not in declared
    ]
    return sorted(found, key=lambda entry: (entry.name, entry.package))


def domain_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(entry.name for entry in installed_domains()))


def canonical_spec(spec: str) -> str:
    """`spec` with a file path made absolute, so that it names the same domain from any folder (a Ray
    worker's, a resumed run's)."""
    path, attribute = _file_reference(spec)
    return f"{path.resolve()}:{attribute}" if path is not None else spec


@functools.cache
def get_domain(spec: str) -> TaskDomain:
    """The domain `spec` names (see the module docstring); one object per spec and process.

    Raises `UnknownDomainError` with one sentence when nothing usable is found."""
    path, attribute = _file_reference(spec)
    if path is not None:
        return _checked(spec, _load_file(spec, path, attribute))
    if ":" in spec:
        return _checked(spec, _load_reference(spec, spec))
    matches = {entry.reference for entry in installed_domains() if entry.name == spec}
    if not matches:
        raise UnknownDomainError(
            f"unknown domain {spec!r}; choose one of {', '.join(domain_names())} "
            "(`mnemoforge domains list`), or name one by path, e.g. --domain ./my_domain.py:DOMAIN"
        )
    if len(matches) > 1:
        raise UnknownDomainError(
            f"two installed packages declare the domain {spec!r} ({', '.join(sorted(matches))}); "
            "uninstall one, or name the one you mean as module:attribute"
        )
    domain = _checked(spec, _load_reference(spec, matches.pop()))
    if domain.name != spec:
        raise UnknownDomainError(
            f"the entry point {spec!r} names a domain called {domain.name!r}; the two names must agree"
        )
    return domain


def _file_reference(spec: str) -> tuple[Path | None, str]:
    """(the file, the attribute) when `spec` names a Python file, else (None, "")."""
    location, colon, attribute = spec.rpartition(":")
    if not colon:
        location, attribute = spec, DEFAULT_ATTRIBUTE
    if location.endswith(".py") or "/" in location:
        return Path(location).expanduser(), attribute or DEFAULT_ATTRIBUTE
    return None, ""


def _load_file(spec: str, path: Path, attribute: str) -> Any:
    if not path.is_file():
        raise UnknownDomainError(f"--domain {spec}: the file {path} does not exist")
    resolved = path.resolve()
    # One module per file, under a name of its own: dataclasses and pickling look modules up by name.
    name = f"mnemoforge_domain_{resolved.stem}_{hashlib.sha256(str(resolved).encode()).hexdigest()[:8]}"
    if name not in sys.modules:
        module_spec = importlib.util.spec_from_file_location(name, resolved)
        if module_spec is None or module_spec.loader is None:
            raise UnknownDomainError(f"--domain {spec}: {path} cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise UnknownDomainError(f"--domain {spec}: loading {path} failed: {_where(error)}") from None
    return _attribute(spec, sys.modules[name], attribute)


def _load_reference(spec: str, reference: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise UnknownDomainError(f"the domain {spec!r} is not available here ({error})") from None
    except Exception as error:
        raise UnknownDomainError(
            f"the domain {spec!r}: importing {module_name} failed: {_where(error)}"
        ) from None
    return _attribute(spec, module, attribute or DEFAULT_ATTRIBUTE)


def _attribute(spec: str, module: Any, attribute: str) -> Any:
    if not hasattr(module, attribute):
        raise UnknownDomainError(f"--domain {spec}: {module.__name__} has no attribute {attribute!r}")
    found = getattr(module, attribute)
    if isinstance(found, type):
        try:
            found = found()
        except Exception as error:
            raise UnknownDomainError(f"--domain {spec}: {attribute}() failed: {_where(error)}") from None
    return found


def _checked(spec: str, domain: Any) -> TaskDomain:
    missing = [name for name in _REQUIRED if not hasattr(domain, name)]
    if missing:
        raise UnknownDomainError(
            f"--domain {spec} is not a domain: it lacks {', '.join(missing)} (subclass evaluators.api.Domain)"
        )
    if not isinstance(domain.name, str) or not domain.name:
        raise UnknownDomainError(f"--domain {spec}: the domain has no name (set its `name`)")
    return domain


def _where(error: BaseException) -> str:
    """The error and the line of the domain's own code that raised it, in one sentence."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{place}"
