"""The cohort overview as one HTML page, for a browser or an email (the same markup rules as the report page).

Every value goes through Jinja2's autoescaping, so a team named ``<script>`` shows as text; the only
links are each team's own report (a relative path this package wrote) and its Trello board (an
http(s) URL, checked by :func:`~trelloplan.render.safe.safe_url`).
"""

from __future__ import annotations

from typing import Any

from .._version import __version__
from ..cohort.overview import Overview, TeamRow
from .cohort import aging_text, as_of_text, demo_text, done_text, forecast_text, milestone_text, status_text, week_position
from .html import _STATUS_COLOURS, STYLES, _environment
from .safe import clean_strings, html_text, safe_relative_path, safe_url
from .status import format_day

__all__ = ["render_overview_html"]

_DEMO_COLOURS = {"done": "#0F5C2E", "not_done": "#9B1C1C", "not_yet_due": "#52606D"}
_ERROR_COLOURS = ("#FFFFFF", "#9B1C1C")


def _pill(status: str, text: str) -> str:
    colour, background = _STATUS_COLOURS.get(status, _ERROR_COLOURS)
    return (f"display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;line-height:16px;font-weight:bold;"
            f"color:{colour};background-color:{background};")


def _row(row: TeamRow) -> dict[str, Any]:
    pct = round(row.pct_done) if row.pct_done is not None else None
    return {
        "team": row.team, "report": safe_relative_path(row.report), "board_url": safe_url(row.board_url),
        "status": status_text(row), "status_style": _pill(row.status, status_text(row)),
        "done": done_text(row), "pct": max(0, min(100, pct)) if pct is not None else None,
        "week": milestone_text(row), "milestone": row.milestone.milestone if row.milestone else None,
        "demo": demo_text(row), "demo_colour": _DEMO_COLOURS.get(row.demo.state, "#52606D") if row.demo else "#52606D",
        "finished": "–" if row.completed_this_week is None else row.completed_this_week,
        "aging": aging_text(row), "forecast": forecast_text(row),
    }


def render_overview_html(overview: Overview) -> str:
    """The overview page as an HTML document that stands alone (no images, no external resources)."""
    overview = clean_strings(overview, html_text)
    labels = {"error": "without a report", "behind": "behind", "at_risk": "at risk", "on_track": "on track",
              "no_plan": "without a plan"}
    pills = [{"text": f"{count} {labels[status]}", "style": _pill(status, "")} for status, count in overview.counts.items() if count]
    notes = [{"team": row.team, "status": status_text(row), "status_style": _pill(row.status, ""),
              "text": f"{row.error} (hint: {row.hint})" if row.error else row.reason}
             for row in overview.teams if row.status in ("error", "behind", "at_risk")]
    context = {
        "s": STYLES,
        "title": f"{overview.title}: {week_position(overview)}",
        "cohort": overview.title,
        "position": week_position(overview),
        "as_of": as_of_text(overview),
        "plan_end": format_day(overview.plan_end),
        "pills": pills,
        "teams": [_row(row) for row in overview.teams],
        "notes": notes,
        "version": __version__,
        "schema_version": overview.schema_version,
    }
    return str(_environment().get_template("cohort.html.j2").render(context))
