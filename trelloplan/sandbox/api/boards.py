"""Board routes: boards, their lists, labels, cards, checklists, actions, members; the export."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from flask import request

from .. import boards as ops
from ..apierror import bad_route, invalid_value
from ..params import Params
from ..shapes import (
    BOARD_DEFAULT_FIELDS,
    board_json,
    checklist_json,
    label_json,
    list_json,
    member_json,
    membership_json,
    pick,
)
from . import actions_json, actor, card_rows, cards_json, fields, member_brief, params, route, single_field, state

LIST_FILTERS = ("all", "closed", "none", "open")
_NESTED = ("actions", "cards", "labels", "lists", "members", "checklists", "customFields", "memberships", "pluginData")
_WRITABLE = {"name", "desc", "closed", "subscribed", "idOrganization"}


def readable_board(board_id: str) -> sqlite3.Row:
    st = state()
    board = st.board(board_id)
    st.check_read(board["id"], actor())
    return board


def board_document(board: sqlite3.Row, p: Params, *, export: bool = False) -> dict[str, Any]:
    """``GET /boards/{id}`` with its nested resources.

    With ``actions``, ``cards``, ``lists``, ``labels`` and ``checklists`` all asked for (or via
    ``/b/{shortLink}.json``) the defaults switch to those of Trello's JSON export: every board
    field, the newest 1000 actions, full cards, members and memberships.
    """
    st = state()
    export = export or all(
        p.text(name) not in (None, "none", "false") for name in ("actions", "cards", "lists", "labels", "checklists")
    )
    out = pick(board_json(st, board), fields(p) or (["all"] if export else None), BOARD_DEFAULT_FIELDS)
    wanted = {name: p.text(name) or ("all" if export else None) for name in _NESTED}
    for name in _NESTED:
        value = wanted[name]
        if value is None or value in {"none", "false"}:
            continue
        if name == "actions":
            out["actions"] = actions_json(board["id"], p, prefix="actions_", default_limit=1000 if export else 50)
        elif name == "cards":
            rows = card_rows("c.board_id = ?", [board["id"]], value, None, order="l.pos, c.pos, c.id")
            out["cards"] = cards_json(rows, p, prefix="card_", extras=export)
        elif name == "labels":
            out["labels"] = labels_json(
                board["id"], p, prefix="label_", limit=p.integer("labels_limit", 1000 if export else 50, 0, 1000)
            )
        elif name == "lists":
            out["lists"] = lists_json(board["id"], value, p, prefix="list_", all_fields=export)
        elif name == "members":
            out["members"] = members_json(board["id"], p, prefix="member_", full=export)
        elif name == "checklists":
            out["checklists"] = checklists_json(board["id"], p, prefix="checklist_")
        elif name == "memberships":
            rows = st.db.all("SELECT * FROM memberships WHERE board_id = ? ORDER BY rowid", board["id"])
            out["memberships"] = [membership_json(row) for row in rows]
        else:
            out[name] = []
    return out


def labels_json(board_id: str, p: Params, *, prefix: str = "", limit: int = 50) -> list[dict[str, Any]]:
    st = state()
    rows = st.db.all("SELECT * FROM labels WHERE board_id = ? ORDER BY rowid LIMIT ?", board_id, limit)
    uses: dict[str, int] = {}
    for card in st.db.all("SELECT id_labels FROM cards WHERE board_id = ? AND closed = 0", board_id):
        for label_id in json.loads(card["id_labels"]):
            uses[label_id] = uses.get(label_id, 0) + 1
    wanted = fields(p, f"{prefix}fields")
    return [pick(label_json(row, uses.get(row["id"], 0)), wanted, ["all"]) for row in rows]


def lists_json(
    board_id: str, list_filter: str, p: Params, *, prefix: str = "", all_fields: bool = False
) -> list[dict[str, Any]]:
    if list_filter not in LIST_FILTERS:
        raise invalid_value("filter")
    if list_filter == "none":
        return []
    sql = "SELECT * FROM lists WHERE board_id = ?"
    if list_filter in {"open", "closed"}:
        sql += f" AND closed = {1 if list_filter == 'closed' else 0}"
    rows = state().db.all(sql + " ORDER BY pos, id", board_id)
    wanted = fields(p, f"{prefix}fields")
    default = ["all"] if all_fields else ["id", "name", "closed", "pos", "softLimit", "idBoard", "subscribed"]
    result = [pick(list_json(row), wanted, default) for row in rows]
    card_filter = p.text("cards") if not prefix else None
    if card_filter and card_filter != "none":
        for item in result:
            cards = card_rows("c.list_id = ?", [item["id"]], card_filter, None, order="c.pos, c.id")
            item["cards"] = cards_json(cards, p, prefix="card_")
    return result


def members_json(board_id: str, p: Params, *, prefix: str = "", full: bool = False) -> list[dict[str, Any]]:
    st = state()
    rows = st.db.all("SELECT member_id FROM memberships WHERE board_id = ? ORDER BY rowid", board_id)
    members = [m for m in (st.member(row["member_id"]) for row in rows) if m]
    wanted = fields(p, f"{prefix}fields")
    if full or (wanted and "all" in wanted):
        return [pick(member_json(st, m), wanted, ["all"]) for m in members]
    if wanted:
        return [pick(member_json(st, m), wanted, wanted) for m in members]
    return [member_brief(m) for m in members]


def checklists_json(board_id: str, p: Params, *, prefix: str = "") -> list[dict[str, Any]]:
    st = state()
    wanted = fields(p, f"{prefix}fields")
    result = []
    for row in st.db.all("SELECT * FROM checklists WHERE board_id = ? ORDER BY card_id, pos, id", board_id):
        items = st.db.all("SELECT * FROM check_items WHERE checklist_id = ? ORDER BY pos, id", row["id"])
        result.append(pick(checklist_json(row, items), wanted, ["all"]))
    return result


def _write_shape(board: sqlite3.Row) -> dict[str, Any]:
    out = pick(board_json(state(), board), None, BOARD_DEFAULT_FIELDS)
    out["limits"] = {}
    return out


@route("/boards", methods=("POST",))
def create_board() -> Any:
    return _write_shape(ops.create_board(state(), actor(), params()))


@route("/boards/<board_id>")
def get_board(board_id: str) -> Any:
    return board_document(readable_board(board_id), params())


@route("/boards/<board_id>", methods=("PUT",))
def update_board(board_id: str) -> Any:
    return _write_shape(ops.update_board(state(), actor(), state().board(board_id), params()))


@route("/boards/<board_id>", methods=("DELETE",))
def delete_board(board_id: str) -> Any:
    ops.delete_board(state(), actor(), state().board(board_id))
    return {"_value": None}


@route("/boards/<board_id>/<field>")
def get_board_field(board_id: str, field: str) -> Any:
    board = readable_board(board_id)
    return single_field(board_json(state(), board), field)


@route("/boards/<board_id>/<field>", methods=("PUT",))
def put_board_field(board_id: str, field: str) -> Any:
    if field not in _WRITABLE:
        raise bad_route("PUT", request.path)
    p = params()
    return _write_shape(
        ops.update_board(state(), actor(), state().board(board_id), p.with_values(**{field: p.raw("value")}))
    )


@route("/boards/<board_id>/prefs/<pref>", methods=("PUT",))
def put_board_pref(board_id: str, pref: str) -> Any:
    p = params()
    return _write_shape(
        ops.update_board(state(), actor(), state().board(board_id), p.with_values(**{f"prefs/{pref}": p.raw("value")}))
    )


@route("/boards/<board_id>/lists")
def get_board_lists(board_id: str) -> Any:
    board = readable_board(board_id)
    return lists_json(board["id"], params().text("filter", "open") or "open", params())


@route("/boards/<board_id>/lists/<list_filter>")
def get_board_lists_filtered(board_id: str, list_filter: str) -> Any:
    board = readable_board(board_id)
    return lists_json(board["id"], list_filter, params())


@route("/boards/<board_id>/lists", methods=("POST",))
def create_board_list(board_id: str) -> Any:
    row = ops.create_list(state(), actor(), state().board(board_id), params())
    return {**pick(list_json(row), None, ["name", "closed", "pos", "idBoard"]), "limits": {}}


@route("/boards/<board_id>/labels")
def get_board_labels(board_id: str) -> Any:
    board = readable_board(board_id)
    return labels_json(board["id"], params(), limit=params().integer("limit", 50, 0, 1000))


@route("/boards/<board_id>/labels", methods=("POST",))
def create_board_label(board_id: str) -> Any:
    row = ops.create_label(state(), actor(), state().board(board_id), params())
    return {**label_json(row), "limits": {}}


@route("/boards/<board_id>/cards")
def get_board_cards(board_id: str) -> Any:
    board = readable_board(board_id)
    p = params()
    rows = card_rows("c.board_id = ?", [board["id"]], p.text("filter", "open") or "open", p, order="l.pos, c.pos, c.id")
    return cards_json(rows, p)


@route("/boards/<board_id>/cards/<what>")
def get_board_cards_filtered(board_id: str, what: str) -> Any:
    """``/cards/{filter}`` or ``/cards/{idCard}`` (one card of this board)."""
    board = readable_board(board_id)
    p = params()
    if what in {"all", "closed", "none", "open", "visible", "complete", "incomplete"}:
        return cards_json(card_rows("c.board_id = ?", [board["id"]], what, p, order="l.pos, c.pos, c.id"), p)
    card = state().card(what)
    if card["board_id"] != board["id"]:
        raise bad_route("GET", request.path)
    return cards_json([card], p)[0]


@route("/boards/<board_id>/checklists")
def get_board_checklists(board_id: str) -> Any:
    board = readable_board(board_id)
    return checklists_json(board["id"], params())


@route("/boards/<board_id>/actions")
def get_board_actions(board_id: str) -> Any:
    board = readable_board(board_id)
    return actions_json(board["id"], params())


@route("/boards/<board_id>/customFields")
def get_board_custom_fields(board_id: str) -> Any:
    """Custom fields are not modelled: no board has any."""
    readable_board(board_id)
    return []


@route("/boards/<board_id>/members")
def get_board_members(board_id: str) -> Any:
    board = readable_board(board_id)
    return members_json(board["id"], params())


@route("/boards/<board_id>/memberships")
def get_board_memberships(board_id: str) -> Any:
    board = readable_board(board_id)
    rows = state().db.all("SELECT * FROM memberships WHERE board_id = ? ORDER BY rowid", board["id"])
    return [membership_json(row) for row in rows]


def _membership_answer(board: sqlite3.Row) -> dict[str, Any]:
    st = state()
    rows = st.db.all("SELECT * FROM memberships WHERE board_id = ? ORDER BY rowid", board["id"])
    members = [m for m in (st.member(row["member_id"]) for row in rows) if m]
    return {
        "id": board["id"],
        "members": [member_brief(m) for m in members],
        "memberships": [membership_json(r) for r in rows],
    }


@route("/boards/<board_id>/members/<member_id>", methods=("PUT",))
def put_board_member(board_id: str, member_id: str) -> Any:
    st = state()
    board = st.board(board_id)
    member = st.resolve_member(member_id, actor())
    ops.add_board_member(st, actor(), board, member, params().text("type", "normal") or "normal")
    return _membership_answer(board)


@route("/boards/<board_id>/members/<member_id>", methods=("DELETE",))
def delete_board_member(board_id: str, member_id: str) -> Any:
    st = state()
    board = st.board(board_id)
    ops.remove_board_member(st, actor(), board, st.resolve_member(member_id, actor()))
    return _membership_answer(board)
