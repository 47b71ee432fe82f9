"""The action log: Trello's action shapes for every write, and paging as Trello pages."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from trelloplan.sandbox import Sandbox
from trelloplan.sandbox.cards import create_card, update_card
from trelloplan.sandbox.params import Params


def make_board(api: Any, name: str = "Board") -> tuple[str, list[str]]:
    board = api.post("/boards", name=name).json()["id"]
    lists = [item["id"] for item in api.get(f"/boards/{board}/lists").json()]
    return board, lists


def big_history(sandbox: Sandbox, board_id: str, lists: list[str], total: int) -> None:
    """Fill a board's history in-process (the same operations the HTTP routes run), some actions
    sharing a timestamp so that paging must break ties by id."""
    st, me = sandbox.state, sandbox.member
    with st.transaction():
        cards = [create_card(st, me, Params({"idList": lists[0], "name": f"Card {i}"}))["id"] for i in range(50)]
    count = len(st.db.all("SELECT model_id FROM action_models WHERE model_id = ?", board_id))
    step = 0
    while count < total:
        if step % 7 == 0:
            sandbox.clock.advance(seconds=1)  # the clock is frozen: the six moves in between tie
        card = st.card(cards[step % len(cards)])
        target = lists[(lists.index(card["list_id"]) + 1) % len(lists)]
        with st.transaction():
            update_card(st, me, card, Params({"idList": target}))
        count += 1
        step += 1


@pytest.mark.sandbox(rate_limit=False, start="2026-01-05T09:00:00Z", frozen=True)
def test_before_cursors_walk_2500_actions_exactly_once(sandbox: Sandbox, sandbox_api: Any) -> None:
    board, lists = make_board(sandbox_api)
    big_history(sandbox, board, lists, 2500)
    expected = [
        row["action_id"]
        for row in sandbox.state.db.all(
            "SELECT m.action_id FROM action_models m JOIN actions a ON a.id = m.action_id "
            "WHERE m.model_id = ? ORDER BY a.date DESC, a.id DESC",
            board,
        )
    ]
    assert len(expected) == 2500

    for limit in (1000, 50):
        seen: list[str] = []
        pages = 0
        before = None
        while True:
            query = {"filter": "all", "limit": limit, **({"before": before} if before else {})}
            page = sandbox_api.get(f"/boards/{board}/actions", **query).json()
            pages += 1
            seen += [action["id"] for action in page]
            if len(page) < limit:
                break
            before = page[-1]["id"]
        assert seen == expected  # every action exactly once, newest first
        assert pages == 2500 // limit + 1


@pytest.mark.sandbox(rate_limit=False, start="2026-01-05T09:00:00Z", frozen=True)
def test_limit_since_before_and_page(sandbox: Sandbox, sandbox_api: Any) -> None:
    board, lists = make_board(sandbox_api)
    big_history(sandbox, board, lists, 120)
    url = f"/boards/{board}/actions"
    everything = sandbox_api.get(url, limit=1000).json()
    assert len(everything) == 120
    assert len(sandbox_api.get(url).json()) == 50  # Trello's default
    assert sandbox_api.get(url, limit=0).json() == []
    for bad in ("1001", "-1", "many"):
        response = sandbox_api.get(url, limit=bad)
        assert (response.status_code, response.text) == (400, "invalid value for limit")
    assert [a["id"] for a in sandbox_api.get(url, limit=10, page=2).json()] == [a["id"] for a in everything[20:30]]

    pivot = everything[60]
    newer = sandbox_api.get(url, limit=1000, since=pivot["id"]).json()
    older = sandbox_api.get(url, limit=1000, before=pivot["id"]).json()
    assert newer == everything[:60] and older == everything[61:]
    # Dates work too (strictly before / after that instant; ties at the instant are excluded).
    at = pivot["date"]
    assert all(a["date"] < at for a in sandbox_api.get(url, limit=1000, before=at).json())
    assert all(a["date"] > at for a in sandbox_api.get(url, limit=1000, since=at).json())
    assert sandbox_api.get(url, before="2026-01-05").json() == []
    assert sandbox_api.get(url, before="yesterday").text == "invalid value for before"


def test_filters_including_type_field_forms(sandbox: Sandbox, sandbox_api: Any) -> None:
    board, (todo, doing, done) = make_board(sandbox_api)
    label = sandbox_api.get(f"/boards/{board}/labels").json()[0]["id"]
    card = sandbox_api.post("/cards", idList=todo, name="A", due="2026-01-09T17:00:00Z").json()["id"]
    sandbox_api.put(f"/cards/{card}", idList=doing)
    sandbox_api.put(f"/cards/{card}", name="A2")
    sandbox_api.put(f"/cards/{card}", closed="true")
    sandbox_api.post(f"/cards/{card}/idLabels", value=label)
    sandbox_api.post(f"/cards/{card}/actions/comments", text="hi")
    url = f"/boards/{board}/actions"

    def types(**query: Any) -> list[str]:
        response = sandbox_api.get(url, **query)
        assert response.status_code == 200, response.text
        return [f"{a['type']}:{','.join(sorted(a['data'].get('old', {})))}" for a in response.json()]

    assert types(filter="updateCard:idList") == ["updateCard:idList"]
    assert types(filter="createCard,updateCard:closed") == ["updateCard:closed", "createCard:"]
    assert types(filter="updateCard") == ["updateCard:closed", "updateCard:name", "updateCard:idList", "updateCard:due"]
    assert "addLabelToCard:" not in types()  # webhook-only types stay out of listings ...
    assert types(filter="addLabelToCard") == ["addLabelToCard:"]  # ... unless a filter names them
    assert types(filter="commentCard") == ["commentCard:"]
    bad = sandbox_api.get(url, filter="madeUpType")
    assert (bad.status_code, bad.text) == (400, "invalid value for filter")
    # Card actions default to Trello's filter: comments and list moves only.
    assert [a["type"] for a in sandbox_api.get(f"/cards/{card}/actions").json()] == ["commentCard", "updateCard"]
    assert len(sandbox_api.get(f"/cards/{card}/actions", filter="all").json()) == 6
    # List actions include the moves in and out of the list.
    assert [a["type"] for a in sandbox_api.get(f"/lists/{done}/actions").json()] == []
    assert "updateCard" in [a["type"] for a in sandbox_api.get(f"/lists/{doing}/actions").json()]


@pytest.mark.sandbox(start="2026-01-05T09:00:00Z", frozen=True)
def test_card_writes_write_trellos_actions(sandbox: Sandbox, sandbox_api: Any) -> None:
    board, (todo, doing, _done) = make_board(sandbox_api, "Shapes")
    alice = sandbox.add_member("alice", "Alice Example", boards=[board])
    card = sandbox_api.post(
        "/cards", idList=todo, name="Write docs", due="2026-01-09 17:00:00 UTC", idMembers=alice.id
    ).json()
    assert card["due"] == "2026-01-09T17:00:00.000Z"
    history = sandbox_api.get(f"/cards/{card['id']}/actions", filter="all").json()
    # The due-date updateCard and the addMemberToCard come *before* createCard (ids ascending).
    assert [a["type"] for a in reversed(history)] == ["updateCard", "addMemberToCard", "createCard"]
    update, add, create = reversed(history)
    assert update["id"] < add["id"] < create["id"] and card["id"] < update["id"]
    short_link = sandbox_api.get(f"/boards/{board}", fields="shortLink").json()["shortLink"]
    board_ref = {"id": board, "name": "Shapes", "shortLink": short_link}
    card_ref = {"id": card["id"], "name": "Write docs", "idShort": 1, "shortLink": card["shortLink"]}
    assert create["data"] == {"card": card_ref, "list": {"id": todo, "name": "To Do"}, "board": board_ref}
    assert update["data"]["old"] == {"due": None} and update["data"]["card"]["due"] == "2026-01-09T17:00:00.000Z"
    assert add["data"]["idMember"] == alice.id and add["member"]["username"] == "alice"
    assert create["memberCreator"]["username"] == "sandbox" and create["idMemberCreator"] == sandbox.member.id
    assert set(create) >= {"id", "idMemberCreator", "data", "appCreator", "type", "date", "limits", "memberCreator"}
    assert create["date"] == "2026-01-05T09:00:00.000Z"
    assert int(create["id"][:8], 16) == int(datetime(2026, 1, 5, 9, tzinfo=timezone.utc).timestamp())

    sandbox.clock.advance(hours=2)
    sandbox_api.put(f"/cards/{card['id']}/idList", value=doing)
    move = sandbox_api.get(f"/cards/{card['id']}/actions").json()[0]
    assert move["data"] == {
        "card": {**card_ref, "idList": doing},
        "old": {"idList": todo},
        "board": board_ref,
        "listBefore": {"id": todo, "name": "To Do"},
        "listAfter": {"id": doing, "name": "Doing"},
    }
    assert move["date"] == "2026-01-05T11:00:00.000Z"

    sandbox_api.put(f"/cards/{card['id']}", name="Write the docs", closed="true")
    newest = sandbox_api.get(f"/cards/{card['id']}/actions", filter="updateCard", limit=2).json()
    by_old = {next(iter(a["data"]["old"])): a for a in newest}
    assert set(by_old) == {"closed", "name"}
    assert by_old["name"]["data"]["old"] == {"name": "Write docs"} and by_old["closed"]["data"]["old"] == {
        "closed": False
    }
    assert by_old["closed"]["data"]["card"]["closed"] is True and by_old["closed"]["data"]["list"] == {
        "id": doing,
        "name": "Doing",
    }
    assert by_old["name"]["data"]["card"]["name"] == "Write the docs"

    labels = [label["id"] for label in sandbox_api.get(f"/boards/{board}/labels").json()[:2]]
    sandbox_api.put(f"/cards/{card['id']}", dueComplete="true", idLabels=",".join(labels))
    done = sandbox_api.get(f"/cards/{card['id']}/actions", filter="updateCard:dueComplete").json()
    assert [a["data"]["old"] for a in done] == [{"dueComplete": False}]
    assert done[0]["data"]["card"]["dueComplete"] is True
    added = sandbox_api.get(f"/cards/{card['id']}/actions", filter="addLabelToCard").json()
    assert sorted(a["data"]["label"]["id"] for a in added) == sorted(labels)
    sandbox_api.put(f"/cards/{card['id']}", idLabels=labels[0])
    removed = sandbox_api.get(f"/cards/{card['id']}/actions", filter="removeLabelFromCard").json()
    assert [a["data"]["label"]["id"] for a in removed] == [labels[1]]
    assert sandbox_api.get(f"/cards/{card['id']}").json()["idLabels"] == [labels[0]]

    # Deleting a card drops its own history from the board; only deleteCard remains.
    sandbox_api.delete(f"/cards/{card['id']}")
    board_actions = sandbox_api.get(f"/boards/{board}/actions").json()
    about_card = [a for a in board_actions if a["data"].get("card", {}).get("id") == card["id"]]
    assert [a["type"] for a in about_card] == ["deleteCard"]
    assert about_card[0]["data"]["card"] == {"id": card["id"], "idShort": 1, "shortLink": card["shortLink"]}
    gone = sandbox_api.get(f"/cards/{card['id']}/actions")
    assert (gone.status_code, gone.text) == (404, "The requested resource was not found.")


def test_other_writes_write_trellos_actions(sandbox: Sandbox, sandbox_api: Any) -> None:
    board, (todo, doing, _done) = make_board(sandbox_api, "Other")
    other, (other_todo, *_) = make_board(sandbox_api, "Target")
    sandbox_api.put(f"/boards/{board}", name="Renamed")
    listed = sandbox_api.post("/lists", idBoard=board, name="Later").json()["id"]
    sandbox_api.put(f"/lists/{listed}/closed", value="true")
    source = sandbox_api.post("/cards", idList=todo, name="Source").json()["id"]
    sandbox_api.post(f"/cards/{source}/actions/comments", text="keep me")
    copy = sandbox_api.post("/cards", idList=doing, idCardSource=source).json()
    assert copy["name"] == "Source"
    checklist = sandbox_api.post(f"/cards/{source}/checklists", name="DoD").json()["id"]
    item = sandbox_api.post(f"/checklists/{checklist}/checkItems", name="tests").json()["id"]
    sandbox_api.put(f"/cards/{source}/checkItem/{item}", state="complete")
    sandbox_api.put(f"/cards/{source}/idBoard", value=other, idList=other_todo)

    actions = {a["type"]: a for a in reversed(sandbox_api.get(f"/boards/{board}/actions", limit=100).json())}
    assert actions["createBoard"]["data"]["board"]["id"] == board
    assert actions["updateBoard"]["data"]["old"] == {"name": "Other"}
    assert actions["createList"]["data"]["list"] == {"id": listed, "name": "Later"}
    assert (
        actions["updateList"]["data"]["old"] == {"closed": False}
        and actions["updateList"]["data"]["list"]["closed"] is True
    )
    assert actions["copyCard"]["data"]["cardSource"]["id"] == source
    assert actions["copyCommentCard"]["data"]["text"] == "keep me"
    assert actions["addChecklistToCard"]["data"]["checklist"] == {"id": checklist, "name": "DoD"}
    assert actions["updateCheckItemStateOnCard"]["data"]["checkItem"]["state"] == "complete"
    assert actions["moveCardFromBoard"]["data"]["boardTarget"] == {"id": other, "name": "Target"}
    assert "moveCardToBoard" not in actions  # logged on the destination board
    arrived = sandbox_api.get(f"/boards/{other}/actions").json()[0]
    assert arrived["type"] == "moveCardToBoard" and arrived["data"]["boardSource"] == {"id": board, "name": "Renamed"}
    assert arrived["data"]["list"] == {"id": other_todo, "name": "To Do"}


def test_single_action_reads_edits_and_deletes(sandbox: Sandbox, sandbox_api: Any) -> None:
    _board, (todo, *_) = make_board(sandbox_api)
    card = sandbox_api.post("/cards", idList=todo, name="C").json()["id"]
    comment = sandbox_api.post(f"/cards/{card}/actions/comments", text="first").json()
    assert comment["type"] == "commentCard" and comment["display"]["translationKey"] == "action_comment_on_card"
    assert comment["limits"]["reactions"]["perAction"]["disableAt"] == 900
    edited = sandbox_api.put(f"/actions/{comment['id']}", text="second").json()
    assert edited["data"]["text"] == "second" and "dateLastEdited" in edited["data"]
    assert sandbox_api.get(f"/actions/{comment['id']}/type").json() == {"_value": "commentCard"}
    assert sandbox_api.get(f"/actions/{comment['id']}/card").json()["id"] == card
    assert sandbox_api.get(f"/cards/{card}").json()["badges"]["comments"] == 1
    assert sandbox_api.delete(f"/actions/{comment['id']}").json() == {"_value": None}
    assert sandbox_api.get(f"/actions/{comment['id']}").status_code == 404
    create = sandbox_api.get(f"/cards/{card}/actions", filter="createCard").json()[0]
    refused = sandbox_api.delete(f"/actions/{create['id']}")
    assert (refused.status_code, refused.text) == (400, "invalid value for idAction")
