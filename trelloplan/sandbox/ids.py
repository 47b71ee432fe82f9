"""Trello-shaped identifiers: ObjectIds, shortLinks, slugs, API keys and tokens.

Trello ids are MongoDB ObjectIds: 4 bytes of Unix time (seconds), 5 bytes fixed per process and
a 3-byte counter. Clients rely on the first part (``int(id[:8], 16)`` is the creation time), and
paging with ``before=<id>`` relies on ids growing with time, so the sandbox mints them the same
way, taking the time from the sandbox clock.
"""

from __future__ import annotations

import re
import secrets
import string
import threading
import unicodedata
from collections.abc import Callable
from datetime import datetime

__all__ = [
    "OBJECT_ID_RE",
    "SHORT_LINK_RE",
    "IdFactory",
    "id_time",
    "is_object_id",
    "is_short_link",
    "new_control_secret",
    "new_key",
    "new_token",
    "slugify",
]

OBJECT_ID_RE = re.compile(r"^[0-9a-fA-F]{24}$")
SHORT_LINK_RE = re.compile(r"^[0-9A-Za-z]{8}$")
_SHORT_LINK_ALPHABET = string.ascii_letters + string.digits


def is_object_id(value: str) -> bool:
    return bool(OBJECT_ID_RE.match(value))


def is_short_link(value: str) -> bool:
    return bool(SHORT_LINK_RE.match(value))


def id_time(object_id: str) -> int:
    """The Unix time (seconds) written into an ObjectId."""
    return int(object_id[:8], 16)


def new_key() -> str:
    """A fresh API key: 32 lowercase hex digits, like Trello's."""
    return secrets.token_hex(16)


def new_control_secret() -> str:
    """A fresh secret for the sandbox's /_sandbox control routes (not shaped like a key or a token)."""
    return "sbx-" + secrets.token_urlsafe(24)


def new_token() -> str:
    """A fresh user token: 64 lowercase hex digits, like Trello's."""
    return secrets.token_hex(32)


def slugify(name: str) -> str:
    """Trello's URL slug: lower case, spaces and dashes become one dash, other punctuation dropped.

    ``"Test Trello::Card.create"`` → ``"test-trellocardcreate"``; ``"IT 99"`` → ``"it-99"``.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    text = re.sub(r"[\s-]+", "-", text).strip("-")
    return text


class IdFactory:
    """Mints ObjectIds whose time part comes from ``now`` (the sandbox clock).

    The 5 middle bytes are fixed for the factory and the counter increases by one per id, so ids
    minted in the same second still sort in creation order, as MongoDB's do.
    """

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._process = secrets.token_bytes(5).hex()
        self._counter = secrets.randbelow(1 << 23)

    def new(self) -> str:
        seconds = int(self._now().timestamp())
        if not 0 <= seconds < 1 << 32:
            raise ValueError(f"the sandbox clock is outside the ObjectId range: {seconds}")
        with self._lock:
            self._counter = (self._counter + 1) % (1 << 24)
            counter = self._counter
        return f"{seconds:08x}{self._process}{counter:06x}"

    def short_link(self, taken: Callable[[str], bool]) -> str:
        """A random 8-character shortLink that ``taken`` says is free."""
        while True:
            link = "".join(secrets.choice(_SHORT_LINK_ALPHABET) for _ in range(8))
            if not taken(link):
                return link
