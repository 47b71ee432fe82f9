"""The cohort overview, pure: each team's weekly :class:`~trelloplan.history.schema.Report` → one row.

Every number in a row is read from that team's own report, so the overview and the team's report
can never disagree; the status is the team report's own (:func:`trelloplan.render.status.report_status`,
the rule in docs/report-html.md). Rows are sorted by need: teams that could not be reported on,
then behind, at risk, on track, each by how many planned cards they are behind, then by how
little is done. ``to_dict()`` is the overview's JSON (docs/cohort.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..errors import TrelloplanError
from ..history.schema import Report, to_plain
from ..plan.model import Plan
from ..render.status import plan_weeks, report_status
from .model import Cohort, Team

__all__ = ["OVERVIEW_SCHEMA", "STATUS_ORDER", "DemoCell", "ForecastCell", "MilestoneCell", "Overview", "TeamRow",
           "build_overview", "demo_state", "failed_row", "phase", "team_row"]

#: The overview's JSON schema version (docs/cohort.md); a field added is a minor bump, one renamed or removed a major one.
OVERVIEW_SCHEMA = "1.0"
#: Most in need first: a team whose board could not be reported on, then behind, at risk, on track.
STATUS_ORDER = ("error", "behind", "at_risk", "on_track", "no_plan")


@dataclass(frozen=True)
class MilestoneCell:
    """The team's current plan week: its milestone and how many of its planned cards are done."""

    number: int
    label: str
    milestone: str | None
    status: str | None  # done, in_progress, not_started or empty (the week row's milestone_status)
    done: int
    planned: int


@dataclass(frozen=True)
class DemoCell:
    """This week's demo: ``done``, ``not_done`` (its due moment has passed) or ``not_yet_due``."""

    name: str
    state: str
    card: str  # the demo card's stage: todo, in_progress, done, or missing (no card)
    due: datetime


@dataclass(frozen=True)
class ForecastCell:
    """The team's forecast against its plan's last day; ``days_late`` is the 85% date minus that day."""

    status: str
    date_50: date | None
    date_85: date | None
    plan_end: date
    days_late: int | None


@dataclass(frozen=True)
class TeamRow:
    """One team in the overview. Without a report (``status`` ``error``) only the identity and the error are set."""

    team: str
    key: str
    status: str
    reason: str
    board_id: str | None
    board_url: str | None
    report: str | None  # where the team's own report was written (a link), if it was
    members: tuple[str, ...] = ()
    plan_start: date | None = None  # the team's week 1 (a team may start later than the others)
    phase: str | None = None  # where ``as_of`` falls in the team's plan: before, during or after
    week: int | None = None
    week_label: str | None = None
    planned: int | None = None
    done: int | None = None
    pct_done: float | None = None
    hours_done: float | None = None
    hours_total: float | None = None
    behind_by: int | None = None  # planned cards due before this week and not done (negative: ahead)
    milestone: MilestoneCell | None = None
    demo: DemoCell | None = None
    completed_this_week: int | None = None
    in_progress: int | None = None
    aging: int | None = None
    forecast: ForecastCell | None = None
    error: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Overview:
    """The whole cohort as of one moment: a row per team, most in need first."""

    title: str
    as_of: datetime
    timezone: str
    plan_start: date
    phase: str  # where ``as_of`` falls in the shared plan: before, during or after
    week: int | None  # the shared plan's week holding ``as_of``
    week_label: str
    weeks: int
    plan_end: date
    teams: tuple[TeamRow, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    schema_version: str = OVERVIEW_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        """The overview as JSON-ready values, ``schema_version`` first."""
        plain = to_plain(self)
        return {"schema_version": plain.pop("schema_version"), "kind": "trelloplan-cohort-overview", **plain}


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def phase(plan: Plan, moment: datetime) -> str:
    """``before``, ``during`` or ``after`` the plan's weeks, in the plan's zone."""
    day = moment.astimezone(plan.tzinfo).date()
    return "before" if day < plan.start else "after" if day > plan.end else "during"


def demo_state(card: str, due: datetime, as_of: datetime) -> str:
    """``done`` when the demo card is done; else ``not_yet_due`` before the week's due moment, ``not_done`` after."""
    if card == "done":
        return "done"
    return "not_yet_due" if as_of < due else "not_done"


def team_row(team: Team, plan: Plan, report: Report, *, board_url: str | None = None, link: str | None = None) -> TeamRow:
    """The overview row of ``team``, every figure taken from its own ``report`` (built with ``plan``)."""
    status = report_status(report)
    totals = report.totals
    weeks = plan_weeks(report)
    number = report.week.number
    current = next((row for row in weeks if row.number == number), None)
    milestone = demo = None
    if current is not None and number is not None and report.week.phase != "not_begun":
        milestone = MilestoneCell(number, current.label, current.milestone, current.milestone_status, current.done or 0,
                                  current.planned or 0)
        if current.demo is not None:
            due = plan.week(number).due
            demo = DemoCell(current.demo.name, demo_state(current.demo.status, due, report.as_of), current.demo.status, due)
    behind_by = None
    if weeks and totals.planned_done is not None:
        behind_by = sum(row.planned or 0 for row in weeks if row.end < report.week.start) - totals.planned_done
    forecast = report.forecast
    late = (forecast.date_85 - plan.end).days if forecast.status == "ok" and forecast.date_85 is not None else None
    return TeamRow(
        team=team.name, key=team.key, status=status.level, reason=status.reason, board_id=report.board_id,
        board_url=board_url, report=link, members=team.members, plan_start=plan.start,
        phase=phase(plan, report.as_of), week=number, week_label=report.week.label,
        planned=totals.planned, done=totals.planned_done,
        pct_done=_pct(totals.planned_done or 0, totals.planned) if totals.planned is not None else None,
        hours_done=totals.hours_done, hours_total=totals.hours_total, behind_by=behind_by, milestone=milestone, demo=demo,
        completed_this_week=len(report.week.completed), in_progress=report.wip.count, aging=report.wip.aging,
        forecast=ForecastCell(forecast.status, forecast.date_50, forecast.date_85, plan.end, late),
    )


def failed_row(team: Team, error: TrelloplanError, *, board_id: str | None = None, board_url: str | None = None) -> TeamRow:
    """The row of a team whose report could not be made, saying why."""
    return TeamRow(team=team.name, key=team.key, status="error", reason=error.message, board_id=board_id, board_url=board_url,
                   report=None, members=team.members, error=error.message, hint=error.hint)


def _need(row: TeamRow) -> tuple[int, int, float, str]:
    return (STATUS_ORDER.index(row.status), -(row.behind_by or 0), row.pct_done if row.pct_done is not None else 0.0,
            row.team.casefold())


def build_overview(cohort: Cohort, as_of: datetime, rows: Iterable[TeamRow]) -> Overview:
    """The overview of ``rows`` as of ``as_of``, in the shared plan's weeks, sorted by need."""
    plan = cohort.plan
    ordered = tuple(sorted(rows, key=_need))
    week = plan.week_of(as_of)
    where = phase(plan, as_of)
    label = f"Week {week}" if week is not None else f"{where} the plan"
    counts = {status: sum(1 for row in ordered if row.status == status) for status in STATUS_ORDER}
    return Overview(title=cohort.title, as_of=as_of, timezone=plan.timezone, plan_start=plan.start, phase=where, week=week,
                    week_label=label,
                    weeks=len(plan.weeks), plan_end=plan.end, teams=ordered, counts=counts)
