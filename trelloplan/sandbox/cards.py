"""Card writes (create, copy, update, move, delete; labels and members on cards), each with the
actions Trello writes for it.

Faithful details worth knowing (all seen in real recordings):

- creating a card with ``due`` writes an ``updateCard`` (``old.due: null``) *before* the
  ``createCard``; each ``idMembers`` entry writes an ``addMemberToCard`` before it, too;
- a list move is an ``updateCard`` with ``listBefore``/``listAfter``, ``card.idList`` and
  ``old.idList`` and no ``data.list``; other edits carry ``old.<field>`` and ``data.list``;
- deleting a card removes its own history; only the ``deleteCard`` action remains.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .apierror import ApiError, invalid_value, not_found
from .boards import MAX_TEXT, create_label, required_name
from .ids import is_object_id
from .params import MISSING, Params
from .state import Member, State, position_number

__all__ = [
    "CARD_FIRST",
    "CARD_STEP",
    "CHECK_FIRST",
    "CHECK_STEP",
    "add_card_label",
    "add_card_label_by_new",
    "add_card_member",
    "card_action_context",
    "copy_checklist",
    "create_card",
    "delete_card",
    "remove_card_label",
    "remove_card_member",
    "update_card",
]

CARD_FIRST = 16384.0
CARD_STEP = 65536.0
CHECK_FIRST = 16384.0
CHECK_STEP = 16384.0
KEEP_ALL = {"attachments", "checklists", "comments", "customFields", "due", "start", "labels", "members", "stickers"}


def _invalid_object_id() -> ApiError:
    """Trello's JSON 400 for a bad id inside ``idLabels``/``idMembers``."""
    return ApiError(400, {"message": "Invalid objectId", "error": "ERROR"})


def _card_labels(st: State, board_id: str, ids: list[str]) -> list[str]:
    result: list[str] = []
    for label_id in ids:
        if not is_object_id(label_id) or not st.db.one(
            "SELECT 1 FROM labels WHERE id = ? AND board_id = ?", label_id.lower(), board_id
        ):
            raise _invalid_object_id()
        if label_id.lower() not in result:
            result.append(label_id.lower())
    return result


def _card_members(st: State, board_id: str, ids: list[str]) -> list[Member]:
    result: list[Member] = []
    for member_id in ids:
        member = st.member(member_id.lower()) if is_object_id(member_id) else None
        if member is None or st.membership(board_id, member) is None:
            raise _invalid_object_id()
        if member not in result:
            result.append(member)
    return result


def _positions(st: State, list_id: str, exclude: str | None = None) -> list[float]:
    rows = st.db.all("SELECT pos FROM cards WHERE list_id = ? AND closed = 0 AND id != ?", list_id, exclude or "")
    return [row["pos"] for row in rows]


def _new_short_link(st: State) -> str:
    return st.ids.short_link(lambda s: st.db.one("SELECT 1 FROM cards WHERE short_link = ?", s) is not None)


def _next_id_short(st: State, board_id: str) -> int:
    seq = int(st.db.scalar("SELECT card_seq FROM boards WHERE id = ?", board_id)) + 1
    st.db.update("boards", board_id, {"card_seq": seq})
    return seq


def _due_reminder(p: Params) -> Any:
    value = p.raw("dueReminder")
    if value is MISSING:
        return MISSING
    if value is None or str(value).strip().lower() in {"", "null", "-1"}:
        return None
    return p.integer("dueReminder", 0, 0)


def _text(p: Params, name: str) -> str | None:
    text = p.text(name)
    if text is not None and len(text) > MAX_TEXT:
        raise invalid_value(name)
    return text


# -- cards ------------------------------------------------------------------------------------------


def create_card(st: State, actor: Member, p: Params) -> sqlite3.Row:
    with st.transaction():
        lst = st.param_row("lists", "idList", p.text("idList"))
        board = st.board_by_id(lst["board_id"])
        st.check_write(board["id"], actor)
        source = None
        if p.text("idCardSource"):
            source = st.param_row("cards", "idCardSource", p.text("idCardSource"))
            st.check_read(source["board_id"], actor)
        keep = set(p.words("keepFromSource", "all"))
        if "all" in keep:
            keep = set(KEEP_ALL)
        same_board = source is not None and source["board_id"] == board["id"]
        name = _text(p, "name")
        if name is None:
            name = source["name"] if source else ""
        desc = _text(p, "desc")
        if desc is None:
            desc = source["desc"] if source else ""
        due = p.date_or_null("due")
        if due is MISSING or due is None:
            due = source["due"] if source and "due" in keep else None
        start = p.date_or_null("start")
        if start is MISSING or start is None:
            start = source["start"] if source and "start" in keep else None
        due_reminder = _due_reminder(p)
        label_ids = _card_labels(st, board["id"], p.id_list("idLabels") or [])
        if source and "labels" in keep and same_board:
            label_ids += [i for i in json.loads(source["id_labels"]) if i not in label_ids]
        members = _card_members(st, board["id"], p.id_list("idMembers") or [])
        copied_members: list[Member] = []
        if source and "members" in keep and same_board:
            copied_members = [
                m for m in (st.member(i) for i in json.loads(source["id_members"])) if m and m not in members
            ]
        pos = st.position(p.raw("pos"), _positions(st, lst["id"]), default="bottom", first=CARD_FIRST, step=CARD_STEP)
        card_id = st.new_id()
        st.db.insert(
            "cards",
            {
                "id": card_id,
                "short_link": _new_short_link(st),
                "board_id": board["id"],
                "list_id": lst["id"],
                "id_short": _next_id_short(st, board["id"]),
                "name": name,
                "desc": desc,
                "pos": pos,
                "due": due,
                "start": start,
                "due_complete": int(p.flag("dueComplete", False)),
                "due_reminder": None if due_reminder is MISSING else due_reminder,
                "date_last_activity": st.now(),
                "id_members": json.dumps([m.id for m in [*members, *copied_members]]),
                "id_labels": json.dumps(label_ids),
            },
        )
        card = st.card_by_id(card_id)
        ref, bref, lref = st.card_ref(card), st.board_ref(board), st.list_ref(lst)
        models = [board["id"], card_id, lst["id"]]
        if due:
            st.log.write(
                "updateCard",
                actor,
                {"old": {"due": None}, "card": {"due": due, **ref}, "board": bref, "list": lref},
                models=models,
            )
        for member in members:
            data: dict[str, Any] = {
                "idMember": member.id,
                "card": ref,
                "board": bref,
                "member": {"id": member.id, "name": member.full_name},
            }
            st.log.write("addMemberToCard", actor, data, models=models, member=member)
        if source is None:
            st.log.write("createCard", actor, {"card": ref, "list": lref, "board": bref}, models=models)
            return st.card_by_id(card_id)
        source_ref = st.card_ref(source)
        if "comments" in keep:
            comments = st.db.all(
                "SELECT a.* FROM actions a JOIN action_models m ON m.action_id = a.id WHERE m.model_id = ? "
                "AND a.type = 'commentCard' ORDER BY a.date, a.id",
                source["id"],
            )
            for comment in comments:
                original = json.loads(comment["data"])
                commenter = st.member(comment["id_member_creator"])
                st.log.write(
                    "copyCommentCard",
                    actor,
                    {
                        "text": original.get("text", ""),
                        "idOriginalCommenter": comment["id_member_creator"],
                        "cardSource": source_ref,
                        "card": ref,
                        "board": bref,
                    },
                    models=models,
                    member=commenter,
                    date=comment["date"],
                )
        st.log.write(
            "copyCard", actor, {"cardSource": source_ref, "card": ref, "list": lref, "board": bref}, models=models
        )
        for member in copied_members:
            data = {
                "idMember": member.id,
                "card": ref,
                "board": bref,
                "member": {"id": member.id, "name": member.full_name},
                "fromCopy": True,
            }
            st.log.write("addMemberToCard", actor, data, models=models, member=member)
        if "checklists" in keep:
            for checklist in st.db.all("SELECT * FROM checklists WHERE card_id = ? ORDER BY pos", source["id"]):
                copy_checklist(st, checklist, card)
        return st.card_by_id(card_id)


def copy_checklist(st: State, checklist: sqlite3.Row, card: sqlite3.Row) -> str:
    new_id = st.new_id()
    st.db.insert(
        "checklists",
        {
            "id": new_id,
            "card_id": card["id"],
            "board_id": card["board_id"],
            "name": checklist["name"],
            "pos": checklist["pos"],
        },
    )
    for item in st.db.all("SELECT * FROM check_items WHERE checklist_id = ? ORDER BY pos", checklist["id"]):
        st.db.insert(
            "check_items",
            {
                "id": st.new_id(),
                "checklist_id": new_id,
                "name": item["name"],
                "state": "incomplete",
                "pos": item["pos"],
                "due": item["due"],
            },
        )
    return new_id


def update_card(st: State, actor: Member, card: sqlite3.Row, p: Params) -> sqlite3.Row:
    """Apply a ``PUT /cards/{id}``: one action per changed field, in a fixed order."""
    with st.transaction():
        st.check_write(card["board_id"], actor)
        card_id = card["id"]
        moved = False
        target_board = p.text("idBoard")
        if target_board and target_board != card["board_id"]:
            _move_to_board(st, actor, card, st.param_row("boards", "idBoard", target_board), p)
            moved = True
        elif "idList" in p and p.text("idList") != card["list_id"]:
            target = st.param_row("lists", "idList", p.text("idList"))
            if target["board_id"] != card["board_id"]:
                raise invalid_value("idList")
            values: dict[str, Any] = {"list_id": target["id"]}
            if "pos" in p:
                values["pos"] = st.position(
                    p.raw("pos"),
                    _positions(st, target["id"], card_id),
                    default="bottom",
                    first=CARD_FIRST,
                    step=CARD_STEP,
                )
            st.db.update("cards", card_id, values)
            before = st.list_by_id(card["list_id"])
            fresh = st.card_by_id(card_id)
            st.log.write(
                "updateCard",
                actor,
                {
                    "card": {"idList": target["id"], **st.card_ref(fresh)},
                    "old": {"idList": before["id"]},
                    "board": st.board_ref(st.board_by_id(card["board_id"])),
                    "listBefore": st.list_ref(before),
                    "listAfter": st.list_ref(target),
                },
                models=[card["board_id"], card_id, before["id"], target["id"]],
            )
            moved = True
        card = st.card_by_id(card_id)
        changes: list[tuple[str, str, Any, Any]] = []
        if "closed" in p:
            closed = p.flag("closed", False)
            if closed != bool(card["closed"]):
                changes.append(("closed", "closed", bool(card["closed"]), closed))
        name = required_name(p, required=False)
        if name is not None and name != card["name"]:
            changes.append(("name", "name", card["name"], name))
        desc = _text(p, "desc")
        if desc is not None and desc != card["desc"]:
            changes.append(("desc", "desc", card["desc"], desc))
        for field in ("due", "start"):
            value = p.date_or_null(field)
            if value is not MISSING and value != card[field]:
                changes.append((field, field, card[field], value))
        if "dueComplete" in p:
            done = p.flag("dueComplete", False)
            if done != bool(card["due_complete"]):
                changes.append(("dueComplete", "due_complete", bool(card["due_complete"]), done))
        reminder = _due_reminder(p)
        if reminder is not MISSING and reminder != card["due_reminder"]:
            changes.append(("dueReminder", "due_reminder", card["due_reminder"], reminder))
        if "pos" in p and not moved:
            pos = st.position(
                p.raw("pos"),
                _positions(st, card["list_id"], card_id),
                default="bottom",
                first=CARD_FIRST,
                step=CARD_STEP,
            )
            if pos != card["pos"]:
                changes.append(("pos", "pos", position_number(card["pos"]), position_number(pos)))
        for field, column, old, new in changes:
            st.db.update("cards", card_id, {column: int(new) if isinstance(new, bool) else new})
            fresh = st.card_by_id(card_id)
            st.log.write(
                "updateCard",
                actor,
                {
                    "old": {field: old},
                    "card": {field: new, **st.card_ref(fresh)},
                    "board": st.board_ref(st.board_by_id(fresh["board_id"])),
                    "list": st.list_ref(st.list_by_id(fresh["list_id"])),
                },
                models=[fresh["board_id"], card_id, fresh["list_id"]],
            )
        members = p.id_list("idMembers")
        if members is not None:
            wanted = _card_members(st, card["board_id"], members)
            current = json.loads(st.card_by_id(card_id)["id_members"])
            for member_id in current:
                if member_id not in [m.id for m in wanted]:
                    remove_card_member(st, actor, st.card_by_id(card_id), member_id)
            for member in wanted:
                if member.id not in current:
                    add_card_member(st, actor, st.card_by_id(card_id), member.id)
        labels = p.id_list("idLabels")
        if labels is not None:
            wanted_labels = _card_labels(st, card["board_id"], labels)
            current = json.loads(st.card_by_id(card_id)["id_labels"])
            for label_id in current:
                if label_id not in wanted_labels:
                    remove_card_label(st, actor, st.card_by_id(card_id), label_id)
            for label_id in wanted_labels:
                if label_id not in current:
                    add_card_label(st, actor, st.card_by_id(card_id), label_id)
        if "subscribed" in p:
            st.db.update("cards", card_id, {"subscribed": int(p.flag("subscribed", False))})
        return st.card_by_id(card_id)


def _move_to_board(st: State, actor: Member, card: sqlite3.Row, target: sqlite3.Row, p: Params) -> None:
    """``moveCardFromBoard`` on the source board and ``moveCardToBoard`` on the target."""
    st.check_write(target["id"], actor)
    if p.text("idList"):
        target_list = st.param_row("lists", "idList", p.text("idList"))
        if target_list["board_id"] != target["id"]:
            raise invalid_value("idList")
    else:
        first = st.db.one("SELECT * FROM lists WHERE board_id = ? AND closed = 0 ORDER BY pos LIMIT 1", target["id"])
        if first is None:
            raise invalid_value("idList")
        target_list = first
    source = st.board_by_id(card["board_id"])
    source_list = st.list_by_id(card["list_id"])
    pos = st.position(
        p.raw("pos") if "pos" in p else "bottom",
        _positions(st, target_list["id"]),
        default="bottom",
        first=CARD_FIRST,
        step=CARD_STEP,
    )
    labels = [
        i
        for i in json.loads(card["id_labels"])
        if st.db.one("SELECT 1 FROM labels WHERE id = ? AND board_id = ?", i, target["id"])
    ]
    st.db.update(
        "cards",
        card["id"],
        {
            "board_id": target["id"],
            "list_id": target_list["id"],
            "pos": pos,
            "id_short": _next_id_short(st, target["id"]),
            "id_labels": json.dumps(labels),
        },
    )
    fresh = st.card_by_id(card["id"])
    who = {"id": actor.id, "name": actor.full_name}
    st.log.write(
        "moveCardFromBoard",
        actor,
        {
            "member": who,
            "list": st.list_ref(source_list),
            "boardTarget": {"id": target["id"], "name": target["name"]},
            "board": st.board_ref(source),
            "card": {"id": card["id"], "name": card["name"]},
        },
        models=[source["id"], card["id"], source_list["id"]],
    )
    st.log.write(
        "moveCardToBoard",
        actor,
        {
            "list": st.list_ref(target_list),
            "boardSource": {"id": source["id"], "name": source["name"]},
            "board": st.board_ref(target),
            "card": st.card_ref(fresh),
        },
        models=[target["id"], card["id"], target_list["id"]],
    )


def delete_card(st: State, actor: Member, card: sqlite3.Row) -> None:
    with st.transaction():
        st.check_write(card["board_id"], actor)
        board = st.board_by_id(card["board_id"])
        lst = st.list_by_id(card["list_id"])
        st.log.delete_card_history(card["id"])
        st.db.run(
            "DELETE FROM check_items WHERE checklist_id IN (SELECT id FROM checklists WHERE card_id = ?)", card["id"]
        )
        st.db.run("DELETE FROM checklists WHERE card_id = ?", card["id"])
        st.db.run("DELETE FROM cards WHERE id = ?", card["id"])
        st.log.write(
            "deleteCard",
            actor,
            {
                "card": {"id": card["id"], "idShort": card["id_short"], "shortLink": card["short_link"]},
                "list": st.list_ref(lst),
                "board": st.board_ref(board),
            },
            models=[board["id"], lst["id"]],
        )


def card_action_context(st: State, card: sqlite3.Row) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    board = st.board_by_id(card["board_id"])
    return st.card_ref(card), st.board_ref(board), [board["id"], card["id"], card["list_id"]]


def add_card_label(st: State, actor: Member, card: sqlite3.Row, label_id: str) -> list[str]:
    with st.transaction():
        st.check_write(card["board_id"], actor)
        if not is_object_id(label_id):
            raise _invalid_object_id()
        label = st.db.one("SELECT * FROM labels WHERE id = ? AND board_id = ?", label_id.lower(), card["board_id"])
        if label is None:
            raise invalid_value("value")
        ids: list[str] = json.loads(card["id_labels"])
        if label["id"] in ids:
            raise ApiError(400, "that label is already on the card")
        ids.append(label["id"])
        st.db.update("cards", card["id"], {"id_labels": json.dumps(ids)})
        ref, bref, models = card_action_context(st, card)
        st.log.write(
            "addLabelToCard",
            actor,
            {
                "card": ref,
                "label": {"id": label["id"], "name": label["name"], "color": label["color"]},
                "text": label["name"],
                "board": bref,
            },
            models=models,
        )
        return ids


def remove_card_label(st: State, actor: Member, card: sqlite3.Row, label_id: str) -> None:
    with st.transaction():
        st.check_write(card["board_id"], actor)
        ids: list[str] = json.loads(card["id_labels"])
        if label_id not in ids:
            raise not_found()
        ids.remove(label_id)
        st.db.update("cards", card["id"], {"id_labels": json.dumps(ids)})
        label = st.db.one("SELECT * FROM labels WHERE id = ?", label_id)
        ref, bref, models = card_action_context(st, card)
        info = {"id": label_id, "name": label["name"] if label else "", "color": label["color"] if label else None}
        st.log.write(
            "removeLabelFromCard",
            actor,
            {"card": ref, "label": info, "text": info["name"], "board": bref},
            models=models,
        )


def add_card_label_by_new(st: State, actor: Member, card: sqlite3.Row, p: Params) -> sqlite3.Row:
    """``POST /cards/{id}/labels``: create a label on the card's board and put it on the card."""
    with st.transaction():
        label = create_label(st, actor, st.board_by_id(card["board_id"]), p, name_required=False)
        add_card_label(st, actor, st.card_by_id(card["id"]), label["id"])
        return label


def add_card_member(st: State, actor: Member, card: sqlite3.Row, member_id: str) -> list[str]:
    with st.transaction():
        st.check_write(card["board_id"], actor)
        member = _card_members(st, card["board_id"], [member_id])[0]
        ids: list[str] = json.loads(card["id_members"])
        if member.id in ids:
            raise ApiError(400, "member is already on the card")
        ids.append(member.id)
        st.db.update("cards", card["id"], {"id_members": json.dumps(ids)})
        ref, bref, models = card_action_context(st, card)
        st.log.write(
            "addMemberToCard",
            actor,
            {"idMember": member.id, "card": ref, "board": bref, "member": {"id": member.id, "name": member.full_name}},
            models=models,
            member=member,
        )
        return ids


def remove_card_member(st: State, actor: Member, card: sqlite3.Row, member_id: str) -> list[str]:
    with st.transaction():
        st.check_write(card["board_id"], actor)
        ids: list[str] = json.loads(card["id_members"])
        if member_id not in ids:
            raise not_found()
        ids.remove(member_id)
        st.db.update("cards", card["id"], {"id_members": json.dumps(ids)})
        member = st.member(member_id)
        ref, bref, models = card_action_context(st, card)
        st.log.write(
            "removeMemberFromCard",
            actor,
            {
                "idMember": member_id,
                "card": ref,
                "board": bref,
                "deactivated": False,
                "member": {"id": member_id, "name": member.full_name if member else ""},
            },
            models=models,
            member=member,
        )
        return ids
