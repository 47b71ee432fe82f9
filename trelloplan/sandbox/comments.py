"""Comments: ``commentCard`` actions, which members may edit and delete (their own only)."""

from __future__ import annotations

import json
import sqlite3

from .apierror import invalid_value, unauthorized
from .boards import required_name
from .cards import card_action_context
from .params import Params
from .state import Member, State

__all__ = ["add_comment", "delete_comment", "edit_comment"]


def add_comment(st: State, actor: Member, card: sqlite3.Row, p: Params) -> str:
    text = required_name(p, "text")
    with st.transaction():
        st.check_write(card["board_id"], actor)
        ref, bref, models = card_action_context(st, card)
        return st.log.write(
            "commentCard",
            actor,
            {
                "text": text,
                "textData": {"emoji": {}},
                "card": ref,
                "board": bref,
                "list": st.list_ref(st.list_by_id(card["list_id"])),
            },
            models=models,
        )


def _own_comment(st: State, actor: Member, action: sqlite3.Row) -> None:
    if action["type"] != "commentCard":
        raise invalid_value("idAction")
    if action["id_member_creator"] != actor.id:
        raise unauthorized()


def edit_comment(st: State, actor: Member, action: sqlite3.Row, p: Params) -> None:
    text = required_name(p, "text") if "text" in p else required_name(p, "value")
    with st.transaction():
        _own_comment(st, actor, action)
        data = json.loads(action["data"])
        data["text"] = text
        data["dateLastEdited"] = st.now()
        st.db.update("actions", action["id"], {"data": json.dumps(data)})


def delete_comment(st: State, actor: Member, action: sqlite3.Row) -> None:
    with st.transaction():
        _own_comment(st, actor, action)
        st.log.delete(action["id"])
