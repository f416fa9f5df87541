"""The data a run uses: the datasets it selects on, and those it is tested on for transfer afterwards.

A run may select on several datasets (for example the built-in conversations and the user's own): a
program's selection score is then the mean of its scores on each, and every evaluation stays one
dataset's, keyed by that dataset's fingerprint. Transfer datasets are never seen during the run, so the
winner and the seeds are evaluated on all of them (split `all`).

Data too small for a run is refused here, before anything starts, with the number of units it needs,
as `evaluators.splits` assigns them: a run needs one unit to select on and one to test on, and a
reflective mutator needs one more to reflect on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from evaluators.conversation.data import DataError
from evaluators.domains import TaskDomain, get_domain
from evaluators.splits import ALL, CASCADE, SELECT_REST, SPLITS, minimum_units
from evolve.config import RunConfig

UNIT_NOUNS = {"conversation": "conversation", "planning": "household layout"}
"""What a domain's unit of splitting is called in a message (splits are by unit, never by case)."""


@dataclass(frozen=True)
class RunData:
    """One dataset of a run: its spec as given, the loaded data, and the fingerprint of each of its
    splits that holds something (an evaluation of a split records that fingerprint); `cascade` and
    `select_rest` only when the first is a smaller part of `select`."""

    spec: str
    name: str
    dataset: Any = field(repr=False)
    fingerprints: dict[str, str]

    def has(self, split: str) -> bool:
        return split in self.fingerprints


def selection_data(config: RunConfig) -> list[RunData]:
    """The datasets the run selects on (the domain's built-in data when none is given).

    Raises `DataError` for a spec that cannot be loaded, and for data without a unit to select on or to
    test on, or (with a reflective mutator) without one to reflect on in any of the datasets.
    """
    domain = get_domain(config.domain)
    splits = (*SPLITS, CASCADE, SELECT_REST)
    chosen = [_load(config.domain, spec, splits) for spec in config.data or (domain.default_data,)]
    for data in chosen:
        if not (data.has("select") and data.has("test")):
            raise DataError(_too_small(config.domain, data, ("select", "test")))
    if config.mutation_model is not None and not any(data.has("reflect") for data in chosen):
        raise DataError(_too_small(config.domain, chosen[0], SPLITS))
    return chosen


def transfer_data(config: RunConfig) -> list[RunData]:
    """The datasets the winner and the seeds are evaluated on after the run, all of each; `DataError`
    for one the run selects on (its `all` holds what the run selected on)."""
    selected = config.data or (get_domain(config.domain).default_data,)
    shared = next((spec for spec in config.transfer if spec in selected), None)
    if shared is not None:
        raise DataError(f"the run selects on {shared}; --transfer is for data the run never sees")
    return [_load(config.domain, spec, (ALL,)) for spec in config.transfer]


def _too_small(domain_name: str, data: RunData, splits: tuple[str, ...]) -> str:
    noun = UNIT_NOUNS.get(domain_name, "unit")
    held = _unit_count(domain_name, data.dataset, ALL)
    needed = minimum_units(splits)
    purposes = "one to select on and one to test on"
    if "reflect" in splits:
        purposes = "one to select on, one to test on and one for the reflective mutator to reflect on"
    return f"{data.spec} holds {held} {noun}(s) and a run needs at least {needed}: {purposes}"


@functools.cache
def _load(domain_name: str, spec: str, splits: tuple[str, ...]) -> RunData:
    """Cached: the command line checks the data before it creates a run, and the run loads it again."""
    domain = get_domain(domain_name)
    dataset = domain.load_dataset(spec)
    fingerprints = {
        split: domain.split_fingerprint(dataset, split)
        for split in splits
        if _unit_count(domain_name, dataset, split)
    }
    if SELECT_REST not in fingerprints:  # the first part is all of select (too few units): no cascade
        fingerprints.pop(CASCADE, None)
    return RunData(spec, dataset.name, dataset, fingerprints)


def _unit_count(domain_name: str, dataset: Any, split: str) -> int:
    domain: TaskDomain = get_domain(domain_name)
    try:
        return len(domain.units(dataset, split))
    except DataError:  # the split holds none
        return 0
