"""Shared pytest fixtures.

``sandbox``: a fresh local Trello-compatible server (trelloplan.sandbox) on a free loopback port,
state in memory, stopped after the test. Options go through the ``sandbox`` marker, e.g.
``@pytest.mark.sandbox(rate_limit=False, start="2026-01-05T09:00:00Z", frozen=True)`` (any
keyword of :class:`trelloplan.sandbox.Sandbox`).

``sandbox_api``: a small HTTP helper bound to ``sandbox`` (adds key and token, returns
``requests.Response``): ``sandbox_api.post("/boards", name="B").json()``.

``trello_samples``: the real recorded Trello responses, read in place from ``../shared``.

``isolated_home`` (autouse): every test runs with ``HOME`` and the XDG folders in a fresh
temporary folder, and without the user's Trello, trelloplan and ``COLUMNS`` settings, so no
test reads or writes the real ``~/.cache/trelloplan`` (``tests/test_isolation.py`` proves it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import os

import pytest
import requests

from trelloplan.sandbox import Sandbox

TRELLO_SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "trello-samples"
#: The home of whoever runs the tests, read before any test replaces it.
REAL_HOME = Path(os.path.expanduser("~")).resolve()
_USER_SETTINGS = ("TRELLO_", "TRELLOPLAN_")


def _move_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(home))
    for name, folder in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"),
                         ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(name, str(home / folder))
    for name in list(os.environ):
        if name.startswith(_USER_SETTINGS) or name == "COLUMNS":
            monkeypatch.delenv(name)
    return home


@pytest.fixture(scope="session", autouse=True)
def _session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same for session- and module-wide fixtures (they start before any test's own home)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _move_home(tmp_path_factory.mktemp("session-home"), monkeypatch)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME (with XDG cache, config, data and state folders inside) for each test."""
    return _move_home(tmp_path_factory.mktemp("home"), monkeypatch)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox(**options): keyword arguments for the `sandbox` fixture's Sandbox")


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """History stores and locks default to the user's cache: keep every test's out of the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running :class:`Sandbox` (Trello's rate limits on unless the marker says otherwise)."""
    marker = request.node.get_closest_marker("sandbox")
    options = dict(marker.kwargs) if marker else {}
    with Sandbox(**options) as running:
        yield running


class SandboxAPI:
    """Requests to a sandbox's ``/1`` API as one member: GETs send parameters in the query
    string, writes send a JSON body (like py-trello); ``token=`` picks another member."""

    def __init__(self, sandbox: Sandbox, http: requests.Session) -> None:
        self.sandbox = sandbox
        self.http = http

    def request(self, method: str, path: str, *, token: str | None = None, **values: Any) -> requests.Response:
        auth = {"key": self.sandbox.key, "token": token or self.sandbox.token}
        url = self.sandbox.api_url + path
        if method == "GET":
            return self.http.get(url, params={**auth, **values}, timeout=30)
        return self.http.request(method, url, params=auth, json=values, timeout=30)

    def get(self, path: str, **values: Any) -> requests.Response:
        return self.request("GET", path, **values)

    def post(self, path: str, **values: Any) -> requests.Response:
        return self.request("POST", path, **values)

    def put(self, path: str, **values: Any) -> requests.Response:
        return self.request("PUT", path, **values)

    def delete(self, path: str, **values: Any) -> requests.Response:
        return self.request("DELETE", path, **values)


@pytest.fixture
def sandbox_api(sandbox: Sandbox) -> Iterator[SandboxAPI]:
    with requests.Session() as http:
        yield SandboxAPI(sandbox, http)


@pytest.fixture(scope="session")
def trello_samples() -> Path:
    """``../shared/trello-samples`` (real Trello recordings; never copy them into the repo)."""
    assert TRELLO_SAMPLES.is_dir(), f"the shared Trello samples are missing: {TRELLO_SAMPLES}"
    return TRELLO_SAMPLES
