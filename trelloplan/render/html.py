"""The report as one HTML page a person reads in ten seconds, for a browser or an email.

The page is built for mail clients' limits, so the same markup works in both:
table layout, inline ``style`` attributes only, no scripts, no external
resources (the only URLs are plain links to Trello cards). Every value goes
through Jinja2's autoescaping, so a card named ``<script>`` shows as text.

Two modes differ only in where the charts come from: ``file`` embeds them as
``data:image/png;base64,…`` so the file stands alone; ``email`` refers to
them as ``cid:…`` parts that :func:`trelloplan.render.email.build_email`
attaches. The sections and the status rule are described in docs/report-html.md.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from .._version import __version__
from ..history.schema import CardRef, CardRow, Report
from .status import (
    FINDING_TEXT,
    STAGE_TEXT,
    Status,
    as_of_note,
    finding_subject,
    format_day,
    format_days,
    format_instant_local,
    format_span,
    history_text,
    in_progress_cards,
    member_names,
    milestone_line,
    next_week_cards,
    next_week_label,
    number_rows,
    plan_weeks,
    project_name,
    report_status,
    safe_url,
    week_note,
    week_position,
)
from .safe import clean_strings, html_text

__all__ = ["MODES", "render_html"]

MODES = ("file", "email")

#: Findings listed one by one; the rest are counted.
MAX_FINDINGS = 15

_STATUS_COLOURS = {
    "on_track": ("#0F5C2E", "#E3F4E8"),
    "at_risk": ("#7A4B00", "#FFF1D1"),
    "behind": ("#9B1C1C", "#FDE4E1"),
    "no_plan": ("#3D4451", "#ECEEF2"),
}
_STAGE_COLOURS = {"done": "#0F5C2E", "in_progress": "#7A4B00", "missing": "#9B1C1C"}

_FONT = "font-family:Helvetica,Arial,sans-serif;"
STYLES = {
    "body": f"margin:0;padding:0;background-color:#F3F4F6;{_FONT}color:#1F2933;",
    "outer": "background-color:#F3F4F6;",
    "page": "background-color:#FFFFFF;border:1px solid #E4E7EB;",
    "pad": "padding:20px 24px 8px 24px;",
    "section": "padding:6px 24px 14px 24px;",
    "h1": f"margin:0 0 4px 0;font-size:22px;line-height:28px;font-weight:bold;{_FONT}color:#1F2933;",
    "sub": f"margin:0;font-size:13px;line-height:19px;{_FONT}color:#52606D;",
    "h2": f"margin:10px 0 6px 0;padding:0 0 4px 0;font-size:16px;line-height:22px;font-weight:bold;{_FONT}"
          "color:#1F2933;border-bottom:2px solid #E4E7EB;",
    "h2note": "font-size:12px;font-weight:normal;color:#7B8794;",
    "p": f"margin:4px 0;font-size:14px;line-height:20px;{_FONT}color:#1F2933;",
    "muted": f"margin:4px 0;font-size:13px;line-height:19px;{_FONT}color:#7B8794;",
    "kpi": f"padding:10px 6px;text-align:center;border:1px solid #E4E7EB;background-color:#F9FAFB;{_FONT}",
    "kpiv": "font-size:20px;line-height:26px;font-weight:bold;color:#1F2933;",
    "kpil": "font-size:11px;line-height:15px;color:#52606D;text-transform:uppercase;letter-spacing:0.3px;",
    "li": f"padding:5px 0;border-bottom:1px solid #F0F2F5;font-size:14px;line-height:20px;{_FONT}color:#1F2933;",
    "lid": f"padding:5px 0 5px 8px;border-bottom:1px solid #F0F2F5;font-size:12px;line-height:20px;{_FONT}"
           "color:#52606D;text-align:right;white-space:nowrap;",
    "a": "color:#1F5FAD;text-decoration:underline;",
    "tag": "display:inline-block;padding:0 5px;margin-right:4px;border-radius:3px;font-size:11px;line-height:16px;"
           "background-color:#ECEEF2;color:#3D4451;",
    "warn": "display:inline-block;padding:0 5px;margin-left:4px;border-radius:3px;font-size:11px;line-height:16px;"
            "background-color:#FDE4E1;color:#9B1C1C;",
    "th": f"padding:6px 6px;font-size:12px;line-height:16px;text-align:left;{_FONT}color:#52606D;"
          "border-bottom:1px solid #CBD2D9;",
    "td": f"padding:6px 6px;font-size:13px;line-height:18px;{_FONT}color:#1F2933;border-bottom:1px solid #F0F2F5;"
          "vertical-align:top;",
    "tdnow": f"padding:6px 6px;font-size:13px;line-height:18px;{_FONT}color:#1F2933;border-bottom:1px solid #F0F2F5;"
             "vertical-align:top;background-color:#FFF9E6;font-weight:bold;",
    "barbg": "background-color:#E4E7EB;height:8px;line-height:8px;font-size:1px;",
    "barfg": "background-color:#2F9E6B;height:8px;line-height:8px;font-size:1px;",
    "img": "display:block;width:100%;max-width:650px;height:auto;border:0;margin:6px 0 14px 0;",
    "foot": f"padding:12px 24px 20px 24px;font-size:11px;line-height:16px;{_FONT}color:#9AA5B1;",
}


@dataclass(frozen=True)
class Item:
    """One card line of a section."""

    name: str
    url: str | None
    tags: tuple[str, ...]
    detail: str
    warning: str | None = None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("trelloplan.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _local_day(moment: datetime | None, zone: str) -> date | None:
    if moment is None:
        return None
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError):
        return moment.date()


def _week_tag(week: int | None) -> tuple[str, ...]:
    return (f"W{week}",) if week is not None else ()


def _completed(report: Report, rows: Mapping[str, CardRow]) -> list[Item]:
    return [
        Item(ref.name, safe_url(rows[ref.id].url) if ref.id in rows else None,
             _week_tag(ref.week) + (("carried over",) if ref.carried_over else ()),
             f"done {format_day(_local_day(ref.done, report.timezone))}")
        for ref in report.week.completed
    ]


def _owners(row: CardRow, names: Mapping[str, str]) -> str:
    return ", ".join(names.get(member, member) for member in row.members)


def _in_progress(report: Report, names: Mapping[str, str]) -> list[Item]:
    aging = {card.id for card in report.wip.cards if card.aging}
    items = []
    for row in in_progress_cards(report):
        age = f"{row.age_days:.1f} days in progress" if row.age_days is not None else "in progress"
        owners = _owners(row, names)
        items.append(Item(row.name, safe_url(row.url), _week_tag(row.week), f"{age}{' · ' + owners if owners else ''}",
                          "aging" if row.id in aging else None))
    return items


def _next_week(report: Report, names: Mapping[str, str]) -> list[Item] | None:
    rows = next_week_cards(report)
    if rows is None:
        return None
    return [Item(row.name, safe_url(row.url), ("demo",) if row.demo else (),
                 " · ".join(filter(None, (STAGE_TEXT.get(row.role, row.role), _owners(row, names))))) for row in rows]


def _next_week_empty(report: Report) -> str:
    number = report.week.number
    if number is not None and any(row.week == number + 1 for row in report.cards):
        return "Every card planned for next week is already done."
    return "No cards are planned for next week yet."


def _refs(report: Report, refs: Sequence[CardRef], rows: Mapping[str, CardRow]) -> list[Item]:
    return [Item(ref.name, safe_url(rows[ref.id].url) if ref.id in rows else None, _week_tag(ref.week),
                 STAGE_TEXT.get(ref.role, ref.role)) for ref in refs]


def _in(ref: CardRef, refs: Sequence[CardRef]) -> bool:
    return any(other.id == ref.id for other in refs)


def _milestones(report: Report) -> list[dict[str, Any]]:
    result = []
    for row in plan_weeks(report):
        demo = row.demo
        result.append({
            "current": row.number == report.week.number,
            "label": row.label,
            "dates": format_span(row.start, row.end),
            "milestone": row.milestone or "",
            "done": row.done or 0,
            "planned": row.planned or 0,
            "pct": round(row.pct_done or 0),
            "status": STAGE_TEXT.get(row.milestone_status or "", row.milestone_status or ""),
            "demo": demo.name if demo else "",
            "demo_status": STAGE_TEXT.get(demo.status, demo.status) if demo else "",
            "demo_colour": _STAGE_COLOURS.get(demo.status, "#52606D") if demo else "#52606D",
        })
    return result


def _quality(report: Report) -> dict[str, Any]:
    counts = [(FINDING_TEXT.get(rule, rule.replace("_", " ")), count)
              for rule, count in report.data_quality.counts.items() if count]
    findings = [
        {"card": finding_subject(finding) or "the board", "text": finding.detail,
         "when": format_day(_local_day(finding.at, report.timezone)) if finding.at else ""}
        for finding in report.data_quality.findings[:MAX_FINDINGS]
    ]
    return {"counts": counts, "findings": findings, "more": max(0, len(report.data_quality.findings) - MAX_FINDINGS)}


def _image_sources(mode: str, charts: Mapping[str, bytes] | None, cids: Mapping[str, str] | None,
                   report: Report) -> dict[str, str]:
    if mode == "email":
        if cids is None:
            raise ValueError("render_html(mode='email') needs cids: {chart name: content id}")
        return {name: f"cid:{cid.strip('<>')}" for name, cid in cids.items()}
    if charts is None:
        from .charts import render_charts

        charts = render_charts(report)
    return {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, png in charts.items()}


def render_html(
    report: Report,
    *,
    mode: str = "file",
    charts: Mapping[str, bytes] | None = None,
    cids: Mapping[str, str] | None = None,
    status: Status | None = None,
) -> str:
    """The report page as an HTML document.

    ``mode="file"`` embeds ``charts`` (``{name: png_bytes}``, default: every
    chart :func:`~trelloplan.render.charts.render_charts` can draw) as data
    URIs. ``mode="email"`` shows the charts named in ``cids``
    (``{name: content_id}``) as ``cid:`` images. ``status`` defaults to
    :func:`~trelloplan.render.status.report_status`.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    from .charts import CHART_NAMES, CHART_TITLES, chart_gaps

    report = clean_strings(report, html_text)
    sources = _image_sources(mode, charts, cids, report)
    status = status or report_status(report)
    rows = {row.id: row for row in report.cards}
    names = member_names(report)
    colour, background = _STATUS_COLOURS[status.level]
    totals = report.totals
    gaps = chart_gaps(report)
    context = {
        "s": STYLES,
        "title": f"{project_name(report)}: {week_position(report)}",
        "project": project_name(report),
        "board": report.board_name if report.project and report.board_name != report.project else None,
        "position": week_position(report),
        "week_dates": format_span(report.week.start, report.week.end),
        "as_of": format_instant_local(report.as_of, report.timezone) + as_of_note(report),
        "history": history_text(report),
        "week_note": week_note(report),
        "status": status,
        "status_style": f"display:inline-block;padding:3px 10px;border-radius:12px;font-size:13px;line-height:18px;"
                        f"font-weight:bold;color:{colour};background-color:{background};",
        "this_milestone": milestone_line(report),
        "kpis": [
            (f"{totals.pct_done:.0f}%" if totals.pct_done is not None else "–", f"done ({totals.done} of {totals.cards})"),
            (str(len(report.week.completed)), "finished this week"),
            (str(report.wip.count), f"in progress ({report.wip.aging} aging)"),
            (format_days(report.cycle_time_days.p85), "cycle time p85"),
            (format_day(report.forecast.date_85) if report.forecast.status == "ok" else "–", "forecast 85%"),
        ],
        "completed": _completed(report, rows),
        "in_progress": _in_progress(report, names),
        "next_week": _next_week(report, names),
        "next_week_empty": _next_week_empty(report),
        "next_label": next_week_label(report),
        # A card carried over and completed this week is listed once, under completed, tagged "carried over".
        "carried": _refs(report, [ref for ref in report.week.carried_over if not _in(ref, report.week.completed)], rows),
        "carried_done": sum(1 for ref in report.week.carried_over if _in(ref, report.week.completed)),
        "added": _refs(report, report.week.scope_added, rows),
        "dropped": _refs(report, report.week.dropped, rows),
        "milestones": _milestones(report),
        "numbers": number_rows(report),
        "members": report.members,
        "charts": [{"name": name, "title": CHART_TITLES[name], "src": sources[name]}
                   for name in CHART_NAMES if name in sources],
        "chart_gaps": [(CHART_TITLES[name].split(":")[0], reason) for name, reason in gaps.items()],
        "quality": _quality(report),
        "version": __version__,
        "board_id": report.board_id,
        "schema_version": report.schema_version,
    }
    return _environment().get_template("report.html.j2").render(context)
