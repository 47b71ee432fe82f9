"""The sandbox's workspaces (Trello's organizations) and read-only tokens, over HTTP."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import requests

from trelloplan.sandbox import Sandbox
from trelloplan.sandbox.workspaces import FREE_OPEN_BOARDS

pytestmark = pytest.mark.sandbox(rate_limit=False)


def my_workspace(sandbox_api: Any) -> dict[str, Any]:
    (workspace,) = sandbox_api.get("/members/me/organizations").json()
    return workspace  # type: ignore[no-any-return]


def test_every_member_starts_with_a_workspace_of_its_own(sandbox: Sandbox, sandbox_api: Any) -> None:
    workspace = my_workspace(sandbox_api)
    assert workspace["displayName"] == "Sandbox User's workspace" and workspace["name"] == "sandboxworkspace"
    assert [m["idMember"] for m in workspace["memberships"]] == [sandbox.member.id]
    assert sandbox_api.get("/members/me").json()["idOrganizations"] == [workspace["id"]]
    assert sandbox_api.get(f"/organizations/{workspace['name']}").json()["id"] == workspace["id"]  # by name too
    loner = sandbox.add_member("loner", workspace=False)
    assert sandbox_api.get("/members/me/organizations", token=loner.token).json() == []


def test_a_board_created_in_a_workspace_belongs_to_it_and_says_so_in_its_history(sandbox_api: Any) -> None:
    workspace = my_workspace(sandbox_api)
    board = sandbox_api.post("/boards", name="In the workspace", idOrganization=workspace["id"]).json()
    assert board["idOrganization"] == workspace["id"]
    outside = sandbox_api.post("/boards", name="Outside").json()
    assert outside["idOrganization"] is None
    listed = sandbox_api.get(f"/organizations/{workspace['id']}/boards", fields="name").json()
    assert [b["name"] for b in listed] == ["In the workspace"]
    actions = sandbox_api.get(f"/boards/{board['id']}/actions").json()
    assert [a["type"] for a in actions] == ["addToOrganizationBoard", "createBoard"]  # as recorded: right after
    assert actions[0]["data"]["organization"] == {"id": workspace["id"], "name": workspace["displayName"]}
    assert sandbox_api.get(f"/organizations/{workspace['id']}").json()["idBoards"] == [board["id"]]


def test_a_workspace_that_is_not_yours_or_does_not_exist_is_refused(sandbox: Sandbox, sandbox_api: Any) -> None:
    stranger = sandbox.add_member("stranger")
    theirs = my_workspace_of(sandbox_api, stranger.token)
    refused = sandbox_api.post("/boards", name="Sneaky", idOrganization=theirs["id"])
    assert (refused.status_code, refused.text) == (401, "unauthorized permission requested")
    unknown = sandbox_api.post("/boards", name="Nowhere", idOrganization="5" * 24)
    assert (unknown.status_code, unknown.text) == (400, "invalid value for idOrganization")
    assert sandbox_api.get(f"/organizations/{theirs['id']}").status_code == 401
    assert sandbox_api.get(f"/organizations/{'5' * 24}").status_code == 404
    assert not sandbox_api.get("/members/me/boards").json()  # nothing was created


def my_workspace_of(sandbox_api: Any, token: str) -> dict[str, Any]:
    (workspace,) = sandbox_api.get("/members/me/organizations", token=token).json()
    return workspace  # type: ignore[no-any-return]


def test_a_free_workspace_holds_ten_open_boards(sandbox: Sandbox, sandbox_api: Any) -> None:
    workspace = my_workspace(sandbox_api)["id"]
    boards = [sandbox_api.post("/boards", name=f"B{i}", idOrganization=workspace).json()["id"] for i in range(FREE_OPEN_BOARDS)]
    refused = sandbox_api.post("/boards", name="Eleventh", idOrganization=workspace)
    assert refused.status_code == 403 and refused.headers["Content-Type"].startswith("application/json")
    assert refused.json() == {"error": "BOARD_LIMIT_EXCEEDED", "message": "Free Workspaces are limited to 10 open boards"}
    assert sandbox_api.get(f"/organizations/{workspace}").json()["limits"]["orgs"]["freeBoardsPerOrg"]["status"] == "maxExceeded"
    outside = sandbox_api.post("/boards", name="Outside").json()["id"]
    assert sandbox_api.put(f"/boards/{outside}", idOrganization=workspace).status_code == 403  # no moving in either
    sandbox_api.put(f"/boards/{boards[0]}", closed="true")  # closed boards do not count
    assert sandbox_api.post("/boards", name="Eleventh", idOrganization=workspace).status_code == 200
    assert sandbox_api.put(f"/boards/{boards[0]}", closed="false").status_code == 403  # nor reopening one
    premium = sandbox.add_workspace("Paid team", premium=True)
    for i in range(FREE_OPEN_BOARDS + 1):
        assert sandbox_api.post("/boards", name=f"P{i}", idOrganization=premium["id"]).status_code == 200


def test_post_organizations_makes_a_workspace_with_a_clean_unique_name(sandbox_api: Any) -> None:
    made = sandbox_api.post("/organizations", displayName="Team Rocket!").json()
    again = sandbox_api.post("/organizations", displayName="Team Rocket!").json()
    assert (made["name"], again["name"]) == ("teamrocket", "teamrocket2") and made["displayName"] == "Team Rocket!"
    assert made["url"] == "https://trello.com/w/teamrocket"
    assert sandbox_api.post("/organizations", displayName=" ").text == "invalid value for displayName"
    assert sandbox_api.post("/organizations", displayName="X", name="!!").text == "invalid value for name"
    names = [w["displayName"] for w in sandbox_api.get("/members/me/organizations").json()]
    assert names == ["Sandbox User's workspace", "Team Rocket!", "Team Rocket!"]


def test_a_shared_workspace_is_listed_for_each_of_its_members(sandbox: Sandbox, sandbox_api: Any) -> None:
    bob = sandbox.add_member("bob", "Bob Builder")
    shared = sandbox.add_workspace("Shared", members=[bob])
    bobs = [w["displayName"] for w in sandbox_api.get("/members/me/organizations", token=bob.token).json()]
    assert bobs == ["Bob Builder's workspace", "Shared"]
    members = sandbox_api.get(f"/organizations/{shared['id']}/members").json()
    assert [m["username"] for m in members] == ["sandbox", "bob"]
    # another member's workspaces: only those the caller shares with it
    assert [w["displayName"] for w in sandbox_api.get("/members/bob/organizations").json()] == ["Shared"]


def test_a_read_only_token_reads_everything_and_writes_nothing(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Readable").json()["id"]
    reader = sandbox.add_token(scope="read")
    assert sandbox_api.get(f"/boards/{board}", token=reader).json()["name"] == "Readable"
    assert sandbox_api.get(f"/boards/{board}/actions", token=reader).status_code == 200
    for method, path, body in (("POST", "/boards", {"name": "No"}), ("PUT", f"/boards/{board}", {"name": "No"}),
                               ("DELETE", f"/boards/{board}", {}), ("POST", "/organizations", {"displayName": "No"})):
        refused = sandbox_api.request(method, path, token=reader, **body)
        assert (refused.status_code, refused.text) == (401, "unauthorized permission requested"), (method, path)
    assert sandbox_api.get(f"/boards/{board}").json()["name"] == "Readable"
    permissions = sandbox_api.get(f"/tokens/{reader}", token=reader).json()["permissions"]
    assert {p["modelType"]: (p["read"], p["write"]) for p in permissions} == {
        "Member": (True, False), "Board": (True, False), "Organization": (True, False)}
    writer = sandbox.add_token(scope="read,write")
    assert sandbox_api.post("/boards", name="Yes", token=writer).status_code == 200
    own = sandbox_api.get(f"/tokens/{sandbox.token}").json()["permissions"]
    assert all(p["write"] for p in own)
    with pytest.raises(ValueError, match="read or read,write"):
        sandbox.add_token(scope="write")


def test_the_control_api_issues_tokens_and_the_log_never_shows_one(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    control = sandbox.control_headers
    assert requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"member": "sandbox"}, timeout=10).status_code == 401
    made = requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"member": "sandbox"}, headers=control, timeout=10).json()
    assert made["scope"] == "read" and made["idMember"] == sandbox.member.id and len(made["token"]) == 64
    assert requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"member": "nobody"}, headers=control,
                         timeout=10).status_code == 400
    with caplog.at_level(logging.DEBUG, logger="trelloplan.sandbox"):
        answer = requests.get(f"{sandbox.api_url}/tokens/{made['token']}", params={"key": sandbox.key, "token": made["token"]},
                              timeout=10)
    assert answer.status_code == 200 and any("/1/tokens/***" in r.getMessage() for r in caplog.records)
    assert made["token"] not in caplog.text
