"""The overview, pure: a team's report → its row, the status and demo rules, the order by need, and every format."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trelloplan.cohort.model import Cohort, Team, team_plan
from trelloplan.cohort.overview import STATUS_ORDER, TeamRow, build_overview, demo_state, failed_row, team_row
from trelloplan.errors import BoardError
from trelloplan.history.parse import history_from_board_json
from trelloplan.history.report import build_report
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.plan.planfile import load_plan
from trelloplan.render.cohort import render_overview
from trelloplan.render.cohort_email import build_overview_email
from trelloplan.render.status import report_status

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plans" / "mlops-gcp-10-weeks.yaml")
UTC = timezone.utc


def cohort(*teams: Team) -> Cohort:
    return Cohort(source=None, plan=PLAN, teams=teams, state_dir=Path("unused"), name="CS 512")


def board_report(plan, done_per_week: list[int], as_of: datetime):
    """A board made from ``plan`` whose first cards of each week were done on the week's Thursday."""
    b = BoardBuilder(plan.project, created=datetime.combine(plan.start, datetime.min.time(), UTC) - timedelta(days=3))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    labels = {week.number: b.add_label(week.label) for week in plan.weeks}
    demo_label = b.add_label("Demo", "red")
    for week, count in zip(plan.weeks, done_per_week + [0] * len(plan.weeks)):
        for i, task in enumerate(week.cards):
            card = b.add_card(task.name, todo, b.created, labels=(labels[week.number],) + ((demo_label,) if task.demo else ()),
                              key=task.key)
            if i < count:
                thursday = datetime.combine(week.start + timedelta(days=3), datetime.min.time(), UTC) + timedelta(hours=9 + i)
                b.move(card, doing, thursday)
                b.move(card, done, thursday + timedelta(minutes=30))
    return build_report(history_from_board_json(b.export()), as_of=as_of, plan=plan)


def test_a_row_holds_the_teams_own_figures():
    team = Team("Team Ada", "team-ada", members=("ada",))
    plan = team_plan(cohort(team), team)
    as_of = plan.week(3).due - timedelta(hours=1)  # Friday 16:00 of week 3
    report = board_report(plan, [6, 6, 6], as_of)
    row = team_row(team, plan, report, board_url="https://trello.com/b/abc/x", link="cohort.teams/team-ada.html")
    assert row.status == report_status(report).level == "on_track" and row.reason == report_status(report).reason
    assert (row.done, row.planned, row.pct_done) == (18, 60, 30.0) and row.behind_by == 12 - 18
    assert row.milestone.number == 3 and (row.milestone.done, row.milestone.planned, row.milestone.status) == (6, 6, "done")
    assert row.demo.state == "done" and row.completed_this_week == len(report.week.completed) == 6
    assert row.forecast.plan_end == plan.end and row.phase == "during" and row.report == "cohort.teams/team-ada.html"

    late = board_report(plan, [6, 2], plan.week(3).due + timedelta(hours=1))
    row = team_row(team, plan, late)
    assert row.status == "behind" and row.behind_by == 12 - 8 and row.demo.state == "not_done" and row.demo.card == "todo"
    early = team_row(team, plan, board_report(plan, [], datetime.combine(plan.start, datetime.min.time(), UTC) - timedelta(days=2)))
    assert early.phase == "before" and early.milestone is None and early.demo is None


@given(card=st.sampled_from(["todo", "in_progress", "done", "missing"]), minutes=st.integers(-10_000, 10_000))
def test_the_demo_rule(card, minutes):
    due = datetime(2027, 1, 8, 17, tzinfo=UTC)
    state = demo_state(card, due, due + timedelta(minutes=minutes))
    assert state == ("done" if card == "done" else "not_yet_due" if minutes < 0 else "not_done")


rows = st.builds(
    TeamRow,
    team=st.text(min_size=1, max_size=12), key=st.just("k"), status=st.sampled_from(STATUS_ORDER[:4]), reason=st.just(""),
    board_id=st.none(), board_url=st.none(), report=st.none(),
    behind_by=st.integers(-20, 20) | st.none(), pct_done=st.floats(0, 100) | st.none(),
)


@settings(max_examples=200)
@given(st.lists(rows, max_size=12))
def test_teams_are_sorted_by_need(team_rows):
    overview = build_overview(cohort(), datetime(2027, 2, 5, 16, tzinfo=UTC), team_rows)
    ordered = overview.teams
    assert sorted(map(id, ordered)) == sorted(map(id, team_rows)) and sum(overview.counts.values()) == len(team_rows)
    for first, second in zip(ordered, ordered[1:]):
        a, b = STATUS_ORDER.index(first.status), STATUS_ORDER.index(second.status)
        assert a <= b
        if a == b:
            assert (first.behind_by or 0) >= (second.behind_by or 0)
            if (first.behind_by or 0) == (second.behind_by or 0):
                assert (first.pct_done or 0) <= (second.pct_done or 0)


def sample_overview():
    ada, bad, late = Team("<script>alert(1)</script>", "ada"), Team("Team | Pipes", "pipes"), Team("Team Linus", "linus")
    plan = team_plan(cohort(ada), ada)
    as_of = plan.week(2).due - timedelta(hours=1)  # one full week: the forecast does not count yet
    good = team_row(ada, plan, board_report(plan, [6, 4], as_of), board_url="javascript:alert(1)", link="cohort.teams/ada.html")
    slow = team_row(late, plan, board_report(plan, [5], as_of), board_url="https://trello.com/b/AbCd1234/linus")
    gone = failed_row(bad, BoardError("board 5f1a does not exist, or this token cannot see it", hint="apply again"))
    return build_overview(cohort(ada, bad, late), as_of, [good, slow, gone])


def test_every_format_shows_every_team_most_in_need_first():
    overview = sample_overview()
    assert [row.status for row in overview.teams] == ["error", "at_risk", "on_track"]
    text = render_overview(overview, "text", width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert text.index("Team | Pipes") < text.index("Team Linus") < text.index("<script>")
    assert "CS 512: week 2 of 10, 3 teams (1 without a report, 1 at risk, 1 on track)" in text
    assert "Team | Pipes: board 5f1a does not exist, or this token cannot see it (hint: apply again)" in " ".join(text.split())
    assert "javascript:" not in text

    markdown = render_overview(overview, "markdown")
    assert "| Team \\| Pipes | no report |" in markdown
    assert "[Team Linus](https://trello.com/b/AbCd1234/linus)" in markdown and "javascript:" not in markdown
    assert "[&lt;script&gt;alert(1)&lt;/script&gt;](cohort.teams/ada.html)" in markdown and "<script>" not in markdown

    html = render_overview(overview, "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="cohort.teams/ada.html"' in html and 'href="https://trello.com/b/AbCd1234/linus"' in html
    assert "javascript:" not in html

    data = json.loads(render_overview(overview, "json"))
    assert list(data)[:2] == ["schema_version", "kind"] and [row["status"] for row in data["teams"]] == ["error", "at_risk", "on_track"]
    assert data["teams"][0]["done"] is None and data["teams"][0]["hint"] == "apply again"
    assert data["counts"] == {"error": 1, "behind": 0, "at_risk": 1, "on_track": 1, "no_plan": 0}


def test_the_overview_email_is_whole_and_the_same_every_time():
    overview = sample_overview()
    first = build_overview_email(overview, sender="CS 512 <cs512@example.edu>", recipients=["lead@example.edu"])
    second = build_overview_email(overview, sender="CS 512 <cs512@example.edu>", recipients=["lead@example.edu"])
    assert first.as_bytes() == second.as_bytes()
    assert first["Subject"] == "CS 512: week 2 of 10, 3 teams (1 without a report, 1 at risk, 1 on track)"
    assert first.get_body(("plain",)) is not None and "<script>" not in first.get_body(("html",)).get_content()
    other = replace(overview, as_of=overview.as_of + timedelta(days=7))
    assert build_overview_email(other, sender="cs512@example.edu", recipients=["lead@example.edu"])["Message-ID"] != first["Message-ID"]
