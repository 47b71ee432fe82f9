"""The report's cards as CSV: one row per card on the board, with its stage dates.

Times are local to the report's zone with their UTC offset
(``2026-01-05T10:00:00+01:00``), so spreadsheets and flow tools read them
unambiguously. The columns are :data:`COLUMNS`. An empty ``started`` or
``done`` with ``start_unknown``/``done_unknown`` true is a time before the
history; ``history_window`` (the same on every row) is the span the history
shows, as an ISO 8601 interval.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from ..history.schema import Report
from .formatting import zone

__all__ = ["COLUMNS", "render_csv"]

COLUMNS = (
    "id", "name", "role", "list", "week", "key", "labels", "members", "closed", "created", "created_from_id",
    "started", "done", "completed_week", "cycle_time_days", "lead_time_days", "age_days", "hours", "demo", "url",
    "start_unknown", "done_unknown", "dropped_at", "history_window",
)


def render_csv(report: Report) -> str:
    tz = zone(report)
    names = {member.id: member.name for member in report.members}

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else ""

    def value(item: object) -> str:
        if item is None:
            return ""
        if isinstance(item, bool):
            return "true" if item else "false"
        return str(item)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    window = report.history
    span = f"{when(window.first)}/{when(window.last)}" if window.first and window.last else ""
    writer.writerow(COLUMNS)
    for card in report.cards:
        writer.writerow([
            card.id, card.name, card.role, card.list, value(card.week), value(card.key), ";".join(card.labels),
            ";".join(names.get(m, m) for m in card.members), value(card.closed), when(card.created),
            value(card.created_from_id), when(card.started), when(card.done), value(card.completed_week),
            value(card.cycle_time_days), value(card.lead_time_days), value(card.age_days), value(card.hours),
            value(card.demo), value(card.url),
            value(card.start_unknown), value(card.done_unknown), when(card.dropped_at), span,
        ])
    return out.getvalue()
