"""The Markdown report: sections, tables per plan week, escaped cells."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.plan.planfile import load_plan_text
from trelloplan.render.markdown import render_markdown

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
PLAN = """
project: Markdown | pipes
start: 2027-01-04
weeks:
  - {week: 1, milestone: Kickoff, demo: Plan, tasks: ["Write | the charter"]}
  - {week: 2, milestone: Build, demo: Build demo, tasks: [Build it]}
"""


def test_sections_and_tables() -> None:
    plan = load_plan_text(PLAN)
    b = BoardBuilder("MD", created=T0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    week1 = b.add_label("Week 1")
    card = b.add_card("Write | the charter", todo, T0, labels=(week1,), key="w1-write-the-charter")
    b.move(card, doing, T0 + timedelta(hours=2))
    b.move(card, done, T0 + timedelta(days=1))
    b.add_card("Unplanned", doing, T0 + timedelta(days=1))
    report = build_report(history_from_board_json(b.export()), as_of=T0 + timedelta(days=3), plan=plan)
    text = render_markdown(report)
    assert text.startswith("# Markdown \\| pipes: weekly report for Week 1\n")
    for heading in ("## Week 1 (2027-01-04 – 2027-01-10)", "### Completed this week (1)", "### Carried over (0)",
                    "### Scope added (1)", "## Plan weeks", "## Flow", "## Forecast", "## Data quality"):
        assert heading in text
    assert "- Week 1: [Write \\| the charter](https://trello.com/c/c0000011) (done, done 2027-01-05)" in text
    assert "- [Unplanned](https://trello.com/c/c0000015) (in progress)" in text  # states in words, cards linked
    assert "| Week 1 | Kickoff | done | 1 | 1 | 0 | 0 | 100% | 4/4 | Demo: Plan (not yet due) | 1 |" in text  # due Friday
    assert "| Week 2 | Build | no cards | 0 |" in text
    assert "| no “Week N” label | 1 |" in text and "- Cycle time: p50 0.9 d" in text
    assert "in_progress" not in text and "not_started" not in text
