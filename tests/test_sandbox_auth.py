"""Credentials as Trello reads them, Trello's 401 bodies, and who may see which board."""

from __future__ import annotations

import re
from typing import Any

import requests

from trelloplan.sandbox import Sandbox


def test_key_and_token_are_trello_shaped(sandbox: Sandbox) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", sandbox.key)
    assert re.fullmatch(r"[0-9a-f]{64}", sandbox.token)
    bob = sandbox.add_member("bob", "Bob Builder")
    assert re.fullmatch(r"[0-9a-f]{64}", bob.token) and bob.token != sandbox.token
    assert (bob.username, bob.full_name, bob.initials) == ("bob", "Bob Builder", "BB")
    assert [m.username for m in sandbox.members] == ["sandbox", "bob"]


def test_credentials_in_query_form_json_or_oauth_header(sandbox: Sandbox) -> None:
    url = sandbox.api_url + "/members/me"
    key, token = sandbox.key, sandbox.token
    header = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
    answers = [
        requests.get(url, params={"key": key, "token": token}, timeout=10),
        requests.get(url, headers={"Authorization": header}, timeout=10),
        requests.put(url.replace("/members/me", "/members/me/boards"), timeout=10),  # unknown route: 404, no auth
        requests.post(sandbox.api_url + "/boards", data={"key": key, "token": token, "name": "form"}, timeout=10),
        requests.post(sandbox.api_url + "/boards", json={"key": key, "token": token, "name": "json"}, timeout=10),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 200, 200]
    assert answers[1].json()["username"] == "sandbox"


def test_wrong_or_missing_credentials_get_trellos_401s(sandbox: Sandbox) -> None:
    url = sandbox.api_url + "/members/me"
    cases = [
        ({}, "invalid key"),
        ({"key": "0" * 32, "token": sandbox.token}, "invalid key"),
        ({"key": sandbox.key}, "invalid token"),
        ({"key": sandbox.key, "token": "f" * 64}, "invalid token"),
    ]
    for params, body in cases:
        response = requests.get(url, params=params, timeout=10)
        assert (response.status_code, response.text) == (401, body)
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "X-Rate-Limit-Api-Key-Max" in response.headers  # on every response


def test_boards_are_private_to_their_members(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Private").json()["id"]
    todo = sandbox_api.get(f"/boards/{board}/lists").json()[0]["id"]
    card = sandbox_api.post("/cards", idList=todo, name="secret").json()["id"]
    eve = sandbox.add_member("eve")
    for path in (f"/boards/{board}", f"/cards/{card}", f"/lists/{todo}", f"/boards/{board}/actions"):
        refused = sandbox_api.get(path, token=eve.token)
        assert (refused.status_code, refused.text) == (401, "unauthorized permission requested")
    assert sandbox_api.put(f"/cards/{card}", token=eve.token, name="mine").status_code == 401
    sandbox.add_to_board(board, eve)
    assert sandbox_api.get(f"/boards/{board}", token=eve.token).status_code == 200
    moved = sandbox_api.put(f"/cards/{card}", token=eve.token, name="ours").json()
    assert moved["name"] == "ours"
    rename = sandbox_api.get(f"/cards/{card}/actions", filter="updateCard:name").json()[0]
    assert rename["memberCreator"]["username"] == "eve"  # each person's actions carry their name
    joined = sandbox_api.get(f"/boards/{board}/actions", filter="addMemberToBoard").json()[0]
    assert joined["member"]["username"] == "eve" and joined["data"]["memberType"] == "normal"


def test_public_boards_are_readable_by_anyone(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Open", prefs_permissionLevel="public").json()["id"]
    mallory = sandbox.add_member("mallory")
    assert sandbox_api.get(f"/boards/{board}", token=mallory.token).status_code == 200
    assert sandbox_api.post("/lists", token=mallory.token, idBoard=board, name="x").status_code == 401
