"""Flow metrics from card timelines: percentiles, durations, counts over time.

Pure functions of plain values. Durations are calendar days, fractional.
Percentiles use the nearest-rank method: the p-th percentile of n sorted
values is the value at rank ⌈p/100 · n⌉ (1-based), always one of the values.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .replay import DROPPED, OUT, CardTimeline
from .schema import Percentiles

__all__ = [
    "FLOW_ROLES",
    "days_between",
    "nearest_rank",
    "percentiles",
    "role_at",
    "role_counts_at",
]

#: The roles counted in cumulative flow and burn-up, in display order.
FLOW_ROLES = ("todo", "in_progress", "done")
_DECIMALS = 6
_DAY = timedelta(days=1)


def days_between(start: datetime, end: datetime) -> float:
    """``end - start`` in days, rounded to 6 decimals (well under a second)."""
    return round((end - start) / _DAY, _DECIMALS)


def nearest_rank(sorted_values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0 < p ≤ 100) of values already sorted ascending."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is not in (0, 100]")
    count = len(sorted_values)
    # Integer arithmetic for whole percentiles: 0.85 * 20 must be rank 17, not 18.
    rank = -(-p * count // 100) if isinstance(p, int) else math.ceil(p * count / 100 - 1e-9)
    rank = max(1, int(rank))
    return sorted_values[rank - 1]


def percentiles(values: Iterable[float]) -> Percentiles:
    """Count, p50, p85 and p95 (nearest rank) of ``values``; the percentiles are None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return Percentiles(count=0, p50=None, p85=None, p95=None)
    return Percentiles(
        count=len(ordered),
        p50=nearest_rank(ordered, 50),
        p85=nearest_rank(ordered, 85),
        p95=nearest_rank(ordered, 95),
    )


def role_at(timeline: CardTimeline, moment: datetime) -> str:
    """The card's role just before ``moment`` (``out`` before it was created)."""
    for segment in reversed(timeline.segments):  # usually the last one: timelines are short
        if segment.start < moment:
            return segment.role
    return OUT


def role_counts_at(timelines: Iterable[CardTimeline], boundaries: Sequence[datetime]) -> list[dict[str, int]]:
    """For each boundary (ascending), how many cards had each role just before it.

    One look at every role change of every card: a change counts for every
    boundary after it, so it is added to the first of them (found by bisection)
    and the counts are running sums over the boundaries. The cost is the number
    of changes (times log of the number of boundaries) plus the number of
    boundaries, whatever the number of days.
    """
    # deltas[k][role]: the change in each role's count from boundary k - 1 to boundary k.
    deltas = [dict.fromkeys((*FLOW_ROLES, "ignore", DROPPED, OUT), 0) for _ in range(len(boundaries) + 1)]
    for timeline in timelines:
        previous = OUT
        for segment in timeline.segments:
            role = segment.role
            if role != previous:
                delta = deltas[bisect_right(boundaries, segment.start)]
                delta[previous] -= 1
                delta[role] += 1
                previous = role
    counts = dict.fromkeys(FLOW_ROLES, 0)
    result = []
    for delta in deltas[: len(boundaries)]:
        for role in FLOW_ROLES:
            counts[role] += delta[role]
        result.append(dict(counts))
    return result
