"""Board, list and label writes, each with the actions Trello writes for it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .apierror import ApiError, invalid_value, not_found
from .params import MISSING, Params
from .shapes import LABEL_COLORS, default_prefs
from .state import Member, State
from .workspaces import check_board_placement, check_room

__all__ = [
    "LIST_FIRST",
    "LIST_STEP",
    "add_board_member",
    "archive_all_cards",
    "create_board",
    "create_label",
    "create_list",
    "delete_board",
    "delete_label",
    "label_color",
    "move_all_cards",
    "remove_board_member",
    "required_name",
    "update_board",
    "update_label",
    "update_list",
]

LIST_FIRST = 65535.0
LIST_STEP = 65536.0
MAX_TEXT = 16384
_PREF_CHOICES = {
    "permissionLevel": {"org", "private", "public"},
    "voting": {"disabled", "members", "observers", "org", "public"},
    "comments": {"disabled", "members", "observers", "org", "public"},
    "invitations": {"members", "admins"},
    "cardAging": {"pirate", "regular"},
    "background": {"blue", "orange", "green", "red", "purple", "pink", "lime", "sky", "grey"},
}
_PREF_FLAGS = {"selfJoin", "cardCovers", "hideVotes", "calendarFeedEnabled", "isTemplate"}
_VALID_COLORS = set(LABEL_COLORS) | {f"{c}_{v}" for c in LABEL_COLORS for v in ("light", "dark")}


def required_name(p: Params, name: str = "name", *, required: bool = True, allow_empty: bool = False) -> str | None:
    """A name-like text parameter: present (if required), 1..16384 characters."""
    text = p.text(name)
    if text is None:
        if required:
            raise invalid_value(name)
        return None
    if len(text) > MAX_TEXT or (not text and not allow_empty):
        raise invalid_value(name)
    return text


def label_color(p: Params, name: str = "color") -> str | Any | None:
    """A label colour: one of Trello's 10 (or their ``_light``/``_dark`` variants), or null."""
    value = p.raw(name)
    if value is MISSING:
        return MISSING
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "null", "none"}):
        return None
    if not isinstance(value, str) or value not in _VALID_COLORS:
        raise invalid_value(name)
    return value


def _pref(p: Params, name: str, param: str) -> Any:
    if name in _PREF_FLAGS:
        return p.flag(param, False) if param in p else MISSING
    value = p.text(param)
    if value is None:
        return MISSING
    if value not in _PREF_CHOICES[name]:
        raise invalid_value(param)
    return value


def _label_names(st: State, board_id: str) -> dict[str, str]:
    names = {color: "" for color in LABEL_COLORS}
    for row in st.db.all("SELECT name, color FROM labels WHERE board_id = ? ORDER BY rowid DESC", board_id):
        if row["color"] in names:
            names[row["color"]] = row["name"]
    return names


def refresh_label_names(st: State, board_id: str) -> None:
    st.db.run("UPDATE boards SET label_names = ? WHERE id = ?", json.dumps(_label_names(st, board_id)), board_id)


# -- boards ------------------------------------------------------------------------------------


def create_board(st: State, actor: Member, p: Params) -> sqlite3.Row:
    name = required_name(p)
    desc = p.text("desc", "") or ""
    if len(desc) > MAX_TEXT:
        raise invalid_value("desc")
    source = None
    source_id = p.text("idBoardSource")
    if source_id:
        source = st.param_row("boards", "idBoardSource", source_id)
        st.check_read(source["id"], actor)
        desc = ""  # observed: Trello ignores desc when copying a board
    keep = p.text("keepFromSource", "none")
    if keep not in {"none", "cards"}:
        raise invalid_value("keepFromSource")
    organization = None
    if p.text("idOrganization"):
        organization = check_board_placement(st, actor, p.text("idOrganization"))
    prefs = default_prefs()
    for pref in (*_PREF_CHOICES, *_PREF_FLAGS):
        value = _pref(p, pref, f"prefs_{pref}")
        if value is not MISSING:
            prefs[pref] = value
    colors = default_prefs(prefs["background"])
    for key in ("backgroundColor", "backgroundBottomColor", "backgroundTopColor"):
        prefs[key] = colors[key]
    with st.transaction():
        board_id = st.new_id()
        short = st.ids.short_link(lambda s: st.db.one("SELECT 1 FROM boards WHERE short_link = ?", s) is not None)
        st.db.insert(
            "boards",
            {
                "id": board_id,
                "short_link": short,
                "name": name,
                "desc": desc,
                "id_organization": organization["id"] if organization else None,
                "id_member_creator": actor.id,
                "prefs": json.dumps(prefs),
                "label_names": json.dumps({c: "" for c in LABEL_COLORS}),
                "date_last_activity": st.now(),
                "id_board_source": source["id"] if source else None,
            },
        )
        st.db.insert(
            "memberships", {"id": st.new_id(), "board_id": board_id, "member_id": actor.id, "member_type": "admin"}
        )
        board = st.board_by_id(board_id)
        data: dict[str, Any] = {"board": st.board_ref(board)}
        if source is not None:
            data["boardSource"] = {"id": source["id"], "name": source["name"]}
        st.log.write("copyBoard" if source else "createBoard", actor, data, models=[board_id])
        if organization is not None:
            st.log.write("addToOrganizationBoard", actor, {
                "board": st.board_ref(board), "organization": {"id": organization["id"], "name": organization["display_name"]},
            }, models=[board_id])
        if source is not None:
            _copy_board_content(st, source, board_id, cards=keep == "cards")
        else:
            if p.flag("defaultLists", True):
                for pos, list_name in ((16384.0, "To Do"), (32768.0, "Doing"), (49152.0, "Done")):
                    st.db.insert("lists", {"id": st.new_id(), "board_id": board_id, "name": list_name, "pos": pos})
            if p.flag("defaultLabels", True):
                for color in ("green", "yellow", "orange", "red", "purple", "blue"):
                    st.db.insert("labels", {"id": st.new_id(), "board_id": board_id, "name": "", "color": color})
        refresh_label_names(st, board_id)
        return st.board_by_id(board_id)


def _copy_board_content(st: State, source: sqlite3.Row, board_id: str, *, cards: bool) -> None:
    label_map: dict[str, str] = {}
    for label in st.db.all("SELECT * FROM labels WHERE board_id = ? ORDER BY rowid", source["id"]):
        label_map[label["id"]] = st.new_id()
        st.db.insert(
            "labels",
            {"id": label_map[label["id"]], "board_id": board_id, "name": label["name"], "color": label["color"]},
        )
    for lst in st.db.all("SELECT * FROM lists WHERE board_id = ? AND closed = 0 ORDER BY pos", source["id"]):
        list_id = st.new_id()
        st.db.insert("lists", {"id": list_id, "board_id": board_id, "name": lst["name"], "pos": lst["pos"]})
        if not cards:
            continue
        for card in st.db.all("SELECT * FROM cards WHERE list_id = ? AND closed = 0 ORDER BY pos", lst["id"]):
            seq = int(st.db.scalar("SELECT card_seq FROM boards WHERE id = ?", board_id)) + 1
            st.db.run("UPDATE boards SET card_seq = ? WHERE id = ?", seq, board_id)
            labels = [label_map[i] for i in json.loads(card["id_labels"]) if i in label_map]
            st.db.insert(
                "cards",
                {
                    "id": st.new_id(),
                    "short_link": st.ids.short_link(
                        lambda s: st.db.one("SELECT 1 FROM cards WHERE short_link = ?", s) is not None
                    ),
                    "board_id": board_id,
                    "list_id": list_id,
                    "id_short": seq,
                    "name": card["name"],
                    "desc": card["desc"],
                    "pos": card["pos"],
                    "due": card["due"],
                    "start": card["start"],
                    "due_complete": card["due_complete"],
                    "date_last_activity": st.now(),
                    "id_labels": json.dumps(labels),
                },
            )


def update_board(st: State, actor: Member, board: sqlite3.Row, p: Params) -> sqlite3.Row:
    with st.transaction():
        st.check_write(board["id"], actor)
        changes: list[tuple[str, Any, Any]] = []
        name = required_name(p, required=False)
        if name is not None and name != board["name"]:
            changes.append(("name", board["name"], name))
        desc = p.text("desc")
        if desc is not None and desc != board["desc"]:
            if len(desc) > MAX_TEXT:
                raise invalid_value("desc")
            changes.append(("desc", board["desc"], desc))
        if "closed" in p:
            closed = p.flag("closed", False)
            if closed != bool(board["closed"]):
                changes.append(("closed", bool(board["closed"]), closed))
        organization = board["id_organization"]
        if "idOrganization" in p:
            organization = p.text("idOrganization") or None
            if organization is not None:
                organization = check_board_placement(st, actor, organization, adding=False)["id"]
            if organization != board["id_organization"]:
                changes.append(("idOrganization", board["id_organization"], organization))
        reopened = any(field == "closed" and not new for field, _, new in changes)
        moved = organization != board["id_organization"]
        if organization and (moved and not board["closed"] or reopened):
            check_room(st, organization)
        prefs = json.loads(board["prefs"])
        for pref in (*_PREF_CHOICES, *_PREF_FLAGS):
            value = _pref(p, pref, f"prefs/{pref}")
            if value is MISSING:
                value = _pref(p, pref, f"prefs_{pref}")
            if value is not MISSING and value != prefs.get(pref):
                changes.append((f"prefs/{pref}", prefs.get(pref), value))
        subscribed = p.flag("subscribed", bool(board["subscribed"]))
        columns = {"name": "name", "desc": "desc", "closed": "closed", "idOrganization": "id_organization"}
        for field, old, new in changes:
            if field.startswith("prefs/"):
                pref = field.split("/", 1)[1]
                prefs[pref] = new
                if pref == "background":
                    prefs.update({k: v for k, v in default_prefs(new).items() if k.endswith("Color")})
                st.db.update("boards", board["id"], {"prefs": json.dumps(prefs)})
                old_data: dict[str, Any] = {"prefs": {pref: old}}
                new_data: dict[str, Any] = {"prefs": {pref: new}}
            else:
                values: dict[str, Any] = {columns[field]: new}
                if field == "closed":
                    values["date_closed"] = st.now() if new else None
                st.db.update("boards", board["id"], values)
                old_data, new_data = {field: old}, {field: new}
            fresh = st.board_by_id(board["id"])
            st.log.write(
                "updateBoard",
                actor,
                {"board": {**new_data, **st.board_ref(fresh)}, "old": old_data},
                models=[board["id"]],
            )
        st.db.update("boards", board["id"], {"subscribed": int(subscribed)})
        return st.board_by_id(board["id"])


def delete_board(st: State, actor: Member, board: sqlite3.Row) -> None:
    with st.transaction():
        membership = st.membership(board["id"], actor)
        if membership is None or membership["member_type"] != "admin":
            raise ApiError(401, "unauthorized permission requested")
        board_id = board["id"]
        for card in st.db.all("SELECT id FROM cards WHERE board_id = ?", board_id):
            st.log.delete_card_history(card["id"])
        for row in st.db.all("SELECT action_id FROM action_models WHERE model_id = ?", board_id):
            st.log.delete(row["action_id"])
        st.db.run(
            "DELETE FROM check_items WHERE checklist_id IN (SELECT id FROM checklists WHERE board_id = ?)", board_id
        )
        for table in ("checklists", "cards", "labels", "lists", "memberships"):
            st.db.run(f"DELETE FROM {table} WHERE board_id = ?", board_id)
        st.db.run("DELETE FROM boards WHERE id = ?", board_id)


def add_board_member(st: State, actor: Member, board: sqlite3.Row, member: Member, member_type: str) -> None:
    if member_type not in {"admin", "normal", "observer"}:
        raise invalid_value("type")
    with st.transaction():
        st.check_write(board["id"], actor)
        existing = st.membership(board["id"], member)
        ref = st.board_ref(board)
        if existing is None:
            st.db.insert(
                "memberships",
                {"id": st.new_id(), "board_id": board["id"], "member_id": member.id, "member_type": member_type},
            )
            st.log.write(
                "addMemberToBoard",
                actor,
                {"memberType": member_type, "idMemberAdded": member.id, "board": ref},
                models=[board["id"]],
                member=member,
            )
        elif existing["member_type"] != member_type:
            st.db.update("memberships", existing["id"], {"member_type": member_type})
            kind = {
                "admin": "makeAdminOfBoard",
                "normal": "makeNormalMemberOfBoard",
                "observer": "makeObserverOfBoard",
            }[member_type]
            st.log.write(kind, actor, {"idMember": member.id, "board": ref}, models=[board["id"]], member=member)


def remove_board_member(st: State, actor: Member, board: sqlite3.Row, member: Member) -> None:
    with st.transaction():
        st.check_write(board["id"], actor)
        existing = st.membership(board["id"], member)
        if existing is None:
            raise not_found()
        st.db.run("DELETE FROM memberships WHERE id = ?", existing["id"])
        st.log.write(
            "removeMemberFromBoard",
            actor,
            {"idMember": member.id, "board": st.board_ref(board)},
            models=[board["id"]],
            member=member,
        )


# -- lists ---------------------------------------------------------------------------------------


def create_list(st: State, actor: Member, board: sqlite3.Row, p: Params) -> sqlite3.Row:
    name = required_name(p)
    with st.transaction():
        st.check_write(board["id"], actor)
        existing = [
            row["pos"] for row in st.db.all("SELECT pos FROM lists WHERE board_id = ? AND closed = 0", board["id"])
        ]
        pos = st.position(p.raw("pos"), existing, default="top", first=LIST_FIRST, step=LIST_STEP)
        list_id = st.new_id()
        st.db.insert("lists", {"id": list_id, "board_id": board["id"], "name": name, "pos": pos})
        row = st.list_by_id(list_id)
        st.log.write(
            "createList", actor, {"list": st.list_ref(row), "board": st.board_ref(board)}, models=[board["id"], list_id]
        )
        return row


def update_list(st: State, actor: Member, lst: sqlite3.Row, p: Params) -> sqlite3.Row:
    with st.transaction():
        st.check_write(lst["board_id"], actor)
        board = st.board_by_id(lst["board_id"])
        changes: list[tuple[str, str, Any, Any]] = []
        name = required_name(p, required=False)
        if name is not None and name != lst["name"]:
            changes.append(("name", "name", lst["name"], name))
        if "closed" in p:
            closed = p.flag("closed", False)
            if closed != bool(lst["closed"]):
                changes.append(("closed", "closed", bool(lst["closed"]), closed))
        if "pos" in p:
            others = [
                r["pos"]
                for r in st.db.all(
                    "SELECT pos FROM lists WHERE board_id = ? AND id != ? AND closed = 0", lst["board_id"], lst["id"]
                )
            ]
            pos = st.position(p.raw("pos"), others, default="bottom", first=LIST_FIRST, step=LIST_STEP)
            if pos != lst["pos"]:
                changes.append(("pos", "pos", lst["pos"], pos))
        if "softLimit" in p:
            text = p.text("softLimit") or ""
            soft = None if text in {"", "null"} else p.integer("softLimit", 0, 0, 5000)
            if soft != lst["soft_limit"]:
                changes.append(("softLimit", "soft_limit", lst["soft_limit"], soft))
        if "subscribed" in p:
            st.db.update("lists", lst["id"], {"subscribed": int(p.flag("subscribed", False))})
        for field, column, old, new in changes:
            st.db.update("lists", lst["id"], {column: int(new) if isinstance(new, bool) else new})
            fresh = st.list_by_id(lst["id"])
            old_value = position_value(old) if field == "pos" else old
            new_value = position_value(new) if field == "pos" else new
            st.log.write(
                "updateList",
                actor,
                {
                    "old": {field: old_value},
                    "list": {field: new_value, **st.list_ref(fresh)},
                    "board": st.board_ref(board),
                },
                models=[board["id"], lst["id"]],
            )
        target_id = p.text("idBoard")
        if target_id and target_id != lst["board_id"]:
            _move_list_to_board(
                st, actor, st.list_by_id(lst["id"]), board, st.param_row("boards", "idBoard", target_id), p
            )
        return st.list_by_id(lst["id"])


def position_value(pos: Any) -> Any:
    from .state import position_number

    return position_number(pos) if isinstance(pos, (int, float)) else pos


def _move_list_to_board(
    st: State, actor: Member, lst: sqlite3.Row, source: sqlite3.Row, target: sqlite3.Row, p: Params
) -> None:
    """``moveListFromBoard`` on the source board, ``moveListToBoard`` on the target; cards travel."""
    st.check_write(target["id"], actor)
    existing = [r["pos"] for r in st.db.all("SELECT pos FROM lists WHERE board_id = ? AND closed = 0", target["id"])]
    pos = st.position(
        p.raw("pos") if "pos" in p else "bottom", existing, default="bottom", first=LIST_FIRST, step=LIST_STEP
    )
    st.db.update("lists", lst["id"], {"board_id": target["id"], "pos": pos})
    seq = target["card_seq"]
    for card in st.db.all("SELECT id FROM cards WHERE list_id = ? ORDER BY pos", lst["id"]):
        seq += 1
        st.db.update("cards", card["id"], {"board_id": target["id"], "id_short": seq, "id_labels": "[]"})
    st.db.update("boards", target["id"], {"card_seq": seq})
    who = {"id": actor.id, "name": actor.full_name}
    ref = st.list_ref(lst)
    st.log.write(
        "moveListFromBoard",
        actor,
        {"list": ref, "board": st.board_ref(source), "boardTarget": {"id": target["id"]}, "member": who},
        models=[source["id"], lst["id"]],
    )
    st.log.write(
        "moveListToBoard",
        actor,
        {"list": ref, "board": st.board_ref(target), "boardSource": {"id": source["id"]}, "member": who},
        models=[target["id"], lst["id"]],
    )


def archive_all_cards(st: State, actor: Member, lst: sqlite3.Row) -> None:
    from .cards import update_card

    with st.transaction():
        st.check_write(lst["board_id"], actor)
        for card in st.db.all("SELECT * FROM cards WHERE list_id = ? AND closed = 0 ORDER BY pos", lst["id"]):
            update_card(st, actor, card, Params({"closed": "true"}))


def move_all_cards(st: State, actor: Member, lst: sqlite3.Row, p: Params) -> list[sqlite3.Row]:
    from .cards import update_card

    with st.transaction():
        st.check_write(lst["board_id"], actor)
        target_board = st.param_row("boards", "idBoard", p.text("idBoard"))
        target_list = st.param_row("lists", "idList", p.text("idList"))
        if target_list["board_id"] != target_board["id"]:
            raise invalid_value("idList")
        moved = []
        for card in st.db.all("SELECT * FROM cards WHERE list_id = ? AND closed = 0 ORDER BY pos", lst["id"]):
            values = {"idList": target_list["id"], "pos": "bottom"}
            if target_board["id"] != card["board_id"]:
                values["idBoard"] = target_board["id"]
            moved.append(update_card(st, actor, card, Params(values)))
        return moved


# -- labels -----------------------------------------------------------------------------------------


def create_label(st: State, actor: Member, board: sqlite3.Row, p: Params, *, name_required: bool = True) -> sqlite3.Row:
    name = required_name(p, required=name_required, allow_empty=True) or ""
    color = label_color(p)
    with st.transaction():
        st.check_write(board["id"], actor)
        label_id = st.new_id()
        st.db.insert(
            "labels",
            {"id": label_id, "board_id": board["id"], "name": name, "color": None if color is MISSING else color},
        )
        row = st.label(label_id)
        st.log.write(
            "createLabel",
            actor,
            {"label": {"id": label_id, "name": name, "color": row["color"]}, "board": st.board_ref(board)},
            models=[board["id"]],
        )
        refresh_label_names(st, board["id"])
        return row


def update_label(st: State, actor: Member, label: sqlite3.Row, p: Params) -> sqlite3.Row:
    with st.transaction():
        st.check_write(label["board_id"], actor)
        values: dict[str, Any] = {}
        name = required_name(p, required=False, allow_empty=True)
        if name is not None and name != label["name"]:
            values["name"] = name
        color = label_color(p)
        if color is not MISSING and color != label["color"]:
            values["color"] = color
        if values:
            st.db.update("labels", label["id"], values)
            old = {key: label[key] for key in values}
            st.log.write(
                "updateLabel",
                actor,
                {
                    "label": {
                        "id": label["id"],
                        "name": values.get("name", label["name"]),
                        "color": values.get("color", label["color"]),
                    },
                    "old": old,
                    "board": st.board_ref(st.board_by_id(label["board_id"])),
                },
                models=[label["board_id"]],
            )
            refresh_label_names(st, label["board_id"])
        return st.label(label["id"])


def delete_label(st: State, actor: Member, label: sqlite3.Row) -> None:
    with st.transaction():
        st.check_write(label["board_id"], actor)
        for card in st.db.all("SELECT id, id_labels FROM cards WHERE board_id = ?", label["board_id"]):
            ids = json.loads(card["id_labels"])
            if label["id"] in ids:
                ids.remove(label["id"])
                st.db.update("cards", card["id"], {"id_labels": json.dumps(ids)})
        st.db.run("DELETE FROM labels WHERE id = ?", label["id"])
        st.log.write(
            "deleteLabel",
            actor,
            {
                "label": {"id": label["id"], "name": label["name"], "color": label["color"]},
                "board": st.board_ref(st.board_by_id(label["board_id"])),
            },
            models=[label["board_id"]],
        )
        refresh_label_names(st, label["board_id"])
