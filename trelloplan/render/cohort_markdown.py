"""The cohort overview as Markdown (a GitHub-flavoured table), for wikis, issues and chat."""

from __future__ import annotations

from ..cohort.overview import Overview, TeamRow
from .cohort import aging_text, as_of_text, demo_text, done_text, forecast_text, headline, milestone_text, status_text
from .markdown import _cell, _table
from .status import format_day, safe_url

__all__ = ["render_overview_markdown"]


def _link(text: str, target: str | None) -> str:
    """``[text](target)`` for an http(s) board URL or a team report's relative path (``_table`` escapes the cell)."""
    if target and (safe_url(target) or ":" not in target and not target.startswith("/")) and not any(c in target for c in "<> \n"):
        label = " ".join(text.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"[{label}](<{target}>)"
    return text


def _team(row: TeamRow) -> str:
    return _link(row.team, row.report or row.board_url)


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
