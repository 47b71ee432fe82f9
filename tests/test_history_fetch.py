"""Pulling a board: paging without gaps or repeats, request budgets, incremental and resumed pulls.

First against an in-memory board that pages the way Trello does (newest first, ``before``/``since``
by action id, ``limit``), then over HTTP against the sandbox.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from trelloplan.errors import TrelloAPIError
from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.fetch import ACTION_TYPES, BOARD_PARAMS, fetch_history, pull_history
from trelloplan.history.synthetic import generate_board
from trelloplan.sandbox import Sandbox
from trelloplan.store import HistoryStore

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
LATER = datetime(2027, 6, 7, tzinfo=timezone.utc)  # after every generated board's history


class FakeTrello:
    """A board served the way Trello pages actions; records every request."""

    def __init__(self, export: dict[str, Any], *, fail_after: int | None = None, ignore_before: bool = False) -> None:
        self.export = export
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_after = fail_after
        self.ignore_before = ignore_before

    def add(self, actions: list[dict[str, Any]]) -> None:
        self.export["actions"] = actions + self.export["actions"]

    def __call__(self, path: str, params: Mapping[str, Any]) -> Any:
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise TrelloAPIError("connection dropped", path=path)
        self.calls.append((path, dict(params)))
        board = self.export["id"]
        if path == f"/boards/{board}/actions":
            types = set(params["filter"].split(","))
            found = [a for a in self.export["actions"] if a["type"] in types]
            if "since" in params:
                found = [a for a in found if a["id"] > params["since"]]
            if "before" in params and not self.ignore_before:
                found = [a for a in found if a["id"] < params["before"]]
            found.sort(key=lambda a: (a["date"], a["id"]), reverse=True)
            return json.loads(json.dumps(found[: int(params["limit"])]))
        if path == f"/boards/{board}":
            return {key: self.export[key] for key in ("id", "name", "shortUrl", "cards", "lists", "labels", "members")}
        raise AssertionError(f"unexpected GET {path}")

    def routes(self) -> list[str]:
        return [path.rsplit("/", 1)[-1] if path.endswith("actions") else "board" for path, _ in self.calls]


def board_with(actions: int, seed: int = 1) -> dict[str, Any]:
    export = generate_board(actions, seed=seed)
    export["actions"] = export["actions"][:actions]  # exactly this many
    return export


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2000, 2500])
def test_a_full_fetch_pages_without_gaps_or_repeats_within_the_budget(count: int) -> None:
    export = board_with(count)
    trello = FakeTrello(export)
    history = fetch_history(trello, export["id"])
    assert {a.id for a in history.actions} == {a["id"] for a in export["actions"]}
    assert len(history.actions) == count
    assert len(trello.calls) <= math.ceil(count / 1000) + 2
    assert len(trello.calls) == count // 1000 + 2  # the last page is short (or empty)
    assert trello.routes()[-1] == "board" and trello.routes().count("board") == 1


def test_pages_overlap_at_equal_dates_without_losing_any() -> None:
    export = board_with(250, seed=3)
    for action in export["actions"]:
        action["date"] = "2027-01-04T09:00:00.000Z"  # every action in the same millisecond
    trello = FakeTrello(export)
    history = fetch_history(trello, export["id"], page_size=40)
    assert len(history.actions) == 250 and len(trello.calls) == math.ceil(250 / 40) + 1


def test_the_requests_ask_for_what_the_report_needs() -> None:
    export = board_with(10)
    trello = FakeTrello(export)
    fetch_history(trello, export["id"])
    (actions_path, actions), (board_path, board) = trello.calls
    assert actions_path == f"/boards/{export['id']}/actions" and actions["limit"] == 1000
    for kind in ("createCard", "copyCard", "convertToCardFromCheckItem", "emailCard", "moveCardToBoard",
                 "moveCardFromBoard", "updateCard", "deleteCard", "updateList"):
        assert kind in actions["filter"].split(",")
    assert set(ACTION_TYPES) == set(actions["filter"].split(","))
    assert board == dict(BOARD_PARAMS) and board["cards"] == "all" and board["lists"] == "all"


def test_fetched_history_equals_the_export() -> None:
    export = board_with(1500, seed=4)
    history = fetch_history(FakeTrello(export), export["id"])
    assert history == history_from_board_json(export)


def test_pull_then_nothing_new_is_one_request(tmp_path: Path) -> None:
    export = board_with(2100, seed=5)
    trello = FakeTrello(export)
    with HistoryStore(tmp_path / "s.sqlite") as store:
        first = pull_history(trello, store, export["id"])
        assert (first.requests, first.new_actions, first.snapshot_refreshed) == (4, 2100, True)
        again = pull_history(trello, store, export["id"])
        assert (again.requests, again.new_actions, again.snapshot_refreshed) == (1, 0, False)
        assert trello.calls[-1][1]["since"] == store.newest_action_id()
        assert store.load_history() == history_from_board_json(export)


def test_an_incremental_pull_fetches_only_the_new_actions(tmp_path: Path) -> None:
    export = board_with(3000, seed=6)
    newer, older = export["actions"][:1200], export["actions"][1200:]
    trello = FakeTrello(dict(export, actions=older))
    with HistoryStore(tmp_path / "s.sqlite") as store:
        pull_history(trello, store, export["id"])
        trello.calls.clear()
        trello.add(newer)
        result = pull_history(trello, store, export["id"])
        assert (result.requests, result.new_actions, result.total_actions) == (3, 1200, 3000)
        assert trello.routes() == ["actions", "actions", "board"]
        assert all(params.get("since") for path, params in trello.calls[:2])
        assert store.load_history() == history_from_board_json(export)


@pytest.mark.parametrize("fail_after", [1, 2, 3])
def test_an_interrupted_pull_resumes_without_losing_or_repeating(tmp_path: Path, fail_after: int) -> None:
    export = board_with(3500, seed=7)
    with HistoryStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(TrelloAPIError):
            pull_history(FakeTrello(export, fail_after=fail_after), store, export["id"])
        assert store.action_count() == 1000 * fail_after
        assert store.gap() == (None, min(a["id"] for a in store.raw_actions()))
        trello = FakeTrello(export)
        trello.add(generate_board(30, seed=99, start=LATER)["actions"][:30])  # new activity meanwhile
        pull_history(trello, store, export["id"])
        assert store.gap() is None
        assert store.action_count() == 3530
        assert trello.routes()[-1] == "board"
        assert any("since" in params for _, params in trello.calls)


def test_an_interrupted_incremental_pull_keeps_its_gap(tmp_path: Path) -> None:
    export = board_with(2600, seed=8)
    trello = FakeTrello(dict(export, actions=export["actions"][2100:]))
    with HistoryStore(tmp_path / "s.sqlite") as store:
        pull_history(trello, store, export["id"])
        newest = store.newest_action_id()
        failing = FakeTrello(dict(export), fail_after=1)
        with pytest.raises(TrelloAPIError):
            pull_history(failing, store, export["id"])
        assert store.action_count() == 500 + 1000
        assert store.gap() == (newest, min(a["id"] for a in export["actions"][:1000]))
        pull_history(FakeTrello(dict(export)), store, export["id"])
        assert store.gap() is None and store.action_count() == 2600


def test_a_server_that_ignores_the_cursor_is_refused() -> None:
    export = board_with(2000)
    with pytest.raises(TrelloAPIError, match="ignored the before= cursor"):
        fetch_history(FakeTrello(export, ignore_before=True), export["id"])


def test_a_response_that_is_not_actions_is_refused() -> None:
    with pytest.raises(TrelloAPIError, match="did not return a list of actions"):
        fetch_history(lambda path, params: {"message": "nope"}, "b" * 24)


def test_the_recorded_trello_page_goes_through_a_pull(tmp_path: Path) -> None:
    actions = json.loads((SAMPLES / "trellodotnet" / "BoardActions.json").read_text(encoding="utf-8"))
    board_id = actions[0]["data"]["board"]["id"]
    export = {"id": board_id, "name": "recorded", "shortUrl": None, "actions": actions, "cards": [], "lists": [],
              "labels": [], "members": []}
    trello = FakeTrello(export)
    with HistoryStore(tmp_path / "s.sqlite") as store:
        result = pull_history(trello, store, board_id)
        wanted = [a for a in actions if a["type"] in ACTION_TYPES]
        assert result.new_actions == len(wanted) and result.requests == 2
        assert {a.id for a in store.load_history().actions} >= {a["id"] for a in wanted if a["type"] != "updateList"}


# -- the sandbox, over HTTP ----------------------------------------------------------------------------------------------


class HttpGet:
    """``get(path, params)`` over requests with the key and token as query parameters."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.session = requests.Session()
        self.base = sandbox.api_url
        self.auth = sandbox.auth()

    def __call__(self, path: str, params: Mapping[str, Any]) -> Any:
        response = self.session.get(self.base + path, params={**self.auth, **{k: str(v) for k, v in params.items()}},
                                    timeout=30)
        response.raise_for_status()
        return response.json()

    def call(self, method: str, path: str, **params: Any) -> Any:
        response = self.session.request(method, self.base + path, params={**self.auth, **params}, timeout=30)
        response.raise_for_status()
        return response.json()


@pytest.mark.sandbox(start="2027-01-04T08:00:00Z", frozen=True, rate_limit=False)
def test_pull_from_the_sandbox_pages_and_then_asks_once(sandbox: Sandbox, tmp_path: Path) -> None:
    http = HttpGet(sandbox)
    board = http.call("POST", "/boards", name="Pull test", defaultLists="false")
    todo, doing, done = (http.call("POST", "/lists", name=n, idBoard=board["id"], pos="bottom")["id"]
                         for n in ("To Do", "In Progress", "Done"))
    cards = [http.call("POST", "/cards", name=f"Task {n}", idList=todo)["id"] for n in range(60)]
    for card in cards[:40]:
        sandbox.clock.advance(timedelta(minutes=30))
        http.call("PUT", f"/cards/{card}", idList=doing)
    for card in cards[:25]:
        sandbox.clock.advance(timedelta(minutes=30))
        http.call("PUT", f"/cards/{card}", idList=done)
    http.call("DELETE", f"/cards/{cards[-1]}")
    all_actions = http.call("GET", f"/boards/{board['id']}/actions", limit=1000, filter=",".join(ACTION_TYPES))
    count = len(all_actions)
    sandbox.counters.reset()
    with HistoryStore(tmp_path / "sandbox.sqlite", board_id=board["id"]) as store:
        first = pull_history(http, store, board["id"], page_size=50)
        assert first.new_actions == count and first.requests <= math.ceil(count / 50) + 2
        routes = sandbox.counters.snapshot()["byRoute"]
        assert routes == {"GET /1/boards/<board_id>/actions": count // 50 + 1, "GET /1/boards/<board_id>": 1}
        sandbox.counters.reset()
        assert pull_history(http, store, board["id"], page_size=50).requests == 1
        assert sandbox.counters.snapshot()["requests"] == 1
        sandbox.clock.advance(timedelta(hours=1))
        http.call("PUT", f"/cards/{cards[30]}", idList=done)
        later = pull_history(http, store, board["id"], page_size=50)
        assert (later.new_actions, later.requests, later.snapshot_refreshed) == (1, 2, True)
        history = store.load_history()
    report = build_report(history, as_of=sandbox.clock.now(), trials=100)
    assert (report.totals.cards, report.totals.done, report.totals.in_progress, report.totals.todo) == (59, 26, 14, 19)
    assert report.data_quality.counts["deleted"] == 1 and report.data_quality.counts["history_mismatch"] == 0
