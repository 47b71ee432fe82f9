"""Checklists and check items on cards, with Trello's ``addChecklistToCard``,
``removeChecklistFromCard`` and ``updateCheckItemStateOnCard`` actions."""

from __future__ import annotations

import sqlite3
from typing import Any

from .apierror import invalid_value
from .boards import required_name
from .cards import CHECK_FIRST, CHECK_STEP, card_action_context, copy_checklist
from .params import MISSING, Params
from .state import Member, State

__all__ = [
    "create_check_item",
    "create_checklist",
    "delete_check_item",
    "delete_checklist",
    "update_check_item",
    "update_checklist",
]


def create_checklist(st: State, actor: Member, card: sqlite3.Row, p: Params) -> sqlite3.Row:
    name = required_name(p, required=False) or "Checklist"
    with st.transaction():
        st.check_write(card["board_id"], actor)
        existing = [r["pos"] for r in st.db.all("SELECT pos FROM checklists WHERE card_id = ?", card["id"])]
        pos = st.position(p.raw("pos"), existing, default="bottom", first=CHECK_FIRST, step=CHECK_STEP)
        source_id = p.text("idChecklistSource")
        if source_id:
            source = st.param_row("checklists", "idChecklistSource", source_id)
            checklist_id = copy_checklist(st, source, card)
            st.db.update("checklists", checklist_id, {"name": name, "pos": pos})
        else:
            checklist_id = st.new_id()
            st.db.insert(
                "checklists",
                {"id": checklist_id, "card_id": card["id"], "board_id": card["board_id"], "name": name, "pos": pos},
            )
        ref, bref, models = card_action_context(st, card)
        st.log.write(
            "addChecklistToCard",
            actor,
            {"card": ref, "checklist": {"id": checklist_id, "name": name}, "board": bref},
            models=models,
        )
        return st.checklist(checklist_id)


def update_checklist(st: State, actor: Member, checklist: sqlite3.Row, p: Params) -> sqlite3.Row:
    with st.transaction():
        st.check_write(checklist["board_id"], actor)
        name = required_name(p, required=False)
        if name is not None and name != checklist["name"]:
            st.db.update("checklists", checklist["id"], {"name": name})
            card = st.card_by_id(checklist["card_id"])
            ref, bref, models = card_action_context(st, card)
            st.log.write(
                "updateChecklist",
                actor,
                {
                    "card": ref,
                    "checklist": {"id": checklist["id"], "name": name},
                    "old": {"name": checklist["name"]},
                    "board": bref,
                },
                models=models,
            )
        if "pos" in p:
            others = [
                r["pos"]
                for r in st.db.all(
                    "SELECT pos FROM checklists WHERE card_id = ? AND id != ?", checklist["card_id"], checklist["id"]
                )
            ]
            st.db.update(
                "checklists",
                checklist["id"],
                {"pos": st.position(p.raw("pos"), others, default="bottom", first=CHECK_FIRST, step=CHECK_STEP)},
            )
        return st.checklist(checklist["id"])


def delete_checklist(st: State, actor: Member, checklist: sqlite3.Row) -> None:
    with st.transaction():
        st.check_write(checklist["board_id"], actor)
        st.db.run("DELETE FROM check_items WHERE checklist_id = ?", checklist["id"])
        st.db.run("DELETE FROM checklists WHERE id = ?", checklist["id"])
        ref, bref, models = card_action_context(st, st.card_by_id(checklist["card_id"]))
        st.log.write(
            "removeChecklistFromCard",
            actor,
            {"card": ref, "checklist": {"id": checklist["id"], "name": checklist["name"]}, "board": bref},
            models=models,
        )


def _state_param(p: Params) -> str | None:
    value = p.raw("state")
    if value is MISSING or value is None:
        return None
    text = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
    if text in {"complete", "true"}:
        return "complete"
    if text in {"incomplete", "false"}:
        return "incomplete"
    raise invalid_value("state")


def create_check_item(st: State, actor: Member, checklist: sqlite3.Row, p: Params) -> sqlite3.Row:
    name = required_name(p)
    with st.transaction():
        st.check_write(checklist["board_id"], actor)
        existing = [r["pos"] for r in st.db.all("SELECT pos FROM check_items WHERE checklist_id = ?", checklist["id"])]
        pos = st.position(p.raw("pos"), existing, default="bottom", first=CHECK_FIRST, step=CHECK_STEP)
        due = p.date_or_null("due")
        item_id = st.new_id()
        state = "complete" if p.flag("checked", False) else "incomplete"
        st.db.insert(
            "check_items",
            {
                "id": item_id,
                "checklist_id": checklist["id"],
                "name": name,
                "state": state,
                "pos": pos,
                "due": None if due is MISSING else due,
            },
        )
        card = st.card_by_id(checklist["card_id"])
        ref, bref, models = card_action_context(st, card)
        checklist_ref = {"id": checklist["id"], "name": checklist["name"]}
        st.log.write(
            "createCheckItem",
            actor,
            {
                "card": ref,
                "checklist": checklist_ref,
                "checkItem": {"id": item_id, "name": name, "state": state},
                "board": bref,
            },
            models=models,
        )
        return st.check_item(item_id)


def update_check_item(st: State, actor: Member, item: sqlite3.Row, p: Params) -> sqlite3.Row:
    with st.transaction():
        checklist = st.checklist(item["checklist_id"])
        st.check_write(checklist["board_id"], actor)
        card = st.card_by_id(checklist["card_id"])
        ref, bref, models = card_action_context(st, card)
        values: dict[str, Any] = {}
        name = required_name(p, required=False)
        if name is not None and name != item["name"]:
            values["name"] = name
        due = p.date_or_null("due")
        if due is not MISSING:
            values["due"] = due
        if "pos" in p:
            others = [
                r["pos"]
                for r in st.db.all(
                    "SELECT pos FROM check_items WHERE checklist_id = ? AND id != ?", checklist["id"], item["id"]
                )
            ]
            values["pos"] = st.position(p.raw("pos"), others, default="bottom", first=CHECK_FIRST, step=CHECK_STEP)
        state = _state_param(p)
        if values:
            st.db.update("check_items", item["id"], values)
            if "name" in values:
                st.log.write(
                    "updateCheckItem",
                    actor,
                    {
                        "card": ref,
                        "checklist": {"id": checklist["id"], "name": checklist["name"]},
                        "checkItem": {"id": item["id"], "name": name, "state": item["state"]},
                        "old": {"name": item["name"]},
                        "board": bref,
                    },
                    models=models,
                )
        if state is not None and state != item["state"]:
            st.db.update("check_items", item["id"], {"state": state})
            st.log.write(
                "updateCheckItemStateOnCard",
                actor,
                {
                    "card": ref,
                    "checklist": {"id": checklist["id"], "name": checklist["name"]},
                    "checkItem": {
                        "id": item["id"],
                        "name": values.get("name", item["name"]),
                        "state": state,
                        "textData": {"emoji": {}},
                    },
                    "board": bref,
                },
                models=models,
            )
        return st.check_item(item["id"])


def delete_check_item(st: State, actor: Member, item: sqlite3.Row) -> None:
    with st.transaction():
        checklist = st.checklist(item["checklist_id"])
        st.check_write(checklist["board_id"], actor)
        st.db.run("DELETE FROM check_items WHERE id = ?", item["id"])
        ref, bref, models = card_action_context(st, st.card_by_id(checklist["card_id"]))
        st.log.write(
            "deleteCheckItem",
            actor,
            {
                "card": ref,
                "checklist": {"id": checklist["id"], "name": checklist["name"]},
                "checkItem": {"id": item["id"], "name": item["name"], "state": item["state"]},
                "board": bref,
            },
            models=models,
        )
