"""The report as Markdown (GitHub-flavoured tables), for wikis, issues and chat."""

from __future__ import annotations

from ..history.schema import CardRef, Report
from .formatting import days, local_day, local_time, pct, percentile_line, plural

__all__ = ["render_markdown"]

_MAX_FINDINGS = 50


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]], align: str = "") -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(("---:" if align and align[i] == "r" else "---") for i in range(len(header))) + "|")
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return lines


def _refs(title: str, refs: tuple[CardRef, ...], report: Report) -> list[str]:
    lines = [f"### {title} ({len(refs)})", ""]
    if not refs:
        return [*lines, "None.", ""]
    for ref in refs:
        week = f"Week {ref.week}: " if ref.week is not None else ""
        done = f", done {local_day(report, ref.done)}" if ref.done else ""
        lines.append(f"- {week}{_cell(ref.name)} ({ref.role}{done})")
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    t = report.totals
    title = report.project or report.board_name or "Board"
    lines = [
        f"# {_cell(title)}: weekly report for {report.week.label}",
        "",
        f"As of {local_time(report, report.as_of)} ({report.timezone})"
        + (f" · board {_cell(report.board_name)} (`{report.board_id}`)" if report.board_id else ""),
        "",
        f"**{plural(t.cards, 'card')}**: {t.done} done, {t.in_progress} in progress, {t.todo} to do ({pct(t.pct_done)} done)"
        + (f" · planned {t.planned_done}/{t.planned} cards, {t.hours_done:g}/{t.hours_total:g} h" if t.planned is not None else ""),
        "",
        f"## {report.week.label} ({local_day(report, report.week.start)} – {local_day(report, report.week.end)})",
        "",
    ]
    lines += _refs("Completed this week", report.week.completed, report)
    lines += _refs("Carried over", report.week.carried_over, report)
    lines += _refs("Scope added", report.week.scope_added, report)
    if report.calendar == "plan":
        lines += ["## Plan weeks", ""]
        lines += _table(
            ["Week", "Milestone", "Status", "Planned", "Done", "In progress", "To do", "% done", "Hours", "Demo", "Completed"],
            [[row.label, row.milestone or "", row.milestone_status or "", row.planned, row.done, row.in_progress, row.todo,
              pct(row.pct_done), f"{row.hours_done:g}/{row.hours_total:g}",
              f"{row.demo.name} ({row.demo.status})" if row.demo else "", row.completed] for row in report.weeks],
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
                    [[row.label + (" (so far)" if row.partial else ""), row.completed, point.scope, point.done]
                     for row, point in zip(report.throughput, report.burn_up)], "lrrr")
    lines.append("")
    if report.wip.cards:
        lines += ["### Aging work in progress", ""]
        lines += _table(["Card", "List", "Started", "Age", "Older than p85"],
                        [[card.name, card.list, local_day(report, card.started), days(card.age_days), "yes" if card.aging else ""]
                         for card in report.wip.cards], "lllrl")
        lines.append("")
    f = report.forecast
    lines += ["## Forecast", ""]
    if f.status == "ok":
        lines.append(f"{plural(f.remaining, 'card')} left: **50% by {local_day(report, f.date_50)}**, "
                     f"85% by {local_day(report, f.date_85) or 'beyond the horizon'} "
                     f"({f.trials} Monte Carlo trials over {plural(len(f.sample_weeks), 'week')} of throughput, seed {f.seed}).")
    else:
        lines.append(f"{plural(f.remaining, 'card')} left; no forecast ({f.status.replace('_', ' ')}).")
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
        lines += _table(["Rule", "Count"], [[rule, count] for rule, count in found], "lr")
        lines.append("")
        for finding in dq.findings[:_MAX_FINDINGS]:
            what = f"{_cell(finding.card_name)}: " if finding.card_id else ""
            when = f" ({local_time(report, finding.at)})" if finding.at else ""
            lines.append(f"- `{finding.rule}` {what}{finding.detail}{when}")
        if len(dq.findings) > _MAX_FINDINGS:
            lines.append(f"- … and {len(dq.findings) - _MAX_FINDINGS} more (see the JSON report)")
    lines.append("")
    return "\n".join(lines)
