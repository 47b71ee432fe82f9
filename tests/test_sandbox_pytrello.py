"""A client nobody here wrote drives the sandbox: py-trello 0.20.1, unpatched.

py-trello hard-codes ``https://api.trello.com/1/``; the only change is the ``http_service`` it
accepts, a ``requests.Session`` that rewrites that prefix to the sandbox's URL. Both of its auth
modes are used: key+token in the query (``api_secret=TOKEN``) and the OAuth header (``token=``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from trello import TrelloClient
from trello.exceptions import ResourceUnavailable, Unauthorized

from trelloplan.sandbox import Sandbox

TRELLO = "https://api.trello.com/1"


class PointAtSandbox(requests.Session):
    """Sends py-trello's requests for https://api.trello.com/1 to the sandbox instead."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url
        self.sent: list[tuple[str, str]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        assert url.startswith(TRELLO + "/"), url
        self.sent.append((method, url[len(TRELLO) :].split("?")[0]))
        return super().request(method, self.api_url + url[len(TRELLO) :], *args, **kwargs)


@pytest.fixture(params=["query", "oauth"])
def client(sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[TrelloClient]:
    sandbox.rate_limits.configure(enabled=False)
    with PointAtSandbox(sandbox.api_url) as http:
        if request.param == "query":
            yield TrelloClient(api_key=sandbox.key, api_secret=sandbox.token, http_service=http)
        else:
            yield TrelloClient(api_key=sandbox.key, token=sandbox.token, http_service=http)


def test_py_trello_builds_a_board_moves_cards_and_reads_the_history(client: TrelloClient, sandbox: Sandbox) -> None:
    sandbox.clock.freeze("2026-01-05T09:00:00Z")
    board = client.add_board("Ten weeks", default_lists=False)
    todo, doing, done = (board.add_list(name, pos="bottom") for name in ("To Do", "In Progress", "Done"))
    week1 = board.add_label("Week 1", "green")
    week2 = board.add_label("Week 2", "sky_light")
    cards = [
        todo.add_card(
            f"Task {i}",
            desc=f"About task {i}",
            labels=[week1 if i < 3 else week2],
            due="2026-01-09T17:00:00.000Z",
            position="bottom",
        )
        for i in range(1, 5)
    ]

    sandbox.clock.advance(days=1)
    cards[0].change_list(doing.id)
    cards[1].change_list(doing.id)
    sandbox.clock.advance(days=1)
    cards[0].change_list(done.id)
    cards[2].set_closed(True)

    # Everything round-trips through py-trello's own object model.
    again = client.get_board(board.id)
    assert (again.name, again.closed) == ("Ten weeks", False)
    assert [(lst.name, lst.closed) for lst in again.all_lists()] == [
        ("To Do", False),
        ("In Progress", False),
        ("Done", False),
    ]
    labels = {label.name: label.color for label in again.get_labels()}
    assert labels["Week 1"] == "green" and labels["Week 2"] == "sky_light"
    by_name = {card.name: card for card in again.all_cards()}
    assert set(by_name) == {"Task 1", "Task 2", "Task 3", "Task 4"}
    assert by_name["Task 1"].idList == done.id and by_name["Task 2"].idList == doing.id
    assert by_name["Task 3"].closed is True and by_name["Task 4"].idList == todo.id
    assert by_name["Task 1"].idLabels == [week1.id] and by_name["Task 4"].idLabels == [week2.id]
    assert by_name["Task 1"].due_date == datetime(2026, 1, 9, 17, tzinfo=timezone.utc)
    assert [card.name for card in again.open_cards()] == ["Task 4", "Task 2", "Task 1"]  # by list, then position
    assert [card.name for card in doing.list_cards(query={})] == ["Task 2"]

    # Board actions, newest first, in Trello's shapes (py-trello reads them as plain dicts).
    actions = board.fetch_actions("createCard,updateCard:idList,updateCard:closed", action_limit=100)
    kinds = [
        (
            a["type"],
            a["data"]["card"]["name"],
            a["data"].get("listAfter", {}).get("name"),
            a["data"].get("old", {}).get("closed"),
        )
        for a in actions
    ]
    assert kinds[:4] == [
        ("updateCard", "Task 3", None, False),
        ("updateCard", "Task 1", "Done", None),
        ("updateCard", "Task 2", "In Progress", None),
        ("updateCard", "Task 1", "In Progress", None),
    ]
    assert sorted(kind[1] for kind in kinds if kind[0] == "createCard") == ["Task 1", "Task 2", "Task 3", "Task 4"]
    assert actions[1]["date"] == "2026-01-07T09:00:00.000Z" and actions[1]["memberCreator"]["id"] == sandbox.member.id
    assert int(actions[1]["id"][:8], 16) == int(datetime(2026, 1, 7, 9, tzinfo=timezone.utc).timestamp())

    # Card actions, and py-trello's own movement helper on top of them.
    card = client.get_card(cards[0].id)
    moves = card.list_movements()
    assert [(m["source"]["name"], m["destination"]["name"]) for m in moves] == [
        ("In Progress", "Done"),
        ("To Do", "In Progress"),
    ]
    created = card.fetch_actions("createCard")
    assert [a["data"]["list"]["name"] for a in created] == ["To Do"]

    # Comments and checklists (py-trello's add_checklist also re-fetches the card).
    card.comment("Looks done")
    assert [c["data"]["text"] for c in card.get_comments()] == ["Looks done"]
    card.add_checklist("Definition of done", ["tests", "docs"], [True, False])
    checklists = client.fetch_json(f"/cards/{card.id}/checklists")
    assert [(i["name"], i["state"]) for i in checklists[0]["checkItems"]] == [
        ("tests", "complete"),
        ("docs", "incomplete"),
    ]


def test_py_trello_sees_trello_errors(client: TrelloClient, sandbox: Sandbox) -> None:
    with pytest.raises(ResourceUnavailable) as missing:
        client.get_board("5e93ba98614ac22d22f085c4")
    assert missing.value._status == 404
    assert "The requested resource was not found." in str(missing.value)
    with pytest.raises(ResourceUnavailable) as bad_id:
        client.get_board("not-an-id")
    assert bad_id.value._status == 400 and "invalid id" in str(bad_id.value)


def test_py_trello_with_a_wrong_token_is_unauthorized(sandbox: Sandbox) -> None:
    with PointAtSandbox(sandbox.api_url) as http:
        client = TrelloClient(api_key=sandbox.key, api_secret="f" * 64, http_service=http)
        with pytest.raises(Unauthorized) as error:
            client.list_boards()
    assert "invalid token" in str(error.value)
