"""The cohort overview as a terminal table, drawn with rich (plain or coloured)."""

from __future__ import annotations

import io

from rich.table import Table
from rich.text import Text

from ..cohort.overview import Overview
from .cohort import aging_text, as_of_text, demo_text, done_text, forecast_text, headline, milestone_text, status_text
from .safe import terminal_text
from .status import format_day, safe_url
from .terminal import console as make_console
from .terminal import finish

__all__ = ["render_overview_text"]

_STATUS_STYLE = {"error": "bold red", "behind": "red", "at_risk": "yellow", "on_track": "green", "no_plan": "dim"}
_DEMO_STYLE = {"done": "green", "not_done": "red", "not_yet_due": "dim"}


def render_overview_text(overview: Overview, *, width: int | None = None, color: bool = False) -> str:
    """The overview a person reads in a terminal: one line per team, most in need first, then why.

    ``width`` columns (None: no limit, for a pipe or a file); every text is made terminal-safe.
    """
    out = io.StringIO()
    console = make_console(out, width=width, color=color)
    console.print(Text(headline(overview), style="bold"))
    console.print(Text(f"as of {as_of_text(overview)} · the plan ends {format_day(overview.plan_end)}"))
    console.print()
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold", collapse_padding=True)
    for name, justify in (("Team", "left"), ("Status", "left"), ("Done", "right"), ("Week", "left"), ("Demo", "left"),
                          ("Finished", "right"), ("Aging", "right"), ("Forecast 85%", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in overview.teams:
        table.add_row(
            Text(terminal_text(row.team)), Text(status_text(row), style=_STATUS_STYLE.get(row.status, "")), Text(done_text(row, short=True)),
            Text(milestone_text(row, short=True)),
            Text(demo_text(row), style=_DEMO_STYLE.get(row.demo.state, "") if row.demo else ""),
            Text("–" if row.completed_this_week is None else str(row.completed_this_week)), Text(aging_text(row)),
            Text(forecast_text(row, short=True)),
        )
    console.print(table)
    notes = [row for row in overview.teams if row.status in ("error", "behind", "at_risk")]
    if notes:
        console.print()
        for row in notes:
            why = f"{row.error} (hint: {row.hint})" if row.error else row.reason
            console.print(Text(f"{terminal_text(row.team)}: ", style="bold").append(Text(terminal_text(why))))
    links = [(row.team, row.report or safe_url(row.board_url)) for row in overview.teams]
    if any(link for _, link in links):
        console.print()
        for team, link in links:
            if link:
                console.print(Text(terminal_text(f"{team}: {link}"), style="dim"))
    return finish(out.getvalue())
