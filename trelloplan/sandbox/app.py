"""The Flask app: Trello's API under ``/1``, the board export, and the ``/_sandbox`` control routes.

Each API request goes through the same gate, in this order: route known? (else Trello's 404
text) → GET without a body (Trello answers 403 since 2024) → parameters parsed → key and token
(401; also a write with a read-only token) → rate limits (429) → injected faults (latency, then an error status) → the view. After
the view: Trello's headers, the ``X-Rate-Limit-*`` family, the counters, and possibly a dropped
connection (see :mod:`.faults`). Latency is slept here, outside the state lock, so a slow
request never blocks other clients.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, request

from .apierror import ApiError, bad_route, rate_limited, unauthorized
from .auth import authenticate, credentials
from .counters import Counters
from .faults import ERROR_BODIES, WRITE_METHODS, Faults
from .params import Params
from .ratelimit import RateLimiter
from .state import State

__all__ = ["DROP_KEY", "DropMiddleware", "Runtime", "create_app"]

DROP_KEY = "trelloplan.sandbox.drop"
TRELLO_VERSION = "1.2126.1-sandbox"
_CORS_EXPOSE = (
    "x-rate-limit-api-key-interval-ms, x-rate-limit-api-key-max, x-rate-limit-api-key-remaining, "
    "x-rate-limit-api-token-interval-ms, x-rate-limit-api-token-max, x-rate-limit-api-token-remaining"
)


@dataclass
class Runtime:
    """What the app serves from: the state plus the testing knobs."""

    state: State
    faults: Faults
    limiter: RateLimiter
    counters: Counters


def _is_api(path: str) -> bool:
    return path.startswith("/1/") or path == "/1" or (path.startswith("/b/") and path.endswith(".json"))


def create_app(runtime: Runtime) -> Flask:
    from . import api
    from .control import control

    app = Flask("trelloplan.sandbox")
    app.url_map.strict_slashes = False
    app.extensions["trelloplan.sandbox"] = runtime
    app.register_blueprint(api.blueprint)
    app.register_blueprint(control)

    @app.get("/b/<short_link>.json")
    def board_export(short_link: str) -> Response:
        from .api.boards import board_document, readable_board

        with runtime.state.transaction():
            document = board_document(readable_board(short_link), g.params, export=True)
        return api.json_response(document)

    @app.before_request
    def gate() -> None:
        if not _is_api(request.path):
            return None
        g.api = True
        rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        runtime.counters.request(request.method, rule)
        if request.url_rule is None:
            raise bad_route(request.method, request.path)
        body = request.get_data(cache=True)
        if request.method == "GET" and body:
            raise ApiError(403, "403 ERROR: The request could not be satisfied (GET requests cannot carry a body).")
        g.params = Params.from_request(request.args, request.form, body, request.content_type or "")
        key, token = credentials(g.params, request.headers.get("Authorization"))
        g.key, g.token = key, token
        g.actor = authenticate(runtime.state, key, token)
        if request.method in WRITE_METHODS and token and "write" not in runtime.state.token_scope(token):
            raise unauthorized()  # a read-only token (Trello's scope "read"); the body is inferred
        cost = 1
        if request.endpoint == "trello.batch":
            from .api.other import batch_urls

            cost = len(batch_urls(g.params))
        decision = runtime.limiter.hit(key or "", token, cost)
        g.rate_headers = decision.headers
        if not decision.allowed:
            runtime.counters.rate_limited()
            raise rate_limited(decision.scope)
        fault = runtime.faults.decide(request.method, request.path)
        if fault.latency_s > 0:
            runtime.counters.fault("latency")
            time.sleep(fault.latency_s)
        if fault.status is not None:
            runtime.counters.fault(str(fault.status))
            raise ApiError(fault.status, ERROR_BODIES[fault.status])
        g.drop = fault.drop
        return None

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        if isinstance(error.body, str):
            response = Response(error.body, status=error.status, content_type="text/plain; charset=utf-8")
        else:
            response = api.json_response(error.body, error.status)
        response.headers.update(error.headers)
        return response

    @app.after_request
    def headers(response: Response) -> Response:
        if not g.get("api"):
            return response
        state = runtime.state
        response.headers["X-Trello-Version"] = TRELLO_VERSION
        response.headers["X-Trello-Environment"] = "Sandbox"
        response.headers["X-Server-Time"] = str(int(state.clock.now().timestamp() * 1000))
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, PUT, POST, DELETE"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Accept, Content-Type"
        response.headers["Access-Control-Expose-Headers"] = _CORS_EXPOSE
        rate_headers = g.get("rate_headers") or runtime.limiter.peek(g.get("key") or "", g.get("token"))
        response.headers.update(rate_headers)
        if request.path.startswith("/1/actions") and g.get("actor") is not None:
            response.headers.update(runtime.limiter.action_headers(g.get("token")))
        runtime.counters.response(response.status_code)
        if g.get("drop") and request.method in WRITE_METHODS and 200 <= response.status_code < 300:
            runtime.counters.fault("drop")
            request.environ[DROP_KEY] = True
        return response

    app.wsgi_app = DropMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


class _Dropped:
    """A response body that aborts the connection instead of sending anything."""

    def __iter__(self) -> Iterator[bytes]:
        raise ConnectionAbortedError("sandbox fault: connection dropped after the write was committed")


class DropMiddleware:
    """Runs the app fully (so the write commits), then drops the TCP connection if asked to.

    The socket comes from werkzeug's ``environ["werkzeug.socket"]``; shutting it down makes the
    client read EOF with no status line, and the abort exception makes werkzeug treat the
    exchange as a dropped connection instead of writing a response.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers, exc_info]
            return lambda data: None

        body = self.app(environ, capture)
        if not environ.get(DROP_KEY):
            start_response(*captured)
            return body  # type: ignore[no-any-return]
        try:
            for _ in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return _Dropped()
