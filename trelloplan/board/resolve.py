"""The one resolver of board references: an id, a short link or a board URL → the board's canonical id.

Every command that names a board (``plan``, ``apply``, ``pull``, ``report``)
goes through here once, so that the state file, the history store and the
cron lock all use the same name for one board: its 24-hex id, lower case.

- :func:`parse_board_ref` checks the text and takes the reference out of a
  URL (no request);
- :func:`resolve_board_id` turns it into the canonical id: no request for an
  id, one ``GET /boards/{shortLink}?fields=id`` for a short link or URL;
  :func:`trelloplan.reporting.resolve_board` is the same with its own client;
- :func:`recorded_board` is the board a plan's state file records (for
  ``--plan PLAN`` without ``--board``).

A board that does not exist is :class:`~trelloplan.errors.BoardNotFound`
(exit 2) in every command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..errors import BoardNotFound, NotFound, UsageError
from .state import PlanState, default_state_path

__all__ = ["board_not_found", "is_board_id", "parse_board_ref", "recorded_board", "resolve_board_id"]

_ID = re.compile(r"^[0-9a-fA-F]{24}$")
_SHORT_LINK = re.compile(r"^[0-9A-Za-z]{8}$")
_HINT = "use the board's id, its URL (https://trello.com/b/AbCd1234/…) or the 8 characters after /b/ in it"


class Getter(Protocol):
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any: ...


def is_board_id(ref: str) -> bool:
    """True for a canonical board id (24 hex digits)."""
    return bool(_ID.match(ref))


def parse_board_ref(text: str, *, option: str = "--board") -> str:
    """The id (lower case) or short link that ``text`` names: an id, a short link or a board URL.

    :raises UsageError: for empty text, a card URL, or anything that cannot name a board.
    """
    value = text.strip()
    if not value:
        raise UsageError(f"{option} is empty", hint=f"{_HINT}; or leave {option} out to use the board in the plan's state file")
    if _ID.match(value):
        return value.lower()
    if _SHORT_LINK.match(value):
        return value
    if "/" in value:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) >= 2 and segments[0] == "c":
            raise UsageError(f"`{value}` is a card URL, not a board URL", hint=_HINT)
        if len(segments) >= 2 and segments[0] == "b":
            ref = segments[1].removesuffix(".json")
            if _ID.match(ref):
                return ref.lower()
            if _SHORT_LINK.match(ref):
                return ref
    raise UsageError(f"`{value}` is not a Trello board id, short link or URL", hint=_HINT)


def board_not_found(ref: str, where: str = "") -> BoardNotFound:
    return BoardNotFound(f"board {ref}{where} does not exist, or this token cannot see it",
                         hint="check the board (its id, short link or URL) and that TRELLO_TOKEN belongs to one of its members",
                         status=404, method="GET", path=f"/boards/{ref}")


def resolve_board_id(trello: Getter, ref: str) -> str:
    """The canonical id of the board ``ref`` names (an id, a short link or a URL).

    An id costs no request (a command that then finds no board says so, with
    the same error); a short link or URL costs one.

    :raises BoardNotFound: when Trello knows no such board (or the token cannot see it).
    """
    parsed = parse_board_ref(ref)
    if is_board_id(parsed):
        return parsed
    try:
        data = trello.get(f"/boards/{parsed}", {"fields": "id"})
    except NotFound:
        raise board_not_found(parsed) from None
    board_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(board_id, str) or not is_board_id(board_id):
        raise UsageError(f"GET /boards/{parsed} did not return a board", hint="check TRELLO_API_URL points at Trello (or the sandbox)")
    return board_id.lower()


def recorded_board(plan_path: str | Path, state_path: str | Path | None = None) -> str | None:
    """The board id the plan's state file records (``PLAN.state.json`` next to the plan), or None."""
    path = Path(state_path) if state_path is not None else default_state_path(plan_path)
    if not path.is_file():
        return None
    board_id = PlanState.load(path).board_id
    return board_id.lower() if board_id and is_board_id(board_id) else None
