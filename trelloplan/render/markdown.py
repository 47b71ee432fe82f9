"""The report as Markdown (GitHub-flavoured tables), for wikis, issues and chat.

Every text from the board goes through :func:`.safe.markdown_text` (HTML
escaped, no links or emphasis made from it); cards link to Trello only through
:func:`.safe.markdown_link` (plain ``http(s)`` URLs). States are in words
(``in progress``), as in the HTML report.
"""

from __future__ import annotations

from ..history.schema import CardRef, Report
from .formatting import days, local_day, local_time, pct, percentile_line, plural
from .safe import markdown_link, markdown_text
from .status import (FINDING_TEXT, NO_DATA, STAGE_TEXT, as_of_note, completed_text, finding_subject, history_text, starts_text,
                     week_note)

__all__ = ["render_markdown"]

_MAX_FINDINGS = 50


class _Raw(str):
    """Markdown already made safe (a card link), put into a cell as it is."""


def _cell(text: object) -> str:
    """A value for a table cell or a line: text escaped, numbers and :class:`_Raw` Markdown as they are."""
    if isinstance(text, _Raw):
        return str(text)
    return markdown_text(text) if isinstance(text, str) else str(text)


def _code(identifier: str) -> str:
    """An id in backticks when it is a plain id (a backtick inside would end the code span), else escaped text."""
    return f"`{identifier}`" if identifier.isalnum() and identifier.isascii() else markdown_text(identifier)


def _state(role: str | None) -> str:
    return STAGE_TEXT.get(role or "", (role or "").replace("_", " "))


def _table(header: list[str], rows: list[list[object]], align: str = "") -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(("---:" if align and align[i] == "r" else "---") for i in range(len(header))) + "|")
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return lines


def _refs(title: str, refs: tuple[CardRef, ...], report: Report, urls: dict[str, str | None], count: int | None = None,
          mark_carried: bool = False) -> list[str]:
    lines = [f"### {title} ({len(refs) if count is None else count})", ""]
    if not refs:
        return [*lines, "None.", ""]
    for ref in refs:
        week = f"Week {ref.week}: " if ref.week is not None else ""
        done = f", done {local_day(report, ref.done)}" if ref.done else ""
        carried = ", carried over" if mark_carried and ref.carried_over else ""
        lines.append(f"- {week}{markdown_link(ref.name, urls.get(ref.id))} ({_state(ref.role)}{done}{carried})")
    return [*lines, ""]


def _count(value: int | None) -> object:
    return NO_DATA if value is None else value


def _week_sections(report: Report, urls: dict[str, str | None]) -> list[str]:
    week = report.week
    note = week_note(report)
    lines = [note, ""] if note else []
    if week.phase == "not_begun" or week.observed == "none":
        return lines
    lines += _refs("Completed this week", week.completed, report, urls, mark_carried=True)
    completed = {ref.id for ref in week.completed}
    still_open = tuple(ref for ref in week.carried_over if ref.id not in completed)
    finished = len(week.carried_over) - len(still_open)
    if finished and not still_open:
        lines += [f"### Carried over ({finished})", "", "All completed this week (listed above).", ""]
    else:
        lines += _refs("Carried over", still_open, report, urls, count=len(week.carried_over))
        if finished:
            lines[-1:] = [f"And {finished} completed this week (listed above).", ""]
    lines += _refs("Scope added", week.scope_added, report, urls)
    if week.dropped:
        lines += _refs("Dropped: archived before done", week.dropped, report, urls)
    return lines


def render_markdown(report: Report) -> str:
    t = report.totals
    title = report.project or report.board_name or "Board"
    urls = {card.id: card.url for card in report.cards}
    starts = starts_text(report)
    heading = starts if starts and report.calendar == "plan" and report.week.number == 1 else (
        f"weekly report for {report.week.label}")
    history = history_text(report)
    lines = [
        f"# {_cell(title)}: {heading}",
        "",
        f"As of {local_time(report, report.as_of)} ({report.timezone}){as_of_note(report)}"
        + (f" · board {_cell(report.board_name)} ({_code(report.board_id)})" if report.board_id else ""),
        "",
        history[:1].upper() + history[1:] + ".",
        "",
        f"**{plural(t.cards, 'card')}**: {t.done} done, {t.in_progress} in progress, {t.todo} to do ({pct(t.pct_done)} done)"
        + (f", {t.dropped} dropped" if t.dropped else "")
        + (f" · planned {t.planned_done}/{t.planned} cards, {t.hours_done:g}/{t.hours_total:g} h" if t.planned is not None else ""),
        "",
        f"## {report.week.label} ({local_day(report, report.week.start)} – {local_day(report, report.week.end)})",
        "",
    ]
    lines += _week_sections(report, urls)
    if report.calendar == "plan":
        lines += ["## Plan weeks", ""]
        lines += _table(
            ["Week", "Milestone", "Status", "Planned", "Done", "In progress", "To do", "% done", "Hours", "Demo", "Completed"],
            [[row.label, row.milestone or "", _state(row.milestone_status), row.planned, row.done, row.in_progress, row.todo,
              pct(row.pct_done), f"{row.hours_done:g}/{row.hours_total:g}",
              f"{row.demo.name} ({_state(row.demo.status)})" if row.demo else "", completed_text(row, report)]
             for row in report.weeks],
            "lllrrrrrrlr",
        )
        lines.append("")
    lines += ["## Flow", "", f"- Cycle time: {percentile_line(report.cycle_time_days)}",
              f"- Lead time: {percentile_line(report.lead_time_days)}",
              f"- Work in progress: {report.wip.count}"
              + (f" ({report.wip.aging} older than the p85 cycle time, {days(report.wip.sle_days)})"
                 if report.wip.sle_days is not None else ""), ""]
    lines += ["### Throughput and burn-up", ""]
    lines += _table(["Week", "Completed", "Scope", "Done (total)"],
                    [[row.label + (" (so far)" if row.partial else ""), completed_text(row, report), _count(point.scope),
                      _count(point.done)]
                     for row, point in zip(report.throughput, report.burn_up)], "lrrr")
    lines.append("")
    if report.wip.cards:
        lines += ["### Aging work in progress", ""]
        lines += _table(["Card", "List", "Started", "Age", "Older than p85"],
                        [[_Raw(markdown_link(card.name, urls.get(card.id))), card.list,
                          local_day(report, card.started) if card.started else "before the history",
                          days(card.age_days) if card.age_days is not None else f"≥ {days(card.min_age_days)}",
                          "yes" if card.aging else ""] for card in report.wip.cards], "lllrl")
        lines.append("")
    f = report.forecast
    lines += ["## Forecast", ""]
    if f.status == "ok":
        lines.append(f"{plural(f.remaining, 'card')} left: **50% by {local_day(report, f.date_50)}**, "
                     f"85% by {local_day(report, f.date_85) or 'beyond the horizon'} "
                     f"({f.trials} Monte Carlo trials over {plural(f.weeks_sampled, 'complete week')} of throughput, "
                     f"seed {f.seed}).")
    else:
        used = f": {plural(f.weeks_sampled, 'complete week')} of history, it needs {f.min_weeks}" if f.status in (
            "no_history", "too_few_weeks") else ""
        lines.append(f"{plural(f.remaining, 'card')} left; no forecast ({f.status.replace('_', ' ')}{used}).")
    lines.append("")
    if report.members:
        lines += ["## Members", ""]
        lines += _table(["Member", "Assigned", "To do", "In progress", "Done", "Completed this week"],
                        [[m.name, m.assigned, m.todo, m.in_progress, m.done, m.completed_this_week] for m in report.members],
                        "lrrrrr")
        lines.append("")
    dq = report.data_quality
    lines += ["## Data quality", ""]
    found = [(rule, count) for rule, count in dq.counts.items() if count]
    if not found:
        lines.append("No findings.")
    else:
        lines += _table(["Finding", "Count"], [[FINDING_TEXT.get(rule, rule.replace("_", " ")), count] for rule, count in found],
                        "lr")
        lines.append("")
        for finding in dq.findings[:_MAX_FINDINGS]:
            subject = finding_subject(finding)
            what = f"{markdown_link(subject, urls.get(finding.card_id or ''))}: " if subject else ""
            when = f" ({local_time(report, finding.at)})" if finding.at else ""
            lines.append(f"- `{finding.rule}` {what}{_cell(finding.detail)}{when}")
        if len(dq.findings) > _MAX_FINDINGS:
            lines.append(f"- … and {len(dq.findings) - _MAX_FINDINGS} more (see the JSON report)")
    lines.append("")
    return "\n".join(lines)
