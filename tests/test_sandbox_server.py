"""Running the sandbox: start and stop cleanly, refuse bad ports and paths, keep state in a file."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from trelloplan.errors import SandboxError
from trelloplan.sandbox import Sandbox


def test_start_serve_stop(tmp_path: Path) -> None:
    sandbox = Sandbox()
    with pytest.raises(SandboxError):
        _ = sandbox.api_url
    with sandbox:
        assert sandbox.api_url == f"http://127.0.0.1:{sandbox.port}/1"
        assert requests.get(sandbox.api_url + "/members/me", params=sandbox.auth(), timeout=10).status_code == 200
        port = sandbox.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/1/members/me", timeout=5)
    probe = socket.socket()
    probe.bind(("127.0.0.1", port))  # the port is free again
    probe.close()


def test_stop_does_not_wait_for_idle_connections() -> None:
    sandbox = Sandbox().start()
    idle = socket.create_connection(("127.0.0.1", sandbox.port))
    idle.sendall(b"GET /1/members/me HTTP/1.1\r\nHost: x\r\n")  # a request that never ends
    stopper = threading.Thread(target=sandbox.stop)
    stopper.start()
    stopper.join(timeout=20)
    idle.close()
    assert not stopper.is_alive()


def test_a_busy_port_is_a_clean_sandbox_error() -> None:
    with Sandbox() as first:
        port = first.port
        with pytest.raises(SandboxError) as error:
            Sandbox(port=port).start()
    assert f"port {port} on 127.0.0.1 is already in use" in str(error.value)
    assert "--port" in error.value.hint


def test_a_bad_db_path_is_a_clean_sandbox_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxError) as missing_dir:
        Sandbox(db=tmp_path / "no" / "such" / "dir" / "state.db").start()
    assert "is not a directory" in str(missing_dir.value) and "--db" in missing_dir.value.hint
    junk = tmp_path / "junk.db"
    junk.write_text("this is not a database")
    with pytest.raises(SandboxError) as not_sqlite:
        Sandbox(db=junk).start()
    assert "cannot open the sandbox database" in str(not_sqlite.value)


def test_a_db_file_keeps_key_tokens_boards_history_and_clock(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with Sandbox(db=db) as first:
        key, token = first.key, first.token
        first.clock.freeze("2026-01-05T09:00:00Z")
        auth = first.auth()
        board = requests.post(first.api_url + "/boards", params=auth, json={"name": "Kept"}, timeout=10).json()["id"]
        bob = first.add_member("bob", boards=[board])
        first.clock.advance(days=3)
    with Sandbox(db=db) as second:
        assert (second.key, second.token) == (key, token)
        assert second.clock.frozen and second.clock.now().isoformat() == "2026-01-08T09:00:00+00:00"
        boards = requests.get(
            second.api_url + "/members/me/boards", params={"key": key, "token": bob.token}, timeout=10
        )
        assert [b["name"] for b in boards.json()] == ["Kept"]
        actions = requests.get(f"{second.api_url}/boards/{board}/actions", params=second.auth(), timeout=10).json()
        assert [a["type"] for a in actions] == ["addMemberToBoard", "createBoard"]


def test_control_summary_and_members(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Team").json()["id"]
    url = sandbox.base_url + "/_sandbox"
    secret = sandbox.control_headers
    made = requests.post(
        url + "/members", json={"username": "carol", "fullName": "Carol C", "boards": [board]}, headers=secret, timeout=10
    )
    carol = made.json()
    assert carol["username"] == "carol" and len(carol["token"]) == 64
    assert sandbox_api.get(f"/boards/{board}", token=carol["token"]).status_code == 200
    dave = sandbox.add_member("dave")
    requests.post(f"{url}/boards/{board}/members", json={"idMember": "dave", "type": "admin"}, headers=secret, timeout=10)
    assert sandbox_api.get(f"/boards/{board}/memberships").json()[-1] == {
        "id": sandbox_api.get(f"/boards/{board}/memberships").json()[-1]["id"],
        "idMember": dave.id,
        "memberType": "admin",
        "unconfirmed": False,
        "deactivated": False,
    }
    summary = requests.get(url, headers=secret, timeout=10).json()
    assert summary["apiUrl"] == sandbox.api_url and summary["key"] == sandbox.key
    assert [m["username"] for m in summary["members"]] == ["sandbox", "carol", "dave"]
    assert requests.post(url + "/members", json={"username": "carol"}, headers=secret, timeout=10).status_code == 400
    assert sandbox.env() == {
        "TRELLO_API_URL": sandbox.api_url,
        "TRELLO_API_KEY": sandbox.key,
        "TRELLO_TOKEN": sandbox.token,
    }
