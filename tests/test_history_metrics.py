"""Percentiles by nearest rank, durations in days, and counts over time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trelloplan.history.metrics import days_between, nearest_rank, percentiles, role_at, role_counts_at
from trelloplan.history.replay import OUT, CardTimeline, Segment

T0 = datetime(2027, 1, 4, tzinfo=timezone.utc)


def test_nearest_rank_is_always_one_of_the_values() -> None:
    values = [15, 20, 35, 40, 50]
    assert [nearest_rank(values, p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]
    twenty = list(range(1, 21))
    assert nearest_rank(twenty, 85) == 17 and nearest_rank(twenty, 95) == 19 and nearest_rank(twenty, 50) == 10
    assert nearest_rank([7.0], 1) == 7.0 and nearest_rank([1, 2, 3], 66.7) == 3
    with pytest.raises(ValueError):
        nearest_rank([], 50)
    with pytest.raises(ValueError):
        nearest_rank([1], 0)


def test_percentiles() -> None:
    p = percentiles([3.0, 1.0, 2.0, 10.0])
    assert (p.count, p.p50, p.p85, p.p95) == (4, 2.0, 10.0, 10.0)
    empty = percentiles([])
    assert (empty.count, empty.p50, empty.p85, empty.p95) == (0, None, None, None)


def test_days_between_is_fractional_calendar_days() -> None:
    assert days_between(T0, T0 + timedelta(days=2, hours=12)) == 2.5
    assert days_between(T0, T0 + timedelta(hours=1)) == 0.041667
    assert days_between(T0 + timedelta(days=1), T0) == -1.0


def timeline(*segments: tuple[float, str]) -> CardTimeline:
    segs = tuple(Segment(T0 + timedelta(days=d), None, role) for d, role in segments)
    return CardTimeline(id="c", name="c", created=segs[0].start, created_from_id=False, segments=segs, started=None,
                        done=None, closed=False, role=segs[-1].role, on_board=segs[-1].role != OUT)


def test_role_at_looks_just_before_the_moment() -> None:
    t = timeline((0, "todo"), (1, "in_progress"), (2, "done"))
    assert role_at(t, T0) == OUT
    assert role_at(t, T0 + timedelta(hours=1)) == "todo"
    assert role_at(t, T0 + timedelta(days=1)) == "todo"  # a change at the moment itself is not yet in
    assert role_at(t, T0 + timedelta(days=5)) == "done"


def test_role_counts_sweep_every_change_once() -> None:
    cards = [timeline((0, "todo"), (1, "in_progress"), (2, "done")), timeline((0.5, "in_progress"), (1.5, OUT)),
             timeline((1, "ignore"), (3, "todo"))]
    boundaries = [T0 + timedelta(days=d) for d in (0.25, 1.25, 1.75, 2.5, 4)]
    assert role_counts_at(cards, boundaries) == [
        {"todo": 1, "in_progress": 0, "done": 0},
        {"todo": 0, "in_progress": 2, "done": 0},
        {"todo": 0, "in_progress": 1, "done": 0},
        {"todo": 0, "in_progress": 0, "done": 1},
        {"todo": 1, "in_progress": 0, "done": 1},
    ]
