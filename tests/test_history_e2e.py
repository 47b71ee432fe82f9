"""End to end on the sandbox: apply a plan, move its cards on chosen dates, and check the weekly report exactly.

The plan starts on a Monday in the past so that ``--week N`` reports as of the week's end whatever
today's date is (a week still running is reported as of now).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from trelloplan.board.markers import card_key
from trelloplan.cli import main
from trelloplan.sandbox import Sandbox

PLAN = """
project: End to end
start: 2025-01-06
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
    return datetime(2025, month, day, hh, mm, tzinfo=timezone.utc)


class Api:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()

    def __call__(self, method: str, path: str, **params: Any) -> Any:
        response = self.session.request(method, self.sandbox.api_url + path, params={**self.sandbox.auth(), **params},
                                        timeout=30)
        response.raise_for_status()
        return response.json()

    def at(self, moment: datetime, method: str, path: str, **params: Any) -> Any:
        self.sandbox.clock.set(moment)
        return self(method, path, **params)


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("e2e")
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    with Sandbox(start=utc("01-05", 10), frozen=True, rate_limit=False) as sandbox:
        result = CliRunner().invoke(main, ["apply", str(folder / "plan.yaml"), "--yes", "--json"], env=sandbox.env())
        assert result.exit_code == 0, result.output
        board_id = json.loads(result.output)["board"]["id"]
        api = Api(sandbox)
        lists = {item["name"]: item["id"] for item in api("GET", f"/boards/{board_id}/lists")}
        cards = {card_key(card["desc"]): card["id"] for card in api("GET", f"/boards/{board_id}/cards")}
        todo, doing, done = lists["To Do"], lists["In Progress"], lists["Done"]

        def move(key: str, target: str, moment: datetime) -> None:
            api.at(moment, "PUT", f"/cards/{cards[key]}", idList=target)

        move("task-a", doing, utc("01-06", 9))
        move("task-a", done, utc("01-07", 9))
        move("task-c", doing, utc("01-07", 9))
        move("task-b", doing, utc("01-07", 12))
        move("task-b", done, utc("01-08", 12))
        move("task-b", doing, utc("01-09", 12))
        move("w1-demo", done, utc("01-10", 16))
        move("task-g", doing, utc("01-12", 20))
        move("task-g", done, utc("01-12", 23, 30))   # 00:30 on Monday in Paris: week 2
        move("task-e", doing, utc("01-13", 10))
        cards["hotfix"] = api.at(utc("01-14", 8), "POST", "/cards", name="Hotfix", idList=todo)["id"]
        move("task-f", doing, utc("01-14", 9))
        api.at(utc("01-14", 10), "PUT", f"/cards/{cards['task-f']}", closed="true")
        move("task-b", done, utc("01-14", 12))
        move("hotfix", done, utc("01-14", 20))
        move("task-e", done, utc("01-15", 10))
        move("w2-demo", done, utc("01-21", 9))            # week 3: not in the week-2 report
        api.at(utc("01-21", 10), "PUT", f"/lists/{doing}", name="Parked")  # by name, a to-do list
        sandbox.clock.set(utc("01-22", 9))
        yield sandbox, folder, board_id, cards


def report(sandbox: Sandbox, folder: Path, board_id: str, *args: str) -> dict[str, Any]:
    out = folder / "report.json"
    result = CliRunner().invoke(main, ["report", "--board", board_id, "--store", str(folder / "history.sqlite"),
                                       "--plan", str(folder / "plan.yaml"), "--format", "json", "--out", str(out),
                                       "--seed", "11", *args], env=sandbox.env())
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_week_2_report_of_an_applied_plan(applied) -> None:
    sandbox, folder, board_id, cards = applied
    sandbox.counters.reset()
    data = report(sandbox, folder, board_id, "--week", "2")
    assert sandbox.counters.snapshot()["byRoute"] == {"GET /1/boards/<board_id>/actions": 1, "GET /1/boards/<board_id>": 1}
    assert data["schema_version"] == "2.0" and data["as_of"] == "2025-01-19T22:59:59.999Z"
    assert data["history"]["complete"] and data["history"]["first"] < "2025-01-06"
    # Task F was archived while in progress: dropped, out of every count but the dropped ones
    assert {k: data["totals"][k] for k in ("cards", "done", "in_progress", "todo", "pct_done", "dropped")} == {
        "cards": 9, "done": 6, "in_progress": 1, "todo": 2, "pct_done": 66.7, "dropped": 1}
    assert (data["totals"]["planned"], data["totals"]["planned_done"], data["totals"]["hours_done"],
            data["totals"]["hours_total"]) == (8, 5, 14.0, 20.0)
    assert data["cycle_time_days"] == {"count": 4, "p50": 1.0, "p85": 7.0, "p95": 7.0}
    assert data["lead_time_days"] == {"count": 6, "p50": 5.25, "p85": 10.0, "p95": 10.0}
    weeks = [(w["label"], w["start"], w["end"], w["planned"], w["done"], w["in_progress"], w["todo"], w["completed"],
              w["hours_done"], w["hours_total"], w["demo"]["status"]) for w in data["weeks"]]
    assert weeks == [
        ("Week 1", "2025-01-06", "2025-01-12", 4, 4, 0, 0, 2, 11.0, 11.0, "done"),
        ("Week 2", "2025-01-13", "2025-01-19", 3, 1, 1, 1, 4, 3.0, 8.0, "todo"),
        ("Week 3", "2025-01-20", "2025-01-26", 1, 0, 0, 1, 0, 0.0, 1.0, "not_yet_due"),
    ]
    assert [w["dropped"] for w in data["weeks"]] == [0, 0, 1]
    week = data["week"]
    assert [ref["id"] for ref in week["completed"]] == [cards[k] for k in ("task-g", "task-b", "hotfix", "task-e")]
    assert sorted(ref["id"] for ref in week["carried_over"]) == sorted([cards["task-b"], cards["task-g"]])
    assert [ref["id"] for ref in week["scope_added"]] == [cards["hotfix"]]
    assert [ref["id"] for ref in week["dropped"]] == [cards["task-f"]]
    assert [(w["label"], w["completed"]) for w in data["throughput"]] == [("Week 1", 2), ("Week 2", 4)]
    assert [(p["scope"], p["done"]) for p in data["burn_up"]] == [(9, 2), (9, 6)]
    assert [(c["id"], c["age_days"], c["aging"]) for c in data["wip"]["cards"]] == [(cards["task-c"], 12.583333, True)]
    assert data["forecast"]["status"] == "ok" and data["forecast"]["remaining"] == 3
    counts = data["data_quality"]["counts"]
    assert (counts["skipped_in_progress"], counts["reopened"], counts["dropped_in_progress"], counts["no_week_label"],
            counts["created_from_id"], counts["deleted"]) == (2, 1, 1, 1, 0, 0)
    rows = {row["id"]: row for row in data["cards"]}
    b = rows[cards["task-b"]]
    assert (b["created"], b["started"], b["done"], b["cycle_time_days"], b["lead_time_days"]) == (
        "2025-01-05T10:00:00.000Z", "2025-01-07T12:00:00.000Z", "2025-01-14T12:00:00.000Z", 7.0, 9.083333)


def test_a_second_run_asks_once_and_reports_the_same_week(applied) -> None:
    sandbox, folder, board_id, _ = applied
    first = report(sandbox, folder, board_id, "--week", "2")
    sandbox.counters.reset()
    second = report(sandbox, folder, board_id, "--week", "2")
    assert sandbox.counters.snapshot()["byRoute"] == {"GET /1/boards/<board_id>/actions": 1}
    assert second == first


def test_the_report_now_matches_the_board(applied) -> None:
    sandbox, folder, board_id, cards = applied
    data = report(sandbox, folder, board_id, "--as-of", "2025-01-22T09:00:00Z")
    assert data["week"]["label"] == "Week 3" and data["totals"]["done"] == 7
    assert data["weeks"][1]["done"] == 2 and data["weeks"][1]["demo"]["status"] == "done"
    assert data["data_quality"]["counts"]["history_mismatch"] == 0
    # apply's state file knows the renamed list by id: still in progress
    assert {row["name"]: row["role"] for row in data["lists"]}["Parked"] == "in_progress"
    assert data["totals"]["in_progress"] == 1  # Task C; Task F there is archived: dropped
    overridden = report(sandbox, folder, board_id, "--as-of", "2025-01-22T09:00:00Z", "--list-role", "Parked=todo")
    assert overridden["totals"]["in_progress"] == 0 and overridden["totals"]["todo"] == 2
