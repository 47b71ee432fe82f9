"""The week calendar: plan weeks and ISO weeks, in a zone, with DST."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from trelloplan.errors import UsageError
from trelloplan.history.weeks import WeekCalendar, load_zone


def test_iso_weeks_start_on_monday_in_the_zone() -> None:
    paris = WeekCalendar.iso(ZoneInfo("Europe/Paris"))
    sunday_night_utc = datetime(2027, 1, 10, 23, 30, tzinfo=timezone.utc)  # Monday 00:30 in Paris
    index = paris.index_of(sunday_night_utc)
    assert paris.label(index) == "2027-W02" and paris.start(index) == date(2027, 1, 11)
    assert WeekCalendar.iso(ZoneInfo("UTC")).label(WeekCalendar.iso(ZoneInfo("UTC")).index_of(sunday_night_utc)) == "2027-W01"
    assert paris.start_instant(index) == datetime(2027, 1, 10, 23, tzinfo=timezone.utc)
    assert paris.label(paris.parse_week("2027-W02")) == "2027-W02" and paris.parse_week("2026w53") == index - 2


def test_a_week_over_a_dst_change_still_ends_at_local_midnight() -> None:
    paris = WeekCalendar.iso(ZoneInfo("Europe/Paris"))
    index = paris.parse_week("2027-W12")  # 22–28 March 2027; clocks go forward on the 28th
    assert paris.end_instant(index) == datetime(2027, 3, 28, 22, tzinfo=timezone.utc)  # 00:00 CEST
    assert paris.start_instant(index) == datetime(2027, 3, 21, 23, tzinfo=timezone.utc)  # 00:00 CET


def test_plan_weeks_carry_on_before_and_after_the_plan() -> None:
    calendar = WeekCalendar(tz=ZoneInfo("UTC"), origin=date(2027, 1, 6), kind="plan", plan_weeks=10)  # a Wednesday
    assert calendar.index_of(date(2027, 1, 12)) == 1 and calendar.index_of(date(2027, 1, 13)) == 2
    assert calendar.label(-3) == "2026-W50" and calendar.label(0) == "2026-W53" and not calendar.in_plan(0) and calendar.in_plan(10) and not calendar.in_plan(11)
    assert calendar.parse_week("3") == 3 == calendar.parse_week(3)
    assert calendar.last_instant(1) == datetime(2027, 1, 12, 23, 59, 59, 999999, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["0", "11", "W3", "2027-W60", "next week"])
def test_bad_weeks(text: str) -> None:
    calendar = WeekCalendar(tz=ZoneInfo("UTC"), origin=date(2027, 1, 4), kind="plan", plan_weeks=10)
    with pytest.raises(UsageError):
        calendar.parse_week(text)


def test_zones() -> None:
    assert load_zone(None).key == "UTC" and load_zone("Asia/Tokyo").key == "Asia/Tokyo"
    for bad in ("Mars/Base", "../etc/passwd", "Europe/"):
        with pytest.raises(UsageError, match="unknown time zone"):
            load_zone(bad)
