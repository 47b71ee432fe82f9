"""Trello's REST API under ``/1``: a Flask blueprint whose views return plain JSON-ready data.

Views are registered through :func:`route`, which also records the undecorated function so that
``GET /1/batch`` can run other GET views in-process. Helpers here read the request context the
app sets up before each view: the merged :class:`~trelloplan.sandbox.params.Params`, the
authenticated member and the :class:`~trelloplan.sandbox.state.State`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, g, request

from ..actions import ActionQuery, parse_filter
from ..apierror import bad_route, invalid_value
from ..params import Params
from ..shapes import CARD_FIELDS, CardContext, pick
from ..state import Member, State

if TYPE_CHECKING:
    from ..app import Runtime

__all__ = ["VIEWS", "actions_json", "blueprint", "cards_json", "json_response", "route"]

blueprint = Blueprint("trello", __name__, url_prefix="/1")
VIEWS: dict[str, Callable[..., Any]] = {}
CARD_FILTERS = ("all", "closed", "none", "open", "visible", "complete", "incomplete")


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view returning data; ``rule`` is relative to ``/1``."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        endpoint = function.__name__
        if f"trello.{endpoint}" in VIEWS:
            raise ValueError(f"duplicate sandbox view name {endpoint}")
        VIEWS[f"trello.{endpoint}"] = function

        def view(**kwargs: Any) -> Response:
            # One transaction per request: a view sees one consistent state and a failing write
            # leaves nothing half-done. (Injected latency was slept before, outside the lock.)
            with state().transaction():
                data = function(**kwargs)
            return json_response(data)

        view.__name__ = endpoint
        blueprint.add_url_rule(rule, endpoint, view, methods=list(methods))
        return function

    return decorate


def runtime() -> Runtime:
    return current_app.extensions["trelloplan.sandbox"]  # type: ignore[no-any-return]


def state() -> State:
    return runtime().state


def params() -> Params:
    return g.params  # type: ignore[no-any-return]


def actor() -> Member:
    return g.actor  # type: ignore[no-any-return]


def fields(p: Params, name: str = "fields") -> list[str] | None:
    words = p.words(name, "")
    return words or None


# -- shared readers ---------------------------------------------------------------------------------


def actions_json(
    model_id: str,
    p: Params,
    *,
    prefix: str = "",
    default_filter: str = "all",
    default_limit: int = 50,
    default_display: bool = False,
) -> list[dict[str, Any]]:
    """One page of actions for ``model_id`` read from ``p`` (``prefix`` is ``actions_`` when nested)."""
    st = state()
    nested = bool(prefix)
    filter_name = "actions" if nested else "filter"
    limit_name = f"{prefix}limit"
    limit = p.integer(limit_name, default_limit)
    if not 0 <= limit <= 1000:
        raise invalid_value(limit_name)
    query = ActionQuery(
        model_id=model_id,
        filter=parse_filter(p.words(filter_name, default_filter)),
        limit=limit,
        page=p.integer(f"{prefix}page", 0, 0),
        before=p.text(f"{prefix}before"),
        since=p.text(f"{prefix}since"),
    )
    rows = st.log.query(query)
    singular = "action_" if nested else ""
    return [
        st.log.to_json(
            row,
            fields=fields(p, f"{singular}fields"),
            member_creator=p.flag(f"{singular}memberCreator", True),
            member=p.flag(f"{singular}member", True),
            display=p.flag(f"{prefix}display", default_display),
        )
        for row in rows
    ]


def card_rows(where: str, args: list[Any], card_filter: str, p: Params | None, *, order: str) -> list[sqlite3.Row]:
    """Cards matching ``where`` and Trello's card filter, paged by id when ``p`` has
    ``before``/``since``/``limit`` (newest id first, as Trello pages cards)."""
    p = p or Params()
    if card_filter not in CARD_FILTERS:
        raise invalid_value("filter")
    if card_filter == "none":
        return []
    conditions = [where]
    if card_filter in {"open", "visible"}:
        conditions.append("c.closed = 0")
    if card_filter == "visible":
        conditions.append("l.closed = 0")
    if card_filter == "closed":
        conditions.append("c.closed = 1")
    if card_filter == "complete":
        conditions.append("c.due_complete = 1")
    if card_filter == "incomplete":
        conditions.append("c.due_complete = 0")
    before, since = p.text("before"), p.text("since")
    paged = bool(before or since or "limit" in p)
    if before:
        conditions.append("c.id < ?")
        args = [*args, before.lower()]
    if since:
        conditions.append("c.id > ?")
        args = [*args, since.lower()]
    sql = "SELECT c.* FROM cards c JOIN lists l ON l.id = c.list_id WHERE " + " AND ".join(conditions)
    if paged:
        limit = p.integer("limit", 1000, 0, 1000)
        sql += f" ORDER BY c.id DESC LIMIT {limit}"
    else:
        sql += f" ORDER BY {order}"
    return state().db.all(sql, *args)


def cards_json(
    rows: list[sqlite3.Row],
    p: Params,
    *,
    prefix: str = "",
    default_fields: list[str] | None = None,
    extras: bool = False,
) -> list[dict[str, Any]]:
    """Cards as JSON with ``fields`` and the nested card parameters (attachments, checklists, …)."""
    st = state()
    context = CardContext(st, rows, actor())
    wanted = fields(p, f"{prefix}fields") or default_fields or ["all"]
    result = []
    for row in rows:
        card = pick(context.card_json(row), wanted, CARD_FIELDS)
        result.append(card)
        _card_extras(card, row, context, p, prefix, extras)
    return result


def _card_extras(
    card: dict[str, Any], row: sqlite3.Row, context: CardContext, p: Params, prefix: str, extras: bool
) -> None:
    st = state()
    if extras or p.text(f"{prefix}attachments") not in {None, "false"}:
        card["attachments"] = []
    if extras or p.flag(f"{prefix}pluginData", False):
        card["pluginData"] = []
    if extras or p.flag(f"{prefix}customFieldItems", False):
        card["customFieldItems"] = []
    if p.flag(f"{prefix}stickers", False):
        card["stickers"] = []
    if p.text(f"{prefix}checklists", "none") == "all":
        card["checklists"] = context.checklists_json(row["id"])
    if not prefix:
        members = p.text("members")
        if members and members != "false":
            card["members"] = [member_brief(m) for m in (st.member(i) for i in json.loads(row["id_members"])) if m]
        actions = p.text("actions")
        if actions:
            card["actions"] = actions_json(row["id"], p, prefix="actions_")


def member_brief(member: Member) -> dict[str, Any]:
    return {"id": member.id, "username": member.username, "fullName": member.full_name}


def single_field(full: dict[str, Any], field: str) -> Any:
    """``GET /…/{id}/{field}``: objects come back as they are, other values as ``{"_value": …}``."""
    lookup = {name.lower(): name for name in full}
    name = lookup.get(field.lower())
    if name is None:
        raise bad_route("GET", request.path)
    value = full[name]
    return value if isinstance(value, (dict, list)) else {"_value": value}


from . import boards, cards, lists, organizations, other  # noqa: E402,F401  (register the views)
