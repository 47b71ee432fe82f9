"""The report as a terminal summary, drawn with rich (tables, plain or coloured).

Every string of the report is made terminal-safe first (:func:`.safe.terminal_text`), and the
console never interprets markup, so no card name can move the cursor, clear the screen or
make a link. Names are printed whole: in a narrow terminal they wrap, they are never cut.
"""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ..history.schema import CardRef, Report
from .formatting import days, local_day, local_time, pct, percentile_line, plural
from .safe import clean_strings, terminal_text
from .terminal import console as make_console
from .terminal import finish
from .status import NO_DATA, STAGE_TEXT, as_of_note, completed_text, finding_subject, history_text, starts_text, week_note

__all__ = ["render_text"]

_ROLE_STYLE = {"done": "green", "in_progress": "yellow", "todo": "white", "ignore": "dim", "missing": "red",
               "dropped": "dim", "not_yet_due": "dim"}
_MAX_FINDINGS = 20
_MAX_LISTED = 15
#: Below this many columns the week table takes its compact form (short headers, no rules).
_COMPACT_BELOW = 110


def _short(name: str | None) -> str:
    """A card name on one line (whole: a terminal wraps it, nothing cuts it)."""
    return " ".join((name or "").split())


def render_text(report: Report, *, width: int | None = None, color: bool = False) -> str:
    """The summary a person reads in a terminal, ``width`` columns wide (None: no limit). ``color`` adds ANSI styles."""
    report = clean_strings(report, terminal_text)
    out = io.StringIO()
    console = make_console(out, width=width, color=color)
    _header(console, report)
    _this_week(console, report)
    if report.calendar == "plan":
        _plan_weeks(console, report)
    _flow(console, report)
    _forecast(console, report)
    _members(console, report)
    _quality(console, report)
    return finish(out.getvalue())


def _header(console: Console, report: Report) -> None:
    title = report.project or report.board_name or "Board"
    starts = starts_text(report)
    if starts and report.calendar == "plan" and report.week.number == 1:
        console.print(Text(f"{title}: {starts}", style="bold"))
    else:
        console.print(Text(f"{title}: weekly report for {report.week.label}", style="bold"))
    board = f"board {report.board_name} ({report.board_id})" if report.board_id else "board"
    console.print(f"{board} · as of {local_time(report, report.as_of)} {report.timezone}{as_of_note(report)}")
    console.print(history_text(report)[:1].upper() + history_text(report)[1:])
    t = report.totals
    line = (f"{plural(t.cards, 'card')}: {t.done} done, {t.in_progress} in progress, {t.todo} to do "
            f"({pct(t.pct_done)} done)" + (f", {t.dropped} dropped" if t.dropped else ""))
    if t.planned is not None:
        planned = f"planned {t.planned_done}/{t.planned} cards, {t.hours_done:g}/{t.hours_total:g} h"
        line = f"{line} · {planned}" if len(line) + 3 + len(planned) <= console.width else f"{line}\n{planned}"
    console.print(line)
    console.print()


def _bullet(console: Console, item: RenderableType, mark: str = "•") -> None:
    """One list item under a hanging indent, so a wrapped line stays under its own text."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")  # a word longer than the line folds onto the next, never cut with "…"
    grid.add_row(f"  {mark} ", item)
    console.print(grid)


def _refs(console: Console, title: str, refs: tuple[CardRef, ...], report: Report, count: int | None = None,
          mark_carried: bool = False) -> None:
    console.print(Text(f"{title} ({len(refs) if count is None else count})", style="bold"))
    for ref in refs[:_MAX_LISTED]:
        week = f"[Week {ref.week}] " if ref.week is not None else ""
        done = f" · done {local_day(report, ref.done)}" if ref.done else ""
        carried = " · carried over" if mark_carried and ref.carried_over else ""
        _bullet(console, Text(f"{week}{_short(ref.name)}", style=_ROLE_STYLE.get(ref.role, ""))
                .append(f"  ({STAGE_TEXT.get(ref.role, ref.role)}{done}{carried})", style="dim"))
    if len(refs) > _MAX_LISTED:
        console.print(f"  … and {len(refs) - _MAX_LISTED} more")


def _this_week(console: Console, report: Report) -> None:
    week = report.week
    console.print(Text(f"{week.label} ({local_day(report, week.start)} – {local_day(report, week.end)})", style="bold underline"))
    note = week_note(report)
    if note:
        console.print(note)
    if week.phase == "not_begun" or week.observed == "none":
        console.print()
        return
    _refs(console, "Completed this week", week.completed, report, mark_carried=True)
    # A card carried over and completed this week is listed once, above, marked "carried over".
    completed = {ref.id for ref in week.completed}
    still_open = tuple(ref for ref in week.carried_over if ref.id not in completed)
    _refs(console, "Carried over", still_open, report, count=len(week.carried_over))
    if len(still_open) < len(week.carried_over):
        console.print(f"  and {len(week.carried_over) - len(still_open)} completed this week (listed above)")
    _refs(console, "Scope added", week.scope_added, report)
    if week.dropped:
        _refs(console, "Dropped: archived before done", week.dropped, report)
    console.print()


def _plan_weeks(console: Console, report: Report) -> None:
    compact = console.width < _COMPACT_BELOW
    dropped = any(row.dropped for row in report.weeks)
    if compact:
        table = Table(title="Plan weeks", title_justify="left", show_edge=False, pad_edge=False, box=None,
                      header_style="bold", collapse_padding=True)
        columns = ("Wk", "Milestone", "Plan", "Done", "Doing", "To do", "%", "Hours", "Demo", "Compl")
    else:
        table = Table(title="Plan weeks", title_justify="left", show_edge=False, pad_edge=False)
        columns = ("Week", "Milestone", "Planned", "Done", "Doing", "To do", "% done", "Hours", "Demo", "Completed")
    for column in (*columns, "Dropped") if dropped else columns:
        text_column = column in ("Milestone", "Demo")
        table.add_column(column, justify="left" if text_column or column in ("Wk", "Week") else "right",
                         no_wrap=not text_column, overflow="fold", min_width=10 if column == "Milestone" else None)
    for row in report.weeks:
        demo = row.demo.status if row.demo else "–"
        style = "bold" if row.number == report.week.number else ""
        cells: list[str | Text] = [
            f"W{row.number}" if compact and row.number is not None else row.label,
            row.milestone or "", str(row.planned), str(row.done), str(row.in_progress), str(row.todo),
            pct(row.pct_done), f"{row.hours_done:g}/{row.hours_total:g}",
            Text(STAGE_TEXT.get(demo, demo), style=_ROLE_STYLE.get(demo, "")),
            completed_text(row, report),
        ]
        table.add_row(*cells, *([str(row.dropped or 0)] if dropped else []), style=style)
    console.print(table)
    if compact:
        console.print(Text("Plan: the week's cards · Compl: cards completed in the week, of any week",
                           style="dim"))
    console.print()


def _flow(console: Console, report: Report) -> None:
    console.print(Text("Flow", style="bold underline"))
    console.print(f"Cycle time: {percentile_line(report.cycle_time_days)}")
    console.print(f"Lead time:  {percentile_line(report.lead_time_days)}")
    recent = report.throughput[-8:]
    if recent:
        counts = "  ".join(f"{row.label}: {completed_text(row, report)}{'*' if row.partial else ''}" for row in recent)
        notes = [*(["* week in progress"] if recent[-1].partial else []),
                 *([f"the last {len(recent)} of {len(report.throughput)} weeks; all in --format json"]
                   if len(recent) < len(report.throughput) else [])]
        console.print(f"Throughput: {counts}" + (f"  ({'; '.join(notes)})" if notes else ""))
    wip = report.wip
    sle = f", {wip.aging} older than the p85 cycle time ({days(wip.sle_days)})" if wip.sle_days is not None else ""
    console.print(f"Work in progress: {wip.count}{sle}")
    for card in wip.cards[:_MAX_LISTED]:
        style = "red" if card.aging else ""
        age = days(card.age_days) if card.age_days is not None else (
            f"at least {days(card.min_age_days)} (in progress when the history starts)")
        _bullet(console, Text(f"{_short(card.name)} — {card.list}, {age}", style=style))
    if report.burn_up:
        last = report.burn_up[-1]
        if last.scope is None:
            console.print(f"Burn-up: {NO_DATA} at {last.label}")
        else:
            console.print(f"Burn-up: {last.done} of {last.scope} cards done at {last.label}")
    console.print()


def _forecast(console: Console, report: Report) -> None:
    f = report.forecast
    console.print(Text("Forecast", style="bold underline"))
    if f.status == "ok":
        p85 = local_day(report, f.date_85) if f.date_85 else "beyond the horizon"
        console.print(f"{plural(f.remaining, 'card')} left: 50% by {local_day(report, f.date_50)}, 85% by {p85} "
                      f"({f.trials} trials from {plural(f.weeks_sampled, 'complete week')} of throughput, seed {f.seed})")
    elif f.status == "done":
        console.print("nothing left to do")
    else:
        reasons = {"no_history": "no complete week of history yet",
                   "too_few_weeks": f"only {plural(f.weeks_sampled, 'complete week')} of history (it needs {f.min_weeks})",
                   "no_throughput": "no card completed in the sampled weeks",
                   "beyond_horizon": "at the current pace, more than ten years away"}
        console.print(f"{plural(f.remaining, 'card')} left; no forecast: {reasons.get(f.status, f.status)}")
    console.print()


def _members(console: Console, report: Report) -> None:
    if not report.members:
        return
    table = Table(title="Members", title_justify="left", show_edge=False, pad_edge=False)
    for column in ("Member", "Assigned", "To do", "Doing", "Done", "This week"):
        table.add_column(column, justify="left" if column == "Member" else "right", overflow="fold")
    for row in report.members:
        table.add_row(row.name, str(row.assigned), str(row.todo), str(row.in_progress), str(row.done),
                      str(row.completed_this_week))
    console.print(table)
    console.print()


def _quality(console: Console, report: Report) -> None:
    dq = report.data_quality
    console.print(Text("Data quality", style="bold underline"))
    found = {rule: count for rule, count in dq.counts.items() if count}
    if not found:
        console.print("no findings")
        return
    console.print(", ".join(f"{rule.replace('_', ' ')}: {count}" for rule, count in found.items()))
    for finding in dq.findings[:_MAX_FINDINGS]:
        subject = finding_subject(finding)
        what = f"{_short(subject)!r}: " if finding.card_name else f"{subject}: " if subject else ""
        when = f" ({local_time(report, finding.at)})" if finding.at else ""
        _bullet(console, Text(f"{finding.rule}: {what}{finding.detail}{when}", style="dim"))
    if len(dq.findings) > _MAX_FINDINGS:
        console.print(f"  … and {len(dq.findings) - _MAX_FINDINGS} more (see --format json)")
