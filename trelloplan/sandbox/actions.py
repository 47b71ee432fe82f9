"""The action log: writing Trello's actions for every change, and reading them back in pages.

Actions are stored with the models they concern (board, card, lists, creator, target member) so
``/boards/{id}/actions``, ``/cards/{id}/actions``, ``/lists/{id}/actions`` and
``/members/{id}/actions`` are one indexed query each. Reading follows Trello: newest first
(by date, ties broken by id), ``limit`` 50 by default and at most 1000, ``before``/``since`` by
action id or date, and ``filter`` as a comma list of types or ``type:field`` forms such as
``updateCard:idList`` (an ``updateCard`` whose ``data.old`` has ``idList``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .apierror import invalid_value
from .clock import format_date, parse_date
from .ids import is_object_id

if TYPE_CHECKING:
    from .state import Member, State

__all__ = ["ACTION_TYPES", "HIDDEN_TYPES", "ActionLog", "ActionQuery", "parse_filter"]

# Every action type Trello documents (TrelloDotNet's WebhookActionTypes, see trello-api.md §2.7).
ACTION_TYPES = frozenset(
    [
        "acceptEnterpriseJoinRequest",
        "addAttachmentToCard",
        "addChecklistToCard",
        "addMemberToBoard",
        "addMemberToCard",
        "addMemberToOrganization",
        "addOrganizationToEnterprise",
        "addToEnterprisePluginWhitelist",
        "addToOrganizationBoard",
        "commentCard",
        "convertToCardFromCheckItem",
        "copyBoard",
        "copyCard",
        "copyCommentCard",
        "createBoard",
        "createCard",
        "createList",
        "createOrganization",
        "deleteBoardInvitation",
        "deleteCard",
        "deleteOrganizationInvitation",
        "disableEnterprisePluginWhitelist",
        "disablePlugin",
        "disablePowerUp",
        "emailCard",
        "enableEnterprisePluginWhitelist",
        "enablePlugin",
        "enablePowerUp",
        "makeAdminOfBoard",
        "makeNormalMemberOfBoard",
        "makeNormalMemberOfOrganization",
        "makeObserverOfBoard",
        "memberJoinedTrello",
        "moveCardFromBoard",
        "moveCardToBoard",
        "moveListFromBoard",
        "moveListToBoard",
        "removeChecklistFromCard",
        "removeFromEnterprisePluginWhitelist",
        "removeFromOrganizationBoard",
        "removeMemberFromCard",
        "removeOrganizationFromEnterprise",
        "unconfirmedBoardInvitation",
        "unconfirmedOrganizationInvitation",
        "updateBoard",
        "updateCard",
        "updateCheckItemStateOnCard",
        "updateChecklist",
        "updateList",
        "updateMember",
        "updateOrganization",
        "addLabelToCard",
        "copyChecklist",
        "createBoardInvitation",
        "createBoardPreference",
        "createCheckItem",
        "createLabel",
        "createOrganizationInvitation",
        "deleteAttachmentFromCard",
        "deleteCheckItem",
        "deleteComment",
        "deleteLabel",
        "makeAdminOfOrganization",
        "removeLabelFromCard",
        "removeMemberFromBoard",
        "removeMemberFromOrganization",
        "updateCheckItem",
        "updateComment",
        "updateLabel",
        "voteOnCard",
        "addCustomField",
        "deleteCustomField",
        "updateCustomField",
        "updateCustomFieldItem",
        "createCustomField",
    ]
)

# Written for completeness but, as on Trello, only returned when a filter names them.
HIDDEN_TYPES = frozenset(
    {
        "addLabelToCard",
        "removeLabelFromCard",
        "createLabel",
        "updateLabel",
        "deleteLabel",
        "createCheckItem",
        "updateCheckItem",
        "deleteCheckItem",
    }
)

_REACTION_LIMITS = {
    "reactions": {
        "perAction": {"status": "ok", "disableAt": 900, "warnAt": 720},
        "uniquePerAction": {"status": "ok", "disableAt": 17, "warnAt": 14},
    }
}


@dataclass
class ActionQuery:
    """One page request against the log."""

    model_id: str
    filter: list[str]
    limit: int = 50
    page: int = 0
    before: str | None = None
    since: str | None = None


def parse_filter(words: list[str]) -> list[str]:
    """Validate a ``filter`` list: ``all``, types, or ``type:field`` forms."""
    if not words:
        return ["all"]
    for word in words:
        base = word.split(":", 1)[0]
        if word != "all" and base not in ACTION_TYPES:
            raise invalid_value("filter")
    return words


def _cursor(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if is_object_id(value):
        return value.lower()
    try:
        return format_date(parse_date(value))
    except ValueError as error:
        raise invalid_value(name) from error


class ActionLog:
    """Writes and reads the actions of one :class:`State`."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._creators: dict[str, dict[str, Any]] = {}

    # -- writing ------------------------------------------------------------------------------

    def write(
        self,
        action_type: str,
        actor: Member,
        data: dict[str, Any],
        *,
        models: Sequence[str | None],
        member: Member | None = None,
        date: str | None = None,
    ) -> str:
        """Record one action; ``models`` are the ids whose action lists it appears in."""
        st = self.state
        action_id = st.new_id()
        old = data.get("old")
        old_keys = "," + ",".join(sorted(old)) + "," if isinstance(old, dict) else ","
        st.db.insert(
            "actions",
            {
                "id": action_id,
                "type": action_type,
                "date": date or st.now(),
                "id_member_creator": actor.id,
                "id_member": member.id if member else None,
                "old_keys": old_keys,
                "hidden": 1 if action_type in HIDDEN_TYPES else 0,
                "data": json.dumps(data),
            },
        )
        for model_id in {m for m in [*models, actor.id, member.id if member else None] if m}:
            st.db.run("INSERT OR IGNORE INTO action_models (model_id, action_id) VALUES (?, ?)", model_id, action_id)
        board = data.get("board")
        if isinstance(board, dict) and board.get("id"):
            st.touch_board(board["id"])
        card = data.get("card")
        if isinstance(card, dict) and card.get("id"):
            st.touch_card(card["id"])
        return action_id

    def delete(self, action_id: str) -> None:
        self.state.db.run("DELETE FROM actions WHERE id = ?", action_id)
        self.state.db.run("DELETE FROM action_models WHERE action_id = ?", action_id)

    def delete_card_history(self, card_id: str) -> None:
        """Trello drops a deleted card's own actions; only the ``deleteCard`` one remains."""
        rows = self.state.db.all("SELECT action_id FROM action_models WHERE model_id = ?", card_id)
        for row in rows:
            self.delete(row["action_id"])

    def query(self, query: ActionQuery) -> list[sqlite3.Row]:
        where = ["m.model_id = ?"]
        args: list[Any] = [query.model_id]
        type_sql, type_args = self._filter_sql(query.filter)
        where.append(type_sql)
        args += type_args
        for value, name, op in ((query.before, "before", "<"), (query.since, "since", ">")):
            cursor = _cursor(value, name)
            if cursor is None:
                continue
            if is_object_id(cursor):
                row = self.state.db.one("SELECT date, id FROM actions WHERE id = ?", cursor)
                if row is not None:
                    where.append(f"(a.date {op} ? OR (a.date = ? AND a.id {op} ?))")
                    args += [row["date"], row["date"], row["id"]]
                else:
                    where.append(f"a.id {op} ?")
                    args.append(cursor)
            else:
                where.append(f"a.date {op} ?")
                args.append(cursor)
        sql = (
            "SELECT a.* FROM actions a JOIN action_models m ON m.action_id = a.id WHERE "
            + " AND ".join(where)
            + " ORDER BY a.date DESC, a.id DESC LIMIT ? OFFSET ?"
        )
        args += [query.limit, query.limit * query.page]
        return self.state.db.all(sql, *args)

    @staticmethod
    def _filter_sql(words: list[str]) -> tuple[str, list[Any]]:
        if "all" in words:
            named = [word for word in words if word in HIDDEN_TYPES]
            marks = ",".join("?" for _ in named)
            return (f"(a.hidden = 0 OR a.type IN ({marks}))" if named else "a.hidden = 0"), named
        parts: list[str] = []
        args: list[Any] = []
        for word in words:
            if ":" in word:
                base, field = word.split(":", 1)
                parts.append("(a.type = ? AND a.old_keys LIKE ?)")
                args += [base, f"%,{field},%"]
            else:
                parts.append("a.type = ?")
                args.append(word)
        return "(" + " OR ".join(parts) + ")", args

    def comment_counts(self, card_ids: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for start in range(0, len(card_ids), 500):
            chunk = card_ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            rows = self.state.db.all(
                "SELECT m.model_id AS card, COUNT(*) AS n FROM action_models m JOIN actions a ON a.id = m.action_id "
                f"WHERE a.type = 'commentCard' AND m.model_id IN ({marks}) GROUP BY m.model_id",
                *chunk,
            )
            counts.update({row["card"]: row["n"] for row in rows})
        return counts

    # -- shapes ---------------------------------------------------------------------------------

    def member_creator(self, member_id: str) -> dict[str, Any]:
        """The embedded member object (2020 shape) for ``memberCreator`` and ``member``."""
        cached = self._creators.get(member_id)
        if cached is None:
            member = self.state.member(member_id)
            username = member.username if member else "deleted"
            cached = {
                "id": member_id,
                "username": username,
                "activityBlocked": False,
                "avatarHash": None,
                "avatarUrl": None,
                "fullName": member.full_name if member else "Deleted Member",
                "idMemberReferrer": None,
                "initials": member.initials if member else "?",
                "nonPublic": {},
                "nonPublicAvailable": True,
            }
            self._creators[member_id] = cached
        return dict(cached)

    def to_json(
        self,
        row: sqlite3.Row,
        *,
        fields: list[str] | None = None,
        member_creator: bool = True,
        member: bool = True,
        display: bool = False,
    ) -> dict[str, Any]:
        data = json.loads(row["data"])
        full: dict[str, Any] = {
            "id": row["id"],
            "idMemberCreator": row["id_member_creator"],
            "data": data,
            "appCreator": None,
            "type": row["type"],
            "date": row["date"],
            "limits": dict(_REACTION_LIMITS) if row["type"] == "commentCard" else {},
        }
        if display:
            full["display"] = _display(row["type"], data, self.member_creator(row["id_member_creator"]))
        if fields is not None and "all" not in fields:
            full = {key: value for key, value in full.items() if key == "id" or key in fields}
        if member_creator:
            full["memberCreator"] = self.member_creator(row["id_member_creator"])
        if member and row["id_member"]:
            full["member"] = self.member_creator(row["id_member"])
        return full


_TRANSLATION_KEYS = {
    "commentCard": "action_comment_on_card",
    "createCard": "action_create_card",
    "copyCard": "action_copy_card",
    "deleteCard": "action_delete_card",
    "createList": "action_added_list_to_board",
    "createBoard": "action_create_board",
    "addChecklistToCard": "action_add_checklist_to_card",
    "removeChecklistFromCard": "action_remove_checklist_from_card",
    "addMemberToCard": "action_member_joined_card",
    "removeMemberFromCard": "action_member_left_card",
    "addMemberToBoard": "action_added_member_to_board",
    "moveCardToBoard": "action_move_card_to_board",
    "moveCardFromBoard": "action_move_card_from_board",
    "updateCheckItemStateOnCard": "action_completed_checkitem",
}


def _display(action_type: str, data: dict[str, Any], creator: dict[str, Any]) -> dict[str, Any]:
    """A plausible ``display`` object (Trello's UI rendering hints) built from ``data``."""
    key = _TRANSLATION_KEYS.get(
        action_type, "action_" + "".join("_" + c.lower() if c.isupper() else c for c in action_type)
    )
    if action_type == "updateCard":
        old = data.get("old", {})
        if "idList" in old:
            key = "action_move_card_from_list_to_list"
        elif "closed" in old:
            key = "action_archived_card" if data.get("card", {}).get("closed") else "action_sent_card_to_board"
        elif "due" in old:
            key = "action_changed_a_due_date"
        elif "name" in old:
            key = "action_renamed_card"
        elif "desc" in old:
            key = "action_changed_description_of_card"
    entities: dict[str, Any] = {}
    if "card" in data and action_type != "createBoard":
        entities["contextOn"] = {
            "type": "translatable",
            "translationKey": "action_on",
            "hideIfContext": True,
            "idContext": data["card"].get("id"),
        }
    for name in ("card", "list", "listBefore", "listAfter", "board", "checklist", "checkItem", "label"):
        ref = data.get(name)
        if isinstance(ref, dict) and "id" in ref:
            entity: dict[str, Any] = {
                "type": "list" if name.startswith("list") else name,
                "id": ref["id"],
                "text": ref.get("name", ""),
            }
            if "shortLink" in ref:
                entity["shortLink"] = ref["shortLink"]
            if name == "card":
                entity["hideIfContext"] = True
            entities[name] = entity
    if "text" in data:
        entities["comment"] = {"type": "comment", "text": data["text"]}
    entities["memberCreator"] = {
        "type": "member",
        "id": creator["id"],
        "username": creator["username"],
        "text": creator["fullName"],
    }
    return {"translationKey": key, "entities": entities}
