"""Which Trello workspace a new board goes into, and why Trello refused to create one.

Trello keeps boards in workspaces (its *organizations*); boards outside any are no longer
allowed by default, and a free workspace holds at most 10 open boards. The choice is the
plan's ``workspace:`` or apply's ``workspace=`` (a workspace's id, display name or short
name); without one, the member's only workspace. :func:`choose_workspace` is the pure rule,
:func:`resolve_workspace` reads the member's workspaces (one request) and applies it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..client import Trello
from ..errors import AuthError, BadRequest, BoardError, TrelloAPIError, TrelloplanError, WorkspaceError

__all__ = ["FREE_OPEN_BOARDS", "Workspace", "choose_workspace", "list_workspaces", "no_room", "open_boards",
           "refused_board", "resolve_workspace"]

_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_MESSAGE = re.compile(r'"message"\s*:\s*"([^"]*)"')


#: Trello's free plan allows at most this many open boards per workspace.
FREE_OPEN_BOARDS = 10


@dataclass(frozen=True)
class Workspace:
    """A workspace as ``GET /members/me/organizations`` lists it; ``paid`` when it has a product (a plan)."""

    id: str
    display_name: str
    name: str = ""
    paid: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Workspace:
        return cls(str(data["id"]), str(data.get("displayName") or data.get("name") or data["id"]),
                   str(data.get("name") or ""), bool(data.get("products")))

    def __str__(self) -> str:
        return f'"{self.display_name}"'


def list_workspaces(trello: Trello) -> list[Workspace]:
    """The workspaces the token's member belongs to (one request)."""
    rows = trello.get("/members/me/organizations", {"fields": "id,name,displayName,products"})
    return [Workspace.from_json(row) for row in rows if isinstance(row, dict) and row.get("id")]


def open_boards(trello: Trello, workspace: Workspace) -> int:
    """How many open boards ``workspace`` holds (one request): what Trello's free-plan limit counts."""
    boards = trello.get(f"/organizations/{workspace.id}/boards", {"filter": "open", "fields": "id"})
    return len(boards) if isinstance(boards, list) else 0


def no_room(workspace: Workspace, open_count: int, new_boards: int) -> int:
    """How many of ``new_boards`` a free workspace holding ``open_count`` open boards would refuse (pure; 0 when paid)."""
    if workspace.paid:
        return 0
    return max(0, new_boards - max(0, FREE_OPEN_BOARDS - open_count))


def _listing(workspaces: Sequence[Workspace], *, ids: bool = False) -> str:
    names = [w.display_name for w in workspaces]
    twice = {name for name in names if names.count(name) > 1}
    return ", ".join(f"{w} (id {w.id})" if ids or w.display_name in twice else str(w) for w in workspaces)


def choose_workspace(workspaces: Sequence[Workspace], choice: str | None) -> Workspace | None:
    """The workspace for a new board (pure).

    ``choice`` is an id, a display name (any case) or a short name. Without one: the only
    workspace, or None when there is none. Several without a choice, or a choice that matches
    none or several, raise :class:`WorkspaceError` listing the candidates.
    """
    choice = (choice or "").strip()
    if not choice:
        if len(workspaces) > 1:
            raise WorkspaceError(f"you belong to {len(workspaces)} workspaces ({_listing(workspaces)}) "
                                 "and the plan does not say which one gets the new board")
        return workspaces[0] if workspaces else None
    if not workspaces:
        raise WorkspaceError(f"the plan asks for workspace \"{choice}\", but the token's member belongs to no workspace",
                             hint="create a workspace in Trello (or join one), or drop the workspace from the plan")
    if _OBJECT_ID.match(choice):
        matches = [w for w in workspaces if w.id == choice.lower()]
    else:
        folded = choice.casefold()
        matches = [w for w in workspaces if w.display_name.casefold() == folded or w.name == choice.lower()]
        exact = [w for w in matches if w.display_name == choice]
        matches = exact if len(exact) == 1 else matches
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise WorkspaceError(f"{len(matches)} of your workspaces are called \"{choice}\": {_listing(matches, ids=True)}",
                             hint="use the workspace's id (listed above) in place of its name")
    if _OBJECT_ID.match(choice):
        raise WorkspaceError(f"workspace {choice} is not one of yours (yours: {_listing(workspaces, ids=True)})")
    close = difflib.get_close_matches(choice, [w.display_name for w in workspaces], n=1, cutoff=0.6)
    maybe = f"; did you mean \"{close[0]}\"?" if close else ""
    raise WorkspaceError(f"none of your workspaces is \"{choice}\" (yours: {_listing(workspaces)}){maybe}")


def resolve_workspace(trello: Trello, choice: str | None) -> Workspace | None:
    """:func:`choose_workspace` over the member's workspaces."""
    return choose_workspace(list_workspaces(trello), choice)


def _reason(error: TrelloAPIError) -> str:
    """Trello's words in the error: the JSON body's ``message``, else the text after the status."""
    found = _MESSAGE.search(error.message)
    if found:
        return found.group(1)
    after = re.search(rf"\b{error.status} ([^)]*)", error.message) if error.status else None
    return after.group(1).strip() if after else error.message


def refused_board(error: TrelloAPIError, workspace: Workspace | None, board_name: str) -> TrelloplanError:
    """One line for a ``POST /boards`` Trello refused: the board limit, a workspace it will not take."""
    if not isinstance(error, (AuthError, BadRequest)):
        return error
    where = f"in workspace {workspace}" if workspace else "outside a workspace"
    reason = _reason(error)
    what = f"Trello refused to create the board {board_name!r} {where}: {reason}"
    if "limit" in reason.lower():
        return BoardError(what, hint="close (archive) a board of that workspace, choose another workspace, "
                                     "or upgrade it; then apply again")
    if workspace is None:
        return WorkspaceError(what, hint="create a workspace in Trello (or join one); apply uses your only workspace "
                                         "or the one the plan names")
    if isinstance(error, AuthError):
        return WorkspaceError(what, hint="this member may not add boards to that workspace; "
                                         "ask one of its admins, or choose another workspace")
    if "idorganization" in reason.lower():
        return WorkspaceError(what, hint="check the workspace's id; it must be one of the token's member's workspaces")
    return error

