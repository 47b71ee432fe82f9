"""Small formatting helpers shared by the report renderers (numbers, days, local times)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..history.schema import Percentiles, Report

__all__ = ["days", "local_day", "local_time", "pct", "percentile_line", "plural", "zone"]


def zone(report: Report) -> ZoneInfo:
    return ZoneInfo(report.timezone)


def local_time(report: Report, moment: datetime | None) -> str:
    """``2026-01-05 10:00`` in the report's zone; empty for None."""
    return moment.astimezone(zone(report)).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def local_day(report: Report, moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(zone(report)).date().isoformat()
    return moment.isoformat()


def days(value: float | None) -> str:
    """``2.5 d``; ``–`` when unknown."""
    return "–" if value is None else f"{value:.1f} d"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def percentile_line(values: Percentiles) -> str:
    """``p50 2.0 d · p85 4.5 d · p95 6.0 d (12 cards)``."""
    if not values.count:
        return "no completed cards yet"
    return f"p50 {days(values.p50)} · p85 {days(values.p85)} · p95 {days(values.p95)} ({plural(values.count, 'card')})"
