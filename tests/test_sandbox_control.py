"""The /_sandbox control routes open only with the sandbox's own secret; a non-loopback --host is warned about."""

from __future__ import annotations

from pathlib import Path

import requests
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.sandbox import Sandbox


def test_the_control_routes_need_the_secret(sandbox: Sandbox) -> None:
    for route in ("", "/members", "/clock", "/faults", "/counters", "/ratelimit"):
        refused = requests.get(sandbox.control_url + route, timeout=10)
        assert refused.status_code == 401 and "X-Sandbox-Secret" in refused.json()["error"]
        assert sandbox.token not in refused.text and sandbox.key not in refused.text
    wrong = requests.get(sandbox.control_url, headers={"X-Sandbox-Secret": sandbox.control_secret + "x"}, timeout=10)
    as_trello = requests.get(sandbox.control_url, params=sandbox.auth(), timeout=10)  # a Trello key and token are not it
    assert wrong.status_code == as_trello.status_code == 401
    assert requests.post(sandbox.control_url + "/clock/freeze", timeout=10).status_code == 401
    assert not sandbox.clock.frozen
    opened = requests.get(sandbox.control_url, headers=sandbox.control_headers, timeout=10)
    bearer = requests.get(sandbox.control_url, headers={"Authorization": f"Bearer {sandbox.control_secret}"}, timeout=10)
    assert opened.status_code == bearer.status_code == 200 and opened.json()["members"][0]["token"] == sandbox.token


def test_the_secret_is_the_sandboxs_own_and_kept_with_its_db(tmp_path: Path) -> None:
    with Sandbox() as one, Sandbox() as other:
        assert one.control_secret != other.control_secret and one.control_secret.startswith("sbx-")
        assert requests.get(one.control_url, headers=other.control_headers, timeout=10).status_code == 401
    with Sandbox(db=tmp_path / "s.db") as first:
        secret = first.control_secret
    with Sandbox(db=tmp_path / "s.db") as again:
        assert again.control_secret == secret


def test_the_command_prints_the_secret_and_warns_about_other_hosts(monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("trelloplan.cli.sandbox_cmd.serve_until_interrupted",
                        lambda sandbox, ready: (sandbox.start(), ready(sandbox), shown.append(sandbox.control_secret),
                                                sandbox.stop()))
    local = CliRunner().invoke(main, ["sandbox", "--port", "0"])
    assert local.exit_code == 0 and f"secret    {shown[0]}" in local.stdout and "warning" not in local.stderr
    exposed = CliRunner().invoke(main, ["sandbox", "--port", "0", "--host", "0.0.0.0"])
    assert exposed.exit_code == 0 and exposed.stderr.startswith("warning: --host 0.0.0.0 is not a loopback address")
    assert "for local use" in exposed.stderr
