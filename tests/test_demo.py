"""`trelloplan demo`: the whole product on the sandbox, seeded and reproducible, with every output file."""

from __future__ import annotations

import email
import json
from email import policy

import pytest
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.demo import run_demo
from trelloplan.errors import UsageError


def figures(report: dict) -> dict:
    """The report without the ids the sandbox mints afresh on every run."""
    return {
        "totals": report["totals"], "throughput": report["throughput"],
        "weeks": [{**week, "demo": {**week["demo"], "card_id": None}} for week in report["weeks"]],
        "cycle": report["cycle_time_days"], "lead": report["lead_time_days"], "forecast": report["forecast"],
        "wip": [(c["name"], c["age_days"]) for c in report["wip"]["cards"]],
        "members": [(m["name"], m["done"], m["in_progress"]) for m in report["members"]],
        "quality": report["data_quality"]["counts"],
    }


def test_the_demo_writes_every_output_and_is_reproducible(tmp_path):
    first = run_demo(tmp_path / "one")
    second = run_demo(tmp_path / "two")
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    two = json.loads((tmp_path / "two" / "report.json").read_text())
    assert figures(one) == figures(two)
    assert one["project"] == "MLOps on GCP" and one["week"]["label"] == "Week 5"
    totals = one["totals"]
    assert 0 < totals["done"] < totals["cards"] == 60 and totals["in_progress"] > 0
    assert one["data_quality"]["counts"].get("reopened") == 1 and one["data_quality"]["counts"].get("skipped_in_progress") == 1
    assert len({m["name"] for m in one["members"]}) == 3
    assert first.report.to_dict()["totals"] == totals and second.moves == first.moves > 40

    folder = tmp_path / "one"
    for name in ("report.html", "report.md", "report.json", "report.csv", "weekly-email.eml", "history.sqlite"):
        assert (folder / name).stat().st_size > 0, name
    charts = sorted(p.name for p in (folder / "charts").iterdir())
    assert charts == ["burn-up.png", "cumulative-flow.png", "cycle-time.png", "throughput.png"]
    assert all((folder / "charts" / name).read_bytes().startswith(b"\x89PNG") for name in charts)
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4 and "<script" not in page
    message = email.message_from_bytes((folder / "weekly-email.eml").read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("MLOps on GCP: week 5 of 10, ")
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    assert (folder / "report.md").read_text().startswith("# MLOps on GCP")

    overview = first.overview  # the class: three teams of different pace, a board each, one page
    assert [row.team for row in sorted(overview.teams, key=lambda r: r.done)] == ["Team Grace", "Team Linus", "Team Ada"]
    assert len({row.done for row in overview.teams}) == 3 and all(row.status != "error" for row in overview.teams)
    assert all(row.members for row in overview.teams) and overview.week == 5
    cohort_page = (folder / "cohort.html").read_text()
    for key in ("team-ada", "team-linus", "team-grace"):
        assert f'href="cohort.teams/{key}.html"' in cohort_page
        assert (folder / "cohort.teams" / f"{key}.html").read_text().count("data:image/png;base64,") == 4
    assert [row.done for row in second.overview.teams] == [row.done for row in overview.teams]  # seeded


def test_the_demo_command(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "out"), "--week", "3"])
    assert result.exit_code == 0, result.output
    assert "Week 3" in result.stdout
    assert f"html           {tmp_path / 'out' / 'report.html'}" in result.stdout
    assert f"Open {tmp_path / 'out' / 'report.html'} in a browser" in result.stdout


def test_a_week_outside_the_plan():
    with pytest.raises(UsageError) as info:
        run_demo("unused", week=11)
    assert info.value.hint == "choose a week from 1 to 10"
    result = CliRunner().invoke(main, ["demo", "--week", "13"])
    assert result.exit_code == 2


def test_a_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["demo", str(blocker / "demo")])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: cannot create the demo folder {blocker / 'demo'}")
