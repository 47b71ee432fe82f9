"""The ``/_sandbox`` control routes (a prefix Trello never uses): clock, faults, rate limits,
counters and members, for tests and demos driving a sandbox in another process.

They need the sandbox's own secret (``trelloplan sandbox`` prints it; :attr:`Sandbox.control_secret`
in Python) in the ``X-Sandbox-Secret`` header, or ``Authorization: Bearer SECRET``: they hand
out every member's token, so no Trello key or token opens them. Without it: ``401
{"error": "..."}``. They are never rate-limited, faulted or counted, and answer JSON; other
errors are ``400 {"error": "..."}``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from .boards import add_board_member
from .state import Member

__all__ = ["control"]

control = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


def _runtime() -> Any:
    return current_app.extensions["trelloplan.sandbox"]


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        data = {key: value for key, value in request.values.items()}
    if not isinstance(data, dict):
        raise ValueError("the request body must be a JSON object")
    return data


def _member_json(member: Member) -> dict[str, Any]:
    return {"id": member.id, "username": member.username, "fullName": member.full_name, "token": member.token}


SECRET_HEADER = "X-Sandbox-Secret"


@control.before_request
def _require_secret() -> Response | None:
    given = request.headers.get(SECRET_HEADER, "")
    bearer = request.headers.get("Authorization", "")
    if not given and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if given and hmac.compare_digest(given.encode(), _runtime().state.control_secret.encode()):
        return None
    return _json({"error": f"the /_sandbox routes need the sandbox's secret in the {SECRET_HEADER} header "
                           "(trelloplan sandbox prints it at start)"}, 401)


@control.errorhandler(ValueError)
@control.errorhandler(KeyError)
@control.errorhandler(TypeError)
def _bad_request(error: Exception) -> Response:
    return _json({"error": str(error)}, 400)


@control.get("")
def summary() -> Response:
    runtime = _runtime()
    return _json(
        {
            "apiUrl": request.host_url.rstrip("/") + "/1",
            "key": runtime.state.key,
            "members": [_member_json(m) for m in runtime.state.members()],
            "clock": runtime.state.clock.to_json(),
            "faults": runtime.faults.settings(),
            "rateLimits": runtime.limiter.settings(),
        }
    )


# -- clock ----------------------------------------------------------------------------------------------


@control.get("/clock")
def clock() -> Response:
    return _json(_runtime().state.clock.to_json())


@control.post("/clock/freeze")
def clock_freeze() -> Response:
    body = _body()
    _runtime().state.clock.freeze(body.get("at"))
    return clock()


@control.post("/clock/unfreeze")
def clock_unfreeze() -> Response:
    _runtime().state.clock.unfreeze()
    return clock()


@control.post("/clock/set")
def clock_set() -> Response:
    _runtime().state.clock.set(_body()["at"])
    return clock()


@control.post("/clock/advance")
def clock_advance() -> Response:
    body = _body()
    _runtime().state.clock.advance(
        days=float(body.get("days", 0)),
        hours=float(body.get("hours", 0)),
        minutes=float(body.get("minutes", 0)),
        seconds=float(body.get("seconds", 0)),
    )
    return clock()


# -- faults -----------------------------------------------------------------------------------------------


@control.get("/faults")
def faults() -> Response:
    return _json(_runtime().faults.settings())


@control.put("/faults")
def faults_configure() -> Response:
    body = _body()
    names = {
        "latencyMs": "latency_ms",
        "latencyJitterMs": "latency_jitter_ms",
        "errorRate": "error_rate",
        "errorStatuses": "error_statuses",
        "dropRate": "drop_rate",
        "enabled": "enabled",
        "seed": "seed",
    }
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise ValueError(f"unknown fault settings: {', '.join(unknown)} (known: {', '.join(names)})")
    _runtime().faults.configure(**{names[key]: value for key, value in body.items()})
    return faults()


@control.post("/faults/next")
def faults_next() -> Response:
    body = _body()
    count = int(body.get("count", 1))
    method, prefix = body.get("method"), body.get("pathPrefix")
    if body.get("drop"):
        _runtime().faults.drop_next(count, method=method, path_prefix=prefix)
    else:
        _runtime().faults.fail_next(int(body["status"]), count, method=method, path_prefix=prefix)
    return faults()


@control.delete("/faults")
def faults_clear() -> Response:
    _runtime().faults.clear()
    return faults()


# -- rate limits -----------------------------------------------------------------------------------------------


@control.get("/ratelimit")
def ratelimit() -> Response:
    return _json(_runtime().limiter.settings())


@control.put("/ratelimit")
def ratelimit_configure() -> Response:
    body = _body()
    window = body.get("windowMs")
    _runtime().limiter.configure(
        enabled=body.get("enabled"),
        token_limit=body.get("tokenLimit"),
        key_limit=body.get("keyLimit"),
        window_s=float(window) / 1000.0 if window is not None else None,
    )
    return ratelimit()


@control.post("/ratelimit/reset")
def ratelimit_reset() -> Response:
    _runtime().limiter.reset()
    return ratelimit()


# -- counters -----------------------------------------------------------------------------------------------------


@control.get("/counters")
def counters() -> Response:
    return _json(_runtime().counters.snapshot())


@control.post("/counters/reset")
def counters_reset() -> Response:
    _runtime().counters.reset()
    return counters()


# -- members ----------------------------------------------------------------------------------------------------------


@control.get("/members")
def members() -> Response:
    return _json([_member_json(m) for m in _runtime().state.members()])


@control.post("/members")
def members_add() -> Response:
    body = _body()
    state = _runtime().state
    member = state.add_member(str(body["username"]), body.get("fullName"))
    for board_id in body.get("boards", []):
        add_to_board(state, board_id, member, body.get("type", "normal"))
    return _json(_member_json(member))


@control.post("/tokens")
def tokens_add() -> Response:
    """Another token for a member (``member``: id or username, default the first), ``scope`` read by default."""
    body = _body()
    state = _runtime().state
    wanted = body.get("member")
    member = state.default_member() if wanted is None else state.member(str(wanted)) or next(
        (m for m in state.members() if m.username == wanted), None
    )
    if member is None:
        raise ValueError(f"no member {wanted!r}")
    scope = str(body.get("scope", "read"))
    return _json({"token": state.add_token(member, scope), "idMember": member.id, "scope": scope})


@control.post("/boards/<board_id>/members")
def board_members_add(board_id: str) -> Response:
    body = _body()
    state = _runtime().state
    member = state.member(str(body["idMember"])) or next(
        (m for m in state.members() if m.username == body["idMember"]), None
    )
    if member is None:
        raise ValueError(f"no member {body['idMember']!r}")
    add_to_board(state, board_id, member, body.get("type", "normal"))
    return _json({"idBoard": board_id, "idMember": member.id, "type": body.get("type", "normal")})


def add_to_board(state: Any, board_id: str, member: Member, member_type: str = "normal") -> None:
    """Add ``member`` to a board as one of its admins would (writes ``addMemberToBoard``)."""
    board = state.db.one("SELECT * FROM boards WHERE id = ? OR short_link = ?", board_id, board_id)
    if board is None:
        raise ValueError(f"no board {board_id!r}")
    admin_row = state.db.one(
        "SELECT member_id FROM memberships WHERE board_id = ? AND member_type = 'admin' ORDER BY rowid LIMIT 1",
        board["id"],
    )
    admin = state.member(admin_row["member_id"]) if admin_row else member
    add_board_member(state, admin, board, member, member_type)
