"""The terminal summary: the numbers a person looks for, plain or coloured."""

from __future__ import annotations

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
