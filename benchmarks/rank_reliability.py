"""How far a ranking measured with noise can agree with another: rank reliability and its ceiling.

A column of seed scores measured once (one order of the ALFWorld games, one seed of the built-in world)
is the seeds' true standing plus noise. Two such columns agree at most as well as each agrees with
itself: by Spearman's attenuation bound, the observed correlation of columns A and B is at most
sqrt(rel_A * rel_B), where rel is the share of a column's rank variance that is not noise. So before
asking the built-in world to rank the seeds like ALFWorld, measure how well ALFWorld ranks them like
itself; if the ceiling is below the target, no world can show the target on that data.

Reliability of a column pooled over k units is estimated two ways: from the mean Spearman correlation
between single units (every pair), stepped up to k units by the Spearman-Brown formula; and split-half
(the units split alternately into two halves, each pooled, correlated and stepped up to the whole).
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Callable, Sequence


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, tied values sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the ranks (0 when either column is constant)."""
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def spearman_brown(r: float, factor: float) -> float:
    """The reliability of a measure `factor` times as long as one whose reliability is `r` (a reliability
    of zero or below, no signal, is left as it is)."""
    return factor * r / (1 + (factor - 1) * r) if r > 0 else r


Pool = Callable[[Sequence[int]], list[float]]
"""Given unit indices, the seeds' column pooled over those units."""


def pairwise_reliability(units: int, pool: Pool) -> tuple[float, float]:
    """(mean Spearman between single units, that stepped up to all `units` pooled)."""
    pairs = [spearman(pool([a]), pool([b])) for a, b in itertools.combinations(range(units), 2)]
    mean = statistics.fmean(pairs)
    return mean, spearman_brown(mean, units)


def split_half_reliability(units: int, pool: Pool) -> tuple[float, float]:
    """(Spearman of the even-numbered units pooled vs the odd-numbered, that stepped up to all units)."""
    half = spearman(pool(range(0, units, 2)), pool(range(1, units, 2)))
    return half, spearman_brown(half, 2)


def random_split_halves(groups: int, pool: Pool, splits: int, seed: int = 0) -> list[float]:
    """The Spearman correlation between two halves of `groups`, each pooled, for `splits` random halvings:
    each is how two disjoint samples of half the groups ranked the items alike. For a column whose noise
    is which groups were sampled (which games, not which order they were played in), their mean stepped
    up to all groups estimates how well another sample of as many groups would rank alike."""
    rng = random.Random(seed)
    indices = list(range(groups))
    correlations = []
    for _ in range(splits):
        rng.shuffle(indices)
        correlations.append(spearman(pool(indices[: groups // 2]), pool(indices[groups // 2 :])))
    return correlations


def ceiling(reliability_a: float, reliability_b: float) -> float:
    """The highest correlation two columns of these reliabilities can show (attenuation bound)."""
    return max(0.0, reliability_a) ** 0.5 * max(0.0, reliability_b) ** 0.5
