"""The report as CSV: one row per card with its stage dates (``cards``), or one row per week (``weeks``).

Times are local to the report's zone with their UTC offset
(``2026-01-05T10:00:00+01:00``), so spreadsheets and flow tools read them
unambiguously; week bounds are local days. The columns are :data:`COLUMNS`
and :data:`WEEK_COLUMNS`. Every cell goes through :func:`.safe.csv_cell`: a
card named ``=HYPERLINK(…)`` is shown as text by a spreadsheet, never run.

An empty ``started`` or ``done`` with ``start_unknown``/``done_unknown`` true
is a time before the history; ``history_window`` (the same on every row) is
the span the history shows, as an ISO 8601 interval. A week's ``observed``
(``none``, ``part``, ``whole``) says how much of it the history shows: a week
with ``none`` has empty counts ("no data"), never zeros.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from ..errors import UsageError
from ..history.schema import Report
from .formatting import zone
from .safe import csv_cell

__all__ = ["COLUMNS", "CSV_TABLES", "WEEK_COLUMNS", "render_csv", "render_csv_weeks"]

COLUMNS = (
    "id", "name", "role", "list", "week", "key", "labels", "members", "closed", "created", "created_from_id",
    "started", "done", "completed_week", "cycle_time_days", "lead_time_days", "age_days", "hours", "demo", "url",
    "start_unknown", "done_unknown", "dropped_at", "history_window",
)
WEEK_COLUMNS = (
    "week", "number", "start", "end", "in_plan", "milestone", "milestone_status", "planned", "done", "in_progress",
    "todo", "pct_done", "hours_done", "hours_total", "completed", "partial", "scope", "done_total", "demo",
    "demo_status", "observed",
)
#: What ``report --format csv --csv TABLE`` writes: a row per card, or a row per week.
CSV_TABLES = ("cards", "weeks")


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


def render_csv(report: Report, table: str = "cards") -> str:
    """``table`` is ``cards`` (the default: a row per card) or ``weeks`` (:func:`render_csv_weeks`)."""
    if table == "weeks":
        return render_csv_weeks(report)
    if table != "cards":
        raise UsageError(f"unknown CSV table {table!r}", hint=f"use one of: {', '.join(CSV_TABLES)}")
    tz = zone(report)
    names = {member.id: member.name for member in report.members}

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else ""

    window = report.history
    span = f"{when(window.first)}/{when(window.last)}" if window.first and window.last else ""
    return _write(COLUMNS, ([
        card.id, card.name, card.role, card.list, card.week, card.key, ";".join(card.labels),
        ";".join(names.get(m, m) for m in card.members), card.closed, when(card.created),
        card.created_from_id, when(card.started), when(card.done), card.completed_week,
        card.cycle_time_days, card.lead_time_days, card.age_days, card.hours, card.demo, card.url,
        card.start_unknown, card.done_unknown, when(card.dropped_at), span,
    ] for card in report.cards))


def render_csv_weeks(report: Report) -> str:
    """One row per week of the report's calendar: the plan's numbers, throughput and burn-up.

    ``completed`` is the week's throughput (``partial`` for the week in
    progress); ``scope`` and ``done_total`` are the burn-up at the week's end.
    The plan columns are empty without a plan.
    """
    rows: dict[str, list[object]] = {}
    for week in report.weeks:
        rows[week.label] = [
            week.label, week.number, week.start.isoformat(), week.end.isoformat(), week.in_plan, week.milestone,
            week.milestone_status, week.planned, week.done, week.in_progress, week.todo, week.pct_done,
            week.hours_done, week.hours_total, week.completed, None, None, None,
            week.demo.name if week.demo else None, week.demo.status if week.demo else None, week.observed,
        ]
    for flow in report.throughput:  # weeks outside the plan that saw work
        rows.setdefault(flow.label, [flow.label, None, flow.start.isoformat(), flow.end.isoformat(), False,
                                     *[None] * 9, flow.completed, None, None, None, None, None, flow.observed])[15] = flow.partial
    for point in report.burn_up:
        if point.label in rows:
            rows[point.label][16:18] = [point.scope, point.done]
    return _write(WEEK_COLUMNS, sorted(rows.values(), key=lambda row: str(row[2])))
