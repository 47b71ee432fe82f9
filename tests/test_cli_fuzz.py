"""Fuzzing the CLI: generated plans, board exports and server answers into every command.

Whatever comes in, every run must hold these properties:

* the exit code is one of the documented ones (0, 1, 2, 3);
* stderr has no traceback, no ``error: unexpected`` line (the last-resort catch-all is never what
  handles an input), and at most three lines besides a plan file's located problems
  (``FILE:LINE:COL: error|warning: …``);
* nothing is half-written: after a failure the ``--out`` file does not exist, after a success it does,
  and no temporary file is left beside it;
* neither the Trello key nor the token (any 16 characters of them) appears in stdout, stderr or a
  written file, even when the server echoes them back.

The servers are real, on loopback: tests/misbehaving.py answers each request with a generated status,
content type and body (Trello-shaped objects with values of the wrong type, HTML, truncated or dripping
bodies, redirects, bytes that are not HTTP). Retries run without their backoff waits and the network
deadline is half a second, so the whole file takes well under a minute on two cores.
``sandbox`` (it serves until stopped) and ``demo`` (it takes no outside input) are left out; ``doctor``
and both ``cohort`` commands meet the misbehaving servers too.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from misbehaving import MisbehavingServer, Reply

from trelloplan.cli import main
from trelloplan.client import RetryPolicy
from trelloplan.history.synthetic import BoardBuilder

ROOT = Path(__file__).resolve().parent.parent
KEY = "3f9c2a7be1d04c58a6b7e9f0d1c2b3a4"
TOKEN = "c4d19e07b2f3a8651d0e9c7b4a2f6e8d13b5c7a9e0f2d4b6a8c0e1f3d5b7a9c2"
BOARD = "5f1a2b3c4d5e6f7a8b9c0d1e"
SECRETS = {"TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN}
EXIT_CODES = {0, 1, 2, 3}
COVERED = {"init", "validate", "show", "plan", "apply", "pull", "report", "doctor", "cohort"}
LEFT_OUT = {"sandbox", "demo"}
LOCATED = re.compile(r"^.+:\d+:\d+: (error|warning): ")
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                      HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
hostile_text = st.sampled_from([
    '=HYPERLINK("http://x","y")', "@SUM(1)", "<script>alert(1)</script>", "[x](javascript:alert(1))", "\x1b[2J",
    "a\r\nBcc: x@y.z", "\u202egnp.exe", "🚀", "数据", "", " ", "Week 1",
]) | st.text(max_size=30)  # never the key or token: a user who writes them into a file gets them back


def leaked(text: str) -> bool:
    lowered = text.lower()
    return any(secret[i:i + 16] in lowered for secret in (KEY, TOKEN) for i in range(len(secret) - 15))


def check_run(result: Any, out: Path | None = None) -> None:
    """The properties every run must hold."""
    event(f"exit {result.exit_code}")  # what the examples reach: pytest --hypothesis-show-statistics
    first = next((line for line in result.stderr.splitlines() if line.startswith("error: ")), "")
    event(re.sub(r"[0-9a-f]{24}|\d+", "N", first[:48]) if first else "no error line")
    assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    err = result.stderr
    assert "Traceback" not in err and "error: unexpected" not in err, err
    free = [line for line in err.splitlines() if not LOCATED.match(line)]
    assert len(free) <= 3, err
    assert not leaked(result.stdout) and not leaked(err)
    if out is not None:
        assert out.exists() == (result.exit_code == 0), (result.exit_code, err)
        assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]
        if out.exists():
            assert not leaked(out.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)


def invoke(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=cwd) if cwd else tempfile.TemporaryDirectory():
        return runner.invoke(main, args, env=env)


def test_every_command_is_fuzzed_or_left_out_on_purpose() -> None:
    assert set(main.commands) == COVERED | LEFT_OUT


# -- plans --------------------------------------------------------------------------------------------------

task = st.one_of(hostile_text, st.fixed_dictionaries({"name": hostile_text}, optional={
    "hours": st.one_of(st.floats(), st.integers(-5, 100), hostile_text), "desc": hostile_text,
    "checklist": st.lists(hostile_text, max_size=3), "key": hostile_text}))
week = st.fixed_dictionaries({"week": st.integers(-2, 14) | st.integers(), "milestone": hostile_text,
                              "demo": hostile_text, "tasks": st.lists(task, max_size=3)},
                             optional={"label_color": st.sampled_from(["green", "nope", None])})
plan_data = st.fixed_dictionaries(
    {"project": hostile_text, "start": st.dates(min_value=date(1, 1, 1)) | hostile_text,
     "weeks": st.lists(week, max_size=4)},
    optional={"timezone": st.sampled_from(["UTC", "Europe/Paris", "Mars/Olympus", ""]),
              "due_time": st.sampled_from(["17:00", "25:00", 1020, "x"]), "hours_per_task": st.floats() | st.integers(),
              "workdays": st.lists(st.sampled_from(["mon", "fri", "xyz"]), max_size=3)},
)
plan_text = st.one_of(plan_data.map(lambda d: yaml.safe_dump(d, allow_unicode=True)), st.text(max_size=200),
                      st.binary(max_size=100).map(lambda b: b.decode("latin-1")))


@settings(FUZZ, max_examples=300)
@given(text=plan_text, start=st.dates(min_value=date(1, 1, 1)), project=hostile_text)
def test_generated_plans_into_init_validate_and_show(tmp_path: Path, text: str, start: date, project: str) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        plan = Path(folder) / "plan.yaml"
        plan.write_text(text, encoding="utf-8", errors="surrogateescape")
        for args in (["validate", str(plan)], ["show", str(plan)]):
            check_run(CliRunner().invoke(main, args, env={"COLUMNS": "80", **SECRETS}))
        new = Path(folder) / "new.yaml"
        made = CliRunner().invoke(main, ["init", str(new), "--start", start.isoformat(), "--project", project])
        check_run(made)
        assert new.exists() == (made.exit_code == 0)


# -- exports ------------------------------------------------------------------------------------------------


def base_export() -> dict[str, Any]:
    t0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    b = BoardBuilder("Fuzz =1+1", created=t0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    label = b.add_label("Week 1")
    for i, name in enumerate(["<b>one</b>", "@two", "three\x1b[2J"]):
        card = b.add_card(name, todo, t0 + timedelta(hours=i), labels=(label,), members=(b.member,))
        b.move(card, doing, t0 + timedelta(days=1, hours=i))
        if i:
            b.move(card, done, t0 + timedelta(days=2, hours=i))
    return b.export()


BASE = base_export()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, prefix + (index,))
    return found


BASE_PATHS = paths(BASE)
DELETE = object()


def mutate(data: Any, changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    data = json.loads(json.dumps(data))
    for path, value in changes:
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if value is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


NAME_PATHS = [path for path in BASE_PATHS if path[-1] == "name"]
export_data = st.one_of(
    # the board as it is, its names replaced by hostile ones: the report must come out, safely
    st.lists(st.tuples(st.sampled_from(NAME_PATHS), hostile_text), max_size=6).map(lambda changes: mutate(BASE, changes)),
    # anything anywhere: a located error, or a report
    st.lists(st.tuples(st.sampled_from(BASE_PATHS), json_values | hostile_text | st.just(DELETE)), min_size=1,
             max_size=3).map(lambda changes: mutate(BASE, changes)),
    json_values,
)
export_text = st.one_of(export_data.map(json.dumps), export_data.map(json.dumps), st.just("[" * 100_000 + "]" * 100_000),
                        st.text(max_size=50), export_data.map(lambda d: json.dumps(d)[: max(1, len(json.dumps(d)) // 2)]))
as_of = st.one_of(st.none(), st.just("2027-01-06"), st.dates(date(2026, 1, 1), date(2040, 1, 1)).map(date.isoformat),
                  st.dates(min_value=date(1, 1, 1)).map(date.isoformat), hostile_text,
                  st.datetimes(min_value=datetime(1, 1, 1)).map(lambda d: d.isoformat() + "+14:00"))


@settings(FUZZ, max_examples=400)
@given(text=export_text, fmt=st.sampled_from(["txt", "json", "csv", "md"]), when=as_of,
       week=st.none() | st.sampled_from(["1", "2027-W01", "9999-W52", "0", "x"]), weeks_csv=st.booleans())
def test_generated_exports_into_report(tmp_path: Path, text: str, fmt: str, when: str | None, week: str | None,
                                       weeks_csv: bool) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        export = Path(folder) / "board.json"
        export.write_text(text)
        out = Path(folder) / "out" / f"report.{fmt}"
        out.parent.mkdir()
        args = ["report", "--from-export", str(export), "--out", str(out)]
        if when is not None:
            args += ["--as-of", when]
        if week is not None and when is None:
            args += ["--week", week, "--plan", str(ROOT / "tests" / "plans" / "cassette-plan.yaml")]
        if weeks_csv and fmt == "csv":
            args += ["--csv", "weeks"]
        check_run(CliRunner().invoke(main, args, env=SECRETS), out)
        check_run(CliRunner().invoke(main, args[:3] + args[5:], env={"COLUMNS": "60", **SECRETS}))  # to stdout as well


# -- servers ------------------------------------------------------------------------------------------------

hex_id = st.text("0123456789abcdef", min_size=24, max_size=24)


def field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, good, json_values)  # mostly right, sometimes anything


card = st.fixed_dictionaries({"id": field(hex_id)}, optional={
    "name": field(hostile_text), "desc": field(st.text(max_size=20)), "idList": field(hex_id),
    "idLabels": field(st.lists(hex_id, max_size=2)), "closed": field(st.booleans()), "pos": field(st.floats(0, 1e6)),
    "due": field(st.none() | st.just("2027-01-08T17:00:00.000Z")), "idMembers": field(st.lists(hex_id, max_size=1))})
trello_list = st.fixed_dictionaries({"id": field(hex_id)}, optional={
    "name": field(st.sampled_from(["To Do", "In Progress", "Done", "x"])), "closed": field(st.booleans()),
    "pos": field(st.floats(0, 1e6))})
action = st.fixed_dictionaries({"id": field(hex_id), "type": field(st.sampled_from(["createCard", "updateCard", "x"])),
                                "date": field(st.sampled_from(["2027-01-05T09:00:00.000Z", "0001-01-01T00:00:00+14:00"])),
                                "data": field(st.fixed_dictionaries({"card": field(card)}))})
board = st.fixed_dictionaries({"id": field(st.just(BOARD))}, optional={
    "name": field(hostile_text), "desc": field(st.text(max_size=20)), "closed": field(st.booleans()),
    "url": field(st.just("https://trello.com/b/abc")), "cards": field(st.lists(card, max_size=3)),
    "lists": field(st.lists(trello_list, max_size=3)), "labels": field(st.lists(st.fixed_dictionaries(
        {"id": field(hex_id), "name": field(hostile_text)}), max_size=2)), "checklists": field(st.just([]))})
body = st.one_of(
    board.map(json.dumps), st.lists(action, max_size=3).map(json.dumps), json_values.map(json.dumps),
    st.just("<!DOCTYPE html><html><title>Sign in</title></html>"), st.just(f"<html>token={TOKEN} key={KEY}</html>"),
    st.just(json.dumps({"message": f"invalid token {TOKEN}"})), st.text(max_size=40),
)
reply = st.builds(
    Reply,
    status=st.sampled_from([200, 200, 200, 200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 503]),
    body=body.map(lambda text: text.encode("utf-8", "surrogatepass")),
    content_type=st.sampled_from(["application/json; charset=utf-8", "text/html", "text/plain"]),
    headers=st.sampled_from([(), (("Location", f"https://login.example.com/?t={TOKEN}"),)]),
    drip=st.sampled_from([0.0] * 12 + [0.2]),
    cut=st.none() | st.none() | st.integers(0, 30),
    raw=st.none() | st.none() | st.none() | st.just(b"SSH-2.0-OpenSSH_9.6\r\n"),
)
routes = st.dictionaries(st.sampled_from(["actions", "board", "me", "boards", "workspaces", "token", "write"]), reply,
                         min_size=7, max_size=7)


def route_of(method: str, path: str) -> str:
    if method != "GET":
        return "write"
    if path.endswith("/actions"):
        return "actions"
    if path.endswith("/members/me"):
        return "me"
    if path.endswith("/boards"):
        return "boards"
    if path.endswith("/organizations"):
        return "workspaces"
    if "/tokens/" in path:
        return "token"
    return "board"


COHORT = """\
plan: plan.yaml
teams:
  - name: Team Ada
    members: [ada]
  - name: Team Linus
report_to: [lead@example.com]
"""


@settings(FUZZ, max_examples=300)
@given(replies=routes, command=st.sampled_from(["plan", "apply", "pull", "report", "doctor", "cohort-apply", "cohort-report"]),
       fresh=st.booleans())
def test_generated_server_answers_into_every_networked_command(tmp_path: Path, replies: dict[str, Reply], command: str,
                                                                fresh: bool) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder, MisbehavingServer(
            lambda method, path: replies[route_of(method, path)]) as server:
        plan = Path(folder) / "plan.yaml"
        plan.write_text((ROOT / "tests" / "plans" / "cassette-plan.yaml").read_text())
        store = str(Path(folder) / "store.sqlite")
        out = Path(folder) / "out" / "report.json"
        out.parent.mkdir()
        board_args = [] if fresh and command in ("plan", "apply") else ["--board", BOARD]
        cohort = Path(folder) / "cohort.yaml"
        cohort.write_text(COHORT)
        if not fresh:  # a cohort applied before: each team's state file names a board
            (Path(folder) / "cohort.state").mkdir()
            for key in ("team-ada", "team-linus"):
                (Path(folder) / "cohort.state" / f"{key}.state.json").write_text(json.dumps(
                    {"version": 2, "instance": key, "board_id": BOARD, "lists": {}, "labels": {}, "cards": {}}))
        args = {
            "plan": ["plan", str(plan), *board_args, "--check"],
            "apply": ["apply", str(plan), *board_args, "--yes", "--workers", "2"],
            "pull": ["pull", "--board", BOARD, "--store", store],
            "report": ["report", "--board", BOARD, "--store", store, "--plan", str(plan), "--out", str(out)],
            "doctor": ["doctor", "--store", store],
            "cohort-apply": ["cohort", "apply", str(cohort), "--yes"],
            "cohort-report": ["cohort", "report", str(cohort), "--format", "json", "--out", str(out)],
        }[command]
        env = {"TRELLO_API_URL": server.api_url, "TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN, "TRELLOPLAN_TIMEOUT": "0.5"}
        result = CliRunner().invoke(main, args, env=env)
        check_run(result, out if command == "report" else None)
        if command == "cohort-report" and out.exists():  # the overview is written whole, whatever the teams' fate
            json.loads(out.read_text())
        state = plan.with_name("plan.state.json")
        if state.exists():  # apply saves its state whole or not at all
            json.loads(state.read_text())
