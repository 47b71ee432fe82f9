"""List, label and checklist routes."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import request

from .. import boards as board_ops
from .. import checklists as checklist_ops
from ..apierror import bad_route, not_found
from ..params import Params
from ..shapes import (
    BOARD_DEFAULT_FIELDS,
    LIST_DEFAULT_FIELDS,
    board_json,
    check_item_json,
    checklist_json,
    label_json,
    list_json,
    pick,
)
from ..state import position_number
from . import actions_json, actor, card_rows, cards_json, fields, params, route, single_field, state

_LIST_WRITABLE = {"name", "closed", "pos", "subscribed", "idBoard", "softLimit"}


def _with_value(p: Params, field: str) -> Params:
    return p.with_values(**{field: p.raw("value")})


# -- lists -------------------------------------------------------------------------------------------------


def readable_list(list_id: str) -> sqlite3.Row:
    lst = state().list_(list_id)
    state().check_read(lst["board_id"], actor())
    return lst


@route("/lists", methods=("POST",))
def create_list() -> Any:
    p = params()
    board = state().param_row("boards", "idBoard", p.text("idBoard"))
    row = board_ops.create_list(state(), actor(), board, p)
    return {**pick(list_json(row), None, LIST_DEFAULT_FIELDS), "limits": {}}


@route("/lists/<list_id>")
def get_list(list_id: str) -> Any:
    p = params()
    out = pick(list_json(readable_list(list_id)), fields(p), LIST_DEFAULT_FIELDS)
    if p.text("cards") not in {None, "none"}:
        out["cards"] = cards_json(
            card_rows("c.list_id = ?", [out["id"]], p.text("cards") or "open", None, order="c.pos, c.id"),
            p,
            prefix="card_",
        )
    return out


@route("/lists/<list_id>", methods=("PUT",))
def update_list(list_id: str) -> Any:
    return pick(
        list_json(board_ops.update_list(state(), actor(), state().list_(list_id), params())), None, LIST_DEFAULT_FIELDS
    )


@route("/lists/<list_id>/<field>", methods=("PUT",))
def put_list_field(list_id: str, field: str) -> Any:
    if field not in _LIST_WRITABLE:
        raise bad_route("PUT", request.path)
    row = board_ops.update_list(state(), actor(), state().list_(list_id), _with_value(params(), field))
    return pick(list_json(row), None, LIST_DEFAULT_FIELDS)


@route("/lists/<list_id>/<field>")
def get_list_field(list_id: str, field: str) -> Any:
    return single_field(list_json(readable_list(list_id)), field)


@route("/lists/<list_id>/cards")
def get_list_cards(list_id: str) -> Any:
    lst = readable_list(list_id)
    p = params()
    return cards_json(
        card_rows("c.list_id = ?", [lst["id"]], p.text("filter", "open") or "open", p, order="c.pos, c.id"), p
    )


@route("/lists/<list_id>/cards/<card_filter>")
def get_list_cards_filtered(list_id: str, card_filter: str) -> Any:
    lst = readable_list(list_id)
    p = params()
    return cards_json(card_rows("c.list_id = ?", [lst["id"]], card_filter, p, order="c.pos, c.id"), p)


@route("/lists/<list_id>/actions")
def get_list_actions(list_id: str) -> Any:
    return actions_json(readable_list(list_id)["id"], params())


@route("/lists/<list_id>/board")
def get_list_board(list_id: str) -> Any:
    lst = readable_list(list_id)
    return pick(board_json(state(), state().board_by_id(lst["board_id"])), fields(params()), BOARD_DEFAULT_FIELDS)


@route("/lists/<list_id>/archiveAllCards", methods=("POST",))
def archive_all_cards(list_id: str) -> Any:
    board_ops.archive_all_cards(state(), actor(), state().list_(list_id))
    return {}


@route("/lists/<list_id>/moveAllCards", methods=("POST",))
def move_all_cards(list_id: str) -> Any:
    moved = board_ops.move_all_cards(state(), actor(), state().list_(list_id), params())
    return [
        {"id": c["id"], "idBoard": c["board_id"], "idList": c["list_id"], "pos": position_number(c["pos"])}
        for c in moved
    ]


# -- labels -------------------------------------------------------------------------------------------------


_LABEL_DEFAULT = ["idBoard", "name", "color", "uses"]


@route("/labels", methods=("POST",))
def create_label() -> Any:
    p = params()
    board = state().param_row("boards", "idBoard", p.text("idBoard"))
    row = board_ops.create_label(state(), actor(), board, p)
    return {**pick(_label(row), None, _LABEL_DEFAULT), "limits": {}}


def _label(row: sqlite3.Row) -> dict[str, Any]:
    uses = state().db.scalar(
        "SELECT COUNT(*) FROM cards WHERE board_id = ? AND closed = 0 AND id_labels LIKE ?",
        row["board_id"],
        f'%"{row["id"]}"%',
    )
    return label_json(row, uses)


def readable_label(label_id: str) -> sqlite3.Row:
    label = state().label(label_id)
    state().check_read(label["board_id"], actor())
    return label


@route("/labels/<label_id>")
def get_label(label_id: str) -> Any:
    return pick(_label(readable_label(label_id)), fields(params()), _LABEL_DEFAULT)


@route("/labels/<label_id>", methods=("PUT",))
def update_label(label_id: str) -> Any:
    return pick(
        _label(board_ops.update_label(state(), actor(), state().label(label_id), params())), None, _LABEL_DEFAULT
    )


@route("/labels/<label_id>/<field>", methods=("PUT",))
def put_label_field(label_id: str, field: str) -> Any:
    if field not in {"name", "color"}:
        raise bad_route("PUT", request.path)
    row = board_ops.update_label(state(), actor(), state().label(label_id), _with_value(params(), field))
    return pick(_label(row), None, _LABEL_DEFAULT)


@route("/labels/<label_id>", methods=("DELETE",))
def delete_label(label_id: str) -> Any:
    board_ops.delete_label(state(), actor(), state().label(label_id))
    return {"limits": {}}


# -- checklists ------------------------------------------------------------------------------------------


def checklist_answer(row: sqlite3.Row, p: Params | None = None) -> dict[str, Any]:
    p = p or Params()
    items = state().db.all("SELECT * FROM check_items WHERE checklist_id = ? ORDER BY pos, id", row["id"])
    out = pick(checklist_json(row, items), fields(p), ["all"])
    if p.text("checkItems") == "none":
        out.pop("checkItems", None)
    return out


def readable_checklist(checklist_id: str) -> sqlite3.Row:
    checklist = state().checklist(checklist_id)
    state().check_read(checklist["board_id"], actor())
    return checklist


@route("/checklists", methods=("POST",))
def create_checklist() -> Any:
    p = params()
    card = state().param_row("cards", "idCard", p.text("idCard"))
    return {**checklist_answer(checklist_ops.create_checklist(state(), actor(), card, p)), "limits": {}}


@route("/checklists/<checklist_id>")
def get_checklist(checklist_id: str) -> Any:
    return checklist_answer(readable_checklist(checklist_id), params())


@route("/checklists/<checklist_id>", methods=("PUT",))
def update_checklist(checklist_id: str) -> Any:
    return checklist_answer(checklist_ops.update_checklist(state(), actor(), state().checklist(checklist_id), params()))


@route("/checklists/<checklist_id>/<field>", methods=("PUT",))
def put_checklist_field(checklist_id: str, field: str) -> Any:
    if field not in {"name", "pos"}:
        raise bad_route("PUT", request.path)
    row = checklist_ops.update_checklist(
        state(), actor(), state().checklist(checklist_id), _with_value(params(), field)
    )
    return checklist_answer(row)


@route("/checklists/<checklist_id>", methods=("DELETE",))
def delete_checklist(checklist_id: str) -> Any:
    checklist_ops.delete_checklist(state(), actor(), state().checklist(checklist_id))
    return {"limits": {}}


@route("/checklists/<checklist_id>/checkItems")
def get_check_items(checklist_id: str) -> Any:
    return checklist_answer(readable_checklist(checklist_id))["checkItems"]


@route("/checklists/<checklist_id>/checkItems", methods=("POST",))
def create_check_item(checklist_id: str) -> Any:
    row = checklist_ops.create_check_item(state(), actor(), state().checklist(checklist_id), params())
    return {**check_item_json(row), "limits": {}}


def _checklist_item(checklist_id: str, item_id: str) -> sqlite3.Row:
    checklist = state().checklist(checklist_id)
    item = state().check_item(item_id)
    if item["checklist_id"] != checklist["id"]:
        raise not_found()
    return item


@route("/checklists/<checklist_id>/checkItems/<item_id>")
def get_check_item(checklist_id: str, item_id: str) -> Any:
    readable_checklist(checklist_id)
    return check_item_json(_checklist_item(checklist_id, item_id))


@route("/checklists/<checklist_id>/checkItems/<item_id>", methods=("PUT",))
def update_check_item(checklist_id: str, item_id: str) -> Any:
    return check_item_json(
        checklist_ops.update_check_item(state(), actor(), _checklist_item(checklist_id, item_id), params())
    )


@route("/checklists/<checklist_id>/checkItems/<item_id>", methods=("DELETE",))
def delete_check_item(checklist_id: str, item_id: str) -> Any:
    checklist_ops.delete_check_item(state(), actor(), _checklist_item(checklist_id, item_id))
    return {"limits": {}}
