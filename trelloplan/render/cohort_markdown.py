"""The cohort overview as Markdown (a GitHub-flavoured table), for wikis, issues and chat."""

from __future__ import annotations

from ..cohort.overview import Overview, TeamRow
from .cohort import aging_text, as_of_text, demo_text, done_text, forecast_text, headline, milestone_text, status_text
from .markdown import _cell, _Raw, _table
from .safe import markdown_link
from .status import format_day

__all__ = ["render_overview_markdown"]


def _team(row: TeamRow) -> _Raw:
    """The team's name, linked to its own report (a relative path) or its board."""
    return _Raw(markdown_link(row.team, row.report or row.board_url, relative=True))


def render_overview_markdown(overview: Overview) -> str:
    lines = [f"# {_cell(headline(overview))}", "", f"As of {as_of_text(overview)} · the plan ends {format_day(overview.plan_end)}", ""]
    rows: list[list[object]] = [[_team(row), status_text(row), done_text(row), milestone_text(row), demo_text(row),
             "–" if row.completed_this_week is None else row.completed_this_week, aging_text(row), forecast_text(row)]
            for row in overview.teams]
    lines += _table(["Team", "Status", "Done", "This week", "Demo", "Finished", "Aging", "Forecast 85%"], rows, "llrllrrl")
    lines.append("")
    notes = [row for row in overview.teams if row.status in ("error", "behind", "at_risk")]
    if notes:
        lines += ["## Why", ""]
        lines += [f"- **{_cell(row.team)}**: {_cell(row.error + ' (hint: ' + (row.hint or '') + ')' if row.error else row.reason)}"
                  for row in notes]
        lines.append("")
    return "\n".join(lines)
