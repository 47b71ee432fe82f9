"""Member, action, token and batch routes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, g
from werkzeug.exceptions import HTTPException

from .. import comments as comment_ops
from ..apierror import ApiError, bad_route, invalid_token, invalid_value, not_found
from ..params import Params
from ..shapes import BOARD_DEFAULT_FIELDS, board_json, list_json, member_json, pick
from ..state import Member
from . import VIEWS, actions_json, actor, fields, params, route, runtime, single_field, state
from .boards import lists_json

MAX_BATCH = 10


# -- members ----------------------------------------------------------------------------------------------


def _member(member_id: str) -> Member:
    return state().resolve_member(member_id, actor())


def _boards_of(member: Member, board_filter: str) -> list[sqlite3.Row]:
    st = state()
    rows = st.db.all(
        "SELECT b.* FROM boards b JOIN memberships m ON m.board_id = b.id WHERE m.member_id = ? ORDER BY b.id",
        member.id,
    )
    rows = [row for row in rows if st.can_read(row, actor())]
    if board_filter in {"all", "members"}:
        return rows
    if board_filter == "open":
        return [row for row in rows if not row["closed"]]
    if board_filter == "closed":
        return [row for row in rows if row["closed"]]
    if board_filter == "public":
        return [row for row in rows if json.loads(row["prefs"]).get("permissionLevel") == "public"]
    if board_filter == "organization":
        return [row for row in rows if row["id_organization"]]
    if board_filter in {"starred", "pinned", "unpinned"}:
        return [] if board_filter != "unpinned" else rows
    raise invalid_value("filter")


def _boards_json(member: Member, p: Params, *, prefix: str = "") -> list[dict[str, Any]]:
    st = state()
    filter_name = "boards" if prefix else "filter"
    result = []
    for row in _boards_of(member, p.text(filter_name, "all") or "all"):
        board = pick(board_json(st, row), fields(p, f"{prefix}fields"), ["all"])
        lists = p.text(f"{prefix}lists" if prefix else "lists")
        if lists and lists != "none":
            board["lists"] = lists_json(row["id"], lists, Params())
        result.append(board)
    return result


@route("/members/<member_id>")
def get_member(member_id: str) -> Any:
    p = params()
    member = _member(member_id)
    out = pick(member_json(state(), member), fields(p), ["all"])
    if p.text("boards") not in {None, "none"}:
        out["boards"] = _boards_json(member, p, prefix="board_")
    return out


@route("/members/<member_id>/boards")
def get_member_boards(member_id: str) -> Any:
    return _boards_json(_member(member_id), params())


@route("/members/<member_id>/actions")
def get_member_actions(member_id: str) -> Any:
    return actions_json(_member(member_id).id, params())


@route("/members/<member_id>/<field>")
def get_member_field(member_id: str, field: str) -> Any:
    return single_field(member_json(state(), _member(member_id)), field)


# -- actions ------------------------------------------------------------------------------------------------


def readable_action(action_id: str) -> sqlite3.Row:
    st = state()
    action = st.action(action_id)
    board = json.loads(action["data"]).get("board", {})
    if board.get("id"):
        row = st.db.one("SELECT * FROM boards WHERE id = ?", board["id"])
        if row is None or not st.can_read(row, actor()):
            raise not_found() if row is None else ApiError(401, "unauthorized permission requested")
    return action


@route("/actions/<action_id>")
def get_action(action_id: str) -> Any:
    p = params()
    return state().log.to_json(
        readable_action(action_id),
        fields=fields(p),
        display=p.flag("display", True),
        member_creator=p.flag("memberCreator", True),
        member=p.flag("member", True),
    )


@route("/actions/<action_id>", methods=("PUT",))
def update_action(action_id: str) -> Any:
    st = state()
    comment_ops.edit_comment(st, actor(), st.action(action_id), params())
    return st.log.to_json(st.action(action_id), display=True)


@route("/actions/<action_id>/text", methods=("PUT",))
def update_action_text(action_id: str) -> Any:
    return update_action(action_id)


@route("/actions/<action_id>", methods=("DELETE",))
def delete_action(action_id: str) -> Any:
    st = state()
    comment_ops.delete_comment(st, actor(), st.action(action_id))
    return {"_value": None}


@route("/actions/<action_id>/<field>")
def get_action_field(action_id: str, field: str) -> Any:
    st = state()
    action = readable_action(action_id)
    data = json.loads(action["data"])
    if field in {"board", "card", "list"}:
        ref = data.get(field)
        if not isinstance(ref, dict) or "id" not in ref:
            raise not_found()
        if field == "board":
            return pick(board_json(st, st.board(ref["id"])), fields(params()), BOARD_DEFAULT_FIELDS)
        if field == "list":
            return pick(list_json(st.list_(ref["id"])), fields(params()), ["all"])
        from .cards import card_answer

        return card_answer(st.card(ref["id"]), params())
    if field in {"memberCreator", "member"}:
        member_id = action["id_member_creator"] if field == "memberCreator" else action["id_member"]
        member = st.member(member_id) if member_id else None
        if member is None:
            raise not_found()
        return pick(member_json(st, member), fields(params()), ["all"])
    return single_field(st.log.to_json(action, display=True), field)


# -- tokens -------------------------------------------------------------------------------------------------


@route("/tokens/<token>")
def get_token(token: str) -> Any:
    """The token's member and permissions (shape of the recording; a ``read`` token has
    ``write: false`` everywhere)."""
    st = state()
    member = st.member_by_token(token)
    if member is None or member.id != actor().id:
        raise invalid_token()
    row = st.db.one("SELECT * FROM tokens WHERE token = ?", token)
    write = "write" in st.token_scope(token)
    out: dict[str, Any] = {
        "id": hashlib.sha256(token.encode()).hexdigest()[:24],
        "identifier": row["identifier"] if row else "trelloplan sandbox",
        "idMember": member.id,
        "dateCreated": row["date_created"] if row else "2020-01-01T00:00:00.000Z",
        "dateExpires": None,
        "permissions": [
            {"idModel": member.id, "modelType": "Member", "read": True, "write": write},
            {"idModel": "*", "modelType": "Board", "read": True, "write": write},
            {"idModel": "*", "modelType": "Organization", "read": True, "write": write},
        ],
    }
    if params().flag("webhooks", False):
        out["webhooks"] = []
    return pick(out, fields(params()), ["all"])


@route("/tokens/<token>/member")
def get_token_member(token: str) -> Any:
    member = state().member_by_token(token)
    if member is None or member.id != actor().id:
        raise invalid_token()
    return pick(member_json(state(), member), fields(params()), ["all"])


# -- batch ----------------------------------------------------------------------------------------------------


def batch_urls(p: Params) -> list[str]:
    urls = [url.strip() for url in (p.text("urls") or "").split(",") if url.strip()]
    if not urls or len(urls) > MAX_BATCH:
        raise invalid_value("urls")
    return urls


@route("/batch")
def batch() -> Any:
    """Up to 10 GETs in one call: ``[{"200": body}, …]``; failures as ``{name, message, statusCode}``.

    (Trello's failure element is not in any recording; this is the shape TrelloDotNet parses.)
    """
    outer_params = g.params
    results: list[dict[str, Any]] = []
    try:
        for url in batch_urls(outer_params):
            results.append(_batch_one(url))
    finally:
        g.params = outer_params
    return results


def _batch_one(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    path = parts.path if parts.path.startswith("/1/") else "/1" + parts.path
    adapter = current_app.url_map.bind("sandbox.invalid")
    try:
        if not parts.path.startswith("/"):
            raise bad_route("GET", url)
        endpoint, arguments = adapter.match(path, method="GET")
        view = VIEWS.get(endpoint)
        if view is None or endpoint == "trello.batch":
            raise bad_route("GET", path)
        runtime().counters.batched(adapter.match(path, method="GET", return_rule=True)[0].rule)
        g.params = Params(dict(parse_qsl(parts.query, keep_blank_values=True)))
        return {"200": view(**arguments)}
    except HTTPException:
        error = bad_route("GET", path)
    except ApiError as caught:
        error = caught
    message = error.body if isinstance(error.body, str) else json.dumps(error.body)
    return {"name": "ERROR" if error.status != 404 else "NOT_FOUND", "message": message, "statusCode": error.status}
