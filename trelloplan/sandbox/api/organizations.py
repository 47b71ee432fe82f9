"""Workspace routes: ``/organizations`` and ``/members/{id}/organizations`` (see :mod:`..workspaces`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from .. import workspaces as ops
from ..apierror import invalid_value
from ..shapes import board_json, pick
from . import actor, fields, member_brief, params, route, state

_BOARD_FILTERS = ("all", "open", "closed", "members", "organization", "public")


@route("/organizations", methods=("POST",))
def create_organization() -> Any:
    p = params()
    row = ops.create_workspace(state(), actor(), p.text("displayName"), p.text("name"), desc=p.text("desc", "") or "")
    return ops.organization_json(state(), row)


@route("/organizations/<org_id>")
def get_organization(org_id: str) -> Any:
    return pick(ops.organization_json(state(), ops.workspace(state(), org_id, actor())), fields(params()), ["all"])


def _boards(org: sqlite3.Row, board_filter: str) -> list[sqlite3.Row]:
    if board_filter not in _BOARD_FILTERS:
        raise invalid_value("filter")
    st = state()
    rows = st.db.all("SELECT * FROM boards WHERE id_organization = ? ORDER BY id", org["id"])
    rows = [row for row in rows if st.can_read(row, actor())]
    if board_filter == "open":
        return [row for row in rows if not row["closed"]]
    if board_filter == "closed":
        return [row for row in rows if row["closed"]]
    if board_filter == "members":
        return [row for row in rows if st.membership(row["id"], actor())]
    if board_filter == "public":
        return [row for row in rows if st.json(row["prefs"]).get("permissionLevel") == "public"]
    return rows


@route("/organizations/<org_id>/boards")
def get_organization_boards(org_id: str) -> Any:
    """The workspace's boards the member can see (``filter``: all, open, closed, members, public)."""
    p = params()
    org = ops.workspace(state(), org_id, actor())
    return [pick(board_json(state(), row), fields(p), ["all"]) for row in _boards(org, p.text("filter", "all") or "all")]


@route("/organizations/<org_id>/members")
def get_organization_members(org_id: str) -> Any:
    st = state()
    org = ops.workspace(st, org_id, actor())
    rows = st.db.all("SELECT member_id FROM org_memberships WHERE org_id = ? ORDER BY rowid", org["id"])
    return [member_brief(m) for m in (st.member(row["member_id"]) for row in rows) if m]


@route("/members/<member_id>/organizations")
def get_member_organizations(member_id: str) -> Any:
    """The member's workspaces that the caller shares with it (``fields``; ``filter`` all)."""
    st = state()
    p = params()
    member = st.resolve_member(member_id, actor())
    if (p.text("filter", "all") or "all") not in ("all", "members", "public"):
        raise invalid_value("filter")
    rows = [row for row in ops.workspaces_of(st, member) if ops.is_member(st, row["id"], actor())]
    return [pick(ops.organization_json(st, row), fields(p), ["all"]) for row in rows]
