"""The /1 API: what it serves, Trello's parameters, positions, errors, batch and the board export."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from trelloplan.sandbox import Sandbox
from trelloplan.sandbox.cards import update_card
from trelloplan.sandbox.params import Params


def test_a_new_board_has_trellos_defaults(sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="IT 99", desc="testing board create").json()
    assert set(board) == {
        "id",
        "name",
        "desc",
        "descData",
        "closed",
        "idOrganization",
        "idEnterprise",
        "pinned",
        "url",
        "shortUrl",
        "prefs",
        "labelNames",
        "limits",
    }
    assert (
        board["limits"] == {}
        and board["prefs"]["background"] == "blue"
        and board["prefs"]["backgroundColor"] == "#0079BF"
    )
    assert re.fullmatch(r"https://trello.com/b/[0-9A-Za-z]{8}/it-99", board["url"])
    assert board["shortUrl"] == board["url"].rsplit("/", 1)[0]
    lists = sandbox_api.get(f"/boards/{board['id']}/lists").json()
    assert [(item["name"], item["pos"]) for item in lists] == [("To Do", 16384), ("Doing", 32768), ("Done", 49152)]
    labels = sandbox_api.get(f"/boards/{board['id']}/labels").json()
    assert [(label["name"], label["color"]) for label in labels] == [
        ("", "green"),
        ("", "yellow"),
        ("", "orange"),
        ("", "red"),
        ("", "purple"),
        ("", "blue"),
    ]
    bare = sandbox_api.post("/boards", name="Bare", defaultLists="false", defaultLabels=False).json()
    assert sandbox_api.get(f"/boards/{bare['id']}/lists").json() == []
    assert sandbox_api.get(f"/boards/{bare['id']}/labels").json() == []
    grey = sandbox_api.post("/boards", name="Grey", prefs_background="grey").json()
    assert grey["prefs"]["backgroundColor"] == "#838C91"


def test_parameters_come_from_query_form_or_json(sandbox: Sandbox) -> None:
    url, auth = sandbox.api_url + "/boards", sandbox.auth()
    by_query = requests.post(url, params={**auth, "name": "From query"}, timeout=10).json()
    by_form = requests.post(url, params=auth, data={"name": "From form", "defaultLists": "false"}, timeout=10).json()
    by_json = requests.post(url, params=auth, json={"name": "From JSON", "desc": None}, timeout=10).json()
    assert [b["name"] for b in (by_query, by_form, by_json)] == ["From query", "From form", "From JSON"]
    # Credentials in a form or JSON body work too.
    in_form = requests.post(url, data={**auth, "name": "Creds in form"}, timeout=10)
    in_json = requests.post(url, json={**auth, "name": "Creds in JSON"}, timeout=10)
    assert in_form.status_code == in_json.status_code == 200
    # A JSON body sent as text/plain is not parsed (as on Trello): the name is missing.
    plain = requests.post(
        url, params=auth, data=json.dumps({"name": "x"}), headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert (plain.status_code, plain.text) == (400, "invalid value for name")


def test_positions_follow_trello(sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Pos", defaultLists=False).json()["id"]
    first = sandbox_api.post(f"/boards/{board}/lists", name="A").json()
    second = sandbox_api.post("/lists", idBoard=board, name="B", pos="bottom").json()
    top = sandbox_api.post("/lists", idBoard=board, name="C").json()  # POST /lists defaults to top
    assert (first["pos"], second["pos"], top["pos"]) == (65535, 131071, 32767.5)
    cards = [sandbox_api.post("/cards", idList=first["id"], name=f"c{i}").json()["pos"] for i in range(3)]
    assert cards == [16384, 81920, 147456]  # no pos: bottom, 65536 apart
    assert sandbox_api.post("/cards", idList=first["id"], name="top", pos="top").json()["pos"] == 8192
    assert sandbox_api.post("/cards", idList=first["id"], name="empty", pos="").json()["pos"] == 4096
    assert sandbox_api.post("/cards", idList=first["id"], name="num", pos=5.5).json()["pos"] == 5.5
    for bad in ("-1", "middle"):
        response = sandbox_api.post("/cards", idList=first["id"], name="bad", pos=bad)
        assert (response.status_code, response.text) == (400, "invalid value for pos")


def test_errors_have_trellos_statuses_and_bodies(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Errors").json()["id"]
    todo = sandbox_api.get(f"/boards/{board}/lists").json()[0]["id"]
    cases = [
        (sandbox_api.get("/boards/5e93ba98614ac22d22f085c4"), 404, "The requested resource was not found."),
        (sandbox_api.get("/cards/5e93ba98614ac22d22f085c4"), 404, "The requested resource was not found."),
        (sandbox_api.get("/boards/Stuff"), 400, "invalid id"),
        (sandbox_api.get("/lists/abc"), 400, "invalid id"),
        (sandbox_api.post("/cards", name="no list"), 400, "invalid value for idList"),
        (sandbox_api.post("/cards", idList="5e93ba98614ac22d22f085c4"), 400, "invalid value for idList"),
        (sandbox_api.post("/boards"), 400, "invalid value for name"),
        (sandbox_api.post("/lists", idBoard=board), 400, "invalid value for name"),
        (sandbox_api.post("/labels", idBoard=board, name="x", color="mauve"), 400, "invalid value for color"),
        (sandbox_api.put(f"/lists/{todo}", closed="maybe"), 400, "invalid value for closed"),
        (sandbox_api.get("/boards/x/y/z/w"), 404, "Cannot GET /1/boards/x/y/z/w"),
    ]
    for response, status, body in cases:
        assert (response.status_code, response.text) == (status, body)
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    invalid = sandbox_api.post("/cards", idList=todo, idLabels="nope")
    assert (invalid.status_code, invalid.json()) == (400, {"message": "Invalid objectId", "error": "ERROR"})
    with_body = requests.get(f"{sandbox.api_url}/members/me", params=sandbox.auth(), data=b"x=1", timeout=10)
    assert with_body.status_code == 403  # Trello refuses GETs with a body since 2024


def test_cards_have_short_links_urls_and_idshorts(sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Cards").json()
    todo, doing, _done = (item["id"] for item in sandbox_api.get(f"/boards/{board['id']}/lists").json())
    label = sandbox_api.get(f"/boards/{board['id']}/labels").json()[0]
    made = [
        sandbox_api.post(
            "/cards",
            idList=todo,
            name=f"Test Trello::Card.create {i}",
            idLabels=label["id"],
            desc="d",
            due="2026-01-09T17:00:00+00:00",
        ).json()
        for i in (1, 2)
    ]
    assert [card["idShort"] for card in made] == [1, 2]
    card = made[1]
    assert card["url"] == f"https://trello.com/c/{card['shortLink']}/2-test-trellocardcreate-2"
    assert card["shortUrl"] == f"https://trello.com/c/{card['shortLink']}"
    assert card["labels"][0]["id"] == label["id"] and card["idLabels"] == [label["id"]]
    assert card["badges"]["due"] == "2026-01-09T17:00:00.000Z" and card["badges"]["description"] is True
    assert {"attachments", "stickers", "limits"} <= set(card)  # POST answers carry these, GETs do not
    fetched = sandbox_api.get(f"/cards/{card['shortLink']}").json()  # shortLinks address cards
    assert fetched["id"] == card["id"] and "stickers" not in fetched
    assert sandbox_api.get(f"/boards/{board['shortUrl'].rsplit('/', 1)[1]}").json()["id"] == board["id"]
    # Single fields, and PUT on a field.
    assert sandbox_api.get(f"/cards/{card['id']}/name").json() == {"_value": "Test Trello::Card.create 2"}
    assert sandbox_api.get(f"/boards/{board['id']}/labelNames").json()["green"] == ""
    assert sandbox_api.get(f"/boards/{board['id']}/dateLastActivity").json()["_value"].endswith("Z")
    moved = sandbox_api.put(f"/cards/{card['id']}/idList", value=doing).json()
    assert moved["idList"] == doing and moved["pos"] == card["pos"]  # a list move keeps the position
    # Card filters.
    sandbox_api.put(f"/cards/{made[0]['id']}/closed", value=True)
    assert [c["idShort"] for c in sandbox_api.get(f"/boards/{board['id']}/cards").json()] == [2]
    assert [c["idShort"] for c in sandbox_api.get(f"/boards/{board['id']}/cards/closed").json()] == [1]
    assert len(sandbox_api.get(f"/boards/{board['id']}/cards", filter="all").json()) == 2
    assert sandbox_api.get(f"/boards/{board['id']}/cards/{card['id']}").json()["id"] == card["id"]
    assert list(sandbox_api.get(f"/cards/{card['id']}", fields="name,idList").json()) == ["id", "idList", "name"]
    deleted = sandbox_api.delete(f"/cards/{card['id']}")
    assert deleted.json() == {"limits": {}} and sandbox_api.get(f"/cards/{card['id']}").status_code == 404


def test_labels_lists_and_checklists(sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="More", defaultLabels=False).json()["id"]
    todo = sandbox_api.get(f"/boards/{board}/lists").json()[0]["id"]
    colors = ["green", "sky_light", "pink_dark", None]
    labels = [sandbox_api.post(f"/boards/{board}/labels", name=f"L{i}", color=c).json() for i, c in enumerate(colors)]
    assert [label["color"] for label in labels] == colors
    assert sandbox_api.put(f"/labels/{labels[0]['id']}", name="Week 1", color="red").json()["name"] == "Week 1"
    card = sandbox_api.post("/cards", idList=todo, name="c", idLabels=f"{labels[0]['id']},{labels[1]['id']}").json()[
        "id"
    ]
    assert sandbox_api.delete(f"/labels/{labels[1]['id']}").json() == {"limits": {}}
    assert sandbox_api.get(f"/cards/{card}").json()["idLabels"] == [labels[0]["id"]]  # removed from cards too
    assert sandbox_api.delete(f"/cards/{card}/idLabels/{labels[0]['id']}").json() == {"_value": None}
    assert sandbox_api.post(f"/cards/{card}/idLabels", value=labels[2]["id"]).json() == [labels[2]["id"]]
    renamed = sandbox_api.put(f"/lists/{todo}/name", value="Backlog").json()
    assert renamed == {"id": todo, "name": "Backlog", "closed": False, "pos": 16384, "idBoard": board}
    checklist = sandbox_api.post("/checklists", idCard=card, name="DoD").json()
    assert checklist["pos"] == 16384 and checklist["limits"] == {}
    item = sandbox_api.post(f"/checklists/{checklist['id']}/checkItems", name="tests", checked="true").json()
    assert (item["state"], item["pos"], item["nameData"]) == ("complete", 16384, {"emoji": {}})
    read = sandbox_api.get(f"/cards/{card}").json()
    assert read["idChecklists"] == [checklist["id"]]
    assert (read["badges"]["checkItems"], read["badges"]["checkItemsChecked"]) == (1, 1)
    assert sandbox_api.get(f"/boards/{board}/checklists").json()[0]["checkItems"][0]["id"] == item["id"]
    assert sandbox_api.delete(f"/checklists/{checklist['id']}").json() == {"limits": {}}


@pytest.mark.sandbox(token_limit=100)
def test_batch_runs_up_to_ten_gets(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Batch").json()["id"]
    urls = f"/boards/{board},/boards/{board}/lists,/members/me,/cards/5e93ba98614ac22d22f085c4,/boards/bad id"
    results = sandbox_api.get("/batch", urls=urls).json()
    assert results[0]["200"]["name"] == "Batch" and len(results[1]["200"]) == 3
    assert results[2]["200"]["username"] == "sandbox"
    assert results[3] == {"name": "NOT_FOUND", "message": "The requested resource was not found.", "statusCode": 404}
    assert results[4]["statusCode"] == 400 and results[4]["message"] == "invalid id"
    too_many = sandbox_api.get("/batch", urls=",".join(["/members/me"] * 11))
    assert (too_many.status_code, too_many.text) == (400, "invalid value for urls")
    # Each batched GET counts toward the rate limit, and is counted apart from what the client sent.
    remaining = int(
        sandbox_api.get("/batch", urls="/members/me,/members/me").headers["X-Rate-Limit-Api-Token-Remaining"]
    )
    assert remaining == 100 - (1 + 5 + 2)
    counted = sandbox.counters.snapshot()
    assert counted["byRoute"]["GET /1/batch"] == 3 and counted["batched"]["GET /1/members/<member_id>"] == 3


@pytest.mark.sandbox(rate_limit=False, start="2026-01-05T09:00:00Z", frozen=True)
def test_the_board_export_is_trellos_document(sandbox: Sandbox, sandbox_api: Any, trello_samples: Any) -> None:
    board, short = (lambda b: (b["id"], b["shortUrl"].rsplit("/", 1)[1]))(
        sandbox_api.post("/boards", name="Export").json()
    )
    lists = [item["id"] for item in sandbox_api.get(f"/boards/{board}/lists").json()]
    card = sandbox_api.post("/cards", idList=lists[0], name="Moving").json()["id"]
    st = sandbox.state
    for step in range(1100):
        sandbox.clock.advance(seconds=1)
        with st.transaction():
            update_card(st, sandbox.member, st.card(card), Params({"idList": lists[(step + 1) % 3]}))
    document = sandbox_api.get(
        f"/boards/{board}", actions="all", cards="all", lists="all", labels="all", checklists="all"
    ).json()
    real = json.loads((trello_samples / "board-exports" / "kanban-template.json").read_text())
    assert set(real) <= set(document)  # every key of a real export (the contract tests check the types)
    newest = sandbox_api.get(f"/boards/{board}/actions", limit=1000).json()
    assert len(document["actions"]) == 1000 and document["actions"] == newest  # the newest 1000 only
    assert document["members"][0]["username"] == "sandbox" and document["memberships"][0]["memberType"] == "admin"
    assert {"attachments", "pluginData", "customFieldItems", "limits"} <= set(document["cards"][0])
    exported = requests.get(f"{sandbox.base_url}/b/{short}.json", params=sandbox.auth(), timeout=30)
    assert exported.json() == document  # Trello's export URL form (trello.com/b/{shortLink}.json)
    smaller = sandbox_api.get(f"/boards/{board}", actions="all", actions_limit=5, fields="name").json()
    assert list(smaller) == ["id", "name", "actions"] and len(smaller["actions"]) == 5


def test_members_and_their_boards(sandbox: Sandbox, sandbox_api: Any) -> None:
    mine = sandbox_api.post("/boards", name="Mine").json()["id"]
    closed = sandbox_api.post("/boards", name="Closed").json()["id"]
    sandbox_api.put(f"/boards/{closed}/closed", value="true")
    me = sandbox_api.get("/members/me").json()
    assert me["username"] == "sandbox" and sorted(me["idBoards"]) == sorted([mine, closed])
    assert sandbox_api.get(f"/members/{me['id']}").json()["id"] == me["id"]
    assert sandbox_api.get("/members/sandbox/fullName").json() == {"_value": "Sandbox User"}
    assert {b["name"] for b in sandbox_api.get("/members/me/boards").json()} == {"Mine", "Closed"}
    assert [b["name"] for b in sandbox_api.get("/members/me/boards", filter="open").json()] == ["Mine"]
    assert [m["username"] for m in sandbox_api.get(f"/boards/{mine}/members").json()] == ["sandbox"]
    bob = sandbox.add_member("bob")
    joined = sandbox_api.put(f"/boards/{mine}/members/{bob.id}", type="normal").json()
    assert [m["username"] for m in joined["members"]] == ["sandbox", "bob"]
    assert [b["name"] for b in sandbox_api.get("/members/me/boards", token=bob.token).json()] == ["Mine"]
    workspaces = sandbox_api.get("/members/me/organizations", fields="displayName").json()
    assert [w["displayName"] for w in workspaces] == ["Sandbox User's workspace"]  # every member has one
    assert sandbox_api.get(f"/boards/{mine}/customFields").json() == []  # nor custom fields
    token = sandbox_api.get(f"/tokens/{sandbox.token}").json()
    assert token["idMember"] == me["id"] and token["permissions"][1]["modelType"] == "Board"
