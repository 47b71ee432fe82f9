"""build_report on a hand-built plan board: every section's numbers, worked out by hand in the comments."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import pytest

from trelloplan.errors import UsageError
from trelloplan.history import RoleRules, as_of_for_week, build_report, history_from_board_json, merge_histories
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.plan.model import week_key
from trelloplan.plan.planfile import load_plan_text

PLAN = """
project: Report test
start: 2027-01-04
timezone: Europe/Paris
weeks:
  - week: 1
    milestone: First
    demo: First demo
    tasks:
      - {name: Task A, hours: 4}
      - {name: Task B, hours: 2}
      - Task G
  - week: 2
    milestone: Second
    demo: Second demo
    tasks:
      - Task C
      - {name: Task E, hours: 3}
  - week: 3
    milestone: Third
    demo: Third demo
    tasks:
      - Task F
"""


def utc(month_day: str, hh: int, mm: int = 0) -> datetime:
    month, day = (int(x) for x in month_day.split("-"))
    return datetime(2027, month, day, hh, mm, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def plan():
    return load_plan_text(PLAN)


def build_board(plan) -> tuple[BoardBuilder, dict[str, str], dict[str, str]]:
    """The scenario. Paris is UTC+1 in January: week 2 starts at 2027-01-10 23:00 UTC."""
    b = BoardBuilder("Report test", created=utc("01-01", 9))
    bob = b.add_member("Bob Smith")
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    lists = {"todo": todo, "doing": doing, "done": done, "bob": bob}
    labels = {w.number: b.add_label(w.label) for w in plan.weeks}
    cards = {}
    owners = {"w1-task-a": (b.member,), "w1-task-b": (b.member,), "w2-task-c": (bob,)}
    for task in plan.tasks():  # the cards carry the keys of boards made before 0.2 (w1-task-a): reports still match them
        key = task.key if task.demo else week_key(task.week, task.name)
        cards[key] = b.add_card(task.name, todo, utc("01-03", 10), labels=(labels[task.week],), key=key, members=owners.get(key, ()))
    a, bb, g, d1 = cards["w1-task-a"], cards["w1-task-b"], cards["w1-task-g"], cards["w1-demo"]
    c, e, f = cards["w2-task-c"], cards["w2-task-e"], cards["w3-task-f"]
    b.move(a, doing, utc("01-04", 9))
    b.move(a, done, utc("01-05", 9))                 # cycle 1.0, lead 1d23h = 1.958333
    b.move(c, doing, utc("01-05", 9))                # WIP from week 1: aging
    cards["spike"] = spike = b.add_card("Spike", todo, utc("01-05", 10), labels=(labels[1],))
    b.move(bb, doing, utc("01-05", 12))
    b.move(bb, done, utc("01-06", 12))
    b.delete(spike, utc("01-06", 10))
    b.move(bb, doing, utc("01-07", 12))              # reopened
    b.move(d1, done, utc("01-08", 16))               # skipped in progress; lead 5.25
    b.move(g, doing, utc("01-10", 20))
    b.move(g, done, utc("01-10", 23, 30))            # Monday 00:30 in Paris: week 2; cycle 0.145833
    b.move(e, doing, utc("01-11", 10))
    b.move(f, doing, utc("01-12", 9))
    b.archive(f, utc("01-12", 10))                   # archived in progress: dropped, out of scope
    b.move(bb, done, utc("01-12", 12))               # final done stretch: cycle 7.0, lead 9.083333
    cards["hotfix"] = hotfix = b.add_card("Hotfix", todo, utc("01-12", 8))   # unplanned, no label
    b.move(hotfix, done, utc("01-12", 20))           # lead 0.5
    b.move(e, done, utc("01-13", 10))                # cycle 2.0, lead 10.0
    return b, cards, lists


@pytest.fixture(scope="module")
def scenario(plan):
    b, cards, lists = build_board(plan)
    history = history_from_board_json(b.export())
    as_of = as_of_for_week(2, plan=plan)
    return b, cards, lists, history, build_report(history, as_of=as_of, plan=plan, week=2, seed=7)


def test_as_of_for_a_week_is_its_last_instant_in_the_plans_zone(plan) -> None:
    assert as_of_for_week(2, plan=plan) == datetime(2027, 1, 17, 22, 59, 59, 999999, tzinfo=timezone.utc)


def test_totals(scenario) -> None:
    report = scenario[-1]
    t = report.totals
    # 10 cards on the board; F was archived while in progress: dropped, so out of scope
    assert (t.cards, t.done, t.in_progress, t.todo, t.ignored, t.dropped) == (9, 6, 1, 2, 0, 1)
    assert t.pct_done == 66.7
    assert (t.planned, t.planned_done, t.hours_total, t.hours_done) == (8, 5, 20.0, 14.0)
    assert report.calendar == "plan" and report.timezone == "Europe/Paris"


def test_cycle_and_lead_time_percentiles_by_nearest_rank(scenario) -> None:
    report = scenario[-1]
    # cycle: [0.145833, 1.0, 2.0, 7.0] → ranks ⌈.5·4⌉=2, ⌈.85·4⌉=4, ⌈.95·4⌉=4
    assert (report.cycle_time_days.count, report.cycle_time_days.p50, report.cycle_time_days.p85,
            report.cycle_time_days.p95) == (4, 1.0, 7.0, 7.0)
    # lead: [0.5, 1.958333, 5.25, 7.5625, 9.083333, 10.0] → ranks 3, 6, 6
    assert (report.lead_time_days.count, report.lead_time_days.p50, report.lead_time_days.p85,
            report.lead_time_days.p95) == (6, 5.25, 10.0, 10.0)


def test_card_rows_carry_their_stage_dates(scenario) -> None:
    _, cards, lists, _, report = scenario
    rows = {row.id: row for row in report.cards}
    assert cards["spike"] not in rows  # deleted
    b = rows[cards["w1-task-b"]]
    assert (b.role, b.list, b.week, b.key, b.hours) == ("done", "Done", 1, "w1-task-b", 2.0)
    assert (b.created, b.started, b.done) == (utc("01-03", 10), utc("01-05", 12), utc("01-12", 12))
    assert (b.cycle_time_days, b.lead_time_days, b.completed_week) == (7.0, 9.083333, "Week 2")
    g = rows[cards["w1-task-g"]]
    assert (g.cycle_time_days, g.lead_time_days, g.completed_week) == (0.145833, 7.5625, "Week 2")
    f = rows[cards["w3-task-f"]]
    assert f.closed and f.role == "dropped" and f.done is None and f.cycle_time_days is None
    assert f.dropped_at == utc("01-12", 10) and f.started == utc("01-12", 9) and f.age_days is None
    d1 = rows[cards["w1-demo"]]
    assert d1.demo and d1.started is None and d1.cycle_time_days is None and d1.lead_time_days == 5.25
    hotfix = rows[cards["hotfix"]]
    assert hotfix.week is None and hotfix.hours == 4.0 and hotfix.key is None


def test_plan_weeks(scenario) -> None:
    report = scenario[-1]
    w1, w2, w3 = report.weeks
    assert (w1.label, w1.start, w1.end) == ("Week 1", date(2027, 1, 4), date(2027, 1, 10))
    assert (w1.planned, w1.done, w1.in_progress, w1.todo, w1.pct_done) == (4, 4, 0, 0, 100.0)
    assert (w1.hours_done, w1.hours_total, w1.completed, w1.milestone_status) == (11.0, 11.0, 2, "done")
    assert (w1.demo.name, w1.demo.status) == ("Demo: First demo", "done")
    assert (w2.planned, w2.done, w2.in_progress, w2.todo, w2.pct_done) == (3, 1, 1, 1, 33.3)
    assert (w2.hours_done, w2.hours_total, w2.completed, w2.milestone_status) == (3.0, 8.0, 4, "in_progress")
    assert w2.demo.status == "todo"  # due Friday 15 Jan 17:00, not done at the week's end
    assert w2.demo.due == datetime(2027, 1, 15, 16, tzinfo=timezone.utc)
    # F is dropped: week 3 has only its demo left, not yet due
    assert (w3.planned, w3.done, w3.in_progress, w3.todo, w3.completed, w3.milestone_status) == (1, 0, 0, 1, 0, "not_started")
    assert (w3.dropped, w2.dropped, w3.demo.status) == (1, 0, "not_yet_due")
    assert {w.observed for w in report.weeks} == {"whole"}


def test_this_week_completed_carried_over_and_scope_added(scenario) -> None:
    _, cards, _, _, report = scenario
    week = report.week
    assert (week.label, week.number, week.start, week.end) == ("Week 2", 2, date(2027, 1, 11), date(2027, 1, 17))
    assert [ref.id for ref in week.completed] == [cards[k] for k in ("w1-task-g", "w1-task-b", "hotfix", "w2-task-e")]
    # Week-1 cards not done when week 2 began (b was reopened; g was in progress until 00:30 Monday in Paris)
    assert [ref.id for ref in week.carried_over] == [cards["w1-task-b"], cards["w1-task-g"]]
    # ... and both were finished this week: the completed refs say they were carried over too
    assert [ref.carried_over for ref in week.completed] == [True, True, False, False]
    assert [ref.id for ref in week.scope_added] == [cards["hotfix"]]
    assert [(ref.id, ref.role) for ref in week.dropped] == [(cards["w3-task-f"], "dropped")]
    assert (week.phase, week.starts_in_days, week.observed) == ("ended", None, "whole")


def test_throughput_burn_up_and_cumulative_flow(scenario) -> None:
    report = scenario[-1]
    assert [(w.label, w.completed, w.partial) for w in report.throughput] == [("Week 1", 2, False), ("Week 2", 4, False)]
    assert [(p.label, p.scope, p.done) for p in report.burn_up] == [("Week 1", 9, 2), ("Week 2", 9, 6)]  # F dropped
    flow = {day.date: (day.todo, day.in_progress, day.done) for day in report.cumulative_flow}
    assert len(flow) == 14 and min(flow) == date(2027, 1, 4) and max(flow) == date(2027, 1, 17)
    assert flow[date(2027, 1, 4)] == (8, 1, 0)
    assert flow[date(2027, 1, 5)] == (7, 2, 1)   # Spike exists for a day
    assert flow[date(2027, 1, 6)] == (6, 1, 2)   # b done at noon, reopened the next day
    assert flow[date(2027, 1, 12)] == (2, 2, 5)  # F dropped in the morning: in no column (C, E in progress)
    assert flow[date(2027, 1, 17)] == (2, 1, 6)


def test_wip_and_aging(scenario) -> None:
    _, cards, _, _, report = scenario
    wip = report.wip
    assert (wip.count, wip.sle_days, wip.aging) == (1, 7.0, 1)  # F, dropped, is no longer work in progress
    [c] = wip.cards
    assert (c.id, c.age_days, c.aging, c.min_age_days) == (cards["w2-task-c"], 12.583333, True, None)


def test_forecast_from_weekly_throughput(scenario) -> None:
    report = scenario[-1]
    f = report.forecast
    # 3 planned cards left (F dropped); weeks sampled: [2, 4] → one week (draw 4) or two (draw 2 first)
    assert (f.status, f.remaining, f.sample_weeks, f.weeks_85, f.seed) == ("ok", 3, (2, 4), 2, 7)
    assert (f.weeks_sampled, f.min_weeks) == (2, 2)
    assert f.weeks_50 in (1, 2)
    assert f.date_85 == date(2027, 1, 31)


def test_members(scenario) -> None:
    _, _, lists, _, report = scenario
    rows = {row.name: row for row in report.members}
    ada, bob = rows["Ada Lovelace"], rows["Bob Smith"]
    assert (ada.assigned, ada.todo, ada.in_progress, ada.done, ada.completed_this_week) == (2, 0, 0, 2, 1)
    assert (bob.id, bob.assigned, bob.in_progress, bob.done) == (lists["bob"], 1, 1, 0)


def test_data_quality(scenario) -> None:
    _, cards, _, _, report = scenario
    counts = report.data_quality.counts
    assert counts == {"history_start": 0, "created_from_id": 0, "done_before_history": 0, "in_progress_at_history_start": 0,
                      "skipped_in_progress": 2, "reopened": 1, "dropped_in_progress": 1, "no_week_label": 1, "deleted": 1,
                      "moved_to_other_board": 0, "history_mismatch": 0}
    found = {(f.rule, f.card_id): f for f in report.data_quality.findings}
    assert found[("reopened", cards["w1-task-b"])].at == utc("01-07", 12)
    assert found[("dropped_in_progress", cards["w3-task-f"])].at == utc("01-12", 10)
    assert ("skipped_in_progress", cards["w1-demo"]) in found and ("skipped_in_progress", cards["hotfix"]) in found
    assert found[("deleted", cards["spike"])].at == utc("01-06", 10)


def test_a_past_week_is_the_same_whatever_happens_later(plan, scenario) -> None:
    b, cards, lists, history, report = scenario
    later = copy.deepcopy(b)
    later.move(cards["w2-demo"], lists["done"], utc("01-19", 9))
    later.move(cards["w2-task-c"], lists["todo"], utc("01-19", 10))
    later.rename_list(lists["doing"], "Parked", utc("01-20", 9))   # would make it a todo list
    later.delete(cards["w1-task-a"], utc("01-21", 9))
    later.label_card(cards["w3-task-f"], later.add_label("Week 3 spare"), utc("01-21", 10))
    later.label_card(cards["hotfix"], next(k for k, v in later.labels.items() if v["name"] == "Week 2"), utc("01-22", 9))
    # the earlier export still knows the deleted card's week label (Trello's actions do not record it)
    merged = merge_histories([history, history_from_board_json(later.export())])
    again = build_report(merged, as_of=as_of_for_week(2, plan=plan), plan=plan, week=2, seed=7)
    assert again.to_dict() == report.to_dict()
    now = build_report(merged, as_of=utc("01-23", 9), plan=plan, seed=7)
    assert now.totals.done == 6 and now.totals.cards == 8 and now.week.label == "Week 3"


def test_iso_weeks_without_a_plan_in_a_chosen_zone(scenario) -> None:
    history = scenario[3]
    as_of = utc("01-17", 22)
    in_utc = build_report(history, as_of=as_of)
    assert [(w.label, w.completed) for w in in_utc.throughput] == [("2026-W53", 0), ("2027-W01", 3), ("2027-W02", 3)]
    # the board was made on Friday 1 Jan: the history shows only part of its first week, so the forecast skips it
    assert [w.observed for w in in_utc.throughput] == ["part", "whole", "whole"]
    assert in_utc.forecast.sample_weeks == (3,) and in_utc.forecast.status == "too_few_weeks"
    paris = build_report(history, as_of=as_of, tz="Europe/Paris")
    assert [(w.label, w.completed) for w in paris.throughput][-2:] == [("2027-W01", 2), ("2027-W02", 4)]
    assert paris.weeks[-1].planned is None and paris.calendar == "iso"
    assert paris.week.label == "2027-W02" and [r.name for r in paris.week.carried_over] == ["Task B", "Task G", "Task C"]
    assert paris.forecast.remaining == 3 and paris.totals.planned is None
    assert paris.data_quality.counts["no_week_label"] == 0


def test_list_roles_by_id_and_by_name(scenario) -> None:
    _, cards, lists, history, _ = scenario
    as_of = utc("01-17", 22)
    ignored = build_report(history, as_of=as_of, list_roles={lists["doing"]: "ignore"})
    assert ignored.totals.ignored == 2 and ignored.totals.in_progress == 0 and ignored.wip.count == 0
    by_name = build_report(history, as_of=as_of, list_roles=RoleRules.parse(["in progress=done"]))
    assert by_name.totals.done == 8 and by_name.totals.in_progress == 0
    roles = {row.name: row.role for row in by_name.lists}
    assert roles == {"To Do": "todo", "In Progress": "done", "Done": "done"}


def test_bad_weeks_are_usage_errors(plan, scenario) -> None:
    history = scenario[3]
    with pytest.raises(UsageError, match="not a week of the plan"):
        build_report(history, as_of=utc("01-17", 22), plan=plan, week=4)
    with pytest.raises(UsageError, match="needs a plan"):
        build_report(history, as_of=utc("01-17", 22), week=2)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report(history, as_of=datetime(2027, 1, 17))


def test_before_the_plan_starts_the_report_is_about_its_first_week_not_begun(plan, scenario) -> None:
    report = build_report(scenario[3], as_of=utc("01-03", 12), plan=plan)
    week = report.week
    assert (week.label, week.number, week.phase, week.starts_in_days) == ("Week 1", 1, "not_begun", 1)
    assert week.completed == week.carried_over == week.scope_added == week.dropped == ()
    assert [w.label for w in report.throughput] == ["2026-W53"]  # the week before the plan: no "Week 0"
    assert report.forecast.status == "no_history" and report.totals.done == 0
    assert {w.demo.status for w in report.weeks} == {"not_yet_due"}  # no demo is due yet: none is "missing"


def test_a_week_that_has_not_begun(plan, scenario) -> None:
    report = build_report(scenario[3], as_of=utc("01-12", 12), plan=plan, week=3)
    assert (report.week.phase, report.week.starts_in_days, report.week.carried_over) == ("not_begun", 6, ())
    assert build_report(scenario[3], as_of=utc("01-12", 12), plan=plan, week=2).week.phase == "running"


def test_without_as_of_the_report_is_as_of_the_newest_action(plan, scenario) -> None:
    history = scenario[3]
    newest = history.actions[-1].date
    report = build_report(history, plan=plan)
    assert report.as_of == newest == report.history.last and report.history.complete
    assert build_report(history, plan=plan, week=1).as_of == as_of_for_week(1, plan=plan)  # the week ended earlier


def test_a_moment_before_the_history_is_refused(scenario) -> None:
    with pytest.raises(UsageError, match="before the history begins"):
        build_report(scenario[3], as_of=utc("01-01", 8))


def test_an_empty_board() -> None:
    b = BoardBuilder("Empty", created=utc("01-01", 9))
    report = build_report(history_from_board_json(b.export()), as_of=utc("01-08", 9))
    assert report.totals.cards == 0 and report.cycle_time_days.p50 is None and report.forecast.status == "done"
    assert report.cards == () and report.wip.count == 0


def test_archived_as_done(plan, scenario) -> None:
    _, cards, _, history, _ = scenario
    report = build_report(history, as_of=as_of_for_week(2, plan=plan), plan=plan, week=2, archived="done")
    rows = {row.id: row for row in report.cards}
    f = rows[cards["w3-task-f"]]
    assert (f.role, f.done, f.cycle_time_days, f.dropped_at) == ("done", utc("01-12", 10), 0.041667, None)
    assert report.totals.dropped == 0 and report.totals.done == 7 and report.archived == "done"
    assert report.data_quality.counts["dropped_in_progress"] == 0
    with pytest.raises(ValueError, match="archived must be one of"):
        build_report(history, plan=plan, archived="gone")


def test_a_week_label_people_renamed_keeps_its_cards_in_their_week_when_its_id_is_known(tmp_path) -> None:
    from datetime import timedelta

    from trelloplan.board.state import PlanState
    from trelloplan.reporting import plan_week_labels

    plan = load_plan_text("project: P\nstart: 2027-01-04\nweeks:\n  - {week: 1, milestone: M, demo: D, tasks: [A, B]}\n"
                          "  - {week: 2, milestone: N, demo: E, tasks: [C]}\n")
    t0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    b = BoardBuilder("P", created=t0 - timedelta(days=1))
    todo, _, _ = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    renamed = b.add_label("Sprint 1 \N{ROCKET}")  # was "Week 1" when apply made it
    for name in ("A", "B"):
        b.add_card(name, todo, t0, labels=(renamed,))
    history = history_from_board_json(b.export())
    as_of = t0 + timedelta(days=2)
    by_name = build_report(history, as_of=as_of, plan=plan)
    by_id = build_report(history, as_of=as_of, plan=plan, week_labels={renamed: 1, "gone": 2})
    assert by_name.totals.planned == 0 and by_name.data_quality.counts["no_week_label"] == 2
    assert by_id.totals.planned == 2 and by_id.weeks[0].planned == 2 and by_id.data_quality.counts["no_week_label"] == 0

    plan_file = tmp_path / "p.yaml"
    state = PlanState(path=tmp_path / "p.state.json", board_id=history.board.id,
                      labels={"week:1": {"id": renamed, "name": "Week 1"}, "demo": {"id": "d", "name": "Demo"},
                              "week:x": {"id": "odd"}})
    state.save()
    assert plan_week_labels(plan_file, history) == {renamed: 1}
    state.board_id = "another board"
    state.save()
    assert plan_week_labels(plan_file, history) == {}


def test_a_board_made_mid_project_carries_the_open_cards_of_earlier_weeks_into_its_first_week() -> None:
    from datetime import timedelta

    plan = load_plan_text("project: P\nstart: 2027-01-04\nweeks:\n  - {week: 1, milestone: M, demo: D, tasks: [A, B]}\n"
                          "  - {week: 2, milestone: N, demo: E, tasks: [C]}\n  - {week: 3, milestone: O, demo: F, tasks: [G]}\n")
    made = datetime(2027, 1, 20, 9, tzinfo=timezone.utc)  # Wednesday of week 3: the lead sets the board up late
    b = BoardBuilder("P", created=made)
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    w1, w2, w3 = (b.add_label(f"Week {n}") for n in (1, 2, 3))
    a = b.add_card("A", todo, made + timedelta(minutes=1), labels=(w1,))
    b.add_card("B", todo, made + timedelta(minutes=1), labels=(w1,))
    c = b.add_card("C", todo, made + timedelta(minutes=1), labels=(w2,))
    b.add_card("G", todo, made + timedelta(minutes=1), labels=(w3,))
    b.move(a, doing, made + timedelta(hours=2))
    b.move(a, done, made + timedelta(days=1))
    b.move(c, done, made + timedelta(hours=1))
    report = build_report(history_from_board_json(b.export()), as_of=made + timedelta(days=2), plan=plan)
    assert report.week.number == 3 and report.week.observed == "part"
    carried = {ref.name: ref for ref in report.week.carried_over}
    assert set(carried) == {"A", "B", "C"}  # every card of weeks 1 and 2 open when the board was made
    assert {ref.name for ref in report.week.completed if ref.carried_over} == {"A", "C"}
    assert "G" not in carried


def test_a_task_slipped_to_this_week_after_it_began_is_carried_over_into_it() -> None:
    from datetime import timedelta

    plan = load_plan_text("project: P\nstart: 2027-01-04\nweeks:\n  - {week: 1, milestone: M, demo: D, tasks: [A, B]}\n"
                          "  - {week: 2, milestone: N, demo: E, tasks: [C]}\n")
    t0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    b = BoardBuilder("P", created=t0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    w1, w2 = b.add_label("Week 1"), b.add_label("Week 2")
    a = b.add_card("A", todo, t0, labels=(w1,))
    late = b.add_card("B", todo, t0, labels=(w1,))
    b.add_card("C", todo, t0, labels=(w2,))
    b.move(a, doing, t0 + timedelta(days=2))
    slipped_at = t0 + timedelta(days=7, hours=1)  # Monday of week 2: the lead moves A and B to week 2
    for card in (a, late):
        b.label_card(card, w1, slipped_at, add=False)
        b.label_card(card, w2, slipped_at)
    b.move(late, done, slipped_at + timedelta(days=1))
    history = history_from_board_json(b.export())
    report = build_report(history, as_of=t0 + timedelta(days=9), plan=plan)
    assert report.week.number == 2
    assert {ref.name for ref in report.week.carried_over} == {"A", "B"}  # they were week 1's, open, when week 2 began
    assert [ref.name for ref in report.week.completed if ref.carried_over] == ["B"]
    early = build_report(history, as_of=t0 + timedelta(days=7, minutes=30), plan=plan)  # before the slip
    assert {ref.name for ref in early.week.carried_over} == {"A", "B"}
    # a task moved to week 2 before week 2 began is a re-plan, not a carry-over
    b2 = BoardBuilder("P", created=t0 - timedelta(days=1))
    todo2 = b2.add_list("To Do")
    x1, x2 = b2.add_label("Week 1"), b2.add_label("Week 2")
    x = b2.add_card("A", todo2, t0, labels=(x1,))
    b2.label_card(x, x1, t0 + timedelta(days=3), add=False)
    b2.label_card(x, x2, t0 + timedelta(days=3))
    replanned = build_report(history_from_board_json(b2.export()), as_of=t0 + timedelta(days=9), plan=plan)
    assert replanned.week.carried_over == ()
