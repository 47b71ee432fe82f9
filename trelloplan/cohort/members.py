"""A team's members on its board: who is missing, and adding them.

Plans do not carry board members yet (:func:`trelloplan.cohort.model.with_members`), so
cohort apply adds them itself, after the board's own apply: ``GET /boards/{id}/members``
says who is there, ``GET /members/{username}`` turns a username into the member's id (and
proves Trello knows it, before anything is written), and ``PUT /boards/{id}/members/{id}``
adds the member as a normal one. A member already on the board, whatever their role, is
left alone, so the board's admin is never demoted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..client import Trello
from ..errors import NotFound, UsageError

__all__ = ["MemberDirectory", "add_members", "missing_members"]

log = logging.getLogger("trelloplan.cohort.members")


@dataclass
class MemberDirectory:
    """Trello usernames → member ids, each looked up once per run (``/members`` routes have a budget of their own)."""

    trello: Trello
    ids: dict[str, str | None] = field(default_factory=dict)
    _me: str | None = None

    def member_id(self, username: str) -> str | None:
        """The id of ``username``, or None when Trello knows no such member."""
        if username not in self.ids:
            try:
                found = self.trello.get(f"/members/{username}", {"fields": "id,username"})
                self.ids[username] = str(found["id"])
            except NotFound:
                self.ids[username] = None
        return self.ids[username]

    def me(self) -> str:
        """The id of the token's member: the one who creates the boards (their admin)."""
        if self._me is None:
            self._me = str(self.trello.me()["id"])
        return self._me


def board_members(trello: Trello, board_id: str) -> dict[str, str]:
    """The board's members, ``{member id: username}`` (one request)."""
    rows = trello.get(f"/boards/{board_id}/members", {"fields": "username"})
    return {str(row["id"]): str(row.get("username") or "") for row in rows if isinstance(row, dict) and row.get("id")}


def missing_members(directory: MemberDirectory, board_id: str | None, usernames: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(username, member id)`` of each of ``usernames`` not on the board yet (a new board has only its creator).

    This is a read-only operation. Raises :class:`UsageError` naming the usernames Trello does not know.
    """
    if not usernames:
        return ()
    present = board_members(directory.trello, board_id) if board_id else {directory.me(): ""}
    wanted = [username for username in usernames if username not in present.values()]
    found = [(username, directory.member_id(username)) for username in wanted]
    unknown = [username for username, member in found if member is None]
    if unknown:
        names = ", ".join(f"`{name}`" for name in unknown)
        raise UsageError(f"Trello knows no member {names}",
                         hint="check the usernames in the cohort file against each person's Trello profile (trello.com/USERNAME)")
    return tuple((username, member) for username, member in found if member is not None and member not in present)


def add_members(trello: Trello, board_id: str, members: Sequence[tuple[str, str]]) -> int:
    """Add each ``(username, member id)`` to the board as a normal member; returns the writes made."""
    for username, member in members:
        trello.put(f"/boards/{board_id}/members/{member}", {"type": "normal"})
        log.info("added %s to board %s", username, board_id)
    return len(members)
