"""Counters: what a client sent, by method and route template; 429s; faults; reset."""

from __future__ import annotations

from typing import Any

import requests

from trelloplan.sandbox import Counters, Sandbox


def test_requests_are_counted_by_route_template(sandbox: Sandbox, sandbox_api: Any) -> None:
    board = sandbox_api.post("/boards", name="Counted").json()["id"]
    for _ in range(3):
        sandbox_api.get(f"/boards/{board}/actions")
    sandbox_api.get("/boards/5e93ba98614ac22d22f085c4")
    sandbox_api.get("/nowhere")
    requests.get(sandbox.base_url + "/_sandbox/clock", headers=sandbox.control_headers, timeout=10)  # not counted
    snapshot = sandbox.counters.snapshot()
    assert snapshot["requests"] == 6
    assert snapshot["byMethod"] == {"GET": 5, "POST": 1}
    assert snapshot["byRoute"] == {
        "GET /1/boards/<board_id>": 1,
        "GET /1/boards/<board_id>/actions": 3,
        "GET <unmatched>": 1,
        "POST /1/boards": 1,
    }
    assert snapshot["byStatus"] == {"200": 4, "404": 2}
    assert sandbox.counters.route("GET", "/1/boards/<board_id>/actions") == 3


def test_counters_are_readable_and_resettable_over_http(sandbox: Sandbox, sandbox_api: Any) -> None:
    sandbox_api.get("/members/me")
    url = sandbox.base_url + "/_sandbox/counters"
    secret = sandbox.control_headers
    assert requests.get(url, headers=secret, timeout=10).json()["byRoute"] == {"GET /1/members/<member_id>": 1}
    assert requests.post(url + "/reset", headers=secret, timeout=10).json()["requests"] == 0
    assert sandbox.counters.requests == 0


def test_counter_snapshot_shape() -> None:
    counters = Counters()
    counters.request("GET", "/1/x")
    counters.response(429)
    counters.rate_limited()
    counters.fault("drop")
    assert counters.snapshot() == {
        "requests": 1,
        "byMethod": {"GET": 1},
        "byRoute": {"GET /1/x": 1},
        "batched": {},
        "byStatus": {"429": 1},
        "responses429": 1,
        "rateLimited": 1,
        "faults": {"drop": 1},
    }
    counters.reset()
    assert counters.snapshot()["requests"] == 0
