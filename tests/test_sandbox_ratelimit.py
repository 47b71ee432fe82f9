"""Trello's rate limits: 100 requests per 10 s per token, 300 per key, 429 with Trello's JSON."""

from __future__ import annotations

import time
from typing import Any

import pytest

from trelloplan.sandbox import RateLimiter, Sandbox


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_101st_request_in_a_window_gets_429_and_the_next_window_is_served(
    sandbox: Sandbox, sandbox_api: Any
) -> None:
    clock = FakeMonotonic()
    sandbox.rate_limits.time_source = clock  # Trello's own numbers, on a clock the test moves
    answers = [sandbox_api.get("/members/me") for _ in range(100)]
    assert {a.status_code for a in answers} == {200}
    assert [a.headers["X-Rate-Limit-Api-Token-Remaining"] for a in answers[:2]] == ["99", "98"]
    assert answers[-1].headers["X-Rate-Limit-Api-Token-Remaining"] == "0"
    refused = sandbox_api.get("/members/me")
    assert refused.status_code == 429
    assert refused.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert refused.headers["Content-Type"] == "application/json; charset=utf-8"
    assert refused.headers["X-Rate-Limit-Api-Token-Max"] == "100"
    clock.now += 9.9
    assert sandbox_api.get("/members/me").status_code == 429  # still inside the 10 s window
    clock.now += 0.2
    assert sandbox_api.get("/members/me").status_code == 200  # the window has slid past the burst
    assert sandbox.counters.snapshot()["rateLimited"] == 2


@pytest.mark.sandbox(token_limit=5, key_limit=8, window_s=0.5)
def test_a_short_real_window_refills(sandbox: Sandbox, sandbox_api: Any) -> None:
    statuses = [sandbox_api.get("/members/me").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    deadline = time.monotonic() + 10
    while sandbox_api.get("/members/me").status_code == 429:  # behaviour, not timing: it comes back
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.sandbox(token_limit=5, key_limit=8)
def test_the_key_limit_spans_every_token(sandbox: Sandbox, sandbox_api: Any) -> None:
    sandbox.rate_limits.time_source = FakeMonotonic()
    bob = sandbox.add_member("bob")
    assert [sandbox_api.get("/members/me").status_code for _ in range(6)] == [200] * 5 + [429]
    answers = [sandbox_api.get("/members/me", token=bob.token) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"] == "API_KEY_LIMIT_EXCEEDED"
    assert answers[-2].headers["X-Rate-Limit-Api-Key-Remaining"] == "0"


def test_rate_limits_can_be_switched_off_and_on(sandbox: Sandbox, sandbox_api: Any) -> None:
    sandbox.rate_limits.time_source = FakeMonotonic()
    sandbox.rate_limits.configure(enabled=False)
    assert {sandbox_api.get("/members/me").status_code for _ in range(120)} == {200}
    sandbox.rate_limits.configure(enabled=True)
    sandbox.rate_limits.reset()
    assert sandbox_api.get("/members/me").status_code == 200
    control = sandbox.base_url + "/_sandbox/ratelimit"
    sandbox_api.http.put(control, json={"tokenLimit": 1}, headers=sandbox.control_headers, timeout=10)
    assert sandbox_api.get("/members/me").status_code == 429
    settings = sandbox_api.http.put(control, json={"enabled": False}, headers=sandbox.control_headers, timeout=10).json()
    assert settings == {"enabled": False, "tokenLimit": 1, "keyLimit": 300, "windowMs": 10000}
    assert sandbox_api.get("/members/me").status_code == 200


def test_a_key_with_too_many_429s_is_locked_out_for_the_window() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(token_limit=1, key_limit=1000, time_source=clock)
    assert limiter.hit("k", "t1").allowed
    refusals = [limiter.hit("k", "t1") for _ in range(201)]
    assert not any(r.allowed for r in refusals)
    locked = limiter.hit("k", "t2")  # another token of the same key
    assert (locked.allowed, locked.scope) == (False, "KEY")
    clock.now += 10.5
    assert limiter.hit("k", "t2").allowed
