"""Flow metrics from card timelines: percentiles, durations, counts over time.

Pure functions of plain values. Durations are calendar days, fractional.
Percentiles use the nearest-rank method: the p-th percentile of n sorted
values is the value at rank ⌈p/100 · n⌉ (1-based), always one of the values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from operator import itemgetter

from .replay import OUT, CardTimeline
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


def days_between(start: datetime, end: datetime) -> float:
    """``end - start`` in days, rounded to 6 decimals (well under a second)."""
    return round((end - start) / timedelta(days=1), _DECIMALS)


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

    One sweep over every role change of every card, so the cost is the number
    of changes plus the number of boundaries, whatever the number of days.
    """
    changes: list[tuple[datetime, str, str]] = []
    append = changes.append
    for timeline in timelines:
        previous = OUT
        for segment in timeline.segments:
            role = segment.role
            if role != previous:
                append((segment.start, previous, role))
                previous = role
    changes.sort(key=itemgetter(0))
    counts = dict.fromkeys((*FLOW_ROLES, "ignore", OUT), 0)
    result = []
    index = 0
    total = len(changes)
    for boundary in boundaries:
        while index < total and changes[index][0] < boundary:
            _, old, new = changes[index]
            counts[old] -= 1
            counts[new] += 1
            index += 1
        result.append({role: counts[role] for role in FLOW_ROLES})
    return result
