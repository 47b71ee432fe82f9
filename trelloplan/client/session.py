"""The Trello client: py-trello's ``fetch_json`` over a session that makes it safe.

py-trello 0.20.1 sends every request through ``TrelloClient.fetch_json`` and
its ``http_service``. :class:`TrelloSession` is that service. It adds what
py-trello lacks:

- a base URL other than Trello's (``TRELLO_API_URL``), connection reuse and timeouts, and an
  overall deadline per request (:mod:`trelloplan.net`): a server dripping one byte at a time
  cannot hold a run forever;
- every answer parsed and checked against Trello's shapes (:mod:`.shapes`): HTML from a proxy,
  JSON of another shape or a cut-off body is one :class:`~trelloplan.errors.UnexpectedResponse`;
  redirects are not followed (they would lead to a login page, never to Trello's JSON);
- the key and token moved from the query string into an ``Authorization``
  header, so no URL (and so no log line or exception) ever carries them;
- pacing under Trello's rate limits (:mod:`trelloplan.client.ratelimit`);
- retries with tenacity: 429 always; 5xx, timeouts and dropped connections
  only for reads and idempotent writes. A POST is retried only when it surely
  did not reach the server; when it may have, :class:`OutcomeUnknown` tells
  the caller to look before writing again;
- Trello's answers translated to :mod:`trelloplan.errors` with hints.
"""

from __future__ import annotations

import http.client
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import tenacity
import trello
import urllib3.exceptions
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .._version import __version__
from ..errors import (
    AuthError,
    BadRequest,
    ConfigError,
    DeadlineExceeded,
    NotFound,
    RateLimited,
    ServerError,
    TransportFailed,
    TrelloAPIError,
    UnexpectedResponse,
)
from ..net import DEFAULT_DEADLINE, deadline, deadline_from_env, watch
from ..redact import Redactor
from ..render.safe import terminal_text
from .ratelimit import Pacer
from .shapes import ShapeMismatch, check_shape, parse_json, preview

__all__ = [
    "DEFAULT_API_URL",
    "Credentials",
    "OutcomeUnknown",
    "RequestStats",
    "RetryPolicy",
    "Trello",
    "TrelloSession",
    "WriteDeadlineExceeded",
]

log = logging.getLogger("trelloplan.client")

DEFAULT_API_URL = "https://api.trello.com/1"
_PYTRELLO_PREFIX = "https://api.trello.com/1"
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class OutcomeUnknown(TransportFailed):
    """A write may or may not have happened (the connection broke after it was sent)."""

    default_hint = "run the same command again: trelloplan reconciles with the board before writing"


class WriteDeadlineExceeded(OutcomeUnknown):
    """A write got no whole answer within the deadline: it may or may not have happened, and a server
    that slow is not worth more writes in this run."""

    default_hint = ("run the same command again: trelloplan reconciles with the board before writing; if the server is "
                    "just slow, allow more time with TRELLOPLAN_TIMEOUT=SECONDS (default 60)")


@dataclass(frozen=True)
class Credentials:
    """A Trello API key and token. Their repr never shows them."""

    key: str = field(repr=False)
    token: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        key, token = env.get("TRELLO_API_KEY", "").strip(), env.get("TRELLO_TOKEN", "").strip()
        missing = [name for name, value in (("TRELLO_API_KEY", key), ("TRELLO_TOKEN", token)) if not value]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set",
                hint="export TRELLO_API_KEY and TRELLO_TOKEN (https://trello.com/power-ups/admin), "
                "or run `trelloplan sandbox` and use the export lines it prints",
            )
        return cls(key, token)


def api_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return check_api_url(env.get("TRELLO_API_URL", "").strip() or DEFAULT_API_URL)


def check_api_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises for a port that is not a number
    except ValueError as error:  # an unclosed [IPv6 bracket, a port of letters
        raise ConfigError(f"TRELLO_API_URL `{url}` is not a URL ({error})",
                          hint=f"use the API's base URL, e.g. {DEFAULT_API_URL} or http://127.0.0.1:8099/1") from None
    if parts.username is not None or parts.password is not None:  # requests would send them instead of the key and token
        shown = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
        raise ConfigError(f"TRELLO_API_URL `{shown}` holds a user name or password",
                          hint="remove the `user:password@` part: trelloplan sends TRELLO_API_KEY and TRELLO_TOKEN itself")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"TRELLO_API_URL `{url}` is not an http(s) URL",
                          hint=f"use the API's base URL, e.g. {DEFAULT_API_URL} or http://127.0.0.1:8099/1")
    return url.rstrip("/")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    ``max_refusals`` stops retrying 429s well before Trello locks a key out
    (200 refusals in 10 s).
    """

    attempts: int = 6
    base: float = 0.5
    cap: float = 10.0
    max_refusals: int = 50
    refused_attempts: int = 3  # a refused connection is rarely transient: give up sooner

    def backoff(self, attempt: int) -> float:
        return float(min(self.cap, self.base * 2 ** (attempt - 1)) * (0.5 + random.random()))


@dataclass
class RequestStats:
    """What a session sent: requests by kind, retries and refusals."""

    requests: int = 0
    reads: int = 0
    writes: int = 0
    retries: int = 0
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, method: str) -> None:
        with self._lock:
            self.requests += 1
            if method in ("GET", "HEAD"):
                self.reads += 1
            else:
                self.writes += 1

    def note(self, kind: str) -> None:
        """Count a retry (``retries``) or a 429 (``refused``)."""
        with self._lock:
            setattr(self, kind, getattr(self, kind) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"requests": self.requests, "reads": self.reads, "writes": self.writes,
                "retries": self.retries, "refused_429": self.refused}


class _Retry(Exception):
    """A response or failure worth another attempt."""

    def __init__(self, response: requests.Response | None = None, error: Exception | None = None) -> None:
        super().__init__(response.status_code if response is not None else repr(error))
        self.response = response
        self.error = error


def _never_sent(error: requests.RequestException) -> bool:
    """True when a failed request surely never reached the server (the connection was never made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    return any(isinstance(cause, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)) for cause in _causes(error))


class _WatchedHTTPPool(HTTPConnectionPool):
    """A pool whose every request (connect, TLS, request and answer) the current deadline can shut down."""

    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        watch(conn)
        return super()._make_request(conn, *args, **kwargs)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        watch(conn)
        return super()._make_request(conn, *args, **kwargs)


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with connections (direct or through an HTTP proxy) that deadlines can end."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class TrelloSession(requests.Session):
    """The ``http_service`` handed to py-trello: base URL, auth header, pacing, deadline, retries, errors.

    ``timeout`` is requests' (connect, read) pair: how long to wait for the
    connection and for each byte; ``deadline`` bounds the whole request, from
    connecting to the answer's last byte (default :data:`~trelloplan.net.DEFAULT_DEADLINE`).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: tuple[float, float] = (5.0, 30.0),
        retry: RetryPolicy | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pool_size: int = 16,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        super().__init__()
        self.api_url = check_api_url(api_url)
        self.server = urlsplit(self.api_url).netloc
        self.timeout = timeout
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or Pacer()
        self.stats = RequestStats()
        self._sleep = sleep
        self._auth_header = f'OAuth oauth_consumer_key="{credentials.key}", oauth_token="{credentials.token}"'
        self._redact = Redactor((credentials.key, credentials.token))
        self._refusals: list[float] = []
        adapter = _WatchedAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.headers["User-Agent"] = f"trelloplan/{__version__}"

    # -- the one entry point py-trello calls -------------------------------------------------------

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method.upper()
        url = url.decode() if isinstance(url, bytes) else url
        if url.startswith(_PYTRELLO_PREFIX):
            url = self.api_url + url[len(_PYTRELLO_PREFIX):]
        params = dict(kwargs.pop("params", None) or {})
        params.pop("key", None)
        params.pop("token", None)
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = self._auth_header
        headers["User-Agent"] = self.headers["User-Agent"]
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        kwargs.pop("auth", None)
        path = urlsplit(url).path
        path = self._clean(path[len(urlsplit(self.api_url).path):] or "/")  # GET /tokens/{token} has it in the path

        attempts = 0
        waited = [0.0]  # the time attempts that got no answer took: all tries together get one deadline

        def attempt() -> requests.Response:
            nonlocal attempts
            attempts += 1
            started = time.monotonic()
            try:
                return self._attempt(method, url, path, params, headers, kwargs, self.deadline - waited[0])
            except _Retry as failed:
                if failed.error is not None:
                    waited[0] += time.monotonic() - started
                raise

        def stop(state: tenacity.RetryCallState) -> bool:
            return self._stop(state) or waited[0] >= self.deadline

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retry),
            stop=stop,
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as final:
            if final.error is not None and waited[0] >= self.deadline:
                raise self._deadline_error(method, path) from None
            raise self._final_error(method, path, final, attempts) from None

    # -- one attempt ---------------------------------------------------------------------------

    def _attempt(self, method: str, url: str, path: str, params: dict[str, Any], headers: dict[str, str],
                 kwargs: dict[str, Any], seconds: float) -> requests.Response:
        self.pacer.acquire()
        self.stats.count(method)
        started = time.monotonic()
        with deadline(seconds) as guard:
            try:
                response = super().request(method, url, params=params, headers=headers,
                                           **{**kwargs, "timeout": _within(kwargs.get("timeout"), guard.remaining())})
            except requests.RequestException as error:
                log.debug("%s %s failed: %s", method, path, type(error).__name__)
                if guard.expired:
                    raise self._deadline_error(method, path) from None
                line = _not_http(error)
                if line is not None:  # not a glitch: something other than an HTTP server listens there
                    raise UnexpectedResponse(f"{method} {path} on {self.server} answered something that is not HTTP: "
                                             f"{preview(self._clean(line), 60)!r}", method=method, path=path) from None
                if method in IDEMPOTENT or _never_sent(error):
                    raise _Retry(error=error) from None
                raise OutcomeUnknown(
                    f"the connection broke during {method} {path}; Trello may or may not have made the change",
                    method=method, path=path,
                ) from None
            if guard.expired:  # the answer ended because the deadline shut the connection
                response.close()
                raise self._deadline_error(method, path)
        log.debug("%s %s -> %d in %.0f ms", method, path, response.status_code, 1000 * (time.monotonic() - started))
        self.pacer.observe(response.headers)
        status = response.status_code
        if status == 429:
            self._refused()
            raise _Retry(response)
        if status >= 500:
            if method in IDEMPOTENT:
                raise _Retry(response)
            raise OutcomeUnknown(f"Trello answered {status} to {method} {path}; the change may or may not have been made",
                                 status=status, method=method, path=path)
        if status >= 400:
            raise self._status_error(method, path, response)
        if status != 200:
            raise self._unexpected(method, path, response, _status_text(response, self._clean))
        try:
            data = parse_json(response.content)
            check_shape(method, path, data)
        except ShapeMismatch:
            # described from the body with the key and token taken out first: a preview could cut one in half
            mismatch = _mismatch(method, path, self._scrub_bytes(response.content))
            raise self._unexpected(method, path, response, _mismatch_text(response, mismatch)) from None
        response.json = lambda **_: data  # type: ignore[method-assign]  # parsed once: py-trello asks again
        return response

    def _deadline_error(self, method: str, path: str) -> TrelloAPIError:
        where = f"{method} {path}"
        seconds = f"{self.deadline:g} s"
        if method in IDEMPOTENT:
            return DeadlineExceeded(f"{self.server} did not answer {where} within the {seconds} deadline",
                                    method=method, path=path)
        return WriteDeadlineExceeded(f"{self.server} did not answer {where} within the {seconds} deadline; "
                                     "Trello may or may not have made the change", method=method, path=path)

    def _unexpected(self, method: str, path: str, response: requests.Response, what: str) -> UnexpectedResponse:
        return UnexpectedResponse(f"{method} {path} on {self.server} answered {self._clean(what)}",
                                  status=response.status_code, method=method, path=path)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self.retry.attempts:
            return True
        error = state.outcome.exception() if state.outcome else None
        refused = isinstance(error, _Retry) and isinstance(error.error, requests.RequestException) and _never_sent(error.error)
        return refused and state.attempt_number >= self.retry.refused_attempts

    def _refused(self) -> None:
        now = time.monotonic()
        self._refusals = [t for t in self._refusals if now - t < 10.0] + [now]
        self.stats.note("refused")
        if len(self._refusals) > self.retry.max_refusals:
            raise RateLimited(f"Trello refused {len(self._refusals)} requests in 10 s (429)", retry_after=10.0)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        delay = self.retry.backoff(state.attempt_number)
        response = getattr(error, "response", None)
        if response is not None and response.status_code == 429:
            try:
                delay = max(delay, min(float(response.headers.get("Retry-After", "")), 60.0))
            except ValueError:
                pass
            self.pacer.pause(delay)
        return delay

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        self.stats.note("retries")
        error = state.outcome.exception() if state.outcome else None
        log.info("retrying after %s (attempt %d failed)", self._describe(error), state.attempt_number)

    @staticmethod
    def _describe(error: BaseException | None) -> str:
        if isinstance(error, _Retry) and error.response is not None:
            return f"HTTP {error.response.status_code}"
        if isinstance(error, _Retry) and error.error is not None:
            return type(error.error).__name__
        return type(error).__name__

    # -- errors --------------------------------------------------------------------------------

    def _scrub_bytes(self, body: bytes) -> bytes:
        return self._redact.bytes(body)

    def _clean(self, text: str) -> str:
        return " ".join(terminal_text(self._redact.text(text)).split())[:200]

    def _status_error(self, method: str, path: str, response: requests.Response) -> TrelloAPIError:
        if _is_html(response):  # Trello's refusals are plain text or JSON: a page is a proxy's, a portal's, another server's
            mismatch = _mismatch(method, path, self._scrub_bytes(response.content))
            return self._unexpected(method, path, response, _mismatch_text(response, mismatch))
        status, body = response.status_code, self._clean(response.text or "")
        where = f"{method} {path}"
        if status == 401:
            return AuthError(f"Trello refused the credentials ({status} {body or 'unauthorized'}) for {where}",
                             status=status, method=method, path=path)
        if status == 404:
            return NotFound(f"not found: {where} ({body or 'no such resource'})", hint=_not_found_hint(path),
                            status=status, method=method, path=path)
        return BadRequest(f"Trello refused {where}: {status} {body}", status=status, method=method, path=path)

    def _final_error(self, method: str, path: str, final: _Retry, attempts: int) -> TrelloAPIError:
        where = f"{method} {path}"
        times = "once" if attempts == 1 else f"{attempts} times"
        if final.response is not None:
            status = final.response.status_code
            if status == 429:
                return RateLimited(f"Trello's rate limit refused {where} {times}",
                                   retry_after=10.0, status=status, method=method, path=path)
            return ServerError(f"Trello failed {where} {times} (last: HTTP {status})",
                               status=status, method=method, path=path)
        kind = _failure_kind(final.error)
        return TransportFailed(f"{where} {kind} ({'tried once' if attempts == 1 else f'{attempts} tries'}, {self.api_url})", method=method, path=path)


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """``error`` and everything it was caused by (urllib3 and requests wrap each other's exceptions)."""
    seen: set[int] = set()
    stack: list[Any] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or not isinstance(current, BaseException):
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))


def _not_http(error: BaseException) -> str | None:
    """The first line of an answer that is not HTTP at all, when that is why ``error`` happened."""
    for cause in _causes(error):
        if isinstance(cause, http.client.BadStatusLine) and not isinstance(cause, http.client.RemoteDisconnected):
            return str(cause.line if hasattr(cause, "line") else cause).strip("'\"")
    return None


def _failure_kind(error: Exception | None) -> str:
    """How a request failed, in words: timed out, could not connect, got an answer cut off or none."""
    for cause in _causes(error):
        if isinstance(cause, (http.client.IncompleteRead, urllib3.exceptions.IncompleteRead)):
            return "got an answer that was cut off"
        if isinstance(cause, http.client.RemoteDisconnected):
            return "got no answer (the server closed the connection)"
    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "got an answer that was cut off"
    if isinstance(error, requests.ConnectionError):
        return "could not connect"
    return "failed"


def _within(timeout: Any, seconds: float) -> Any:
    """requests' timeout (a number or a (connect, read) pair), none of it longer than ``seconds``."""
    if timeout is None:
        return (seconds, seconds)
    if isinstance(timeout, tuple):
        return tuple(seconds if part is None else min(part, seconds) for part in timeout)
    return min(float(timeout), seconds)


def _kind_of(response: requests.Response) -> str:
    return (response.headers.get("Content-Type") or "no content type").split(";")[0].strip() or "no content type"


def _status_text(response: requests.Response, clean: Callable[[str], str]) -> str:
    status = response.status_code
    if 300 <= status < 400:
        target = response.headers.get("Location")
        return f"{status}, a redirect{' to ' + preview(clean(target), 60) if target else ''}"
    return f"{status} {_kind_of(response)} and no JSON"


def _is_html(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    return "html" in kind or response.content[:200].lstrip().startswith(b"<")


def _mismatch(method: str, path: str, body: bytes) -> ShapeMismatch:
    """Why ``body`` is not the answer Trello sends to ``method path``."""
    try:
        check_shape(method, path, parse_json(body))
    except ShapeMismatch as mismatch:
        return mismatch
    return ShapeMismatch("", "an answer that is not Trello's", shape=False)


def _mismatch_text(response: requests.Response, mismatch: ShapeMismatch) -> str:
    """What came back: ``200 text/html, not JSON: '<!DOCTYPE html><title>Sign in…'``, or JSON of another shape."""
    if mismatch.shape:
        where = f"at {mismatch.where}, " if mismatch.where else ""
        return f"{response.status_code} with JSON of another shape: {where}{mismatch.found}"
    return f"{response.status_code} {_kind_of(response)}, {mismatch.found}"


def _not_found_hint(path: str) -> str | None:
    kind = path.strip("/").split("/", 1)[0]
    if kind == "boards":
        return None  # NotFound's own hint is about board ids
    what = {"cards": "card", "lists": "list", "labels": "label", "checklists": "checklist", "actions": "action"}.get(kind, "object")
    return f"the {what} may have been deleted, or this token cannot see it; check the id"


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(_plain(v)) for v in value)
    return value


class Trello:
    """A connection to Trello (or any server speaking its API, such as the sandbox).

    Requests go through py-trello's ``fetch_json`` (``self.py`` is the
    py-trello client, for its object model) over a :class:`TrelloSession`.
    """

    def __init__(self, credentials: Credentials, *, api_url: str | None = None, **session_options: Any) -> None:
        self.session = TrelloSession(credentials, api_url=api_url or DEFAULT_API_URL, **session_options)
        self._token = credentials.token
        # query mode (no OAuth1 signing): fetch_json adds key/token as params, the session moves them to a header
        self.py = trello.TrelloClient(api_key=credentials.key, api_secret=credentials.token, http_service=self.session)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **session_options: Any) -> Trello:
        """Connect with ``TRELLO_API_KEY``, ``TRELLO_TOKEN`` and ``TRELLO_API_URL`` (and ``TRELLOPLAN_TIMEOUT``)."""
        session_options.setdefault("deadline", deadline_from_env(environ))
        return cls(Credentials.from_env(environ), api_url=api_url_from_env(environ), **session_options)

    @property
    def api_url(self) -> str:
        return self.session.api_url

    @property
    def stats(self) -> RequestStats:
        return self.session.stats

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        query = {name: _plain(value) for name, value in (params or {}).items() if value is not None}
        return self.py.fetch_json(path, query_params=query)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.py.fetch_json(path, http_method="POST", post_args=dict(body or {}))

    def put(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.py.fetch_json(path, http_method="PUT", post_args=dict(body or {}))

    def delete(self, path: str) -> Any:
        return self.py.fetch_json(path, http_method="DELETE")

    def get_response(self, path: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """A GET's whole answer (headers too), with the same auth, retries and errors as :meth:`get`."""
        query = {name: _plain(value) for name, value in (params or {}).items() if value is not None}
        return self.session.request("GET", self.api_url + path, params=query)

    def token_info(self) -> dict[str, Any]:
        """``GET /tokens/{token}``: the token's member, permissions and expiry.

        Trello wants the token in this path; the session keeps it out of logs and errors.
        """
        info: dict[str, Any] = self.get(f"/tokens/{self._token}", {"fields": "idMember,permissions,dateExpires,identifier"})
        return info

    def me(self) -> dict[str, Any]:
        """The member the token belongs to; a cheap way to check the credentials."""
        member: dict[str, Any] = self.get("/members/me", {"fields": "id,username,fullName"})
        return member

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Trello:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
