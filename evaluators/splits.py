"""Deterministic splits of a domain's units (conversations, task layouts) into reflect / select / test.

Splitting is by unit, never by question: questions about one conversation share its memory, so a split
by question would leak. Units are ordered by a hash of their id, so the assignment does not depend on
file order and a unit keeps its split when others are added.

- `reflect`: small, shown to the reflective mutator (failed cases);
- `select`: drives selection in evolution;
- `test`: held out, never seen by evolution; used once at the end of a run.

`cascade` is not a split of its own but a fixed first part of `select` (a quarter of its units, in the
same hash order), and `select_rest` the other units of `select`: evolution evaluates a candidate on the
first part, and only a promising one on the rest (`evolve.cascade`). With fewer than `CASCADE_MIN_UNITS`
select units the first part is all of `select` and the rest is empty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

SPLITS = ("reflect", "select", "test")
ALL = "all"
SPLIT_SHARES = {"reflect": 0.2, "select": 0.4, "test": 0.4}
CASCADE = "cascade"
SELECT_REST = "select_rest"
CASCADE_SHARE = 0.25
CASCADE_MIN_UNITS = 4

T = TypeVar("T")


def assign_splits(unit_ids: Sequence[str]) -> dict[str, str]:
    """Map each unit id to its split. Three or more units give every split at least one."""
    ordered = sorted(unit_ids, key=lambda uid: hashlib.sha256(uid.encode("utf-8")).hexdigest())
    n = len(ordered)
    if n >= 3:
        reflect = max(1, round(SPLIT_SHARES["reflect"] * n))
        test = max(1, round(SPLIT_SHARES["test"] * n))
    else:
        reflect, test = 0, n // 2
    select = n - reflect - test
    names = ["reflect"] * reflect + ["select"] * select + ["test"] * test
    return dict(zip(ordered, names, strict=True))


def take_split(units: Sequence[T], split: str, unit_id: Callable[[T], str]) -> list[T]:
    """The units of `split` ("all" for every unit), in their original order."""
    if split == ALL:
        return list(units)
    if split == CASCADE:
        return _cascade_part(units, unit_id)
    if split == SELECT_REST:
        first = {unit_id(u) for u in _cascade_part(units, unit_id)}
        return [u for u in take_split(units, "select", unit_id) if unit_id(u) not in first]
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join((*SPLITS, ALL))}")
    assignment = assign_splits([unit_id(u) for u in units])
    return [u for u in units if assignment[unit_id(u)] == split]


def _cascade_part(units: Sequence[T], unit_id: Callable[[T], str]) -> list[T]:
    """The first `CASCADE_SHARE` of the select units by hash order (at least one), in original order."""
    select = take_split(units, "select", unit_id)
    if len(select) < CASCADE_MIN_UNITS:
        return select
    first = {
        unit_id(u)
        for u in sorted(select, key=lambda u: hashlib.sha256(unit_id(u).encode("utf-8")).hexdigest())[
            : max(1, round(CASCADE_SHARE * len(select)))
        ]
    }
    return [u for u in select if unit_id(u) in first]


def minimum_units(splits: Iterable[str]) -> int:
    """The fewest units for which `assign_splits` gives each of `splits` at least one: what a command
    tells a user whose data is too small (2 for select and test, 3 with reflect)."""
    wanted = set(splits)
    if not wanted <= set(SPLITS):
        raise ValueError(f"unknown split among {sorted(wanted)}; choose from {', '.join(SPLITS)}")
    units = 1
    while not wanted <= set(assign_splits([str(index) for index in range(units)]).values()):
        units += 1
    return units
