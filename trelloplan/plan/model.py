"""The plan: weeks, milestones, demos and tasks, as frozen values.

A :class:`Plan` is what a validated plan file means. It knows the calendar
(each week's dates and due time in the plan's time zone) but nothing about
Trello ids; :mod:`trelloplan.plan.planfile` builds it, the differ and the reports
read it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import PlanProblem

__all__ = [
    "BASE_COLORS",
    "LABEL_COLORS",
    "ListNames",
    "Plan",
    "Task",
    "Week",
    "default_demo_color",
    "demo_key",
    "derive_key",
    "key_stem",
    "key_week",
    "slugify",
    "week_color",
    "week_key",
]

BASE_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
LABEL_COLORS = frozenset(
    BASE_COLORS + tuple(f"{c}_light" for c in BASE_COLORS) + tuple(f"{c}_dark" for c in BASE_COLORS)
)
# Week labels walk Trello's base colours first, then their dark variants, so a
# 12-week plan never repeats a colour and every one is visible on the card front.
_WEEK_COLOR_CYCLE = BASE_COLORS + tuple(f"{c}_dark" for c in BASE_COLORS)


def week_color(number: int) -> str:
    """The default label colour of week ``number`` (1-based)."""
    return _WEEK_COLOR_CYCLE[(number - 1) % len(_WEEK_COLOR_CYCLE)]


def default_demo_color(week_colors: Iterable[str | None]) -> str:
    """The demo label's default colour: dark red, or the first colour no week label uses."""
    used = set(week_colors)
    return next((color for color in _DEMO_COLOR_PREFERENCE if color not in used), "red_dark")


_DEMO_COLOR_PREFERENCE = ("red_dark", *_WEEK_COLOR_CYCLE, *(f"{c}_light" for c in BASE_COLORS))

# Task identity. A task's default key is its name's slug (``set-up-bigquery``), so
# the card stays the task's card when the task moves to another week. Tasks whose
# slugs collide get the week-qualified form (``w3-set-up-bigquery``), which is also
# the key every task had before 0.2; a week's demo is always ``w3-demo``.
_WEEK_PREFIX = re.compile(r"^w([0-9]+)-(.+)$")


def slugify(name: str) -> str:
    """``Set up BigQuery!`` → ``set-up-bigquery`` (ASCII, at most 60 characters)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].rstrip("-")
    return slug or "task"


def derive_key(name: str) -> str:
    """The default key of a task named ``name``: its slug, whatever its week."""
    return slugify(name)


def week_key(week: int, name: str) -> str:
    """The week-qualified key ``w3-set-up-bigquery``: for tasks whose names collide, and the pre-0.2 default."""
    return f"w{week}-{slugify(name)}"


def demo_key(week: int) -> str:
    return f"w{week}-demo"


def key_stem(key: str) -> str | None:
    """The name slug a key stands for, for matching cards to tasks whose key was derived.

    ``w3-set-up-bigquery`` and ``set-up-bigquery`` both stand for ``set-up-bigquery``;
    a demo key (``w3-demo``) stands for no task name (None).
    """
    match = _WEEK_PREFIX.match(key)
    if match is None:
        return key
    return None if match.group(2) == "demo" else match.group(2)


def key_week(key: str) -> int | None:
    """The week named in a week-qualified key, or None."""
    match = _WEEK_PREFIX.match(key)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class ListNames:
    """The names of the three lists a plan's board uses."""

    todo: str = "To Do"
    in_progress: str = "In Progress"
    done: str = "Done"

    def roles(self) -> dict[str, str]:
        """Map each list name to its role (``todo``, ``in_progress``, ``done``)."""
        return {self.todo: "todo", self.in_progress: "in_progress", self.done: "done"}

    def ordered(self) -> tuple[str, str, str]:
        return (self.todo, self.in_progress, self.done)


@dataclass(frozen=True)
class Task:
    """One card the plan asks for: a task of a week, or the week's demo.

    ``slug`` is set when the key was derived from the name (no ``key:`` in the
    plan): such a task also claims a card whose key is the other form of the
    same slug (``w3-…`` or bare), so boards made before 0.2 keep their cards.
    """

    key: str
    name: str
    week: int
    hours: float
    desc: str = ""
    checklist: tuple[str, ...] = ()
    demo: bool = False
    members: tuple[str, ...] = ()
    slug: str | None = None
    line: int | None = field(default=None, compare=False)
    file: str | None = field(default=None, compare=False)  # where ``line`` is, when not in the plan's own file


@dataclass(frozen=True)
class Week:
    """One planned week: its milestone, its demo and its tasks, with its dates."""

    number: int
    milestone: str
    demo: Task
    tasks: tuple[Task, ...]
    label: str
    label_color: str | None
    start: date
    end: date
    due: datetime

    @property
    def cards(self) -> tuple[Task, ...]:
        """Every card of the week: the tasks, then the demo."""
        return self.tasks + (self.demo,)

    @property
    def planned_hours(self) -> float:
        return sum(task.hours for task in self.cards)


@dataclass(frozen=True)
class Plan:
    """A validated plan. Build one with :func:`trelloplan.load_plan`."""

    project: str
    start: date
    timezone: str
    hours_per_task: float
    lists: ListNames
    weeks: tuple[Week, ...]
    demo_label: str = "Demo"
    demo_label_color: str | None = "red_dark"
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    due_time: time = time(17, 0)
    workspace: str | None = None  # the Trello workspace (id or name) a new board goes into
    source: str | None = None
    warnings: tuple[PlanProblem, ...] = field(default=(), compare=False)
    members: tuple[str, ...] = ()
    member_lines: Mapping[str, str] = field(default_factory=dict, compare=False)  # username → where it is written

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def end(self) -> date:
        """The last day of the last week."""
        return self.weeks[-1].end if self.weeks else self.start

    def tasks(self) -> Iterator[Task]:
        """Every card of the plan, week by week, demos included."""
        for week in self.weeks:
            yield from week.cards

    def task(self, key: str) -> Task:
        for task in self.tasks():
            if task.key == key:
                return task
        raise KeyError(key)

    @cached_property
    def _by_stem(self) -> dict[str, list[Task]]:
        index: dict[str, list[Task]] = {}
        for task in self.tasks():
            if task.slug is not None:
                index.setdefault(task.slug, []).append(task)
        return index

    @cached_property
    def _by_key(self) -> dict[str, Task]:
        return {task.key: task for task in self.tasks()}

    def find_task(self, key: str, week: int | None = None) -> Task | None:
        """The task a card's key (its ``trelloplan-key:`` marker) belongs to, or None.

        The task with exactly that key; else, for a key of the other form
        (``w3-slug`` / ``slug``), the task whose key was derived from that slug:
        the one in ``week`` (default: the week the key names), else the first.
        """
        exact = self._by_key.get(key)
        if exact is not None:
            return exact
        stem = key_stem(key)
        candidates = self._by_stem.get(stem, []) if stem else []
        if not candidates:
            return None
        week = week if week is not None else key_week(key)
        return next((task for task in candidates if task.week == week), candidates[0])

    def where(self, task: Task) -> str:
        """Where ``task`` is written: ``plan.yaml:12``, or the file it was added from (a cohort team's own tasks)."""
        file = task.file or self.source or "the plan"
        return f"{file}:{task.line}" if task.line else file

    def member_where(self, username: str) -> str:
        """Where ``username`` of the plan's ``members:`` is written (``plan.yaml:4:12``, or the cohort file's)."""
        return self.member_lines.get(username) or self.source or "the plan"

    def week(self, number: int) -> Week:
        if not 1 <= number <= len(self.weeks):
            raise KeyError(number)
        return self.weeks[number - 1]

    def week_of(self, moment: datetime | date) -> int | None:
        """The number of the plan week holding ``moment`` (in the plan's zone), or None."""
        day = moment.astimezone(self.tzinfo).date() if isinstance(moment, datetime) else moment
        offset = (day - self.start).days
        if offset < 0 or offset >= 7 * len(self.weeks):
            return None
        return offset // 7 + 1

    @property
    def planned_hours(self) -> float:
        return sum(week.planned_hours for week in self.weeks)


def week_dates(start: date, number: int, workdays: tuple[int, ...], due_time: time, tz: ZoneInfo) -> tuple[date, date, datetime]:
    """First day, last day and due moment of week ``number`` of a plan starting on ``start``.

    The due moment is the week's last working day at ``due_time``, local to ``tz``.
    """
    first = start + timedelta(days=7 * (number - 1))
    last = first + timedelta(days=6)
    due_day = max((first + timedelta(days=i) for i in range(7) if (first + timedelta(days=i)).weekday() in workdays), default=last)
    return first, last, datetime.combine(due_day, due_time, tzinfo=tz)
