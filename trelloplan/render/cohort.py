"""The cohort overview in words: the cells every format shows, and the one call that renders a format.

Pure: an :class:`~trelloplan.cohort.overview.Overview` (or one of its rows) in, text out. The
text, Markdown, HTML and email renderers all take their cells from here, so a team reads the
same in each.
"""

from __future__ import annotations

from ..cohort.overview import Overview, TeamRow
from ..errors import UsageError
from .status import STAGE_TEXT, STATUS_LABELS, format_day, format_instant_local

__all__ = [
    "OVERVIEW_FORMATS",
    "aging_text",
    "demo_text",
    "done_text",
    "forecast_text",
    "headline",
    "milestone_text",
    "render_overview",
    "status_text",
    "week_position",
]

OVERVIEW_FORMATS = ("text", "json", "markdown", "html")
DEMO_TEXT = {"done": "done", "not_done": "not done", "not_yet_due": "not yet due"}


def status_text(row: TeamRow) -> str:
    return "no report" if row.status == "error" else STATUS_LABELS.get(row.status, row.status)


def done_text(row: TeamRow, *, short: bool = False) -> str:
    """``23/60 (38%)``: planned cards done of planned (``23/60 38%`` when ``short``)."""
    if row.planned is None or row.done is None:
        return "–"
    if row.pct_done is None:
        return f"{row.done}/{row.planned}"
    return f"{row.done}/{row.planned} {row.pct_done:.0f}%" if short else f"{row.done}/{row.planned} ({row.pct_done:.0f}%)"


def milestone_text(row: TeamRow, *, short: bool = False) -> str:
    """``W5 3/6 in progress`` (``W5 3/6`` when ``short``); ``starts 11 Jan 2027`` before the team's first week,
    ``plan ended`` after its last."""
    if row.milestone is None:
        if row.phase == "before" and row.plan_start is not None:
            day = format_day(row.plan_start)
            return f"starts {day.rsplit(' ', 1)[0] if short else day}"
        return "plan ended" if row.phase == "after" else row.week_label or "–"
    cell = row.milestone
    text = f"W{cell.number} {cell.done}/{cell.planned}"
    return text if short else f"{text} {STAGE_TEXT.get(cell.status or '', cell.status or '')}".strip()


def demo_text(row: TeamRow) -> str:
    if row.demo is None:
        return "–"
    return DEMO_TEXT.get(row.demo.state, row.demo.state)


def aging_text(row: TeamRow) -> str:
    """``1 of 3``: aging cards of those in progress."""
    if row.in_progress is None or row.aging is None:
        return "–"
    return f"{row.aging} of {row.in_progress}"


def forecast_text(row: TeamRow, *, short: bool = False) -> str:
    """``15 Mar 2027 (+7 d)``: the 85% date and how far past the plan's last day it is (``15 Mar +7 d`` when ``short``)."""
    cell = row.forecast
    if cell is None:
        return "–"
    if cell.status == "ok" and cell.date_85 is not None:
        late = cell.days_late or 0
        day = format_day(cell.date_85)
        if short:
            day = day.rsplit(" ", 1)[0] if cell.date_85.year == cell.plan_end.year else day
            return f"{day} {late:+d} d" if late else f"{day} on time"
        return f"{day} ({late:+d} d)" if late else f"{day} (on time)"
    return {"done": "all done", "no_history": "not yet", "too_few_weeks": "not yet", "no_throughput": "stalled",
            "beyond_horizon": "years away"}.get(cell.status, cell.status.replace("_", " "))


def week_position(overview: Overview) -> str:
    """``week 5 of 10``, ``before the plan``, ``after the plan``."""
    if overview.week is not None:
        return f"week {overview.week} of {overview.weeks}"
    if overview.phase == "before":
        return f"before the plan (it starts {format_day(overview.plan_start)})"
    return overview.week_label


def headline(overview: Overview) -> str:
    """``CS 512 Fall: week 5 of 10, 1 behind, 1 at risk, 1 on track`` (the overview email's subject)."""
    words = {"error": "without a report", "behind": "behind", "at_risk": "at risk", "on_track": "on track", "no_plan": "without a plan"}
    parts = [f"{count} {words[status]}" for status, count in overview.counts.items() if count]
    teams = len(overview.teams)
    return f"{overview.title}: {week_position(overview)}, {teams} team{'s' if teams != 1 else ''}" + (
        f" ({', '.join(parts)})" if parts else "")


def as_of_text(overview: Overview) -> str:
    return format_instant_local(overview.as_of, overview.timezone)


def render_overview(overview: Overview, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    """``overview`` in ``fmt`` (one of :data:`OVERVIEW_FORMATS`); ``color`` and ``width`` apply to text only."""
    if fmt == "text":
        from .cohort_text import render_overview_text

        return render_overview_text(overview, color=color, width=width)
    if fmt == "json":
        import json

        return json.dumps(overview.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from .cohort_markdown import render_overview_markdown

        return render_overview_markdown(overview)
    if fmt == "html":
        from .cohort_html import render_overview_html

        return render_overview_html(overview)
    raise UsageError(f"unknown overview format {fmt!r}", hint=f"use one of: {', '.join(OVERVIEW_FORMATS)}")
