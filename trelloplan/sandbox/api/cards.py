"""Card routes: cards, their fields, labels, members, comments, checklists and check items."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from flask import request

from .. import cards as ops
from .. import checklists as checklist_ops
from .. import comments as comment_ops
from ..apierror import bad_route, not_found
from ..params import Params
from ..shapes import (
    BOARD_DEFAULT_FIELDS,
    CARD_DEFAULT_FIELDS,
    CardContext,
    board_json,
    check_item_json,
    label_json,
    list_json,
    pick,
)
from . import actions_json, actor, cards_json, fields, member_brief, params, route, single_field, state
from .lists import checklist_answer

_CARD_WRITABLE = {
    "name",
    "desc",
    "closed",
    "idList",
    "idBoard",
    "pos",
    "due",
    "start",
    "dueComplete",
    "dueReminder",
    "idMembers",
    "idLabels",
    "subscribed",
}


def readable_card(card_id: str) -> sqlite3.Row:
    card = state().card(card_id)
    state().check_read(card["board_id"], actor())
    return card


def card_answer(card: sqlite3.Row, p: Params | None = None, *, created: bool = False) -> dict[str, Any]:
    """A card as ``GET /cards/{id}`` shows it (default fields plus any nested parameters)."""
    p = p or Params()
    out = cards_json([card], p, default_fields=CARD_DEFAULT_FIELDS)[0]
    if p.flag("board", False):
        out["board"] = pick(
            board_json(state(), state().board_by_id(card["board_id"])), fields(p, "board_fields"), BOARD_DEFAULT_FIELDS
        )
    if p.flag("list", False):
        out["list"] = pick(list_json(state().list_by_id(card["list_id"])), fields(p, "list_fields"), ["all"])
    if created:
        out.update({"attachments": [], "stickers": [], "limits": {}})
    return out


def _with_value(p: Params, field: str) -> Params:
    return p.with_values(**{field: p.raw("value")})


# -- cards -----------------------------------------------------------------------------------------------


@route("/cards", methods=("POST",))
def create_card() -> Any:
    return card_answer(ops.create_card(state(), actor(), params()), created=True)


@route("/cards/<card_id>")
def get_card(card_id: str) -> Any:
    return card_answer(readable_card(card_id), params())


@route("/cards/<card_id>", methods=("PUT",))
def update_card(card_id: str) -> Any:
    return card_answer(ops.update_card(state(), actor(), state().card(card_id), params()))


@route("/cards/<card_id>", methods=("DELETE",))
def delete_card(card_id: str) -> Any:
    ops.delete_card(state(), actor(), state().card(card_id))
    return {"limits": {}}


@route("/cards/<card_id>/<field>")
def get_card_field(card_id: str, field: str) -> Any:
    card = readable_card(card_id)
    return single_field(CardContext(state(), [card]).card_json(card), field)


@route("/cards/<card_id>/<field>", methods=("PUT",))
def put_card_field(card_id: str, field: str) -> Any:
    if field not in _CARD_WRITABLE:
        raise bad_route("PUT", request.path)
    return card_answer(ops.update_card(state(), actor(), state().card(card_id), _with_value(params(), field)))


@route("/cards/<card_id>/actions")
def get_card_actions(card_id: str) -> Any:
    card = readable_card(card_id)
    return actions_json(card["id"], params(), default_filter="commentCard,updateCard:idList")


@route("/cards/<card_id>/board")
def get_card_board(card_id: str) -> Any:
    card = readable_card(card_id)
    return pick(board_json(state(), state().board_by_id(card["board_id"])), fields(params()), BOARD_DEFAULT_FIELDS)


@route("/cards/<card_id>/list")
def get_card_list(card_id: str) -> Any:
    card = readable_card(card_id)
    return pick(list_json(state().list_by_id(card["list_id"])), fields(params()), ["all"])


@route("/cards/<card_id>/members")
def get_card_members(card_id: str) -> Any:
    card = readable_card(card_id)
    return [member_brief(m) for m in (state().member(i) for i in json.loads(card["id_members"])) if m]


@route("/cards/<card_id>/labels")
def get_card_labels(card_id: str) -> Any:
    card = readable_card(card_id)
    return CardContext(state(), [card]).card_json(card)["labels"]


@route("/cards/<card_id>/attachments")
def get_card_attachments(card_id: str) -> Any:
    readable_card(card_id)
    return []


@route("/cards/<card_id>/pluginData")
def get_card_plugin_data(card_id: str) -> Any:
    readable_card(card_id)
    return []


@route("/cards/<card_id>/stickers")
def get_card_stickers(card_id: str) -> Any:
    readable_card(card_id)
    return []


@route("/cards/<card_id>/customFieldItems")
def get_card_custom_field_items(card_id: str) -> Any:
    readable_card(card_id)
    return []


@route("/cards/<card_id>/idLabels", methods=("POST",))
def add_card_label(card_id: str) -> Any:
    return ops.add_card_label(state(), actor(), state().card(card_id), params().text("value") or "")


@route("/cards/<card_id>/idLabels/<label_id>", methods=("DELETE",))
def remove_card_label(card_id: str, label_id: str) -> Any:
    ops.remove_card_label(state(), actor(), state().card(card_id), label_id)
    return {"_value": None}


@route("/cards/<card_id>/labels", methods=("POST",))
def create_card_label(card_id: str) -> Any:
    label = ops.add_card_label_by_new(state(), actor(), state().card(card_id), params())
    return label_json(label, 1)


def _members_answer(ids: list[str]) -> list[dict[str, Any]]:
    return [member_brief(m) for m in (state().member(i) for i in ids) if m]


@route("/cards/<card_id>/idMembers", methods=("POST",))
def add_card_member(card_id: str) -> Any:
    return _members_answer(ops.add_card_member(state(), actor(), state().card(card_id), params().text("value") or ""))


@route("/cards/<card_id>/members", methods=("POST",))
def add_card_member_alias(card_id: str) -> Any:
    return add_card_member(card_id)


@route("/cards/<card_id>/idMembers/<member_id>", methods=("DELETE",))
def remove_card_member(card_id: str, member_id: str) -> Any:
    return _members_answer(ops.remove_card_member(state(), actor(), state().card(card_id), member_id))


@route("/cards/<card_id>/actions/comments", methods=("POST",))
def add_comment(card_id: str) -> Any:
    st = state()
    action_id = comment_ops.add_comment(st, actor(), st.card(card_id), params())
    return st.log.to_json(st.action(action_id), display=True)


@route("/cards/<card_id>/actions/<action_id>/comments", methods=("PUT",))
def edit_card_comment(card_id: str, action_id: str) -> Any:
    st = state()
    action = st.action(action_id)
    comment_ops.edit_comment(st, actor(), action, params())
    return st.log.to_json(st.action(action_id), display=True)


@route("/cards/<card_id>/actions/<action_id>/comments", methods=("DELETE",))
def delete_card_comment(card_id: str, action_id: str) -> Any:
    st = state()
    comment_ops.delete_comment(st, actor(), st.action(action_id))
    return {"_value": None}


@route("/cards/<card_id>/checklists")
def get_card_checklists(card_id: str) -> Any:
    card = readable_card(card_id)
    wanted = fields(params())
    return [pick(c, wanted, ["all"]) for c in CardContext(state(), [card]).checklists_json(card["id"])]


@route("/cards/<card_id>/checklists", methods=("POST",))
def create_card_checklist(card_id: str) -> Any:
    return checklist_answer(checklist_ops.create_checklist(state(), actor(), state().card(card_id), params()))


def _card_item(card_id: str, item_id: str) -> sqlite3.Row:
    card = state().card(card_id)
    item = state().check_item(item_id)
    if state().checklist(item["checklist_id"])["card_id"] != card["id"]:
        raise not_found()
    return item


@route("/cards/<card_id>/checkItem/<item_id>")
def get_card_check_item(card_id: str, item_id: str) -> Any:
    readable_card(card_id)
    return check_item_json(_card_item(card_id, item_id))


@route("/cards/<card_id>/checkItem/<item_id>", methods=("PUT",))
def update_card_check_item(card_id: str, item_id: str) -> Any:
    return check_item_json(checklist_ops.update_check_item(state(), actor(), _card_item(card_id, item_id), params()))


@route("/cards/<card_id>/checkItem/<item_id>", methods=("DELETE",))
def delete_card_check_item(card_id: str, item_id: str) -> Any:
    checklist_ops.delete_check_item(state(), actor(), _card_item(card_id, item_id))
    return {"limits": {}}
