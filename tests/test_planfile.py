"""Plan files: every bad input gives located problems, valid files give a Plan."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trelloplan import PlanError, TrelloplanError
from trelloplan.plan.planfile import MAX_PLAN_BYTES, load_plan, load_plan_text, validate_plan, validate_plan_text

GOOD = textwrap.dedent(
    """\
    project: Demo Project
    start: 2027-01-04
    timezone: Europe/Berlin
    weeks:
      - week: 1
        milestone: Kickoff
        demo: Present the plan
        tasks:
          - Write the charter
          - name: Set up the repo
            hours: 3
            desc: GitHub, CI
            checklist: [README, LICENSE]
      - week: 2
        milestone: Pipeline
        demo:
          name: Show one day of data loaded
          hours: 2
        tasks:
          - name: Load the data
            key: load
    """
)


def problems(text: str) -> list[tuple[int, int, str, str]]:
    result = validate_plan_text(text, "plan.yaml")
    return [(p.line, p.column, p.path, p.message) for p in result.errors]


def only_problem(text: str) -> tuple[int, int, str, str]:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_a_valid_plan_builds_weeks_tasks_dates_and_keys():
    plan = load_plan_text(GOOD, "plan.yaml")
    assert plan.project == "Demo Project"
    assert plan.timezone == "Europe/Berlin"
    assert [w.number for w in plan.weeks] == [1, 2]
    week1, week2 = plan.weeks
    assert (week1.start, week1.end) == (date(2027, 1, 4), date(2027, 1, 10))
    assert week1.due == datetime(2027, 1, 8, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert week1.label == "Week 1" and week1.label_color == "green"
    assert week2.label_color == "yellow"
    assert [t.key for t in week1.tasks] == ["write-the-charter", "set-up-the-repo"]  # the name's slug, not the week
    assert [t.line for t in week1.tasks] == [9, 10]
    assert week1.tasks[0].hours == 4.0 and week1.tasks[1].hours == 3.0
    assert week1.tasks[1].checklist == ("README", "LICENSE")
    assert week1.demo.key == "w1-demo" and week1.demo.name == "Demo: Present the plan" and week1.demo.demo
    assert "Milestone: Kickoff" in week1.demo.desc
    assert week2.demo.hours == 2.0 and week2.tasks[0].key == "load"
    assert plan.planned_hours == 4 + 3 + 1 + 2 + 4
    assert plan.week_of(date(2027, 1, 11)) == 2
    assert plan.week_of(datetime(2027, 1, 10, 23, 30, tzinfo=timezone.utc)) == 2  # already Monday in Berlin
    assert plan.week_of(date(2027, 1, 3)) is None


def test_plan_options_lists_workdays_due_time_and_demo_label():
    text = GOOD.replace("timezone: Europe/Berlin\n", textwrap.dedent("""\
        timezone: UTC
        hours_per_task: 6
        lists: {todo: Backlog, in_progress: Doing, done: Shipped}
        workdays: [mon, tue, wed, thu]
        due_time: "12:30"
        demo_label: Weekly demo
        demo_label_color: sky
        """))
    plan = load_plan_text(text)
    assert plan.lists.ordered() == ("Backlog", "Doing", "Shipped")
    assert plan.weeks[0].due == datetime(2027, 1, 7, 12, 30, tzinfo=ZoneInfo("UTC"))
    assert plan.due_time == time(12, 30)
    assert (plan.demo_label, plan.demo_label_color) == ("Weekly demo", "sky")
    assert plan.weeks[0].tasks[0].hours == 6


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", (1, 1, "", "the plan file is empty")),
        ("# only a comment\n", (1, 1, "", "the plan file is empty")),
        ("- a\n- b\n", (1, 1, "", "the plan must be a mapping (key: value lines), got a list")),
        ("just text", (1, 1, "", "the plan must be a mapping (key: value lines), got the text 'just text'")),
        ("project: [unclosed\n", (2, 1, "", "YAML syntax error: did not find expected ',' or ']'")),
        ("project: a\n  bad: indent\n", (2, 6, "", "YAML syntax error: mapping values are not allowed")),
    ],
)
def test_files_that_are_not_plans(text, expected):
    line, column, path, message = only_problem(text)
    assert (line, column, path) == expected[:3]
    assert message.startswith(expected[3])


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    "text, line, column, path, message, hint",
    [
        (replace("project:", "projcet:"), 1, 1, "projcet", "unknown key `projcet`", "did you mean `project`?"),
        (replace("    milestone: Kickoff", "    milestone: Kickoff\n    milstone: x"), 7, 5,
         "weeks[0].milstone", "unknown key `milstone`", "did you mean `milestone`?"),
        (replace("        hours: 3", "        hours: 3\n        hour: 2"), 12, 9,
         "weeks[0].tasks[1].hour", "unknown key `hour`", "did you mean `hours`?"),
        (replace("        hours: 3", "        hours: three"), 11, 16, "weeks[0].tasks[1].hours",
         "hours must be a number, got the text 'three'", "hours: 4"),
        (replace("        hours: 3", "        hours: 0"), 11, 16, "weeks[0].tasks[1].hours", "hours must be positive, got 0", "hours: 4"),
        (replace("        hours: 3", "        hours: -1.5"), 11, 16, "weeks[0].tasks[1].hours", "hours must be positive, got -1.5", "hours"),
        (replace("        hours: 3", "        hours: .nan"), 11, 16, "weeks[0].tasks[1].hours", "hours must be a number", "hours"),
        (replace("start: 2027-01-04", "start: 2027-02-30"), 2, 8, "start", "`2027-02-30` is not a valid date", "YYYY-MM-DD"),
        (replace("start: 2027-01-04", "start: next monday"), 2, 8, "start", "`next monday` is not a valid date", "YYYY-MM-DD"),
        (replace("start: 2027-01-04\n", ""), 1, 1, "", "missing required key `start`", "start: 2026-01-05"),
        (replace("timezone: Europe/Berlin", "timezone: Europe/Berlinn"), 3, 11, "timezone", "`Europe/Berlinn` is not a known time zone", "IANA"),
        (replace("timezone: Europe/Berlin", "timezone: 5"), 3, 11, "timezone", "timezone must be an IANA name, got the number 5", "Europe/Berlin"),
        (replace("project: Demo Project", "project: [a, b]"), 1, 10, "project", "project must be text, got a list", "plain text"),
        (replace("project: Demo Project", "project: ''"), 1, 10, "project", "project is empty", "text"),
        (replace("    milestone: Kickoff\n", ""), 5, 5, "weeks[0]", "missing required key `milestone`", "milestone"),
        (replace("    demo: Present the plan\n", ""), 5, 5, "weeks[0]", "missing required key `demo`", "demo"),
        (replace("  - week: 2", "  - week: 3"), 14, 11, "weeks[1].week", "week number 3 is out of sequence", "week 2 is missing"),
        (replace("  - week: 2", "  - week: 1"), 14, 11, "weeks[1].week", "week 1 appears twice", "once each"),
        (replace("  - week: 2", "  - week: two"), 14, 11, "weeks[1].week", "the week number must be a whole number", "week: 2"),
        (replace("        hours: 3\n", "        hours: 3\n        key: load\n"), 21, 9, "weeks[1].tasks[0]",
         "task key `load` is used twice (also at weeks[0].tasks[1])", "explicit `key:`"),
        (replace("      - Write the charter", "      - Set up the repo"), 10, 9, "weeks[0].tasks[1]",
         "task key `w1-set-up-the-repo` is used twice", "different name"),
        (replace("        key: load", "        key: 'has space'"), 21, 14, "weeks[1].tasks[0].key", "key `has space` is not a valid task key", "letters"),
        (replace("    milestone: Kickoff", "    milestone: Kickoff\n    label_color: purpel"), 7, 18,
         "weeks[0].label_color", "`purpel` is not a Trello label colour", "did you mean `purple`?"),
        (replace("weeks:", "demo_label_color: gold\nweeks:"), 4, 19, "demo_label_color", "`gold` is not a Trello label colour", "null"),
        (replace("        checklist: [README, LICENSE]", "        checklist: README"), 13, 20, "weeks[0].tasks[1].checklist",
         "checklist must be a list of items", "- "),
        (replace("    tasks:\n      - name: Load", "    tasks: {a: 1}\n    x:\n      - name: Load"), 19, 12,
         "weeks[1].tasks", "tasks must be a list, got a mapping", "- "),
        (replace("weeks:", "lists: {todo: A, done: a}\nweeks:"), 4, 24, "lists.done", "the done list has the same name as the todo list", "different"),
        (replace("weeks:", "workdays: [mon, funday]\nweeks:"), 4, 17, "workdays[1]", "`funday` is not a day of the week", "mon"),
        (replace("weeks:", "due_time: teatime\nweeks:"), 4, 11, "due_time", "`teatime` is not a time of day", "HH:MM"),
        (replace("weeks:", "project: Again\nweeks:"), 4, 1, "project", "key `project` appears twice here", "keep one"),
        (replace("weeks:\n", "weeks: 12\nold_weeks:\n"), 4, 8, "weeks", "weeks must be a list, got the number 12", "- week: N"),
    ],
)
def test_each_problem_is_located_and_explained(text, line, column, path, message, hint):
    result = validate_plan_text(text, "plan.yaml")
    assert result.plan is None
    matching = [p for p in result.errors if p.message.startswith(message)]
    assert matching, [str(p) for p in result.errors]
    problem = matching[0]
    assert (problem.file, problem.line, problem.column, problem.path) == ("plan.yaml", line, column, path)
    assert hint in problem.hint
    assert str(problem).startswith(f"plan.yaml:{line}:{column}: error:")


def test_names_longer_than_trello_accepts():
    long_name = "x" * 16_385
    line, column, path, message = only_problem(replace("      - Write the charter", f"      - {long_name}"))
    assert (line, column, path) == (9, 9, "weeks[0].tasks[0]")
    assert message == "the task is 16,385 characters long; Trello accepts at most 16,384"
    assert validate_plan_text(replace("      - Write the charter", "      - " + "x" * 16_384)).ok


def test_every_problem_is_reported_at_once():
    text = (GOOD.replace("project:", "projecc:").replace("2027-01-04", "2027-01-99")
            .replace("hours: 3", "hours: -3").replace("Europe/Berlin", "Nowhere"))
    found = problems(text)
    paths = {p[2] for p in found}
    assert {"projecc", "start", "timezone", "weeks[0].tasks[1].hours"} <= paths
    assert any(p[3] == "missing required key `project`" for p in found)
    assert [p[:2] for p in found] == sorted(p[:2] for p in found)


def test_non_utf8_file_points_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("Kickoff", "Kick\xf6ff").encode("latin-1"))
    result = validate_plan(path)
    assert [(p.line, p.column, p.message) for p in result.errors] == [(6, 20, "the file is not UTF-8 text (byte 0xf6)")]
    assert "UTF-8" in result.errors[0].hint


def test_utf8_with_bom_and_unicode_names_are_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("Kickoff", "Lancement — été").encode())
    plan = load_plan(path)
    assert plan.weeks[0].milestone == "Lancement — été"
    assert plan.source == str(path)


def test_a_10_mb_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "w") as handle:
        handle.write(GOOD)
        handle.write("# " + "x" * 10_000_000 + "\n")
    result = validate_plan(path)
    assert [p.message for p in result.errors] == ["the plan file is 10.0 MB; plans are at most 1 MB"]
    assert result.errors[0].path == ""
    assert MAX_PLAN_BYTES == 1_000_000


def test_an_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{'abcdefgh'[i]}: &{'abcdefgh'[i]} [" + ", ".join([f"*{'abcdefgh'[i - 1]}"] * 10) + "]\n"
    assert only_problem(bomb)[3] == "the plan expands to too many values (anchors or nesting)"


@pytest.mark.parametrize("name, message", [("missing.yaml", "no such file"), (".", "this is a directory, not a plan file")])
def test_unreadable_paths(tmp_path, name, message):
    result = validate_plan(tmp_path / name if name != "." else tmp_path)
    assert [p.message for p in result.errors] == [message]


def test_load_plan_raises_one_plan_error_with_all_problems():
    with pytest.raises(PlanError) as info:
        load_plan_text(GOOD.replace("hours: 3", "hours: 0").replace("2027-01-04", "soon"), "p.yaml")
    error = info.value
    assert error.exit_code == 2
    assert len(error.problems) == 2
    assert error.message == "p.yaml: 2 errors in the plan"  # "nothing was written or sent" is the CLI's to say


@pytest.mark.parametrize(
    "change, message, hint",
    [
        (("        hours: 3", "        hours: 9"), "task `Set up the repo` is 9 hours, longer than hours_per_task (4)",
         "split it into 3 tasks of about 3 hours each"),
        (("    tasks:\n      - name: Load the data\n        key: load\n", "    tasks: []\n"), "week 2 has no tasks", "four hours"),
    ],
)
def test_warnings_do_not_fail_the_plan(change, message, hint):
    text = replace(*change)
    result = validate_plan_text(text, "plan.yaml")
    assert result.ok, [str(p) for p in result.errors]
    matching = [w for w in result.warnings if w.message == message]
    assert matching and hint in matching[0].hint and matching[0].severity == "warning"
    assert str(matching[0]).startswith("plan.yaml:") and ": warning: " in str(matching[0])


def test_week_count_outside_10_to_12_warns():
    result = validate_plan_text(GOOD)
    assert [w.message for w in result.warnings] == ["the plan has 2 weeks; the method plans 10 to 12"]
    one = validate_plan_text(GOOD.split("  - week: 2")[0])
    assert [w.message for w in one.warnings] == ["the plan has 1 week; the method plans 10 to 12"]


yaml_ish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["project", "start", "weeks", "week", "tasks", "name", "hours", "demo", "milestone", "key",
                         "checklist", "timezone", "lists", "todo", "label_color", "workdays", "due_time", "x"]),
        children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300), yaml_ish.map(lambda v: __import__("yaml").safe_dump(v))))
def test_no_input_crashes_the_loader(data):
    try:
        load_plan_text(data, "fuzz.yaml")
    except TrelloplanError as error:
        assert error.exit_code == 2
        for problem in error.problems:  # type: ignore[attr-defined]
            assert problem.line >= 1 and problem.column >= 1 and problem.hint


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()), min_size=1, max_size=6))
def test_task_lists_of_any_names_load_or_explain(names):
    import yaml

    text = yaml.safe_dump({"project": "P", "start": "2027-01-04", "weeks": [{"week": 1, "milestone": "M", "demo": "D", "tasks": names}]})
    result = validate_plan_text(text)
    if result.ok:
        assert [t.name for t in result.plan.weeks[0].tasks] == [n.strip() for n in names]
    else:
        assert all("used twice" in p.message or "characters long" in p.message or "is empty" in p.message
                   or "control character" in p.message for p in result.errors)


def keys_of(text: str) -> dict[str, str]:
    return {task.name: task.key for task in load_plan_text(text).tasks()}


def test_a_task_keeps_its_key_when_it_moves_to_another_week():
    moved = GOOD.replace("      - Write the charter\n", "").replace("      - name: Load the data\n",
                                                                       "      - Write the charter\n      - name: Load the data\n")
    assert keys_of(GOOD)["Write the charter"] == keys_of(moved)["Write the charter"] == "write-the-charter"


def test_tasks_with_one_name_get_week_qualified_keys_and_an_explicit_key_wins():
    twice = GOOD.replace("      - name: Load the data\n", "      - Write the charter\n      - name: Load the data\n")
    assert [t.key for t in load_plan_text(twice).tasks() if t.name == "Write the charter"] == ["w1-write-the-charter", "w2-write-the-charter"]
    explicit = GOOD.replace("        key: load", "        key: write-the-charter")
    assert keys_of(explicit) == {**keys_of(explicit), "Write the charter": "w1-write-the-charter", "Load the data": "write-the-charter"}


def test_members_of_the_plan_and_of_tasks():
    text = GOOD.replace("weeks:", "members: ['@Alice', bob_2]\nweeks:").replace("        hours: 3\n", "        hours: 3\n        members: [alice]\n")
    plan = load_plan_text(text)
    assert plan.members == ("alice", "bob_2")
    assert plan.task("set-up-the-repo").members == ("alice",) and plan.task("write-the-charter").members == ()
    assert problems(GOOD.replace("weeks:", "members: [ok, 'not a name!']\nweeks:")) == [
        (4, 15, "members[1]", "`not a name!` is not a Trello username")]
    assert problems(GOOD.replace("weeks:", "members: {a: 1}\nweeks:"))[0][2:] == ("members", "members must be a list of Trello usernames, got a mapping")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=30), st.lists(st.sampled_from(["red", "red_dark", "green", "blue_dark", "orange_light"]), max_size=30))
def test_the_demo_label_colour_differs_from_every_week_label(weeks, colours):
    import yaml

    items = [{"week": n, "milestone": "M", "demo": "D", "tasks": []} for n in range(1, weeks + 1)]
    for item, colour in zip(items, colours):
        item["label_color"] = colour
    plan = load_plan_text(yaml.safe_dump({"project": "P", "start": "2027-01-04", "weeks": items}))
    assert plan.demo_label_color not in {week.label_color for week in plan.weeks}
    assert load_plan_text(yaml.safe_dump({"project": "P", "start": "2027-01-04", "demo_label_color": "red",
                                          "weeks": items})).demo_label_color == "red"  # an explicit colour is kept


def test_find_task_matches_both_forms_of_a_derived_key():
    plan = load_plan_text(GOOD)
    assert plan.find_task("write-the-charter").name == "Write the charter"
    assert plan.find_task("w1-write-the-charter").name == "Write the charter"  # a key made before 0.2
    assert plan.find_task("w7-write-the-charter").name == "Write the charter"  # made before the task moved
    assert plan.find_task("w2-load-the-data") is None  # `key: load` is explicit: only `load` is its key
    assert plan.find_task("w1-demo").demo and plan.find_task("demo") is None
