"""Rows → Trello's JSON shapes (boards, lists, labels, cards, checklists, members).

Each ``*_json`` function builds the *full* object with Trello's key order; :func:`pick` then keeps
``id`` plus the fields a request asked for (``fields=all`` or a comma list), and every route
passes the default field list Trello uses for that endpoint. Shapes follow the recordings in
``../shared/trello-samples`` (2020 unless a newer key is noted).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .ids import slugify
from .state import Member, position_number
from .workspaces import workspaces_of

if TYPE_CHECKING:
    from .state import State

__all__ = [
    "BOARD_DEFAULT_FIELDS",
    "BOARD_FIELDS",
    "CARD_DEFAULT_FIELDS",
    "CARD_FIELDS",
    "LIST_DEFAULT_FIELDS",
    "CardContext",
    "board_json",
    "check_item_json",
    "checklist_json",
    "label_json",
    "list_json",
    "member_json",
    "membership_json",
    "pick",
]


def _limit(disable_at: int, warn_at: int) -> dict[str, Any]:
    return {"status": "ok", "disableAt": disable_at, "warnAt": warn_at}


BOARD_LIMITS = {
    "attachments": {"perBoard": _limit(36000, 32400), "perCard": _limit(1000, 900)},
    "boards": {"totalMembersPerBoard": _limit(1600, 1440), "totalAccessRequestsPerBoard": _limit(4000, 3600)},
    "cards": {
        "openPerBoard": _limit(5000, 4500),
        "openPerList": _limit(5000, 4500),
        "totalPerBoard": _limit(2000000, 1800000),
        "totalPerList": _limit(1000000, 900000),
    },
    "checklists": {"perBoard": _limit(2000000, 1800000), "perCard": _limit(500, 450)},
    "checkItems": {"perChecklist": _limit(200, 180)},
    "customFields": {"perBoard": _limit(50, 45)},
    "customFieldOptions": {"perField": _limit(50, 45)},
    "labels": {"perBoard": _limit(1000, 900)},
    "lists": {"openPerBoard": _limit(500, 450), "totalPerBoard": _limit(3000, 2700)},
    "stickers": {"perCard": _limit(70, 63)},
    "reactions": {"perAction": _limit(900, 720), "uniquePerAction": _limit(17, 14)},
}
CARD_LIMITS = {
    "attachments": {"perCard": _limit(1000, 900)},
    "checklists": {"perCard": _limit(500, 450)},
    "stickers": {"perCard": _limit(70, 63)},
}
LIST_LIMITS = {"cards": {"openPerList": _limit(5000, 4500), "totalPerList": _limit(1000000, 900000)}}
MEMBER_LIMITS = {"boards": {"totalPerMember": _limit(4500, 4050)}, "orgs": {"totalPerMember": _limit(850, 765)}}

LABEL_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
BACKGROUND_COLORS = {
    "blue": "#0079BF",
    "orange": "#D29034",
    "green": "#519839",
    "red": "#B04632",
    "purple": "#89609E",
    "pink": "#CD5A91",
    "lime": "#4BBF6B",
    "sky": "#00AECC",
    "grey": "#838C91",
}

BOARD_FIELDS = [
    "name",
    "desc",
    "descData",
    "closed",
    "dateClosed",
    "idOrganization",
    "idEnterprise",
    "limits",
    "pinned",
    "shortLink",
    "powerUps",
    "dateLastActivity",
    "idTags",
    "datePluginDisable",
    "creationMethod",
    "ixUpdate",
    "enterpriseOwned",
    "idBoardSource",
    "idMemberCreator",
    "starred",
    "url",
    "prefs",
    "subscribed",
    "labelNames",
    "dateLastView",
    "shortUrl",
    "templateGallery",
    "premiumFeatures",
    "memberships",
    "invitations",
    "invited",
]
BOARD_DEFAULT_FIELDS = [
    "name",
    "desc",
    "descData",
    "closed",
    "idOrganization",
    "idEnterprise",
    "pinned",
    "url",
    "shortUrl",
    "prefs",
    "labelNames",
]
LIST_FIELDS = ["name", "closed", "pos", "softLimit", "creationMethod", "idBoard", "limits", "subscribed"]
LIST_DEFAULT_FIELDS = ["name", "closed", "pos", "idBoard"]
CARD_FIELDS = [
    "address",
    "badges",
    "checkItemStates",
    "closed",
    "coordinates",
    "creationMethod",
    "dateLastActivity",
    "desc",
    "descData",
    "dueReminder",
    "idBoard",
    "idLabels",
    "idList",
    "idMembersVoted",
    "idShort",
    "idAttachmentCover",
    "locationName",
    "manualCoverAttachment",
    "name",
    "pos",
    "shortLink",
    "isTemplate",
    "cardRole",
    "dueComplete",
    "due",
    "email",
    "idChecklists",
    "idMembers",
    "labels",
    "limits",
    "shortUrl",
    "start",
    "subscribed",
    "url",
    "cover",
]
CARD_DEFAULT_FIELDS = [
    "badges",
    "checkItemStates",
    "closed",
    "dateLastActivity",
    "desc",
    "descData",
    "dueReminder",
    "idBoard",
    "idList",
    "idMembersVoted",
    "idShort",
    "idAttachmentCover",
    "idLabels",
    "manualCoverAttachment",
    "name",
    "pos",
    "shortLink",
    "isTemplate",
    "dueComplete",
    "due",
    "email",
    "labels",
    "shortUrl",
    "start",
    "url",
    "cover",
    "idMembers",
    "idChecklists",
    "subscribed",
]


def pick(full: dict[str, Any], fields: list[str] | None, default: list[str]) -> dict[str, Any]:
    """Keep ``id`` and the requested fields (``None`` → the endpoint's default; ``all`` → every one)."""
    wanted = fields or default
    if "all" in wanted:
        return dict(full)
    keep = set(wanted) | {"id"}
    return {key: value for key, value in full.items() if key in keep}


def default_prefs(background: str = "blue") -> dict[str, Any]:
    color = BACKGROUND_COLORS.get(background, BACKGROUND_COLORS["blue"])
    return {
        "permissionLevel": "private",
        "hideVotes": False,
        "voting": "disabled",
        "comments": "members",
        "invitations": "members",
        "selfJoin": True,
        "cardCovers": True,
        "isTemplate": False,
        "cardAging": "regular",
        "calendarFeedEnabled": False,
        "background": background,
        "backgroundImage": None,
        "backgroundImageScaled": None,
        "backgroundTile": False,
        "backgroundBrightness": "dark",
        "backgroundColor": color,
        "backgroundBottomColor": color,
        "backgroundTopColor": color,
        "canBePublic": True,
        "canBeEnterprise": True,
        "canBeOrg": True,
        "canBePrivate": True,
        "canInvite": True,
    }


def membership_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "idMember": row["member_id"],
        "memberType": row["member_type"],
        "unconfirmed": False,
        "deactivated": False,
    }


def board_json(st: State, row: sqlite3.Row) -> dict[str, Any]:
    short = row["short_link"]
    memberships = st.db.all("SELECT * FROM memberships WHERE board_id = ? ORDER BY rowid", row["id"])
    return {  # the key order of a real board export
        "id": row["id"],
        "name": row["name"],
        "desc": row["desc"],
        "descData": {"emoji": {}} if row["desc"] else None,
        "closed": bool(row["closed"]),
        "dateClosed": row["date_closed"],
        "idOrganization": row["id_organization"],
        "shortLink": short,
        "powerUps": [],
        "dateLastActivity": row["date_last_activity"],
        "idTags": [],
        "datePluginDisable": None,
        "creationMethod": None,
        "idBoardSource": row["id_board_source"],
        "idMemberCreator": row["id_member_creator"],
        "pinned": bool(row["pinned"]),
        "starred": False,
        "url": f"https://trello.com/b/{short}/{slugify(row['name'])}",
        "subscribed": bool(row["subscribed"]),
        "dateLastView": row["date_last_view"],
        "shortUrl": f"https://trello.com/b/{short}",
        "ixUpdate": str(st.db.scalar("SELECT COUNT(*) FROM action_models WHERE model_id = ?", row["id"])),
        "limits": BOARD_LIMITS,
        "idEnterprise": None,
        "premiumFeatures": [],
        "templateGallery": None,
        "enterpriseOwned": False,
        "prefs": json.loads(row["prefs"]),
        "labelNames": json.loads(row["label_names"]),
        "memberships": [membership_json(m) for m in memberships],
        "invitations": None,
        "invited": False,
    }


def list_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "closed": bool(row["closed"]),
        "pos": position_number(row["pos"]),
        "softLimit": row["soft_limit"],
        "creationMethod": None,
        "idBoard": row["board_id"],
        "limits": LIST_LIMITS,
        "subscribed": bool(row["subscribed"]),
    }


def label_json(row: sqlite3.Row, uses: int = 0) -> dict[str, Any]:
    """A label; ``uses`` (cards carrying it) appears in older recordings and is kept."""
    return {"id": row["id"], "idBoard": row["board_id"], "name": row["name"], "color": row["color"], "uses": uses}


def check_item_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "idChecklist": row["checklist_id"],
        "state": row["state"],
        "id": row["id"],
        "name": row["name"],
        "nameData": {"emoji": {}},
        "pos": position_number(row["pos"]),
        "due": row["due"],
        "dueReminder": row["due_reminder"],
        "idMember": row["id_member"],
        "type": None,
        "creationMethod": None,
    }


def checklist_json(row: sqlite3.Row, items: list[sqlite3.Row]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "idBoard": row["board_id"],
        "idCard": row["card_id"],
        "pos": position_number(row["pos"]),
        "checkItems": [check_item_json(item) for item in items],
    }


def member_json(st: State, member: Member) -> dict[str, Any]:
    """The full member object of ``GET /members/me`` (2020 key set)."""
    return {
        "id": member.id,
        "bio": "",
        "bioData": {"emoji": {}},
        "confirmed": True,
        "memberType": "normal",
        "username": member.username,
        "aaId": None,
        "activityBlocked": False,
        "avatarHash": None,
        "avatarUrl": None,
        "fullName": member.full_name,
        "idEnterprise": None,
        "idEnterprisesDeactivated": [],
        "idMemberReferrer": None,
        "idPremOrgsAdmin": [],
        "initials": member.initials,
        "nonPublic": {},
        "nonPublicAvailable": True,
        "products": [],
        "url": f"https://trello.com/{member.username}",
        "status": "disconnected",
        "aaBlockSyncUntil": None,
        "aaEmail": None,
        "aaEnrolledDate": None,
        "avatarSource": "none",
        "credentialsRemovedCount": 0,
        "domainClaimed": None,
        "email": f"{member.username}@sandbox.invalid",
        "gravatarHash": None,
        "idBoards": st.board_ids_of(member),
        "idOrganizations": [row["id"] for row in workspaces_of(st, member)],
        "idEnterprisesAdmin": [],
        "limits": MEMBER_LIMITS,
        "loginTypes": ["password"],
        "marketingOptIn": {"optedIn": False, "date": "2020-01-01T00:00:00.000Z"},
        "messagesDismissed": [],
        "oneTimeMessagesDismissed": [],
        "prefs": {
            "privacy": {"fullName": "public", "avatar": "public"},
            "sendSummaries": True,
            "minutesBetweenSummaries": 60,
            "minutesBeforeDeadlineToNotify": 1440,
            "colorBlind": False,
            "locale": "en-US",
        },
        "siftDecision": None,
        "trophies": [],
        "uploadedAvatarHash": None,
        "uploadedAvatarUrl": None,
        "premiumFeatures": [],
        "isAaMastered": False,
        "ixUpdate": "1",
        "idBoardsPinned": None,
    }


class CardContext:
    """Everything a card's JSON needs beyond its row, loaded once for many cards."""

    def __init__(self, st: State, cards: list[sqlite3.Row], member: Member | None = None) -> None:
        self.st = st
        self.member = member
        board_ids = sorted({card["board_id"] for card in cards})
        card_ids = [card["id"] for card in cards]
        self.labels: dict[str, sqlite3.Row] = {}
        self.checklists: dict[str, list[sqlite3.Row]] = defaultdict(list)
        self.items: dict[str, list[sqlite3.Row]] = defaultdict(list)
        for board_id in board_ids:
            for label in st.db.all("SELECT * FROM labels WHERE board_id = ?", board_id):
                self.labels[label["id"]] = label
            for checklist in st.db.all("SELECT * FROM checklists WHERE board_id = ? ORDER BY pos, id", board_id):
                self.checklists[checklist["card_id"]].append(checklist)
            for item in st.db.all(
                "SELECT i.* FROM check_items i JOIN checklists c ON c.id = i.checklist_id WHERE c.board_id = ? "
                "ORDER BY i.pos, i.id",
                board_id,
            ):
                self.items[item["checklist_id"]].append(item)
        self.comments = st.log.comment_counts(card_ids) if card_ids else {}
        self.uses: dict[str, int] = defaultdict(int)
        for board_id in board_ids:
            for other in st.db.all("SELECT id_labels FROM cards WHERE board_id = ? AND closed = 0", board_id):
                for label_id in json.loads(other["id_labels"]):
                    self.uses[label_id] += 1

    def card_json(self, row: sqlite3.Row) -> dict[str, Any]:
        short = row["short_link"]
        id_labels = [label for label in json.loads(row["id_labels"]) if label in self.labels]
        id_members = json.loads(row["id_members"])
        checklists = self.checklists.get(row["id"], [])
        items = [item for checklist in checklists for item in self.items.get(checklist["id"], [])]
        subscribed = bool(row["subscribed"])
        due_complete = bool(row["due_complete"])
        cover = json.loads(row["cover"]) if row["cover"] else None
        return {
            "id": row["id"],
            "address": None,
            "badges": {
                "attachmentsByType": {"trello": {"board": 0, "card": 0}},
                "location": False,
                "votes": 0,
                "viewingMemberVoted": False,
                "subscribed": subscribed,
                "fogbugz": "",
                "checkItems": len(items),
                "checkItemsChecked": sum(1 for item in items if item["state"] == "complete"),
                "checkItemsEarliestDue": min((i["due"] for i in items if i["due"]), default=None),
                "comments": self.comments.get(row["id"], 0),
                "attachments": 0,
                "description": bool(row["desc"]),
                "due": row["due"],
                "dueComplete": due_complete,
                "start": row["start"],
            },
            "checkItemStates": [],
            "closed": bool(row["closed"]),
            "coordinates": None,
            "creationMethod": None,
            "dateLastActivity": row["date_last_activity"],
            "desc": row["desc"],
            "descData": {"emoji": {}},
            "dueReminder": row["due_reminder"],
            "idBoard": row["board_id"],
            "idLabels": id_labels,
            "idList": row["list_id"],
            "idMembersVoted": [],
            "idShort": row["id_short"],
            "idAttachmentCover": None,
            "locationName": None,
            "manualCoverAttachment": False,
            "name": row["name"],
            "pos": position_number(row["pos"]),
            "shortLink": short,
            "isTemplate": False,
            "cardRole": None,
            "dueComplete": due_complete,
            "due": row["due"],
            "email": None,
            "idChecklists": [checklist["id"] for checklist in checklists],
            "idMembers": id_members,
            "labels": [label_json(self.labels[label_id], self.uses[label_id]) for label_id in id_labels],
            "limits": CARD_LIMITS,
            "shortUrl": f"https://trello.com/c/{short}",
            "start": row["start"],
            "subscribed": subscribed,
            "url": f"https://trello.com/c/{short}/{row['id_short']}-{slugify(row['name'])}",
            "cover": cover
            or {
                "idAttachment": None,
                "color": None,
                "idUploadedBackground": None,
                "size": "normal",
                "brightness": "light",
                "idPlugin": None,
            },
        }

    def checklists_json(self, card_id: str) -> list[dict[str, Any]]:
        return [checklist_json(c, self.items.get(c["id"], [])) for c in self.checklists.get(card_id, [])]
