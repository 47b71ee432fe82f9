"""The Trello client against the sandbox over HTTP: base URL, auth, pacing, retries, errors, secrets."""

from __future__ import annotations

import logging
import socket

import pytest

from trelloplan.client import Credentials, OutcomeUnknown, RetryPolicy, Trello, api_url_from_env
from trelloplan.client.ratelimit import Pacer, Window
from trelloplan.errors import AuthError, BadRequest, ConfigError, NotFound, RateLimited, ServerError, TransportFailed

FAST = RetryPolicy(attempts=4, base=0.001, cap=0.005)


def connect(sandbox, **options) -> Trello:
    options.setdefault("retry", FAST)
    return Trello(Credentials(sandbox.key, sandbox.token), api_url=sandbox.api_url, **options)


def test_requests_go_through_py_trello_to_the_configured_url(sandbox):
    with connect(sandbox) as trello:
        me = trello.me()
        board = trello.post("/boards", {"name": "Client test", "defaultLists": False})
        assert trello.get(f"/boards/{board['id']}", {"fields": "name"})["name"] == "Client test"
    assert me["id"] == sandbox.member.id
    assert trello.stats.as_dict() == {"requests": 3, "reads": 2, "writes": 1, "retries": 0, "refused_429": 0}
    assert sandbox.counters.snapshot()["byRoute"]["POST /1/boards"] == 1


def test_key_and_token_travel_in_a_header_never_in_the_url(sandbox, caplog):
    seen = []
    with connect(sandbox) as trello:
        trello.session.hooks["response"].append(lambda r, *a, **k: seen.append((r.request.url, r.request.headers["Authorization"])))
        with caplog.at_level(logging.DEBUG, logger="trelloplan"):
            trello.get("/members/me")
    url, auth = seen[0]
    assert sandbox.key not in url and sandbox.token not in url
    assert auth == f'OAuth oauth_consumer_key="{sandbox.key}", oauth_token="{sandbox.token}"'
    assert sandbox.token not in caplog.text and "GET /members/me -> 200" in caplog.text


def test_credentials_and_url_from_the_environment():
    env = {"TRELLO_API_KEY": "k" * 32, "TRELLO_TOKEN": "t" * 64, "TRELLO_API_URL": "http://127.0.0.1:9/1/"}
    assert Credentials.from_env(env) == Credentials("k" * 32, "t" * 64)
    assert "k" * 32 not in repr(Credentials.from_env(env))
    assert api_url_from_env(env) == "http://127.0.0.1:9/1"
    assert api_url_from_env({}) == "https://api.trello.com/1"
    with pytest.raises(ConfigError) as info:
        Credentials.from_env({"TRELLO_API_KEY": "k"})
    assert info.value.message == "TRELLO_TOKEN is not set"
    with pytest.raises(ConfigError) as info:
        api_url_from_env({"TRELLO_API_URL": "api.trello.com"})
    assert "is not an http(s) URL" in info.value.message
    with pytest.raises(ConfigError) as info:  # requests would send these in place of the key and token
        api_url_from_env({"TRELLO_API_URL": "http://admin:S3cretPW@127.0.0.1:8765/1"})
    assert info.value.message == "TRELLO_API_URL `http://***@127.0.0.1:8765/1` holds a user name or password"
    assert "S3cretPW" not in info.value.hint and "admin" not in str(info.value)


def test_wrong_token_is_an_auth_error_without_secrets(sandbox):
    secret = "f" * 64
    with Trello(Credentials(sandbox.key, secret), api_url=sandbox.api_url, retry=FAST) as trello:
        with pytest.raises(AuthError) as info:
            trello.me()
    error = info.value
    assert (error.status, error.exit_code) == (401, 2)
    assert error.message == "Trello refused the credentials (401 invalid token) for GET /members/me"
    assert "TRELLO_TOKEN" in error.hint and secret not in error.one_line()


def test_unknown_and_malformed_ids(sandbox):
    with connect(sandbox) as trello:
        with pytest.raises(NotFound) as info:
            trello.get("/boards/" + "a" * 24)
        assert info.value.message == f"not found: GET /boards/{'a' * 24} (The requested resource was not found.)"
        with pytest.raises(BadRequest) as info:
            trello.get("/boards/not-an-id")
        assert info.value.message == "Trello refused GET /boards/not-an-id: 400 invalid id"


def test_429_and_5xx_on_reads_are_retried(sandbox):
    sandbox.faults.fail_next(429, 2)
    sandbox.faults.fail_next(503, 1)
    with connect(sandbox) as trello:
        assert trello.me()["id"] == sandbox.member.id
    assert trello.stats.retries == 3 and trello.stats.refused == 2 and trello.stats.requests == 4


def test_reads_give_up_after_the_last_attempt(sandbox):
    sandbox.faults.fail_next(502, 10)
    with connect(sandbox) as trello, pytest.raises(ServerError) as info:
        trello.me()
    assert info.value.message == "Trello failed GET /members/me 4 times (last: HTTP 502)"
    sandbox.faults.clear()
    sandbox.faults.fail_next(429, 10)
    with connect(sandbox) as trello, pytest.raises(RateLimited) as info:
        trello.me()
    assert "wait 10 s" in info.value.hint


def test_a_refused_post_is_retried_but_a_failed_one_is_not(sandbox):
    with connect(sandbox) as trello:
        sandbox.faults.fail_next(429, 1, method="POST")
        trello.post("/boards", {"name": "after a 429"})
        sandbox.faults.fail_next(500, 1, method="POST")
        with pytest.raises(OutcomeUnknown) as info:
            trello.post("/boards", {"name": "after a 500"})
    assert info.value.message == "Trello answered 500 to POST /boards; the change may or may not have been made"
    names = [b["name"] for b in trello.get("/members/me/boards", {"fields": "name"})]
    assert names.count("after a 429") == 1 and "after a 500" not in names


def test_a_dropped_connection_after_a_write_is_an_unknown_outcome(sandbox):
    with connect(sandbox) as trello:
        sandbox.faults.drop_next(1, method="POST")
        with pytest.raises(OutcomeUnknown) as info:
            trello.post("/boards", {"name": "dropped"})
        assert "may or may not" in info.value.message
        assert [b["name"] for b in trello.get("/members/me/boards", {"fields": "name"})] == ["dropped"]
        sandbox.faults.drop_next(1, method="PUT")
        board = trello.get("/members/me/boards", {"fields": "name"})[0]
        assert trello.put(f"/boards/{board['id']}", {"name": "renamed"})["name"] == "renamed"  # idempotent: retried


def test_connection_refused_is_retried_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Trello(Credentials("k" * 32, "t" * 64), api_url=f"http://127.0.0.1:{port}/1", retry=FAST) as trello:
        with pytest.raises(TransportFailed) as info:
            trello.post("/boards", {"name": "x"})  # never sent, so even a POST is retried
    assert info.value.message == f"POST /boards could not connect (3 tries, http://127.0.0.1:{port}/1)"
    assert trello.stats.requests == 3 and "t" * 64 not in info.value.one_line()  # a refused connection: 3 attempts, not 4


@pytest.mark.sandbox(latency_ms=400)
def test_timeouts(sandbox):
    with connect(sandbox, timeout=(1.0, 0.1)) as trello, pytest.raises(TransportFailed) as info:
        trello.me()
    assert info.value.message.startswith("GET /members/me timed out (4 tries, ")


@pytest.mark.sandbox(token_limit=30, key_limit=90, window_s=1.0)
def test_pacing_stays_under_the_rate_limit(sandbox):
    pacer = Pacer(Window(30, 1.0), Window(90, 1.0), skew=0.05)
    with connect(sandbox, pacer=pacer) as trello:
        for _ in range(75):
            trello.get("/members/me/boards", {"fields": "name"})
    assert sandbox.counters.snapshot()["responses429"] == 0
    assert trello.stats.refused == 0 and pacer.waited > 1.0


@pytest.mark.sandbox(token_limit=30, key_limit=90, window_s=1.0)
def test_without_pacing_the_limit_is_hit_and_429s_are_absorbed(sandbox):
    pacer = Pacer(Window(10_000, 1.0), Window(10_000, 1.0))
    with connect(sandbox, pacer=pacer, retry=RetryPolicy(attempts=10, base=0.05, cap=0.5)) as trello:
        for _ in range(45):
            trello.get("/members/me/boards", {"fields": "name"})
    assert trello.stats.refused > 0 and trello.stats.requests == 45 + trello.stats.refused


def test_the_pacer_learns_from_rate_limit_headers():
    now = [0.0]
    pacer = Pacer(Window(100, 10.0), Window(300, 10.0), margin=0.0, skew=0.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    pacer.acquire()
    pacer.observe({"x-rate-limit-api-token-max": "100", "x-rate-limit-api-token-remaining": "2"})
    pacer.acquire()
    pacer.acquire()
    assert now[0] == 0.0
    pacer.acquire()  # the server saw 98 of ours and others' in this window: wait for it to move on
    assert now[0] == 10.0
