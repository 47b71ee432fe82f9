"""The terminal summary: the numbers a person looks for, plain or coloured."""

from __future__ import annotations

import pytest

from datetime import datetime, timezone

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import generate_board
from trelloplan.render.formats import FORMATS, render_report
from trelloplan.render.text import render_text

AS_OF = datetime(2026, 2, 20, 17, tzinfo=timezone.utc)


def report():
    return build_report(history_from_board_json(generate_board(600, seed=4)), as_of=AS_OF, seed=2, trials=300)


def test_the_summary_names_the_week_the_counts_and_the_forecast() -> None:
    r = report()
    text = render_text(r, width=100)
    assert text.startswith("Generated: weekly report for 2026-W08\n")
    t = r.totals
    assert f"{t.cards} cards: {t.done} done, {t.in_progress} in progress, {t.todo} to do" in text
    assert f"Completed this week ({len(r.week.completed)})" in text
    assert f"Cycle time: p50 {r.cycle_time_days.p50:.1f} d" in text
    assert f"Work in progress: {r.wip.count}" in text
    assert f"50% by {r.forecast.date_50.isoformat()}" in text
    assert "Data quality" in text and "reopened:" in text
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_colour_only_when_asked() -> None:
    assert "\x1b[" in render_text(report(), color=True)


def test_every_format_renders() -> None:
    r = report()
    for fmt in FORMATS:
        assert render_report(r, fmt).strip()


PLAN = """
project: Narrow
start: 2027-01-04
weeks:
  - {week: 1, milestone: Creation of Multiple Environments, demo: Plan, tasks: [%s]}
  - {week: 2, milestone: Build, demo: Build demo, tasks: [Build it]}
"""
LONG = "Add an endpoint that returns summary statistics from BigQuery and caches them"


def plan_report():
    from datetime import timedelta

    from trelloplan.history.synthetic import BoardBuilder
    from trelloplan.plan.planfile import load_plan_text

    t0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    b = BoardBuilder("Narrow", created=t0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    card = b.add_card(LONG, todo, t0, labels=(b.add_label("Week 1"),))
    b.move(card, doing, t0 + timedelta(hours=2))
    b.move(card, done, t0 + timedelta(days=1))
    return build_report(history_from_board_json(b.export()), as_of=t0 + timedelta(days=3),
                        plan=load_plan_text(PLAN % LONG))


def test_in_80_columns_the_week_table_keeps_headers_and_numbers_whole() -> None:
    text = render_text(plan_report(), width=80)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    header = next(line for line in lines if line.startswith("Wk "))
    assert header.split() == ["Wk", "Milestone", "Plan", "Done", "Doing", "To", "do", "%", "Hours", "Demo", "Compl"]
    row = next(line for line in lines if line.startswith("W1 "))
    assert row.split() == ["W1", "Creation", "of", "Multiple", "1", "1", "0", "0", "100%", "4/4", "not", "yet", "due", "1"]
    assert lines[lines.index(row) + 1].split() == ["Environments"]  # the milestone wraps, the numbers stay


@pytest.mark.parametrize("width", [60, 80, None])
def test_the_totals_line_breaks_between_its_parts_never_inside_one(width: int | None) -> None:
    lines = render_text(plan_report(), width=width).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1 card: "))
    whole = "1 card: 1 done, 0 in progress, 0 to do (100% done) · planned 1/1 cards, 4/4 h"
    if width is not None and len(whole) > width:
        assert lines[first:first + 2] == whole.split(" · ")
    else:
        assert lines[first] == whole


def test_a_wrapped_list_item_stays_under_its_own_text() -> None:
    lines = render_text(plan_report(), width=60).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  • [Week 1] Add an endpoint"))
    assert lines[start + 1].startswith("    ") and not lines[start + 1].startswith("     ")


def test_wide_or_unlimited_keeps_the_full_headers() -> None:
    for width in (None, 160):
        text = render_text(plan_report(), width=width)
        assert "Planned" in text and "Completed" in text and LONG in text


@pytest.mark.parametrize("name", ["Donaudampfschifffahrts" * 6, "中文任务名称" * 12 + "的情况", "x" * 30 + "-" + "y" * 90])
def test_a_word_longer_than_the_terminal_folds_whole_never_cut(name: str) -> None:
    from datetime import timedelta

    from rich.cells import cell_len

    from trelloplan.history.synthetic import BoardBuilder

    t0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    b = BoardBuilder("Words", created=t0 - timedelta(days=1))
    todo, doing = b.add_list("To Do"), b.add_list("In Progress")
    b.move(b.add_card(name, todo, t0), doing, t0 + timedelta(hours=1))
    text = render_text(build_report(history_from_board_json(b.export()), as_of=t0 + timedelta(days=2)), width=80)
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= 80
    assert name in "".join(line.strip() for line in text.splitlines())  # every character, in order


def test_a_throughput_line_that_shows_only_the_last_weeks_says_so() -> None:
    from datetime import timedelta

    built = build_report(history_from_board_json(generate_board(600, seed=4, weeks=12)), as_of=AS_OF + timedelta(weeks=8),
                         seed=2, trials=50)
    line = next(line for line in render_text(built).splitlines() if line.startswith("Throughput: "))
    shown = line.split("  (")[0].count(": ") - 1
    assert len(built.throughput) > 8 and shown == 8
    assert f"the last 8 of {len(built.throughput)} weeks; all in --format json" in line
