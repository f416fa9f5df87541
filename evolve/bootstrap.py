"""How sure a gain is: a paired bootstrap interval over the data's units.

A gain of one program over another on a few conversations can be luck: which conversations happened to
be drawn. So every gain a run reports comes with a 95% percentile interval from resampling the units
(conversations, or questions where each question is its own episode), paired: each resample draws the
same units for both programs, so that what the units have in common (an easy conversation is easy for
both) cancels out. Units, not questions, are resampled because questions about one conversation share
its memory and are not independent.

The statistic is the domain's own score of a set of cases, so the interval is about exactly the number
reported. A run over several datasets resamples each one's units apart (strata) and averages the gains,
as its score averages the datasets' scores. Deterministic for a given `seed`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Case = TypeVar("Case")
Statistic = Callable[[list[Case]], float]
"""The score of a list of cases, as the domain computes it for a whole evaluation."""

RESAMPLES = 2000
LEVEL = 0.95


@dataclass(frozen=True)
class Gain:
    """A gain (first program minus second) with its bootstrap interval, how many units it rests on, and
    on how many of them, each alone, the first program scored higher and lower: a gain carried by a few
    units cannot be told from zero, however large, and these two counts say whether that is why."""

    gain: float
    low: float
    high: float
    units: int
    higher: int
    lower: int

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0.0 <= self.high

    def to_json(self) -> dict[str, float | int | bool]:
        return {
            "gain": self.gain,
            "low": self.low,
            "high": self.high,
            "units": self.units,
            "includes_zero": self.includes_zero,
            "higher": self.higher,
            "lower": self.lower,
        }


def fewest_units_higher(units: int, level: float = LEVEL) -> int:
    """How many of `units` must score higher, with none lower and the rest tied, for the percentile
    interval to leave out zero: a resample that draws none of them shows no gain, and the interval's
    lower end is zero while at least (1 - level) / 2 of the resamples do, which happens with chance
    (1 - k / units) ** units, which tends to e ** -k: 4 for nine units or more (with 2 of 18 higher,
    12% of the resamples draw neither), 3 for four to eight. A domain's statistic need not be a mean of
    its units' scores, and near the threshold the draws decide, so this is the count for the common case,
    not a bound."""
    tail = (1.0 - level) / 2.0
    return next(k for k in range(1, units + 1) if (1.0 - k / units) ** units < tail)


@dataclass(frozen=True)
class Paired(Generic[Case]):
    """One dataset's cases of both programs, grouped by unit id."""

    first: Mapping[str, Sequence[Case]]
    second: Mapping[str, Sequence[Case]]


def paired_gain(
    strata: Sequence[Paired[Case]],
    statistic: Statistic[Case],
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
) -> Gain:
    """The mean over strata of statistic(first) - statistic(second), with its percentile interval.

    Only units both programs have are used (they were evaluated on the same data, so normally all).
    Raises ValueError when a stratum has no shared unit.
    """
    shared = [sorted(set(stratum.first) & set(stratum.second)) for stratum in strata]
    if not strata or not all(shared):
        raise ValueError("a paired bootstrap needs units that both programs were evaluated on")
    rng = random.Random(seed)
    cache: list[dict[tuple[str, ...], float]] = [{} for _ in strata]

    def difference(index: int, units: tuple[str, ...]) -> float:
        found = cache[index].get(units)
        if found is None:
            stratum = strata[index]
            first = [case for unit in units for case in stratum.first[unit]]
            second = [case for unit in units for case in stratum.second[unit]]
            found = cache[index][units] = statistic(first) - statistic(second)
        return found

    observed = sum(difference(i, tuple(units)) for i, units in enumerate(shared)) / len(strata)
    alone = [difference(i, (unit,)) for i, units in enumerate(shared) for unit in units]
    gains = []
    for _ in range(resamples):
        total = 0.0
        for index, units in enumerate(shared):
            # Sorted: the statistic of a multiset of units does not depend on the draw order, so few
            # units (two conversations have three distinct resamples) are computed once each.
            drawn = tuple(sorted(rng.choice(units) for _ in units))
            total += difference(index, drawn)
        gains.append(total / len(strata))
    gains.sort()
    tail = (1.0 - level) / 2.0
    low = gains[min(len(gains) - 1, int(tail * len(gains)))]
    high = gains[min(len(gains) - 1, int((1.0 - tail) * len(gains)))]
    higher, lower = sum(1 for d in alone if d > 0.0), sum(1 for d in alone if d < 0.0)
    return Gain(observed, low, high, sum(len(units) for units in shared), higher, lower)
