"""`trelloplan report` tells what the history shows and no more, in every format.

Exports are reported as of their newest action; weeks before a partial history have no data; a card
done and carried over is listed once, marked both ways; archived cards are dropped; a plan that has not
started says when it starts; bad stores and moments the history cannot know are clear errors.
"""

from __future__ import annotations

import csv
import email
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
KANBAN = SAMPLES / "board-exports" / "kanban-template.json"
FORMATS = ("text", "json", "csv", "markdown", "html")
PLAN = "project: Partial\nstart: 2027-01-04\nweeks:\n" + "".join(
    f"  - {{week: {n}, milestone: M{n}, demo: D{n}, tasks: [T{n}a, T{n}b]}}\n" for n in range(1, 7))


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def at(day: float, hour: int = 10) -> datetime:
    return datetime(2027, 1, 4, hour, tzinfo=timezone.utc) + timedelta(days=day)


def partial_board(tmp_path: Path) -> tuple[Path, Path]:
    """A plan's board exported from Tuesday of week 3 on (the older actions cut, as the export cap does).

    Weeks 1 and 2 were finished before the cut; the week-2 demo was in progress then and is done in week 4
    (carried over and completed); T3b is archived in progress in week 4 (dropped).
    """
    from trelloplan.plan.planfile import load_plan_text

    plan = load_plan_text(PLAN)
    b = BoardBuilder("Partial", created=at(-3))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    labels = {w.number: b.add_label(w.label) for w in plan.weeks}
    cards = {t.key: b.add_card(t.name, todo, at(-2), labels=(labels[t.week],), key=t.key) for t in plan.tasks()}
    for n in (1, 2):
        for key in (f"t{n}a", f"t{n}b"):
            b.move(cards[key], doing, at(7 * (n - 1) + 1))
            b.move(cards[key], done, at(7 * (n - 1) + 3))
    b.move(cards["w1-demo"], done, at(6))
    b.move(cards["w2-demo"], doing, at(10))
    b.touch(cards["t3a"], at(15))  # the export begins here
    b.move(cards["t3a"], doing, at(16))
    b.move(cards["t3b"], doing, at(16))
    b.move(cards["t3a"], done, at(18))
    b.move(cards["w2-demo"], done, at(22))
    b.archive(cards["t3b"], at(23))
    b.move(cards["t4a"], doing, at(22))
    export = b.export()
    export["actions"] = [a for a in export["actions"] if a["date"] >= "2027-01-19T10"]
    (tmp_path / "partial.json").write_text(json.dumps(export), encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return tmp_path / "partial.json", tmp_path / "plan.yaml"


def report(fmt: str, *args: str) -> str:
    code, out, err = run("report", "--format", fmt, *args)
    assert code == 0 and err == "", err
    return out


def flat(text: str) -> str:
    """Text with its line wrapping undone, to look for phrases."""
    return " ".join(text.split())


def html_text(page: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", page))).split())


def test_an_export_is_reported_as_of_its_newest_action() -> None:
    data = json.loads(report("json", "--from-export", str(KANBAN)))
    assert data["as_of"] == "2020-05-29T21:01:12.983Z" == data["history"]["last"]
    assert data["week"]["label"] == "2020-W22" and data["history"]["complete"]
    assert max(card["age_days"] for card in data["wip"]["cards"]) < 140  # not the 2,399 days of "now"
    assert "as of 2020-05-29 21:01 UTC (the newest action in the history)" in flat(report("text", "--from-export", str(KANBAN)))
    assert "As of 2020-05-29 21:01 (UTC) (the newest action in the history)" in report("markdown", "--from-export", str(KANBAN))
    assert "the newest action in the history" in html_text(report("html", "--from-export", str(KANBAN)))
    given = json.loads(report("json", "--from-export", str(KANBAN), "--as-of", "2020-02-01"))
    assert given["as_of"] == "2020-02-01T23:59:59.999Z"
    assert "newest action" not in report("text", "--from-export", str(KANBAN), "--as-of", "2020-02-01")


def test_every_format_states_the_window_and_no_data_before_it(tmp_path: Path) -> None:
    export, plan = partial_board(tmp_path)
    args = ("--from-export", str(export), "--plan", str(plan))
    data = json.loads(report("json", *args))
    assert data["history"] == {"first": "2027-01-19T10:00:00.000Z", "last": "2027-01-27T10:00:00.000Z",
                               "complete": False, "actions": 7}
    assert [(w["label"], w["completed"], w["observed"]) for w in data["throughput"]] == [
        ("Week 1", None, "none"), ("Week 2", None, "none"), ("Week 3", 1, "part"), ("Week 4", 1, "whole")]
    assert [w["completed"] for w in data["weeks"]][:3] == [None, None, 1]
    assert [(p["scope"], p["done"]) for p in data["burn_up"]][:2] == [(None, None), (None, None)]
    assert all(day["done"] is None for day in data["cumulative_flow"] if day["date"] < "2027-01-19")
    assert data["forecast"]["status"] == "no_history" and data["forecast"]["weeks_sampled"] == 0
    # completions of weeks 1 and 2 happened before the export: done, with no done time and in no week
    rows = {row["name"]: row for row in data["cards"]}
    assert rows["T1a"]["role"] == "done" and rows["T1a"]["done"] is None and rows["T1a"]["done_unknown"]
    assert rows["Demo: D2"]["done"] == "2027-01-26T10:00:00.000Z" and rows["Demo: D2"]["start_unknown"]
    assert rows["Demo: D2"]["cycle_time_days"] is None and data["cycle_time_days"]["count"] == 1
    counts = data["data_quality"]["counts"]
    assert (counts["history_start"], counts["done_before_history"], counts["in_progress_at_history_start"]) == (1, 5, 1)

    text = flat(report("text", *args))
    assert "History from 19 Jan 2027 10:00 UTC to 27 Jan 2027 10:00 UTC" in text and "begins after the board" in text
    assert "Throughput: Week 1: no data Week 2: no data Week 3: ≥1 Week 4: 1*" in text
    markdown = report("markdown", *args)
    assert "| Week 1 | no data | no data | no data |" in markdown and "| Week 3 | ≥1 | 18 | 6 |" in markdown
    assert "History from 19 Jan 2027 10:00 UTC" in markdown
    rows_csv = list(csv.DictReader(io.StringIO(report("csv", *args))))
    assert {row["history_window"] for row in rows_csv} == {"2027-01-19T10:00:00+00:00/2027-01-27T10:00:00+00:00"}
    t1a = next(row for row in rows_csv if row["name"] == "T1a")
    assert (t1a["role"], t1a["done"], t1a["done_unknown"], t1a["start_unknown"]) == ("done", "", "true", "true")
    page = html_text(report("html", *args))
    assert "History from 19 Jan 2027 10:00 UTC" in page and "not yet: the forecast needs 2 complete weeks" in page


def test_a_card_done_and_carried_over_is_shown_once_marked_both_ways(tmp_path: Path) -> None:
    export, plan = partial_board(tmp_path)
    args = ("--from-export", str(export), "--plan", str(plan))
    week = json.loads(report("json", *args))["week"]
    assert [(ref["name"], ref["carried_over"]) for ref in week["completed"]] == [("Demo: D2", True)]
    assert [ref["name"] for ref in week["carried_over"]] == ["Demo: D2", "Demo: D3"]  # the data keeps both
    text = report("text", *args).split("Plan weeks")[0]
    assert text.count("Demo: D2") == 1 and "Demo: D2  (done · done 2027-01-26 · carried over)" in text
    assert "Carried over (2)" in text and "and 1 completed this week (listed above)" in text
    markdown = report("markdown", *args)
    assert markdown.count("[Demo: D2](") == 3  # the completed list and two data-quality findings, linked to the card
    assert "- Week 2: [Demo: D2](https://trello.com/c/c0000026) (done, done 2027-01-26, carried over)" in markdown
    assert "Carried over (2)" in markdown and "Demo: D2 (done) |" in markdown  # the demo column of week 2's row
    assert "And 1 completed this week (listed above)." in markdown
    page = html_text(report("html", *args))
    assert page.count("carried over Demo: D2") == 1 and "And 1 completed this week" in page
    eml = tmp_path / "weekly.eml"
    code, _, err = run("report", *args, "--email-to", "team@example.com", "--eml", str(eml))
    assert code == 0, err
    message = email.message_from_bytes(eml.read_bytes())
    plain = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_payload(decode=True)
    plain_text = plain.decode("utf-8")
    assert "Demo: D2 (carried over)" in plain_text and plain_text.count("Demo: D2") == 1
    assert "and 1 completed this week (listed above)" in plain_text


def test_archived_cards_are_dropped_or_done(tmp_path: Path) -> None:
    export, plan = partial_board(tmp_path)
    args = ("--from-export", str(export), "--plan", str(plan))
    data = json.loads(report("json", *args))
    assert data["archived"] == "dropped" and data["totals"]["dropped"] == 1
    assert [ref["name"] for ref in data["week"]["dropped"]] == ["T3b"]
    assert data["weeks"][2]["planned"] == 2 and data["weeks"][2]["dropped"] == 1
    assert data["data_quality"]["counts"]["dropped_in_progress"] == 1
    assert "Dropped: archived before done (1)" in report("text", *args)
    assert "Dropped this week" in html_text(report("html", *args))
    done = json.loads(report("json", *args, "--archived", "done"))
    assert done["archived"] == "done" and done["totals"]["dropped"] == 0
    assert done["totals"]["done"] == data["totals"]["done"] + 1
    code, _, err = run("report", *args, "--archived", "gone")
    assert code == 2 and "gone" in err


def test_before_the_plan_starts_it_says_when_it_starts(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("start: 2027-01-04", "start: 2020-06-29"), encoding="utf-8")
    args = ("--from-export", str(KANBAN), "--plan", str(plan))  # as of 29 May 2020: 31 days before
    starts = "starts Mon 29 Jun 2020 (in 31 days)"
    assert report("text", *args).splitlines()[0] == f"Partial: {starts}"
    assert report("markdown", *args).startswith(f"# Partial: {starts}\n")
    data = json.loads(report("json", *args))
    assert (data["week"]["label"], data["week"]["phase"], data["week"]["starts_in_days"]) == ("Week 1", "not_begun", 31)
    assert {w["demo"]["status"] for w in data["weeks"]} == {"not_yet_due"}
    for kind in ("json", "text", "markdown", "html", "csv"):  # throughput and burn-up included: no "Week -4"
        assert not re.search(r"Week (-\d|0\b)", report(kind, *args)), kind
    page = html_text(report("html", *args))
    assert "Starts Mon 29 Jun 2020 (in 31 days)" in page and "Demo: D1 not yet due" in page
    assert "Demo: D1 no card" not in page  # the demo is not "missing" before it is due
    eml = tmp_path / "weekly.eml"
    code, _, err = run("report", *args, "--email-to", "team@example.com", "--eml", str(eml))
    assert code == 0, err
    assert email.message_from_bytes(eml.read_bytes())["Subject"].startswith(f"Partial: {starts}")


def test_a_week_that_has_not_begun_says_so(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("start: 2027-01-04", "start: 2020-05-25"), encoding="utf-8")
    args = ("--from-export", str(KANBAN), "--plan", str(plan), "--week", "3")
    text = report("text", *args)
    assert "Week 3 has not begun: it starts Mon 8 Jun 2020 (in 10 days)." in text
    assert "Completed this week" not in text
    data = json.loads(report("json", *args))
    assert data["as_of"] == "2020-05-29T21:01:12.983Z" and data["week"]["phase"] == "not_begun"
    assert "Week 3 of 6, starts Mon 8 Jun 2020 (in 10 days)" in html_text(report("html", *args))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2020-W05", "--as-of", "2020-02-01"], "--week N reports as of the end of week N"),
        (["--as-of", "2019-12-01"], "before the history begins (2020-01-16 22:15 UTC): nothing is known then"),
        (["--week", "2019-W50"], "before the history begins"),
    ],
)
def test_moments_the_history_cannot_speak_for_are_refused(args: list[str], message: str) -> None:
    code, out, err = run("report", "--from-export", str(KANBAN), *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "(hint: " in lines[0]


@pytest.mark.parametrize("kind", ["empty", "foreign", "text"])
def test_a_store_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path: Path, kind: str) -> None:
    import sqlite3

    path = tmp_path / "store.sqlite"
    if kind == "empty":
        path.touch()
    elif kind == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE photos (name TEXT)")
        db.close()
    else:
        path.write_text("not a database\n" * 50)
    before = path.read_bytes()
    for command in (["report", "--store", str(path)], ["pull", "--board", "5e20e06c460b391727ce7a2b", "--store", str(path)]):
        code, out, err = run(*command, env={"TRELLO_API_KEY": "k" * 32, "TRELLO_TOKEN": "t" * 64,
                                            "TRELLO_API_URL": "http://127.0.0.1:9/1"})
        assert code == 2 and out == "", (command, err)
        assert "not a trelloplan history store" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]


def test_the_boards_own_store_replaced_by_garbage_is_a_runtime_failure_saying_what_to_move(tmp_path: Path) -> None:
    board = "5e20e06c460b391727ce7a2b"
    cache = tmp_path / "cache"
    store = cache / "trelloplan" / "boards" / f"{board}.sqlite"
    store.parent.mkdir(parents=True)
    store.write_text("garbage\n")
    code, out, err = run("pull", "--board", board, env={"TRELLO_API_KEY": "k" * 32, "TRELLO_TOKEN": "t" * 64,
                                                        "TRELLO_API_URL": "http://127.0.0.1:9/1", "XDG_CACHE_HOME": str(cache)})
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "not a trelloplan history store" in err and f"move {store} away" in err and "--store" not in err
    assert store.read_text() == "garbage\n"


@pytest.mark.sandbox(start="2026-03-02T09:00:00Z", frozen=True, rate_limit=False)
def test_pull_into_a_damaged_store_fails(sandbox: Sandbox, tmp_path: Path) -> None:
    auth = sandbox.auth()
    board = requests.post(f"{sandbox.api_url}/boards", params={**auth, "name": "Damaged"}, timeout=30).json()
    lists = requests.get(f"{sandbox.api_url}/boards/{board['id']}/lists", params=auth, timeout=30).json()
    for n in range(60):
        requests.post(f"{sandbox.api_url}/cards", params={**auth, "name": f"Card {n} " + "x" * 400,
                                                          "idList": lists[0]["id"]}, timeout=30)
    store = tmp_path / "board.sqlite"
    code, out, err = run("pull", "--board", board["id"], "--store", str(store), env=sandbox.env())
    assert code == 0, err
    size = store.stat().st_size
    with store.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xde\xad\xbe\xef" * (size // 16))
    code, out, err = run("pull", "--board", board["id"], "--store", str(store), env=sandbox.env())
    assert code == 1 and out == "" and "is damaged" in err and "pulled" not in err, err
    code, out, err = run("report", "--store", str(store))
    assert code == 1 and ("damaged" in err or "cannot read" in err), err
