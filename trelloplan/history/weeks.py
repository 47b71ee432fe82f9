"""The week calendar of a report: the plan's weeks, or ISO weeks (Monday start), in one time zone.

Weeks are numbered by an integer index. For a plan, index 1 is the plan's
week 1 and the numbering carries on before and after the plan (index 0,
``Week 13``: ``in_plan`` is false for those). A week before the plan has no
plan number a person would say, so it is labelled by its ISO week
(``2026-W53``), never ``Week 0`` or ``Week -4``. For ISO weeks the index is
internal and the label is ``2026-W03``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UsageError
from ..plan.model import Plan

__all__ = ["WeekCalendar", "load_zone"]

_ISO_ORIGIN = date(1, 1, 1)  # a Monday
_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def load_zone(name: str | ZoneInfo | None, default: str = "UTC") -> ZoneInfo:
    """A time zone by IANA name; a bad name is a :class:`UsageError`."""
    if isinstance(name, ZoneInfo):
        return name
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}", hint="use an IANA zone name such as Europe/Paris, America/New_York or UTC"
        ) from None


@dataclass(frozen=True)
class WeekCalendar:
    """Seven-day weeks starting on ``origin`` (the first day of week index 1) in ``tz``."""

    tz: ZoneInfo
    origin: date
    kind: str
    plan_weeks: int = 0

    @classmethod
    def for_plan(cls, plan: Plan, tz: ZoneInfo | None = None) -> WeekCalendar:
        return cls(tz=tz or plan.tzinfo, origin=plan.start, kind="plan", plan_weeks=len(plan.weeks))

    @classmethod
    def iso(cls, tz: ZoneInfo) -> WeekCalendar:
        return cls(tz=tz, origin=_ISO_ORIGIN, kind="iso")

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def index_of(self, moment: datetime | date) -> int:
        day = self.local_date(moment) if isinstance(moment, datetime) else moment
        return (day - self.origin).days // 7 + 1

    def start(self, index: int) -> date:
        """The first day of week ``index``."""
        return self.origin + timedelta(days=7 * (index - 1))

    def end(self, index: int) -> date:
        """The last day of week ``index`` (inclusive)."""
        return self.start(index) + timedelta(days=6)

    def day_start(self, day: date) -> datetime:
        """Midnight at the start of ``day`` in the calendar's zone, as a UTC instant."""
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(timezone.utc)

    def start_instant(self, index: int) -> datetime:
        return self.day_start(self.start(index))

    def end_instant(self, index: int) -> datetime:
        """The first instant after week ``index`` (the next week's start)."""
        return self.start_instant(index + 1)

    def last_instant(self, index: int) -> datetime:
        """The last representable instant of week ``index``: what ``--week N`` reports as of."""
        return self.end_instant(index) - timedelta(microseconds=1)

    def in_plan(self, index: int) -> bool:
        return self.kind == "plan" and 1 <= index <= self.plan_weeks

    def label(self, index: int) -> str:
        if self.kind == "plan" and index >= 1:
            return f"Week {index}"
        year, week, _ = self.start(index).isocalendar()
        return f"{year}-W{week:02d}"

    def parse_week(self, text: str | int) -> int:
        """``3`` (a plan week) or ``2026-W03`` (an ISO week) → the week index."""
        if isinstance(text, int) or str(text).strip().isdigit():
            number = int(text)
            if self.kind != "plan":
                raise UsageError(
                    f"week {number} needs a plan to say which week {number} is",
                    hint="give the plan, or name an ISO week such as 2026-W03",
                )
            if not 1 <= number <= self.plan_weeks:
                raise UsageError(f"week {number} is not a week of the plan", hint=f"use a week from 1 to {self.plan_weeks}")
            return number
        match = _ISO_WEEK.match(str(text))
        if not match:
            raise UsageError(f"week {text!r} is not a week", hint="use a plan week number (3) or an ISO week (2026-W03)")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise UsageError(f"week {text!r} does not exist", hint=f"{year} has ISO weeks 1 to 52 or 53") from None
        return self.index_of(monday)
