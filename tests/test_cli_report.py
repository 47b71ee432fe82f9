"""`trelloplan report`: sources, formats, --out, and one clean line with exit 2 for every bad input."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.history import RoleRules, build_report, load_export
from trelloplan.history.fetch import pull_history
from trelloplan.history.synthetic import generate_board
from trelloplan.sandbox import Sandbox
from trelloplan.store import HistoryStore

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
KANBAN = str(SAMPLES / "board-exports" / "kanban-template.json")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "markdown"])
def test_every_format_from_an_export(fmt: str) -> None:
    code, out, err = run("report", "--from-export", KANBAN, "--as-of", "2020-02-01", "--format", fmt)
    assert code == 0 and err == ""
    if fmt == "json":
        data = json.loads(out)
        assert data["as_of"] == "2020-02-01T23:59:59.999Z" and data["totals"]["cards"] == 15
        assert data["totals"]["dropped"] == 1  # "Running Experiments" sits in the archived list "Running"
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(out)))) == 16
    else:
        assert "Kanban Template" in out and "2020-W05" in out


def test_the_report_equals_the_library_call() -> None:
    code, out, _ = run("report", "--from-export", KANBAN, "--as-of", "2020-01-17T12:00:00+01:00", "--format", "json",
                       "--tz", "Europe/Paris", "--seed", "5", "--list-role", "Running=done")
    expected = build_report(load_export(KANBAN), as_of=datetime(2020, 1, 17, 11, tzinfo=timezone.utc), tz="Europe/Paris",
                            seed=5, list_roles=RoleRules.parse(["Running=done"]))
    assert code == 0 and json.loads(out) == expected.to_dict()
    assert {row["name"]: row["role"] for row in json.loads(out)["lists"]}["Running"] == "done"


def test_out_writes_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "week.md"
    target.write_text("an old report")
    code, out, err = run("report", "--from-export", KANBAN, "--as-of", "2020-02-01", "--format", "markdown",
                         "--out", str(target))
    assert (code, out, err) == (0, "", "")  # quiet on success, for cron
    code, out, err = run("-v", "report", "--from-export", KANBAN, "--as-of", "2020-02-01", "--format", "markdown",
                         "--out", str(target))
    assert code == 0 and out == "" and f"wrote the markdown report to {target}" in err
    assert target.read_text(encoding="utf-8").startswith("# Kanban Template: weekly report for 2020-W05")
    assert sorted(os.listdir(tmp_path)) == ["week.md"]  # no temporary file left behind


def test_overlapping_exports(tmp_path: Path) -> None:
    export = json.loads(Path(KANBAN).read_text(encoding="utf-8"))
    (tmp_path / "a.json").write_text(json.dumps(dict(export, actions=export["actions"][:40])))
    (tmp_path / "b.json").write_text(json.dumps(dict(export, actions=export["actions"][30:])))
    merged = run("report", "--from-export", str(tmp_path / "a.json"), "--from-export", str(tmp_path / "b.json"),
                 "--as-of", "2020-02-01", "--format", "json")
    whole = run("report", "--from-export", KANBAN, "--as-of", "2020-02-01", "--format", "json")
    assert merged[0] == 0 and json.loads(merged[1]) == json.loads(whole[1])


def test_a_plan_week(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("project: P\nstart: 2026-01-05\nweeks:\n"
                    + "".join(f"  - {{week: {n}, milestone: M{n}, demo: D{n}, tasks: [T{n}]}}\n" for n in range(1, 13)))
    (tmp_path / "board.json").write_text(json.dumps(generate_board(500, seed=3)))
    code, out, err = run("report", "--from-export", str(tmp_path / "board.json"), "--plan", str(plan), "--week", "3",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["week"]["label"] == "Week 3" and data["as_of"] == "2026-01-25T23:59:59.999Z"
    assert len(data["weeks"]) == 12 and data["weeks"][0]["planned"] > 0 and data["project"] == "P"


def test_a_store(tmp_path: Path) -> None:
    export = generate_board(400, seed=8)
    with HistoryStore(tmp_path / "s.sqlite") as store:
        store.add_actions(export["actions"])
        store.save_snapshot(export, cards=export["cards"], lists=export["lists"])
    code, out, _ = run("report", "--store", str(tmp_path / "s.sqlite"), "--as-of", "2026-12-01", "--format", "json")
    assert code == 0 and json.loads(out)["totals"]["cards"] == len(export["cards"])


@pytest.mark.sandbox(start="2026-03-02T09:00:00Z", frozen=True, rate_limit=False)
def test_a_board_is_pulled_into_its_store_first(sandbox: Sandbox, tmp_path: Path) -> None:
    auth = sandbox.auth()
    board = requests.post(f"{sandbox.api_url}/boards", params={**auth, "name": "CLI"}, timeout=30).json()
    lists = requests.get(f"{sandbox.api_url}/boards/{board['id']}/lists", params=auth, timeout=30).json()
    requests.post(f"{sandbox.api_url}/cards", params={**auth, "name": "A", "idList": lists[-1]["id"]}, timeout=30)
    store = tmp_path / "board.sqlite"
    code, out, err = run("report", "--board", board["id"], "--store", str(store), "--as-of", "2026-03-03",
                         "--format", "json", env=sandbox.env())
    assert code == 0, err
    data = json.loads(out)
    assert data["board_id"] == board["id"] and data["totals"]["done"] == 1  # the default lists: To Do, Doing, Done
    with HistoryStore(store) as kept:
        assert kept.board_id == board["id"] and kept.action_count() > 0
        assert pull_history(lambda p, q: [], kept, board["id"]).requests == 1


def test_a_board_without_credentials_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("report", "--board", "5e20e06c460b391727ce7a2b", "--store", str(tmp_path / "s.sqlite"),
                       env={"TRELLO_API_KEY": "", "TRELLO_TOKEN": ""})
    assert code == 2 and err.startswith("error: ") and "TRELLO_API_KEY" in err


def test_help_has_an_example() -> None:
    code, out, _ = run("report", "--help")
    assert code == 0 and "Example:" in out and "--from-export FILE" in out and "--list-role NAME=ROLE" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from-export", "missing.json"], "missing.json: no such file"),
        (["--from-export", str(SAMPLES / "README.md")], "not valid JSON"),
        (["--from-export", KANBAN, "--week", "3"], "needs a plan"),
        (["--from-export", KANBAN, "--week", "2020-W99"], "does not exist"),
        (["--from-export", KANBAN, "--as-of", "last tuesday"], "--as-of 'last tuesday' is not a date"),
        (["--from-export", KANBAN, "--as-of", "2020-01-01", "--week", "2020-W02"], "cannot be used together"),
        (["--from-export", KANBAN, "--tz", "Moon/Base"], "unknown time zone"),
        (["--from-export", KANBAN, "--list-role", "Doing"], "is not NAME=ROLE"),
        (["--from-export", KANBAN, "--list-role", "Doing=started"], "unknown list role"),
        (["--from-export", KANBAN, "--format", "pdf"], "unknown report format 'pdf'"),
        (["--from-export", KANBAN, "--seed", "lucky"], "--seed 'lucky' is not a whole number"),
        (["--from-export", KANBAN, "--plan", "nope.yaml"], "nope.yaml"),
        (["--from-export", KANBAN, "--out", "/nonexistent/dir/r.txt"], "does not exist"),
        (["--from-export", KANBAN, "--store", "x.sqlite"], "cannot be combined"),
        ([], "say where the history comes from"),
        (["--store", "/nonexistent/s.sqlite"], "no such history store"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run("report", *args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error: " in lines[0] and message in lines[0] and "(hint: " in lines[0]
    assert "Traceback" not in err and out == ""


def test_a_board_other_than_the_one_the_plans_state_file_records_is_said_once(tmp_path: Path) -> None:
    from trelloplan.board.state import PlanState

    plan = tmp_path / "plan.yaml"
    plan.write_text((Path(__file__).resolve().parent.parent / "plans" / "mlops-gcp-10-weeks.yaml").read_text())
    export = SAMPLES / "board-exports" / "kanban-template.json"
    PlanState(path=tmp_path / "plan.state.json", board_id="6b106804b01a9823da43a235").save()
    code, out, err = run("report", "--from-export", str(export), "--plan", str(plan))
    assert code == 0 and out
    assert err.splitlines() == [f"warning: {tmp_path / 'plan.state.json'} records board 6b106804b01a9823da43a235, not "
                                f"5e20e06c460b391727ce7a2b: the report takes {plan}'s weeks and tasks, not the lists and "
                                "labels apply made"]
    PlanState(path=tmp_path / "plan.state.json", board_id="5e20e06c460b391727ce7a2b").save()
    assert run("report", "--from-export", str(export), "--plan", str(plan))[2] == ""
