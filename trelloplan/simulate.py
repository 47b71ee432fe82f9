"""A believable team working through a plan: the card moves the demo replays on the sandbox.

Pure and seeded: the same plan, moment and seed give the same moves. Each
person works on one card at a time, in working hours, taking the week's tasks
in turn; a task takes one to three working days end to end, and now and then
one is blocked for days, so work slips into the next week and the people
behind it start late. The demo is recorded on the week's last working day,
once most of the week's work is done. One finished card is reopened and
finished again, and one card goes straight from To Do to Done.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .plan.model import Plan, Week

__all__ = ["Move", "simulate_team"]

DAY_START, DAY_END = time(9, 0), time(17, 0)


@dataclass(frozen=True)
class Move:
    """At ``at``, ``member`` moves the card of task ``key`` to the list with ``role``."""

    at: datetime
    key: str
    role: str
    member: str


class _Calendar:
    """Working hours in the plan's zone: moments are moved into them, durations counted in them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def open_at(self, moment: datetime) -> datetime:
        """The first working moment at or after ``moment``."""
        local = moment.astimezone(self.plan.tzinfo)
        while True:
            if local.weekday() in self.plan.workdays:
                start = local.replace(hour=DAY_START.hour, minute=DAY_START.minute, second=0, microsecond=0)
                end = local.replace(hour=DAY_END.hour, minute=DAY_END.minute, second=0, microsecond=0)
                if local < start:
                    return start
                if local < end:
                    return local
            local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)

    def add(self, moment: datetime, hours: float) -> datetime:
        """``hours`` of working time after ``moment``."""
        at, left = self.open_at(moment), timedelta(hours=hours)
        while True:
            end = at.replace(hour=DAY_END.hour, minute=DAY_END.minute, second=0, microsecond=0)
            if at + left <= end:
                return at + left
            left -= end - at
            at = self.open_at(end + timedelta(minutes=1))


def _week_start(plan: Plan, week: Week) -> datetime:
    return datetime.combine(week.start, DAY_START, tzinfo=plan.tzinfo)


def simulate_team(plan: Plan, *, until: datetime, members: list[str], seed: int = 7) -> list[Move]:
    """The moves a team of ``members`` makes on the plan's board up to ``until``, in time order."""
    if not members:
        raise ValueError("simulate_team needs at least one member")
    rng = random.Random(seed)
    calendar = _Calendar(plan)
    free = {member: _week_start(plan, plan.weeks[0]) for member in members}
    moves: list[Move] = []
    for week in plan.weeks:
        finished: list[datetime] = []
        for task in week.tasks:
            member = min(members, key=lambda m: (free[m], rng.random()))
            start = calendar.open_at(max(free[member], _week_start(plan, week)) + timedelta(minutes=rng.randrange(5, 90, 5)))
            effort = rng.uniform(9, 27) * task.hours / plan.hours_per_task  # working hours, meetings and reviews included
            if rng.random() < 0.15:
                effort += rng.uniform(16, 40)  # blocked, or underestimated
            done = calendar.add(start, effort)
            moves += [Move(start, task.key, "in_progress", member), Move(done, task.key, "done", member)]
            free[member] = done
            finished.append(done)
        recorder = members[week.number % len(members)]
        last_day = datetime.combine(week.due.astimezone(plan.tzinfo).date(), time(10, 0), tzinfo=plan.tzinfo)
        most = sorted(finished)[max(0, len(finished) - 2)] if finished else last_day
        start = calendar.open_at(max(last_day, most))
        moves += [Move(start, week.demo.key, "in_progress", recorder), Move(calendar.add(start, 2), week.demo.key, "done", recorder)]
    moves.sort(key=lambda m: (m.at, m.key, m.role))
    completions = [m for m in moves if m.role == "done" and not m.key.endswith("-demo") and m.at + timedelta(days=3) < until]
    if completions:
        reopened = completions[len(completions) // 3]
        back = calendar.add(reopened.at, 8)
        moves += [Move(back, reopened.key, "in_progress", reopened.member),
                  Move(calendar.add(back, 3), reopened.key, "done", reopened.member)]
    started = [m for m in moves if m.role == "in_progress" and not m.key.endswith("-demo")]
    if len(started) > 2:
        skipper = started[2].key
        moves = [m for m in moves if not (m.key == skipper and m.role == "in_progress")]
    moves = [m for m in moves if m.at <= until]
    moves.sort(key=lambda m: (m.at, m.key, m.role))
    return moves
