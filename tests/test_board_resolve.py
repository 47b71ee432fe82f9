"""One board, one name: an id, a short link and a URL of one board name one store and one lock, in every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.board.apply import apply_plan
from trelloplan.board.resolve import parse_board_ref, recorded_board, resolve_board_id
from trelloplan.board.state import PlanState, default_state_path
from trelloplan.cli import main
from trelloplan.client import Credentials, Trello
from trelloplan.errors import BoardNotFound, UsageError
from trelloplan.lock import board_lock
from trelloplan.plan.planfile import load_plan
from trelloplan.store import default_store_path

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = ROOT / "tests" / "plans" / "cassette-plan.yaml"
ID = "5e20e06c460b391727ce7a2b"


@pytest.mark.parametrize("text, ref", [
    (ID, ID), (ID.upper(), ID), (f"  {ID}\n", ID), ("AbCd1234", "AbCd1234"),
    ("https://trello.com/b/AbCd1234/my-project", "AbCd1234"), ("https://trello.com/b/AbCd1234", "AbCd1234"),
    ("trello.com/b/AbCd1234/x?filter=member:me#top", "AbCd1234"), ("https://trello.com/b/AbCd1234.json", "AbCd1234"),
    ("http://127.0.0.1:8765/b/AbCd1234/sandbox-board", "AbCd1234"), (f"https://trello.com/b/{ID}", ID),
])
def test_every_form_of_a_board_reference_parses_without_a_request(text, ref):
    assert parse_board_ref(text) == ref


@pytest.mark.parametrize("text, message", [
    ("", "--board is empty"), ("   ", "--board is empty"), ("not/an id", "`not/an id` is not a Trello board id"),
    ("AbCd123", "is not a Trello board id"), ("https://trello.com/c/AbCd1234/3-a-card", "is a card URL, not a board URL"),
    ("https://trello.com/u/someone", "is not a Trello board id"),
])
def test_what_cannot_name_a_board_is_a_usage_error(text, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        parse_board_ref(text)
    assert caught.value.exit_code == 2 and "trello.com/b/" in caught.value.hint


@pytest.fixture
def applied(sandbox, tmp_path, monkeypatch):
    """The cassette plan applied to the sandbox, from a plan file with its state file; the cache in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(PLAN_FILE.read_text())
    with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url) as trello:
        board_id = apply_plan(trello, load_plan(plan_path), PlanState(path=default_state_path(plan_path))).board_id
        board = trello.get(f"/boards/{board_id}", {"fields": "shortLink,url"})
    return plan_path, board_id, board["shortLink"], board["url"]


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_id_short_link_and_url_resolve_to_one_id(sandbox, applied):
    _, board_id, short_link, url = applied
    with Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url) as trello:
        sandbox.counters.reset()
        assert resolve_board_id(trello, board_id.upper()) == board_id
        assert sandbox.counters.snapshot()["requests"] == 0  # an id needs no request
        assert resolve_board_id(trello, short_link) == resolve_board_id(trello, url) == board_id
        assert sandbox.counters.snapshot()["requests"] == 2
        with pytest.raises(BoardNotFound) as missing:
            resolve_board_id(trello, "Zz9Zz9Zz")
    assert missing.value.exit_code == 2


def test_pull_by_id_short_link_url_or_plan_fills_one_store(applied, tmp_path):
    plan_path, board_id, short_link, url = applied
    outputs = [run("pull", "--board", ref) for ref in (board_id, short_link, url)] + [run("pull", "--plan", str(plan_path))]
    assert [code for code, _, _ in outputs] == [0, 0, 0, 0], outputs
    store = default_store_path(board_id)
    assert all(f"of board {board_id} into {store}" in out for _, out, _ in outputs)
    assert outputs[1][1].startswith("pulled 0 new actions") and outputs[3][1].startswith("pulled 0 new actions")
    assert sorted(p.name for p in store.parent.iterdir()) == [f"{board_id}.sqlite"]  # one board, one store


def test_a_report_by_short_link_takes_the_lock_of_the_id(applied):
    plan_path, board_id, short_link, url = applied
    with board_lock(board_id):
        for ref in (short_link, url, board_id.upper()):
            code, _, err = run("report", "--board", ref, "--plan", str(plan_path), "--email-to", "team@example.com",
                               "--email-from", "r@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", "9")
            assert code == 1 and "another trelloplan report for board " + board_id in err, err
    locks = os.listdir(Path(os.environ["XDG_CACHE_HOME"]) / "trelloplan" / "locks")
    assert locks == [f"{board_id}.report.lock"]


def test_report_and_plan_find_the_board_in_the_plans_state_file(applied):
    plan_path, board_id, _, _ = applied
    assert recorded_board(plan_path) == board_id
    code, out, err = run("report", "--plan", str(plan_path), "--format", "json")
    assert code == 0, err
    assert f'"board_id": "{board_id}"' in out
    code, out, _ = run("plan", str(plan_path))
    assert code == 0 and f"({board_id})" in out


def test_a_missing_board_is_exit_2_in_every_command_and_leaves_no_store(applied, tmp_path):
    plan_path, _, _, _ = applied
    missing = "5" + "0" * 23
    store = tmp_path / "new.sqlite"
    invocations = [
        ("plan", str(plan_path), "--board", missing, "--state", str(tmp_path / "other.state.json")),
        ("apply", str(plan_path), "--yes", "--board", missing, "--state", str(tmp_path / "other.state.json")),
        ("pull", "--board", missing), ("pull", "--board", missing, "--store", str(store)), ("pull", "--board", "Zz9Zz9Zz"),
        ("report", "--board", missing), ("report", "--board", missing, "--store", str(store)),
        ("report", "--board", "https://trello.com/b/Zz9Zz9Zz/gone"),
    ]
    for args in invocations:
        code, out, err = run(*args)
        assert code == 2, (args, err)
        assert err.startswith("error: board ") and "does not exist, or this token cannot see it" in err and len(err.splitlines()) == 1
    assert not store.exists() and not default_store_path(missing).exists()
    assert not (tmp_path / "other.state.json").exists()


def test_an_empty_board_option_is_an_error_not_a_new_board(sandbox, applied):
    plan_path, _, _, _ = applied
    sandbox.counters.reset()
    for args in (("plan", str(plan_path), "--board", ""), ("apply", str(plan_path), "--yes", "--board", ""),
                 ("pull", "--board", ""), ("report", "--board", "")):
        code, _, err = run(*args)
        assert (code, err.split(" (hint")[0]) == (2, "error: --board is empty"), args
    assert sandbox.counters.snapshot()["requests"] == 0


def test_pull_needs_a_board_or_a_plan_with_a_state(tmp_path):
    code, _, err = run("pull")
    assert code == 2 and err.startswith("error: say which board to pull")
    (tmp_path / "p.yaml").write_text(PLAN_FILE.read_text())
    code, _, err = run("pull", "--plan", str(tmp_path / "p.yaml"))
    assert code == 2 and err.startswith(f"error: {tmp_path / 'p.state.json'} records no board")


def test_the_cli_takes_a_url_end_to_end(sandbox, applied):
    plan_path, board_id, _, url = applied
    env = {**os.environ, **sandbox.env()}
    done = subprocess.run([sys.executable, "-m", "trelloplan", "plan", str(plan_path), "--board", url, "--check"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0 and f"({board_id})" in done.stdout and "nothing to do" in done.stdout
