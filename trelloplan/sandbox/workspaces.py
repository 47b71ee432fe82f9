"""Workspaces (Trello's *organizations*): who belongs to which, the boards they hold, the free plan's limit.

Taken from the recordings: a board created with ``idOrganization`` carries it back, and Trello
writes ``addToOrganizationBoard`` (``data.organization = {id, name: <display name>}``) right
after ``createBoard``; a member lists its workspaces in ``idOrganizations``. Inferred (no
recording holds them): the organization object (the field list of Trello's documentation), the
errors for a workspace the member is not in, and the free plan's limit of 10 open boards per
workspace with its ``403`` JSON body.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from .apierror import ApiError, invalid_value, not_found, unauthorized
from .ids import is_object_id
from .state import Member, State

__all__ = [
    "FREE_OPEN_BOARDS",
    "add_workspace_member",
    "board_limit_reached",
    "check_board_placement",
    "check_room",
    "create_workspace",
    "organization_json",
    "workspace",
    "workspaces_of",
]

#: Trello's free plan: at most 10 open boards per workspace (closed boards do not count).
FREE_OPEN_BOARDS = 10
MAX_TEXT = 16384
_NAME_JUNK = re.compile(r"[^a-z0-9_]")


def board_limit_reached() -> ApiError:
    """The refusal of an 11th open board in a free workspace (status and body inferred)."""
    return ApiError(403, {
        "error": "BOARD_LIMIT_EXCEEDED",
        "message": f"Free Workspaces are limited to {FREE_OPEN_BOARDS} open boards",
    })


def _unique_name(st: State, wanted: str) -> str:
    """Trello's ``name``: lower-case letters, digits and ``_``, at least 3 long; a taken one gets digits."""
    base = _NAME_JUNK.sub("", wanted.lower())
    if len(base) < 3:
        base += "workspace"
    name, counter = base, 1
    while st.db.one("SELECT 1 FROM organizations WHERE name = ?", name):
        counter += 1
        name = f"{base}{counter}"
    return name


def create_workspace(st: State, creator: Member, display_name: Any, name: Any = None, *, desc: str = "",
                     premium: bool = False) -> sqlite3.Row:
    """``POST /1/organizations``: the creator becomes its admin."""
    if not isinstance(display_name, str) or not display_name.strip() or len(display_name) > MAX_TEXT \
            or display_name != display_name.strip():
        raise invalid_value("displayName")
    if name is not None and (not isinstance(name, str) or len(_NAME_JUNK.sub("", name.lower())) < 3):
        raise invalid_value("name")
    with st.transaction():
        org_id = st.new_id()
        st.db.insert("organizations", {
            "id": org_id, "name": _unique_name(st, name or display_name), "display_name": display_name,
            "desc": desc, "id_member_creator": creator.id, "products": json.dumps([110] if premium else []),
        })
        add_workspace_member(st, org_id, creator, "admin")
        return workspace_by_id(st, org_id)


def add_workspace_member(st: State, org_id: str, member: Member, member_type: str = "normal") -> None:
    with st.transaction():
        if not st.db.one("SELECT 1 FROM org_memberships WHERE org_id = ? AND member_id = ?", org_id, member.id):
            st.db.insert("org_memberships", {"id": st.new_id(), "org_id": org_id, "member_id": member.id,
                                             "member_type": member_type})


def workspace_by_id(st: State, org_id: str) -> sqlite3.Row:
    row = st.db.one("SELECT * FROM organizations WHERE id = ?", org_id)
    assert row is not None, org_id
    return row


def _find(st: State, ref: str) -> sqlite3.Row | None:
    """A workspace by id or by ``name`` (Trello takes either wherever it takes an organization)."""
    if is_object_id(ref):
        return st.db.one("SELECT * FROM organizations WHERE id = ?", ref.lower())
    return st.db.one("SELECT * FROM organizations WHERE name = ?", ref)


def workspace(st: State, ref: str, member: Member) -> sqlite3.Row:
    """``/organizations/{id or name}`` as ``member`` sees it: 404 when unknown, 401 when not theirs."""
    row = _find(st, ref)
    if row is None:
        raise not_found()
    if not is_member(st, row["id"], member):
        raise unauthorized()
    return row


def is_member(st: State, org_id: str, member: Member) -> bool:
    return st.db.one("SELECT 1 FROM org_memberships WHERE org_id = ? AND member_id = ?", org_id, member.id) is not None


def workspaces_of(st: State, member: Member) -> list[sqlite3.Row]:
    return st.db.all(
        "SELECT o.* FROM organizations o JOIN org_memberships m ON m.org_id = o.id WHERE m.member_id = ? ORDER BY o.rowid",
        member.id,
    )


def open_boards(st: State, org_id: str) -> int:
    return int(st.db.scalar("SELECT COUNT(*) FROM boards WHERE id_organization = ? AND closed = 0", org_id))


def check_board_placement(st: State, actor: Member, ref: Any, *, adding: bool = True) -> sqlite3.Row:
    """The workspace a board may go into (``idOrganization`` of a create, a move or a reopening).

    Unknown or malformed: ``400 invalid value for idOrganization``; not the member's:
    ``401 unauthorized permission requested``; a free workspace with 10 open boards: the limit.
    """
    row = _find(st, ref) if isinstance(ref, str) and ref else None
    if row is None:
        raise invalid_value("idOrganization")
    if not is_member(st, row["id"], actor):
        raise unauthorized()
    if adding:
        check_room(st, row["id"])
    return row


def check_room(st: State, org_id: str) -> None:
    """A free workspace takes no 11th open board (closed boards do not count)."""
    row = st.db.one("SELECT products FROM organizations WHERE id = ?", org_id)
    if row is not None and not json.loads(row["products"]) and open_boards(st, org_id) >= FREE_OPEN_BOARDS:
        raise board_limit_reached()


def organization_json(st: State, row: sqlite3.Row) -> dict[str, Any]:
    """The organization object: the fields Trello documents (no recording holds one)."""
    memberships = st.db.all("SELECT * FROM org_memberships WHERE org_id = ? ORDER BY rowid", row["id"])
    boards = st.db.all("SELECT id FROM boards WHERE id_organization = ? ORDER BY id", row["id"])
    products = json.loads(row["products"])
    count = open_boards(st, row["id"])
    free = {"status": "ok" if count < 7 else "warning" if count < FREE_OPEN_BOARDS else "maxExceeded",
            "disableAt": FREE_OPEN_BOARDS, "warnAt": 7}
    return {
        "id": row["id"],
        "name": row["name"],
        "displayName": row["display_name"],
        "desc": row["desc"],
        "descData": {"emoji": {}},
        "idBoards": [b["id"] for b in boards],
        "invited": False,
        "invitations": [],
        "memberships": [
            {"id": m["id"], "idMember": m["member_id"], "memberType": m["member_type"], "unconfirmed": False,
             "deactivated": False}
            for m in memberships
        ],
        "prefs": {"permissionLevel": "private", "orgInviteRestrict": [], "externalMembersDisabled": False,
                  "associatedDomain": None, "googleAppsVersion": 1,
                  "boardVisibilityRestrict": {"private": "org", "org": "org", "public": "org"}},
        "powerUps": [],
        "products": products,
        "billableMemberCount": len(memberships),
        "url": f"https://trello.com/w/{row['name']}",
        "website": None,
        "logoHash": None,
        "premiumFeatures": [],
        "limits": {"orgs": {"freeBoardsPerOrg": free}} if not products else {},
    }
