"""The sandbox clock: frozen, set and advanced from Python and over HTTP; ids and actions obey it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from trelloplan.sandbox import Sandbox, SandboxClock, format_date, parse_date

MONDAY = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = SandboxClock(MONDAY, frozen=True)
    assert clock.now() == MONDAY and clock.frozen
    assert clock.advance(days=1, hours=2) == MONDAY + timedelta(days=1, hours=2)
    assert clock.advance(timedelta(minutes=5)) == MONDAY + timedelta(days=1, hours=2, minutes=5)
    assert clock.set("2026-03-01T00:00:00Z") == datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert clock.now() == datetime(2026, 3, 1, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1))  # naive
    running = clock.unfreeze()
    assert not clock.frozen and clock.now() >= running


def test_a_running_clock_follows_real_time_from_where_it_was_set() -> None:
    clock = SandboxClock()
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert before <= clock.now() <= datetime.now(timezone.utc) + timedelta(seconds=1)
    clock.set(MONDAY)
    assert MONDAY <= clock.now() < MONDAY + timedelta(minutes=1)
    frozen_at = clock.freeze()
    assert clock.now() == frozen_at


def test_trello_date_forms() -> None:
    assert format_date(datetime(2020, 12, 22, 1, 59, 0, 123456, tzinfo=timezone.utc)) == "2020-12-22T01:59:00.123Z"
    for text in (
        "2020-12-22 01:59:00 UTC",
        "2020-12-22T01:59:00+00:00",
        "2020-12-22 01:59:00 +0000",
        "2020-12-22T01:59:00.000Z",
        "2020-12-22T02:59:00+01:00",
    ):
        assert format_date(parse_date(text)) == "2020-12-22T01:59:00.000Z"
    with pytest.raises(ValueError):
        parse_date("next tuesday")


@pytest.mark.sandbox(start="2026-01-05T09:00:00Z", frozen=True)
def test_ids_actions_and_activity_take_the_sandbox_time(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Weeks").json()["id"]
    assert int(board[:8], 16) == int(MONDAY.timestamp())
    todo, doing, _ = (item["id"] for item in sandbox_api.get(f"/boards/{board}/lists").json())
    card = sandbox_api.post("/cards", idList=todo, name="Task").json()
    assert card["dateLastActivity"] == "2026-01-05T09:00:00.000Z"
    sandbox.clock.advance(days=10)
    sandbox_api.put(f"/cards/{card['id']}/idList", value=doing)
    move = sandbox_api.get(f"/cards/{card['id']}/actions").json()[0]
    assert move["date"] == "2026-01-15T09:00:00.000Z"
    assert int(move["id"][:8], 16) == int((MONDAY + timedelta(days=10)).timestamp())
    assert sandbox_api.get(f"/cards/{card['id']}").json()["dateLastActivity"] == "2026-01-15T09:00:00.000Z"
    assert sandbox_api.get(f"/boards/{board}", fields="dateLastActivity").json()["dateLastActivity"] == move["date"]
    assert sandbox_api.get("/members/me").headers["X-Server-Time"] == str(int(move_time(move).timestamp() * 1000))


def move_time(action: dict[str, Any]) -> datetime:
    return parse_date(action["date"])


def test_the_clock_over_http(sandbox: Sandbox) -> None:
    url = sandbox.base_url + "/_sandbox/clock"
    secret = sandbox.control_headers
    frozen = requests.post(url + "/freeze", json={"at": "2026-01-05T09:00:00Z"}, headers=secret, timeout=10).json()
    assert frozen == {"now": "2026-01-05T09:00:00.000Z", "frozen": True, "epochMs": int(MONDAY.timestamp() * 1000)}
    assert (
        requests.post(url + "/advance", json={"days": 7, "hours": 1}, headers=secret, timeout=10).json()["now"]
        == "2026-01-12T10:00:00.000Z"
    )
    assert (
        requests.post(url + "/set", json={"at": "2026-02-02T08:30:00Z"}, headers=secret, timeout=10).json()["now"]
        == "2026-02-02T08:30:00.000Z"
    )
    assert sandbox.clock.now() == datetime(2026, 2, 2, 8, 30, tzinfo=timezone.utc)
    bad = requests.post(url + "/set", json={"at": "soon"}, headers=secret, timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()
    assert requests.post(url + "/unfreeze", headers=secret, timeout=10).json()["frozen"] is False
