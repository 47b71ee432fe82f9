"""Every date the inputs can carry, from year 1 to 9999: in range it works, out of range it is a located error (exit 2)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from trelloplan.cli import main
from trelloplan.dates import EARLIEST, LATEST, parse_date
from trelloplan.history.parse import parse_action
from trelloplan.history.synthetic import BoardBuilder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = json.loads((ROOT.parent / "shared" / "trello-samples" / "board-exports" / "kanban-template.json").read_text())
PLAN = (ROOT / "plans" / "mlops-gcp-10-weeks.yaml").read_text()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(tmp_path: Path) -> str:
    b = BoardBuilder("Dates")
    todo = b.add_list("To Do")
    b.add_card("A card", todo, datetime(2027, 1, 5, tzinfo=timezone.utc))
    (tmp_path / "board.json").write_text(json.dumps(b.export()))
    return str(tmp_path / "board.json")


@pytest.mark.parametrize("option", [
    ["--as-of", "9999-12-31"], ["--as-of", "0001-01-01"], ["--as-of", "0001-01-01T00:00:00+14:00"],
    ["--as-of", "9999-12-31T23:59:59-05:00"], ["--as-of", "1969-12-31"], ["--week", "9999-W52"], ["--week", "0001-W01"],
])
def test_report_dates_out_of_range_are_one_line(store: str, option: list[str]) -> None:
    code, out, err = run("report", "--from-export", store, *option)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"error: {option[0]} '{option[1]}' is outside the dates trelloplan handles (1970-01-01 to 9000-12-31)")


@pytest.mark.parametrize("option", [["--as-of", "2120-12-31"], ["--week", "2120-W52"]])
def test_report_dates_far_from_the_history_work_in_every_format(store: str, option: list[str]) -> None:
    for fmt in ("text", "json", "csv", "markdown", "html"):
        code, out, err = run("report", "--from-export", store, *option, "--format", fmt)
        assert code == 0 and out, err


def test_a_report_before_the_history_begins_is_one_line(store: str) -> None:
    for fmt in ("text", "json", "csv", "markdown", "html"):
        code, out, err = run("report", "--from-export", store, "--as-of", "1970-01-01", "--format", fmt)
        assert code == 2 and out == "" and err.count("\n") == 1 and "before the history begins" in err


@pytest.mark.parametrize("option", [["--as-of", "9000-12-31"], ["--as-of", "2300-01-01"]])
def test_a_report_spanning_centuries_of_empty_weeks_is_refused_at_once(store: str, option: list[str]) -> None:
    code, out, err = run("report", "--from-export", store, *option)
    assert code == 2 and out == "" and err.count("\n") == 1 and "a report spans at most 100 years" in err


@pytest.mark.parametrize("start", ["9999-01-04", "9999-12-27", "8999-01-01", "0001-01-01", "1969-12-29"])
def test_a_plan_starting_out_of_range_is_a_located_error(tmp_path: Path, start: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("start: 2027-01-04", f"start: {start}"))
    for command in ("validate", "show", "plan", "apply"):
        code, out, err = run(command, str(plan))
        assert code == 2, (command, err)
        assert err.startswith(f"{plan}:5:8: error: start: start {start} is out of range: a plan starts between 1970-01-01")
    assert run("init", str(tmp_path / "new.yaml"), "--start", start)[0] == 2 and not (tmp_path / "new.yaml").exists()


def test_a_week_number_out_of_range_is_a_located_error(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("  - week: 3\n", "  - week: 300000000000\n", 1))
    code, _, err = run("validate", str(plan))
    assert code == 2 and "weeks[2].week: week number 300000000000 is out of range" in err


def _export(tmp_path: Path, data: object) -> str:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


@pytest.mark.parametrize(("change", "where", "what"), [
    (lambda e, i: e["actions"][i].update(date="0001-01-01T00:00:00+14:00"), "actions[{i}].date",
     "'0001-01-01T00:00:00+14:00' is outside the dates trelloplan handles"),
    (lambda e, i: e["actions"][i].update(date="9999-12-31T23:59:59.999Z"), "actions[{i}].date", "is outside the dates"),
    (lambda e, i: e["actions"][i].update(date="next week"), "actions[{i}].date", "expected a date"),
    (lambda e, i: e["cards"][2].update(idLabels=[{"id": "x"}]), "cards[2].idLabels[0]", "expected an id (a text), found an object"),
    (lambda e, i: e["cards"][1].update(idMembers="abc"), "cards[1].idMembers", "expected a list of ids"),
    (lambda e, i: e["lists"][0].update(name=["x"]), "lists[0].name", "expected a text or null"),
    (lambda e, i: e["actions"][i]["data"].update(card={"id": 7}), "actions[{i}].data.card.id", "a card id"),
])
def test_exports_of_the_wrong_shape_name_the_file_the_place_and_what_was_expected(tmp_path: Path, change, where, what) -> None:
    export = json.loads(json.dumps(SAMPLE))
    index = next(i for i, a in enumerate(export["actions"]) if a["type"] == "updateCard")
    change(export, index)
    path = _export(tmp_path, export)
    code, out, err = run("report", "--from-export", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"error: {path} is not a Trello board export at {where.format(i=index)}: ") and what in err


def test_a_deeply_nested_export_is_one_line(tmp_path: Path) -> None:
    path = _export(tmp_path, "[" * 200_000 + "]" * 200_000)
    code, _, err = run("report", "--from-export", path)
    assert (code, err) == (2, f"error: {path}: the JSON is nested too deeply to be a board export (hint: export the board "
                              "again from Trello: Menu → Print, export and share → Export as JSON)\n")


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), st.integers(-14 * 60, 14 * 60))
def test_any_action_date_parses_or_is_a_value_error(moment: datetime, offset_minutes: int) -> None:
    sign = "+" if offset_minutes >= 0 else "-"
    text = moment.replace(tzinfo=None).isoformat() + f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    raw = {"id": "a" * 24, "type": "createCard", "date": text, "data": {"card": {"id": "b" * 24, "name": "x"}}}
    try:
        action = parse_action(raw)
    except ValueError as error:
        assert "outside the dates" in str(error)
        return
    assert action is not None and EARLIEST <= action.date <= LATEST


def test_dates_parse_date_never_overflows() -> None:
    with pytest.raises(ValueError, match="outside the dates"):
        parse_date("0001-01-01T00:00:00+14:00")
    assert parse_date("9999-12-31T23:59:59-00:00").year == 9999  # due dates far away stay readable
