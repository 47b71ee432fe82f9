"""A believable team working through a plan: the card moves the demo replays on the sandbox.

Pure and seeded: the same plan, moment and seed give the same moves. Each
week's tasks are started on working days and finished a few hours to a few
days later; some slip into the next week; the demo is recorded on the week's
last working day; one finished card is reopened and finished again, and one
card goes straight from To Do to Done.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .plan import Plan, Task

__all__ = ["Move", "simulate_team"]


@dataclass(frozen=True)
class Move:
    """At ``at``, ``member`` moves the card of task ``key`` to the list with ``role``."""

    at: datetime
    key: str
    role: str
    member: str


def _working_moment(plan: Plan, day: datetime, rng: random.Random) -> datetime:
    local = datetime.combine(day.date(), time(9, 0), tzinfo=plan.tzinfo) + timedelta(minutes=rng.randrange(0, 7 * 60, 5))
    return local


def _work_days(plan: Plan, week_number: int) -> list[datetime]:
    week = plan.week(week_number)
    days = [week.start + timedelta(days=i) for i in range(7)]
    return [datetime.combine(d, time(9, 0), tzinfo=plan.tzinfo) for d in days if d.weekday() in plan.workdays]


def _task_moves(plan: Plan, task: Task, member: str, rng: random.Random, slow: bool) -> list[Move]:
    days = _work_days(plan, task.week)
    if task.demo:
        start = datetime.combine(days[-1].date(), time(10, 0), tzinfo=plan.tzinfo)
        late = timedelta(days=3) if slow else timedelta(0)
        return [Move(start + late, task.key, "in_progress", member), Move(start + late + timedelta(hours=4, minutes=30), task.key, "done", member)]
    start = _working_moment(plan, days[min(len(days) - 1, int(rng.triangular(0, len(days), 0)))], rng)
    hours = rng.uniform(3, 20) * task.hours / plan.hours_per_task
    if slow or rng.random() < 0.12:
        hours += rng.uniform(40, 110)  # blocked, or underestimated: it slips into the next week
    return [Move(start, task.key, "in_progress", member), Move(start + timedelta(hours=hours), task.key, "done", member)]


def simulate_team(plan: Plan, *, until: datetime, members: list[str], seed: int = 7) -> list[Move]:
    """The moves a team of ``members`` makes on the plan's board up to ``until``, in time order."""
    if not members:
        raise ValueError("simulate_team needs at least one member")
    rng = random.Random(seed)
    moves: list[Move] = []
    slow_week = 3 if len(plan.weeks) >= 4 else None  # one week goes badly, as one always does
    for week in plan.weeks:
        for task in week.cards:
            member = members[rng.randrange(len(members))]
            moves.extend(_task_moves(plan, task, member, rng, slow=week.number == slow_week and rng.random() < 0.5))
    moves.sort(key=lambda m: (m.at, m.key, m.role))
    done = [m for m in moves if m.role == "done" and not m.key.endswith("-demo") and m.at + timedelta(days=2) < until]
    if done:
        reopened = done[len(done) // 3]
        back = reopened.at + timedelta(days=1)
        moves += [Move(back, reopened.key, "in_progress", reopened.member),
                  Move(back + timedelta(hours=6), reopened.key, "done", reopened.member)]
    started = [m for m in moves if m.role == "in_progress" and not m.key.endswith("-demo")]
    if len(started) > 4:
        skipper = started[4]
        moves = [m for m in moves if not (m.key == skipper.key and m.role == "in_progress")]
    moves = [m for m in moves if m.at <= until]
    moves.sort(key=lambda m: (m.at, m.key, m.role))
    return moves
