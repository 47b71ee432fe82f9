"""State: two clients at once do not corrupt it, and a failed write leaves nothing behind."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from trelloplan.sandbox import Sandbox


@pytest.mark.sandbox(rate_limit=False)
def test_two_clients_in_threads_do_not_corrupt_state(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Busy").json()["id"]
    todo, doing, done = (item["id"] for item in sandbox_api.get(f"/boards/{board}/lists").json())
    people = [sandbox.member, sandbox.add_member("bob", boards=[board])]
    failures: list[str] = []
    made: dict[str, list[str]] = {}
    start = threading.Barrier(len(people))

    def work(member: Any) -> None:
        auth = {"key": sandbox.key, "token": member.token}
        ids: list[str] = []
        with requests.Session() as http:
            start.wait()
            for i in range(30):
                response = http.post(
                    sandbox.api_url + "/cards", params=auth, json={"idList": todo, "name": f"{member.username} {i}"}
                )
                if response.status_code != 200:
                    failures.append(response.text)
                    continue
                ids.append(response.json()["id"])
                for target in (doing, done):
                    moved = http.put(f"{sandbox.api_url}/cards/{ids[-1]}/idList", params=auth, json={"value": target})
                    if moved.status_code != 200:
                        failures.append(moved.text)
        made[member.username] = ids

    threads = [threading.Thread(target=work, args=(member,)) for member in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    cards = sandbox_api.get(f"/boards/{board}/cards").json()
    assert len(cards) == 60 and {card["idList"] for card in cards} == {done}
    assert sorted(card["idShort"] for card in cards) == list(range(1, 61))  # no duplicate counter values
    actions = sandbox_api.get(f"/boards/{board}/actions", limit=1000, filter="createCard,updateCard:idList").json()
    assert len(actions) == 60 * 3 and len({a["id"] for a in actions}) == 180
    by_creator = {name: sum(a["memberCreator"]["username"] == name for a in actions) for name in made}
    assert by_creator == {"sandbox": 90, "bob": 90}
    for card in made["bob"][:5]:
        history = sandbox_api.get(f"/cards/{card}/actions", filter="all").json()
        assert [(a["type"], a["data"].get("listAfter", {}).get("name")) for a in history] == [
            ("updateCard", "Done"),
            ("updateCard", "Doing"),
            ("createCard", None),
        ]


def test_a_failed_write_leaves_nothing_behind(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Atomic").json()["id"]
    todo = sandbox_api.get(f"/boards/{board}/lists").json()[0]["id"]
    before = sandbox_api.get(f"/boards/{board}/actions").json()
    refused = sandbox_api.post("/cards", idList=todo, name="x", due="2026-01-09", idLabels="5e93ba98614ac22d22f085c4")
    assert refused.status_code == 400
    assert sandbox_api.get(f"/boards/{board}/actions").json() == before
    assert sandbox_api.post("/cards", idList=todo, name="y").json()["idShort"] == 1
