"""Seeded fault injection: latency, error statuses, and connections dropped after a commit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from trelloplan.sandbox import Faults, Sandbox


def statuses(api: Any, count: int) -> list[int]:
    return [api.get("/members/me").status_code for _ in range(count)]


@pytest.mark.sandbox(rate_limit=False)
def test_a_seed_gives_the_same_faults_every_time(sandbox: Sandbox, sandbox_api: Any) -> None:
    sandbox.faults.configure(error_rate=0.3, seed=42)
    first = statuses(sandbox_api, 60)
    sandbox.faults.configure(seed=42)
    second = statuses(sandbox_api, 60)
    assert first == second
    assert set(first) == {200, 429, 500, 502, 503}
    assert 5 < sum(s != 200 for s in first) < 35
    sandbox.faults.configure(seed=7)
    third = statuses(sandbox_api, 60)
    assert third != first
    counted = sandbox.counters.snapshot()["faults"]
    assert sum(counted.values()) == sum(s != 200 for s in first + second + third)


def test_decisions_do_not_depend_on_which_knobs_are_on() -> None:
    a = Faults(seed=3, error_rate=0.5)
    b = Faults(seed=3, error_rate=0.5, latency_ms=1, latency_jitter_ms=5, drop_rate=0.2)
    assert [a.decide("GET", "/1/x").status for _ in range(50)] == [b.decide("GET", "/1/x").status for _ in range(50)]


@pytest.mark.sandbox(rate_limit=False)
def test_injected_errors_look_like_trellos(sandbox: Sandbox, sandbox_api: Any) -> None:
    sandbox.faults.fail_next(429)
    sandbox.faults.fail_next(503, path_prefix="/1/boards")
    limited = sandbox_api.get("/members/me")
    assert limited.status_code == 429
    assert limited.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert sandbox_api.get("/members/me").status_code == 200  # the 503 waits for a /1/boards request
    unavailable = sandbox_api.post("/boards", name="never made")
    assert (unavailable.status_code, unavailable.text) == (503, "Service Unavailable")
    assert sandbox_api.get("/members/me/boards").json() == []  # an injected error runs nothing
    snapshot = sandbox.counters.snapshot()
    assert snapshot["faults"] == {"429": 1, "503": 1} and snapshot["responses429"] == 1 and snapshot["rateLimited"] == 0


@pytest.mark.sandbox(rate_limit=False)
def test_a_dropped_write_was_committed_but_never_answered(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Drops").json()["id"]
    todo = sandbox_api.get(f"/boards/{board}/lists").json()[0]["id"]
    sandbox.faults.drop_next()
    assert sandbox_api.get("/members/me").status_code == 200  # reads are never dropped
    with pytest.raises(requests.ConnectionError):
        sandbox_api.post("/cards", idList=todo, name="Did it happen?")
    cards = sandbox_api.get(f"/boards/{board}/cards").json()
    assert [card["name"] for card in cards] == ["Did it happen?"]  # it did
    assert sandbox.counters.snapshot()["faults"] == {"drop": 1}
    sandbox.faults.configure(drop_rate=1.0, seed=1)
    with pytest.raises(requests.ConnectionError):
        sandbox_api.put(f"/cards/{cards[0]['id']}", name="renamed")
    sandbox.faults.configure(enabled=False)
    assert sandbox_api.get(f"/cards/{cards[0]['id']}").json()["name"] == "renamed"


@pytest.mark.sandbox(rate_limit=False, latency_ms=1)
def test_latency_is_added_outside_the_state_lock(
    sandbox: Sandbox, sandbox_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a request sleeps its injected latency, other threads can still use the state."""
    import trelloplan.sandbox.app as app_module

    lock = sandbox.state.db.lock
    observed: list[bool] = []

    def sleep(seconds: float) -> None:
        result: list[bool] = []
        other = threading.Thread(target=lambda: result.append(lock.acquire(timeout=5) and (lock.release() or True)))
        other.start()
        other.join()
        observed.append(result == [True] and seconds == pytest.approx(0.001))

    monkeypatch.setattr(app_module.time, "sleep", sleep)
    assert sandbox_api.get("/members/me").status_code == 200
    assert observed == [True]
    assert sandbox.counters.snapshot()["faults"] == {"latency": 1}


def test_the_control_routes_set_faults(sandbox: Sandbox) -> None:
    url = sandbox.base_url + "/_sandbox/faults"
    secret = sandbox.control_headers
    settings = requests.put(url, json={"errorRate": 0.25, "seed": 5, "latencyMs": 0}, headers=secret, timeout=10).json()
    assert (settings["errorRate"], settings["seed"]) == (0.25, 5)
    bad = requests.put(url, json={"errorRate": 2}, headers=secret, timeout=10)
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["error"]
    requests.post(url + "/next", json={"status": 502}, headers=secret, timeout=10)
    assert requests.get(sandbox.api_url + "/members/me", params=sandbox.auth(), timeout=10).status_code == 502
    requests.post(url + "/next", json={"drop": True, "method": "POST"}, headers=secret, timeout=10)
    assert requests.get(url, headers=secret, timeout=10).json()["queued"] == 1
    assert requests.delete(url, headers=secret, timeout=10).json()["errorRate"] == 0.0
