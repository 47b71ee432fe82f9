"""The shipped plan templates are valid and usable from an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from trelloplan import UsageError
from trelloplan.plan.planfile import load_plan, load_plan_text, validate_plan
from trelloplan.plan.templates import list_templates, render_template, template_path

ROOT = Path(__file__).resolve().parent.parent
MILESTONES = [
    ("Kickoff", "Kickoff (present plan)"), ("Continuous Deployment", "Continuous Deployment"),
    ("Setup GCP", "GCP Skeleton Project"), ("Big Query Setup", "Big Query Integration"),
    ("Big Query Modeling and Prediction", "Big Query Prediction"), ("AutoML Setup", "AutoML Prediction"),
    ("Creation of Multiple Environments", "Staging Environment"), ("Integrate API", "Computer Vision API"),
    ("Stackdriver Setup", "Monitoring"), ("Finish MVP", "MVP"),
]


def test_the_templates_are_listed():
    assert list_templates() == ["blank-12-weeks", "mlops-gcp-10-weeks"]
    assert sorted(p.stem for p in (ROOT / "plans").glob("*.yaml")) == list_templates()


def test_the_mlops_plan_is_the_reference_plan():
    result = validate_plan(ROOT / "plans" / "mlops-gcp-10-weeks.yaml")
    assert result.ok and result.warnings == []
    plan = result.plan
    assert [(w.milestone, w.demo.name.removeprefix("Demo: ")) for w in plan.weeks] == MILESTONES
    for week in plan.weeks:
        assert 3 <= len(week.tasks) <= 6
        assert all(task.hours == 4 for task in week.tasks)
    assert plan.start.weekday() == 0 and all(w.due.weekday() == 4 for w in plan.weeks)


def test_the_blank_plan_has_12_weeks():
    plan = load_plan(ROOT / "plans" / "blank-12-weeks.yaml")
    assert [w.number for w in plan.weeks] == list(range(1, 13))


def test_render_replaces_start_and_project_only():
    original = template_path("mlops-gcp-10-weeks").read_text()
    text = render_template("mlops-gcp-10-weeks", start=date(2027, 5, 3), project="X")
    plan = load_plan_text(text)
    assert (plan.start, plan.project) == (date(2027, 5, 3), "X")
    assert len(text.splitlines()) == len(original.splitlines())
    assert "start: 2027-05-03          # Monday of week 1" in text


def test_unknown_template():
    with pytest.raises(UsageError) as info:
        template_path("nope")
    assert "blank-12-weeks, mlops-gcp-10-weeks" in info.value.hint


def test_the_wheel_carries_the_templates(tmp_path):
    # hatchling comes with the test extra: no build environment to download, no network
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("trelloplan-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "trelloplan/plans/mlops-gcp-10-weeks.yaml" in names
    assert "trelloplan/plans/blank-12-weeks.yaml" in names
