"""What a token may do: Trello tokens have the scope ``read`` or ``read,write``.

``GET /1/tokens/{token}`` lists the token's permissions per model type (``Member``, ``Board``,
``Organization``), each with ``read`` and ``write`` (the recording
``token_find_with_token_string.yml``). Reports and pulls need only ``read``; apply needs
``write`` on boards, and checks it before its first write (:func:`require_write_access`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..errors import NotFound, ReadOnlyToken
from .session import Trello

__all__ = ["TokenAccess", "require_write_access", "token_access"]

log = logging.getLogger("trelloplan.client.access")


@dataclass(frozen=True)
class TokenAccess:
    """A token's member and what it may do with boards; ``known`` is false when the server would not say."""

    member_id: str | None
    can_read: bool
    can_write: bool
    expires: str | None = None
    identifier: str | None = None
    known: bool = True

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenAccess:
        boards = [p for p in data.get("permissions") or [] if isinstance(p, dict) and p.get("modelType") == "Board"]
        if not boards:
            return cls(data.get("idMember"), True, True, data.get("dateExpires"), data.get("identifier"), known=False)
        return cls(
            member_id=data.get("idMember"),
            can_read=any(bool(p.get("read")) for p in boards),
            can_write=any(bool(p.get("write")) for p in boards),
            expires=data.get("dateExpires"),
            identifier=data.get("identifier"),
        )

    @property
    def scope(self) -> str:
        return "read,write" if self.can_write else "read" if self.can_read else "none"


def token_access(trello: Trello) -> TokenAccess:
    """The token's permissions (one request). A server without the tokens route counts as unknown."""
    try:
        return TokenAccess.from_json(trello.token_info())
    except NotFound:
        log.info("the server does not say what this token may do (no /tokens route)")
        return TokenAccess(None, True, True, known=False)


def require_write_access(trello: Trello) -> TokenAccess:
    """Raise :class:`ReadOnlyToken` unless the token may write to boards (checked before any write)."""
    access = token_access(trello)
    if not access.can_write:
        raise ReadOnlyToken(
            f"the Trello token (TRELLO_TOKEN) may only read ({access.scope} scope); "
            "making changes to a board needs write access, so nothing was changed",
            status=401, method="GET", path="/tokens/***",
        )
    return access
