"""YAML 1.1 surprises: an unquoted value that YAML reads as something else than the plan means is a
located error with a hint, never a silently different plan."""

from __future__ import annotations

import textwrap
from datetime import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from trelloplan.plan.planfile import validate_plan_text

PLAN = textwrap.dedent(
    """\
    project: Demo Project
    start: 2027-01-04
    due_time: "17:00"
    weeks:
      - week: 1
        milestone: Kickoff
        demo: Present the plan
        tasks:
          - Write the charter
          - name: Set up the repo
            hours: 3
            checklist: [README, LICENSE]
    """
)


def errors(text: str) -> list[tuple[int, int, str, str, str]]:
    return [(p.line, p.column, p.path, p.message, p.hint) for p in validate_plan_text(text, "plan.yaml").errors]


def test_due_time_25_00_unquoted_is_an_error_not_15_00() -> None:
    (error,) = errors(PLAN.replace('due_time: "17:00"', "due_time: 25:00"))
    line, column, path, message, hint = error
    assert (line, column, path) == (3, 11, "due_time")
    assert message == "`25:00` is not a time of day; unquoted, YAML 1.1 reads it as the number 1500 (base 60)"
    assert hint == 'write a time from 00:00 to 23:59 in quotes, e.g. `due_time: "17:00"`'


@pytest.mark.parametrize(("written", "meant"), [("17:00", time(17)), ("9:05", time(9, 5)), ("07:30:15", time(7, 30, 15)),
                                                 ('"17:00"', time(17)), ("'08:15'", time(8, 15))])
def test_a_clock_time_unquoted_or_quoted_is_that_time(written: str, meant: time) -> None:
    result = validate_plan_text(PLAN.replace('due_time: "17:00"', f"due_time: {written}"), "plan.yaml")
    assert result.plan is not None and result.plan.due_time == meant


@pytest.mark.parametrize(("written", "read_as"), [
    ("0700", "the number 448 (octal, because of the leading 0)"),  # today silently 07:28
    ("900", "the number 900"),  # today silently 15:00 (900 minutes)
    ("24:00", "the number 1440 (base 60)"),
    ("on", "true (a true/false value)"),
])
def test_other_times_yaml_reads_as_numbers_are_errors(written: str, read_as: str) -> None:
    (error,) = errors(PLAN.replace('due_time: "17:00"', f"due_time: {written}"))
    assert error[:3] == (3, 11, "due_time") and error[3].endswith(f"YAML 1.1 reads it as {read_as}")


@pytest.mark.parametrize(("written", "read_as"), [
    ("1:30", "the number 90 (base 60)"),
    ("yes", "true (a true/false value)"),
    ("Off", "false (a true/false value)"),
    ("010", "the number 8 (octal, because of the leading 0)"),
    ("3.10", "the number 3.1"),
    ("1_000", "the number 1000"),
    ("0x1F", "the number 31"),
    (".inf", "the number inf"),
    ("2027-01-04 09:00:00Z", "the date and time 2027-01-04 09:00:00+00:00"),
])
def test_text_that_yaml_reads_as_something_else_is_an_error_that_says_how_to_quote_it(written: str, read_as: str) -> None:
    (error,) = errors(PLAN.replace("  - Write the charter", f"  - {written}"))
    assert error == (9, 9, "weeks[0].tasks[0]", f"YAML 1.1 reads the unquoted `{written}` as {read_as}, not as text",
                     f'put it in quotes: `- "{written}"`')
    (error,) = errors(PLAN.replace("name: Set up the repo", f"name: {written}"))
    assert error[:3] == (10, 15, "weeks[0].tasks[1].name") and error[4] == f'put it in quotes: `name: "{written}"`'


def test_every_text_place_of_the_plan_is_checked() -> None:
    text = PLAN.replace("project: Demo Project", "project: yes").replace("milestone: Kickoff", "milestone: 1:00")
    text = text.replace("demo: Present the plan", "demo: no").replace("[README, LICENSE]", "[README, on]")
    text = text.replace("start: 2027-01-04", "start: 2027-01-04\nworkdays: [mon, off]\ndemo_label: 007\nworkspace: 2:30")
    text = text.replace("    tasks:\n", "    label_color: no\n    tasks:\n") + "        key: 0o17\n"
    paths = [e[2] for e in errors(text)]
    assert paths == ["project", "workdays[1]", "demo_label", "workspace", "weeks[0].milestone", "weeks[0].demo",
                     "weeks[0].label_color", "weeks[0].tasks[1].checklist[1]"], errors(text)
    colour = next(e for e in errors(text) if e[2] == "weeks[0].label_color")
    assert "null" in colour[4]  # `no` as a colour: the hint says how to write "no colour"


def test_numbers_written_the_way_yaml_11_reads_differently_are_errors() -> None:
    (error,) = errors(PLAN.replace("hours: 3", "hours: 1:30"))
    assert error[2:] == ("weeks[0].tasks[1].hours", "YAML 1.1 reads the unquoted `1:30` as the number 90 (base 60)",
                         "write it as a plain decimal number, e.g. `hours: 1.5`")
    (error,) = errors(PLAN.replace("week: 1\n", "week: 010\n"))
    assert error[2] == "weeks[0].week" and error[4] == "write it as a plain decimal number, e.g. `week: 10`"
    result = validate_plan_text(PLAN.replace("week: 1\n", "week: 01\n").replace("hours: 3", "hours: 03"), "plan.yaml")
    assert result.plan is not None and result.plan.weeks[0].tasks[1].hours == 3  # 01 and 03 mean the same either way


def test_values_that_read_back_as_the_same_text_are_fine() -> None:
    text = PLAN.replace("  - Write the charter", "  - 42\n      - 2027-01-04\n      - 1.5").replace(
        "name: Set up the repo", "name: 2027\n        key: 2027-01-04")
    result = validate_plan_text(text, "plan.yaml")
    assert result.plan is not None, result.errors
    assert [t.name for t in result.plan.weeks[0].tasks] == ["42", "2027-01-04", "1.5", "2027"]
    assert result.plan.weeks[0].tasks[-1].key == "2027-01-04"


_surprising = st.one_of(
    st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 99), st.integers(0, 59)),
    st.builds(lambda d: "0" + d, st.text("01234567", min_size=1, max_size=4)),
    st.builds(lambda a, b: f"{a}.{b}0", st.integers(0, 99), st.integers(0, 9)),
    st.sampled_from(["yes", "no", "on", "off", "y", "n", "True", "NO", "Off", "~", "null"]),
    st.builds(lambda a, b: f"{a}_{b:03d}", st.integers(1, 99), st.integers(0, 999)),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(2000, 2099), st.integers(1, 12), st.integers(1, 28)),
    st.from_regex(r"\A[0-9a-z:._+-]{1,8}\Z"),
)


@settings(max_examples=150, deadline=None)
@given(_surprising)
def test_an_unquoted_task_name_is_never_silently_another_text(written: str) -> None:
    """Whatever YAML 1.1 makes of it: the task is named exactly as written, or the line has an error."""
    try:
        parsed = yaml.safe_load(f"- {written}")
    except yaml.YAMLError:
        return
    if not isinstance(parsed, list) or len(parsed) != 1 or isinstance(parsed[0], (dict, list)):
        return
    result = validate_plan_text(PLAN.replace("  - Write the charter", f"  - {written}"), "plan.yaml")
    if result.plan is not None:
        assert result.plan.weeks[0].tasks[0].name == written
    else:
        assert any(p.line == 9 for p in result.errors), result.errors


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 99), st.integers(0, 59))
def test_an_unquoted_due_time_is_that_clock_time_or_an_error(hours: int, minutes: int) -> None:
    result = validate_plan_text(PLAN.replace('due_time: "17:00"', f"due_time: {hours}:{minutes:02d}"), "plan.yaml")
    if hours < 24:
        assert result.plan is not None and result.plan.due_time == time(hours, minutes)
    else:
        assert result.plan is None and [p.path for p in result.errors] == ["due_time"]
