"""The one-line status, the headline and the week's sections the HTML page and the email share.

Everything here is pure: a :class:`~trelloplan.history.schema.Report` in,
plain values out. The status rule is documented in docs/report-html.md; keep
the two in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..history.forecast import MIN_WEEKS
from ..history.schema import CardRow, Finding, Report, ThroughputWeek, WeekRow
from .safe import safe_url

__all__ = [
    "FINDING_TEXT",
    "NO_DATA",
    "STAGE_TEXT",
    "STATUS_LABELS",
    "Status",
    "as_of_note",
    "completed_text",
    "finding_subject",
    "forecast_text",
    "format_day",
    "format_days",
    "format_instant_local",
    "format_span",
    "full_week_average",
    "headline",
    "history_text",
    "in_progress_cards",
    "member_names",
    "milestone_line",
    "next_week_cards",
    "next_week_label",
    "number_rows",
    "plan_end",
    "plan_weeks",
    "project_name",
    "report_status",
    "safe_url",
    "starts_text",
    "week_note",
    "week_position",
]

STATUS_LABELS = {"on_track": "on track", "at_risk": "at risk", "behind": "behind", "no_plan": "no plan"}

#: The forecast counts towards the status only once it samples this many full weeks (the forecast's own minimum).
MIN_FORECAST_WEEKS = MIN_WEEKS
#: What a week that ended before the history begins shows instead of a number.
NO_DATA = "no data"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Status:
    """``level`` is ``on_track``, ``at_risk``, ``behind`` or ``no_plan``; ``reason`` says why in one line."""

    level: str
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.level]


def format_day(day: date | None) -> str:
    """``8 Apr 2027``, the same in every locale (``%b`` follows the C library's locale)."""
    if day is None:
        return "–"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_span(start: date, end: date) -> str:
    """``25–31 Jan 2027``, ``25 Jan – 7 Feb 2027``, ``28 Dec 2026 – 3 Jan 2027``."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{format_day(end)}"
    if start.year == end.year:
        return f"{format_day(start).rsplit(' ', 1)[0]} \u2013 {format_day(end)}"
    return f"{format_day(start)} \u2013 {format_day(end)}"


def format_days(value: float | None) -> str:
    """A duration in days for people: ``1.4 d``; ``–`` when there is none."""
    return "–" if value is None else f"{value:.1f} d"


def format_instant_local(moment: datetime, zone: str) -> str:
    """An instant in the report's zone: ``28 Jan 2027 15:00 UTC``."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = moment
    return f"{format_day(local.date())} {local:%H:%M} {local.tzname() or zone}"


def plan_weeks(report: Report) -> tuple[WeekRow, ...]:
    """The weeks of the plan, in order (empty without a plan)."""
    return tuple(row for row in report.weeks if row.in_plan and row.number is not None)


def plan_end(report: Report) -> date | None:
    """The last day of the plan's last week."""
    weeks = plan_weeks(report)
    return max(row.end for row in weeks) if weeks else None


def starts_text(report: Report) -> str | None:
    """``starts Mon 4 Jan 2027 (in 33 days)`` when the reported week has not begun at the as-of moment, else None."""
    week = report.week
    if week.phase != "not_begun":
        return None
    days = week.starts_in_days
    when = "" if days is None else f" (in {days} day{'s' if days != 1 else ''})"
    return f"starts {_WEEKDAYS[week.start.weekday()]} {format_day(week.start)}{when}"


def week_position(report: Report) -> str:
    """``week 4 of 10`` inside a plan; the week's label otherwise (``2026-W03``, ``Week 12``).

    Before the plan starts: ``starts Mon 4 Jan 2027 (in 33 days)``; a later
    week that has not begun: ``week 5 of 10, starts Mon 1 Feb 2027 (in 12 days)``.
    """
    weeks = plan_weeks(report)
    starts = starts_text(report)
    if weeks and report.week.number is not None:
        if starts and report.week.number == 1:
            return starts
        return f"week {report.week.number} of {len(weeks)}" + (f", {starts}" if starts else "")
    return report.week.label + (f", {starts}" if starts else "")


def history_text(report: Report) -> str:
    """The observed window in one phrase: ``history from 16 Jan 2020 22:15 UTC to 29 May 2020 21:01 UTC (67 actions; …)``."""
    window = report.history
    if window.first is None or window.last is None:
        return "no history: the board's actions are not known, so no week has data"
    zone = report.timezone
    span = f"history from {format_instant_local(window.first, zone)} to {format_instant_local(window.last, zone)}"
    count = f"{window.actions} card and list action{'s' if window.actions != 1 else ''}"
    if window.complete:
        return f"{span} ({count}; complete: it begins with the board's creation)"
    return f"{span} ({count}; it begins after the board was created: earlier times are unknown, earlier weeks have no data)"


def as_of_note(report: Report) -> str:
    """`` (the newest action in the history)`` when the report is as of exactly that moment, else empty."""
    return " (the newest action in the history)" if report.history.last == report.as_of else ""


def completed_text(row: WeekRow | ThroughputWeek, report: Report) -> str:
    """A week's completed count: ``no data`` before the history, ``≥3`` in the week a partial history begins in."""
    if row.completed is None:
        return NO_DATA
    if row.observed == "part" and not report.history.complete:
        return f"\u2265{row.completed}"
    return str(row.completed)


def week_note(report: Report) -> str | None:
    """What the history cannot say about the reported week: not begun, no data, or begun mid-week; None otherwise."""
    week = report.week
    starts = starts_text(report)
    if starts:
        return f"{week.label} has not begun: it {starts}."
    first = report.history.first
    if week.observed == "none":
        return f"No data: {week.label} ended before the history begins" + (
            f" ({format_instant_local(first, report.timezone)})." if first else ".")
    if week.observed == "part" and first is not None:
        when = format_instant_local(first, report.timezone)
        if report.history.complete:
            return f"The board was created during {week.label} ({when}): the week counts from then."
        return f"The history begins during {week.label} ({when}): what happened before that is not in it."
    return None


def project_name(report: Report) -> str:
    return report.project or report.board_name or report.board_id or "Trello board"


def _pct_text(report: Report) -> str:
    pct = report.totals.pct_done
    return "no cards yet" if pct is None else f"{pct:.0f}% done"


def headline(report: Report, status: Status | None = None) -> str:
    """The email subject: ``MLOps on GCP: week 4 of 10, 38% done, on track``."""
    status = status or report_status(report)
    parts = [week_position(report), _pct_text(report)]
    if status.level != "no_plan":
        parts.append(status.label)
    return f"{project_name(report)}: {', '.join(parts)}"


def _forecast_is_trusted(report: Report) -> bool:
    return len(report.forecast.sample_weeks) >= MIN_FORECAST_WEEKS


def report_status(report: Report) -> Status:
    """On track, at risk or behind: where the plan says the work should be, against where it is.

    The rule (docs/report-html.md):

    * *due* is the number of planned cards of the plan weeks that ended before
      the reported week starts; *done* is the number of planned cards done (of
      any week, so working ahead counts); *gap* = due − done; a *week of work*
      is the plan's planned cards divided by its weeks, rounded up.
    * **behind** when gap ≥ one week of work, or the forecast's 50% date is
      after the plan's last day (or beyond the horizon);
    * **at risk** when gap > 0, or the forecast's 85% date is after the plan's
      last day, or no card was completed in the sampled weeks;
    * **on track** otherwise, and always once every planned card is done.

    The forecast counts only when it samples at least :data:`MIN_FORECAST_WEEKS`
    full weeks. Without a plan there is nothing to be late against: ``no_plan``.
    """
    weeks = plan_weeks(report)
    totals = report.totals
    if not weeks or totals.planned is None or totals.planned_done is None:
        return Status("no_plan", "no plan given, so no schedule to compare against")
    planned = totals.planned
    done = totals.planned_done
    end = max(row.end for row in weeks)
    if planned and done >= planned:
        return Status("on_track", f"all {planned} planned cards are done")
    due = sum(row.planned or 0 for row in weeks if row.end < report.week.start)
    gap = due - done
    week_of_work = max(1, math.ceil(planned / len(weeks)))
    due_text = f"{due} due before this week" if due else "none due yet"
    schedule = f"{done} of {planned} planned cards done, {due_text}"
    forecast = report.forecast
    trusted = _forecast_is_trusted(report)
    late_50 = trusted and (
        forecast.status == "beyond_horizon"
        or (forecast.status == "ok" and forecast.date_50 is not None and forecast.date_50 > end)
    )
    late_85 = trusted and forecast.status == "ok" and (forecast.date_85 is None or forecast.date_85 > end)
    stalled = trusted and forecast.status == "no_throughput"
    notes = [schedule]
    if forecast.status == "ok" and forecast.date_85 is not None and trusted:
        notes.append(f"85% forecast {format_day(forecast.date_85)}, plan ends {format_day(end)}")
    elif forecast.status == "beyond_horizon" and trusted:
        notes.append("at this pace the rest is years away")
    elif stalled:
        notes.append("no card finished in the sampled weeks")
    reason = "; ".join(notes)
    if gap >= week_of_work or late_50:
        return Status("behind", reason)
    if gap > 0 or late_85 or stalled:
        return Status("at_risk", reason)
    return Status("on_track", reason)


def full_week_average(report: Report) -> float | None:
    """Cards finished per week, averaged over the complete weeks the history shows whole (as the forecast samples)."""
    full = [row.completed for row in report.throughput
            if not row.partial and row.observed == "whole" and row.completed is not None]
    return sum(full) / len(full) if full else None


def member_names(report: Report) -> dict[str, str]:
    return {member.id: member.name for member in report.members}


def in_progress_cards(report: Report) -> tuple[CardRow, ...]:
    """Cards in progress, oldest start first (as the WIP list orders them), then any without a start."""
    rows = {row.id: row for row in report.cards if row.role == "in_progress"}
    ordered = [rows[card.id] for card in report.wip.cards if card.id in rows]
    seen = {row.id for row in ordered}
    ordered.extend(row for row in sorted(rows.values(), key=lambda r: (r.created, r.id)) if row.id not in seen)
    return tuple(ordered)


def next_week_cards(report: Report) -> tuple[CardRow, ...] | None:
    """Open cards planned for the week after the reported one; None when there is no such plan week."""
    weeks = plan_weeks(report)
    number = report.week.number
    if not weeks or number is None:
        return None
    following = number + 1
    if following > max(row.number or 0 for row in weeks):
        return None
    rows = [row for row in report.cards if row.week == following and row.role in ("todo", "in_progress") and not row.closed]
    return tuple(sorted(rows, key=lambda r: (r.demo, r.created, r.id)))


FINDING_TEXT = {
    "history_start": "history starts after the board was created",
    "created_from_id": "creation time read from the card id",
    "done_before_history": "already done when the history starts (done time unknown)",
    "in_progress_at_history_start": "already in progress when the history starts (start unknown)",
    "skipped_in_progress": "done without passing through in progress (no cycle time)",
    "reopened": "moved back out of done",
    "dropped_in_progress": "archived while in progress: dropped unfinished",
    "no_week_label": "no \u201cWeek N\u201d label",
    "deleted": "deleted (left out of every count)",
    "moved_to_other_board": "moved to another board (left out of every count)",
    "history_mismatch": "history disagrees with the board as it is now",
}
def finding_subject(finding: Finding) -> str | None:
    """What a data-quality finding is about: its card's name, None for the board. Trello keeps no
    action of a deleted card but its ``deleteCard``, which carries no name: such a card is named by its id."""
    if not finding.card_id:
        return None
    return finding.card_name or f"card {finding.card_id} (its name is not in the history)"


STAGE_TEXT = {"todo": "not started", "in_progress": "in progress", "done": "done", "missing": "no card",
               "not_started": "not started", "empty": "no cards", "ignore": "ignored", "out": "left the board",
               "dropped": "dropped", "not_yet_due": "not yet due"}
def forecast_text(report: Report) -> str:
    """The forecast in one phrase, whatever its status."""
    forecast = report.forecast
    samples = len(forecast.sample_weeks)
    if forecast.status == "ok":
        return (f"50% chance by {format_day(forecast.date_50)}, 85% by {format_day(forecast.date_85)} "
                f"for {forecast.remaining} remaining cards (from {samples} full week{'s' if samples != 1 else ''})")
    if forecast.status == "done" and not report.totals.cards:
        return "nothing to forecast: no cards yet"
    return {
        "done": "nothing remains: every card is done",
        "no_history": f"not yet: the forecast needs {forecast.min_weeks} complete weeks of history, and has none",
        "too_few_weeks": f"not yet: {samples} complete week{'s' if samples != 1 else ''} of history, "
                         f"the forecast needs {forecast.min_weeks}",
        "no_throughput": f"none: no card finished in the {samples} sampled weeks",
        "beyond_horizon": f"{forecast.remaining} cards remain; at this pace more than ten years",
    }.get(forecast.status, forecast.status)


def number_rows(report: Report) -> list[tuple[str, str]]:
    """The flow numbers as ``(label, value)`` rows, the same in the page and the plain-text email."""
    cycle, lead, wip = report.cycle_time_days, report.lead_time_days, report.wip
    average = full_week_average(report)
    rows = [
        ("Finished this week", str(len(report.week.completed))),
        ("Throughput", f"{average:.1f} cards per full week" if average is not None else "no full week yet"),
        ("Cycle time", f"p50 {format_days(cycle.p50)} · p85 {format_days(cycle.p85)} · p95 {format_days(cycle.p95)}"
                       f" ({cycle.count} cards)"),
        ("Lead time", f"p50 {format_days(lead.p50)} · p85 {format_days(lead.p85)} · p95 {format_days(lead.p95)}"),
        ("Work in progress", f"{wip.count} cards"),
        ("Aging cards", f"{wip.aging} in progress longer than {format_days(wip.sle_days)} (p85 cycle time)"
                        if wip.sle_days is not None else "no cycle time yet to compare with"),
        ("Forecast", forecast_text(report)),
    ]
    totals = report.totals
    if totals.hours_total:
        rows.append(("Hours", f"{totals.hours_done or 0:.0f} of {totals.hours_total:.0f} planned hours done"))
    if totals.ignored:
        rows.append(("Ignored", f"{totals.ignored} cards in lists given the ignore role"))
    if totals.dropped:
        rows.append(("Dropped", f"{totals.dropped} cards archived before they were done (out of scope)"))
    return rows


def milestone_line(report: Report) -> str | None:
    """The reported week's milestone and demo in one line; None outside the plan."""
    row = next((row for row in plan_weeks(report) if row.number == report.week.number), None)
    if row is None:
        return None
    text = f"This week\u2019s milestone: {row.milestone} \u2014 {row.done or 0} of {row.planned or 0} cards done"
    if row.demo is not None:
        text += f"; demo \u201c{row.demo.name}\u201d: {STAGE_TEXT.get(row.demo.status, row.demo.status)}"
    return text


def next_week_label(report: Report) -> str:
    """``Week 5: Big Query Modeling``, or empty when the plan has no next week."""
    number = report.week.number
    row = next((row for row in plan_weeks(report) if number is not None and row.number == number + 1), None)
    if row is None:
        return ""
    return f"{row.label}: {row.milestone}" if row.milestone else row.label
