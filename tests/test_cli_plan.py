"""`trelloplan init | validate | show`: exit codes and exact user-facing text."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.plan.planfile import load_plan

ROOT = Path(__file__).resolve().parent.parent
MLOPS = ROOT / "plans" / "mlops-gcp-10-weeks.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("trelloplan, version ")


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "trelloplan", "validate", str(MLOPS)], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == f"{MLOPS}: OK (10 weeks, 60 cards, 210 hours)\n"


def test_init_writes_a_valid_plan_starting_next_monday(tmp_path):
    path = tmp_path / "plan.yaml"
    result = run("init", str(path))
    assert result.exit_code == 0, result.output
    plan = load_plan(path)
    today = date.today()
    assert plan.start.weekday() == 0 and today <= plan.start < today + timedelta(days=7)
    assert plan.project == "MLOps on GCP"
    assert result.output.startswith(f"Wrote {path}: MLOps on GCP, 10 weeks from {plan.start.isoformat()} (template mlops-gcp-10-weeks).")
    assert "# One milestone and one demo" in path.read_text()  # comments of the template are kept


def test_init_with_template_start_and_project(tmp_path):
    path = tmp_path / "p.yaml"
    result = run("init", str(path), "--template", "blank-12-weeks", "--start", "2027-03-01", "--project", 'Ops: "v2"')
    assert result.exit_code == 0, result.output
    plan = load_plan(path)
    assert (plan.project, plan.start, len(plan.weeks)) == ('Ops: "v2"', date(2027, 3, 1), 12)


def test_init_never_overwrites_without_force(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("my precious plan")
    result = run("init", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {path} already exists (hint: choose another path, or pass --force to overwrite it)\n"
    assert path.read_text() == "my precious plan"
    assert run("init", str(path), "--force").exit_code == 0
    assert load_plan(path).project == "MLOps on GCP"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]  # no temporary files left behind


@pytest.mark.parametrize(
    "args, message",
    [
        (["--template", "nope"], "error: no plan template named `nope` (hint: choose one of: blank-12-weeks, mlops-gcp-10-weeks)\n"),
        (["--start", "2027-02-30"], "error: --start `2027-02-30` is not a date (hint: write it as YYYY-MM-DD, e.g. --start 2027-01-04)\n"),
    ],
)
def test_init_bad_options(tmp_path, args, message):
    result = run("init", str(tmp_path / "plan.yaml"), *args)
    assert (result.exit_code, result.stderr) == (2, message)
    assert not (tmp_path / "plan.yaml").exists()


def test_init_into_a_missing_folder(tmp_path):
    result = run("init", str(tmp_path / "nope" / "plan.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot write {tmp_path / 'nope' / 'plan.yaml'}: the folder")


def test_validate_ok_and_warnings():
    result = run("validate", str(MLOPS), str(ROOT / "plans" / "blank-12-weeks.yaml"))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{MLOPS}: OK (10 weeks, 60 cards, 210 hours)",
        f"{ROOT / 'plans' / 'blank-12-weeks.yaml'}: OK (12 weeks, 14 cards, 20 hours, 11 warnings)",
    ]
    assert result.stderr.count(": warning: ") == 11


def test_validate_reports_every_problem_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MLOPS.read_text().replace("project:", "projet:").replace("start: 2027-01-04", "start: 2027-13-01"))
    result = run("validate", str(bad), str(MLOPS))
    assert result.exit_code == 2
    assert result.stdout == f"{MLOPS}: OK (10 weeks, 60 cards, 210 hours)\n"
    assert result.stderr.splitlines() == [
        f"{bad}:4:1: error: projet: unknown key `projet` (hint: did you mean `project`?)",
        f"{bad}:4:1: error: missing required key `project` (hint: add `project: My Project`)",
        f"{bad}:5:8: error: start: `2027-13-01` is not a valid date (hint: write the first day of week 1 as YYYY-MM-DD, e.g. `start: 2026-01-05`)",
        f"error: {bad}: 3 errors in the plan; nothing was written or sent",
    ]
    assert "Traceback" not in result.output


def test_validate_one_problem_is_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"project: \xff\n")
    result = run("validate", str(bad))
    assert (result.exit_code, result.stderr) == (2, f"{bad}:1:10: error: the file is not UTF-8 text (byte 0xff) (hint: save the plan as UTF-8 in your editor)\n")


def cells(line: str, sep: str = "│") -> list[str]:
    return [cell.strip() for cell in line.split(sep)[1:-1]]


def test_show_prints_the_weekly_table():
    result = CliRunner().invoke(main, ["show", str(MLOPS)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "MLOps on GCP: 10 weeks from 2027-01-04 (UTC)" in lines[0]
    header = next(line for line in lines if "Milestone" in line)
    assert cells(header, "┃") == ["Week", "Dates", "Milestone", "Demo", "Cards", "Hours", "Due"]
    week4 = next(line for line in lines if "Big Query Setup" in line)
    assert cells(week4) == [
        "4", "Jan 25 – Jan 31", "Big Query Setup", "Big Query Integration", "6", "21", "Fri Jan 29 17:00"]
    total = next(line for line in lines if "Total" in line)
    assert cells(total)[-4:] == ["Total", "60", "210", ""]  # 50 tasks and 10 demos: the cards the report plans
    assert any("tasks and its demo card, as the report's Planned counts them" in line for line in lines)


def test_show_an_invalid_plan_fails_cleanly(tmp_path):
    result = run("show", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'missing.yaml'}:1:1: error: no such file (hint: check the path, or create a plan with `trelloplan init`)\n"


def test_every_command_has_help_with_an_example():
    for name, command in main.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.output, name
        assert f"trelloplan {name}" in result.output.split("Example:")[1], name


def test_unknown_command_and_option_are_usage_errors():
    assert run("nope").exit_code == 2
    assert run("validate", "--nope", "x").exit_code == 2


def test_validate_lists_the_warnings_with_the_errors_in_line_order(tmp_path):
    weeks = "".join(f"  - {{week: {n}, milestone: M{n}, demo: D{n}, tasks: [T{n}]}}\n" for n in range(1, 14))
    bad = tmp_path / "long.yaml"
    bad.write_text(f"project: Long\nstart: 2027-01-04\ndue_time: 25:00\nweeks:\n{weeks}")
    result = run("validate", str(bad))
    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert lines[0].startswith(f"{bad}:3:11: error: due_time") and lines[1].startswith(f"{bad}:5:3: warning: weeks: the plan has 13 weeks")
