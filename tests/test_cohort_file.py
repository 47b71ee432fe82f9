"""Cohort files: the documented example is valid, every problem is located, team plans follow their team."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.cohort.cohortfile import load_cohort, validate_cohort
from trelloplan.cohort.model import team_key, team_plan
from trelloplan.errors import CohortFileError

ROOT = Path(__file__).resolve().parent.parent
PLAN = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "plan.yaml").write_text(PLAN)
    return tmp_path


def write(folder: Path, text: str, name: str = "cohort.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def problems(folder: Path, text: str) -> list[str]:
    result = validate_cohort(write(folder, text))
    return [str(p) for p in result.errors + result.warnings]


def test_the_example_in_the_docs_is_valid_and_means_what_it_says(folder):
    docs = (ROOT / "docs" / "cohort.md").read_text()
    example = re.search(r"```yaml\n(.+?)\n```", docs, flags=re.S).group(1)
    tasks = re.search(r"```yaml\n(# ada-tasks.yaml.+?)\n```", docs, flags=re.S).group(1)
    (folder / "ada-tasks.yaml").write_text(tasks)
    cohort = load_cohort(write(folder, example))
    assert cohort.name == "CS 512 Fall" and cohort.workspace == "CS 512 Fall" and cohort.report_to == ("instructor@example.edu",)
    assert [t.name for t in cohort.teams] == ["Team Ada", "Team Linus", "Team Grace"]
    ada, linus, grace = cohort.teams
    assert ada.members == ("ada", "grace_h") and ada.email == ("ada@example.edu", "grace@example.edu")
    assert linus.start == date(2027, 1, 11) and grace.key == "grace"
    assert cohort.state_path(ada) == folder / "cohort.state" / "team-ada.state.json"
    plan = team_plan(cohort, ada)
    assert plan.project == "MLOps on GCP — Team Ada" and plan.workspace == "CS 512 Fall"
    shared = [(t.key, t.week) for t in cohort.plan.tasks()]
    assert [(t.key, t.week) for t in plan.tasks() if (t.key, t.week) in shared] == shared  # every shared card, same keys
    own = [t for t in plan.tasks() if (t.key, t.week) not in shared]
    assert [(t.week, t.name, t.hours) for t in own] == [(3, "Port the training job to the lab's GPU cluster", 4.0),
                                                        (7, "Present the cluster results to the lab", 2.0)]
    assert plan.where(own[0]) == f"{folder / 'ada-tasks.yaml'}:5"
    late = team_plan(cohort, linus)
    assert late.start == date(2027, 1, 11) and late.weeks[0].due.date() == date(2027, 1, 15)
    assert late.weeks[-1].end == cohort.plan.weeks[-1].end.replace(day=21) and late.end == date(2027, 3, 21)
    assert [t.key for t in late.tasks()] == [t.key for t in cohort.plan.tasks()]  # same cards, a week later


def test_a_teams_start_has_the_plans_range(folder):
    found = problems(folder, "plan: plan.yaml\nteams:\n  - name: Late\n    start: 9999-12-27\n  - name: Early\n    start: 0001-01-01\n")
    cohort = str(folder / "cohort.yaml")
    assert [line.split(" (hint:")[0] for line in found] == [
        f"{cohort}:4:12: error: teams[0].start: start 9999-12-27 is out of range: a plan starts between 1970-01-01 and 8981-10-31",
        f"{cohort}:6:12: error: teams[1].start: start 0001-01-01 is out of range: a plan starts between 1970-01-01 and 8981-10-31",
    ]


def test_every_problem_is_located(folder):
    found = problems(folder, """\
plan: nope.yaml
board_name: "{project} {tem}"
teems: 3
teams:
  - name: yes
    members: [Ada, "bad name", ada]
    email: [not-an-address]
    start: 2027-02-30
  - name: Team Ada
  - name: team ada
  - name: Team  Ada!
report_to: x@
""")
    cohort = str(folder / "cohort.yaml")
    assert found == [
        f"{cohort}:1:7: error: plan: the plan `nope.yaml`: no such file (hint: give the plan's path relative to the cohort file's folder)",
        f"{cohort}:2:13: error: board_name: board_name has an unknown placeholder `{{tem}}` (hint: use {{project}} and {{team}}, "
        "e.g. `board_name: \"{project} — {team}\"`; write {{ or }} for a brace)",
        f"{cohort}:3:1: error: teems: unknown key `teems` (hint: did you mean `teams`?)",
        f"{cohort}:5:11: error: teams[0].name: YAML reads the unquoted `yes` as a true/false value (true), not as text "
        "(hint: put it in quotes: `name: \"yes\"`)",
        f"{cohort}:6:20: error: teams[0].members[1]: `bad name` is not a Trello username (hint: write the username from the "
        "person's Trello profile (trello.com/USERNAME): lowercase letters, digits and _)",
        f"{cohort}:7:13: error: teams[0].email[0]: bad email address 'not-an-address': it needs exactly one @ "
        "(hint: write one address per item, like ada@example.edu)",
        f"{cohort}:8:12: error: teams[0].start: `2027-02-30` is not a valid date (hint: write the team's first day of week 1 "
        "as YYYY-MM-DD, e.g. `start: 2027-01-11`)",
        f"{cohort}:10:11: error: teams[2].name: team `team ada` appears twice (also teams[1]) (hint: give every team its own name)",
        f"{cohort}:11:5: error: teams[3]: team `Team  Ada!` would share the state file team-ada.state.json with item 2 "
        "(hint: give one of the two teams its own `key:`)",
        f"{cohort}:12:12: error: report_to: bad email address 'x@': it needs exactly one @ (hint: write one address per item, "
        "like ada@example.edu)",
        f"{cohort}:6:32: warning: teams[0].members[2]: member `ada` is listed twice (hint: list each member once)",
    ]


def test_problems_of_the_plan_are_located_in_the_plan(folder):
    (folder / "plan.yaml").write_text(PLAN.replace("start: 2027-01-04", "start: someday"))
    with pytest.raises(CohortFileError) as info:
        load_cohort(write(folder, "plan: plan.yaml\nteams: [Team Ada, Team Linus]\n"))
    [problem] = info.value.problems
    assert problem.file == str(folder / "plan.yaml") and problem.line == 5 and "not a valid date" in problem.message


TEAM = "plan: plan.yaml\nteams:\n  - name: A\n    plan: a.yaml\n"


@pytest.mark.parametrize("tasks, where, message", [
    ("weeks:\n  - week: 11\n    tasks: [X]\n", "2:11", "week 11 is not a week of the plan (it has weeks 1–10)"),
    ("weeks:\n  - week: 2\n    milestone: M\n    tasks: [X]\n", "3:5", "unknown key `milestone`"),
    ("weeks:\n  - week: 2\n    tasks:\n      - name: X\n        key: w1-demo\n", "4:9",
     "task key `w1-demo` is already the plan's task 'Demo: Kickoff (present plan)'"),
    ("weeks:\n  - week: 2\n    tasks: [Same, Same]\n", "3:19", "task key `w2-same` is used twice (also weeks[0].tasks[0])"),
    ("weeks:\n  - week: 2\n    tasks:\n      - name: yes\n", "4:15",
     "YAML 1.1 reads the unquoted `yes` as true (a true/false value), not as text"),
    ("weeks:\n  - week: 2\n    tasks:\n      - name: X\n        hours: many\n", "5:16", "hours must be a number, got the text 'many'"),
    ("weeks: {week: 2}\n", "1:8", "weeks must be a list, got a mapping"),
    ("tasks: [X]\n", "1:1", "unknown key `tasks`"),
    ("", "1:1", "the tasks file is empty"),
])
def test_every_problem_of_a_teams_tasks_is_located_in_its_file(folder, tasks, where, message):
    (folder / "a.yaml").write_text(tasks)
    result = validate_cohort(write(folder, TEAM))
    assert [(p.file, f"{p.line}:{p.column}", p.message) for p in result.errors][:1] == [(str(folder / "a.yaml"), where, message)]
    assert result.cohort is None


def test_a_whole_plan_given_as_a_teams_tasks_is_one_error(folder):
    (folder / "a.yaml").write_text(PLAN)
    result = validate_cohort(write(folder, TEAM))
    assert [str(p) for p in result.errors] == [
        f"{folder / 'a.yaml'}:4:1: error: project: this is a whole plan, not a team's own tasks (hint: keep only `weeks:`, "
        "each with its `week:` number and the team's own `tasks:` (docs/cohort.md))"]


def test_a_teams_task_named_like_a_plan_task_gets_the_week_key_and_the_plan_keeps_its_own(folder):
    (folder / "a.yaml").write_text("weeks:\n  - week: 4\n    tasks: [Same name, Another]\n  - week: 5\n    tasks: [Same name]\n")
    cohort = load_cohort(write(folder, TEAM))
    shared = {t.key for t in cohort.plan.tasks()}
    plan = team_plan(cohort, cohort.team("A"))
    added = [(t.week, t.key) for t in plan.tasks() if t.key not in shared]
    assert added == [(4, "w4-same-name"), (4, "another"), (5, "w5-same-name")]
    assert {t.key for t in plan.tasks()} >= shared and len(list(plan.tasks())) == len(shared) + 3


@pytest.mark.parametrize("text, message", [
    ("", "the cohort file is empty"),
    ("plan: plan.yaml\n", "missing required key `teams`"),
    ("plan: plan.yaml\nteams: []\n", "teams must be a non-empty list, got a list"),
    ("plan: plan.yaml\nteams: Team Ada\n", "teams must be a non-empty list, got the text 'Team Ada'"),
    ("teams: [A]\n", "missing required key `plan`"),
    ("plan: plan.yaml\nboard_name: \"{project}\"\nteams: [A]\n", "board_name has no {team}, so every team's board would have the same name"),
    ("plan: plan.yaml\nboard_name: \"{team\"\nteams: [A]\n", "board_name has an unmatched `{` or `}`"),
    ("plan: plan.yaml\nteams:\n  - name: A\n    key: Has Space\n", "key `Has Space` is not a valid team key"),
    ("plan: plan.yaml\nteams:\n  - name: A\n    members: {ada: 1}\n", "members must be a list, got a mapping"),
    ("plan: plan.yaml\nteams:\n  - name: A\n    plan: missing.yaml\n", "the tasks file `missing.yaml`: no such file"),
    ("plan: plan.yaml\nteams:\n  - name: 010\n", "YAML reads the unquoted `010` as the number 8, not as text"),
    ("plan: .\nteams: [A]\n", "the plan `.`: a folder, not a file"),
])
def test_one_problem(folder, text, message):
    result = validate_cohort(write(folder, text))
    assert [p.message for p in result.errors] == [message]


def test_friendly_forms(folder):
    cohort = load_cohort(write(folder, """\
plan: plan.yaml
state: states
teams:
  - Team Ada
  - name: "Équipe Élodie"
    members: "@Elodie"
    email: elodie@example.edu
    key: elodie
  - name: 42
"""))
    assert [(t.name, t.key) for t in cohort.teams] == [("Team Ada", "team-ada"), ("Équipe Élodie", "elodie"), ("42", "42")]
    assert cohort.teams[1].members == ("elodie",) and cohort.teams[1].email == ("elodie@example.edu",)
    assert cohort.state_dir == folder / "states" and cohort.title == "MLOps on GCP"
    assert team_key("  ") == "team" and team_key("Ünïcode Team #2") == "unicode-team-2"


def test_a_bad_cohort_file_is_refused_before_anything_is_sent(folder):
    write(folder, "plan: plan.yaml\nteams:\n  - name: A\n    email: [nope]\n  - name: B\n    members: [\"x y\"]\n")
    result = CliRunner().invoke(main, ["cohort", "apply", str(folder / "cohort.yaml"), "--yes"],
                                env={"TRELLO_API_URL": "http://127.0.0.1:9/1", "TRELLO_API_KEY": "k", "TRELLO_TOKEN": "t"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and lines[0].startswith(f"{folder / 'cohort.yaml'}:4:13: error: teams[0].email[0]: bad email address")
    assert lines[-1] == f"error: {folder / 'cohort.yaml'}: 2 errors in the cohort; nothing was written or sent"
    result = CliRunner().invoke(main, ["cohort", "report", str(folder / "missing.yaml")])
    assert result.exit_code == 2 and result.stderr == (
        f"{folder / 'missing.yaml'}:1:1: error: no such file (hint: check the path of the cohort file (docs/cohort.md has an example))\n")
