"""Sandbox state: members, lookups with Trello's errors, permissions, positions, activity dates.

The write operations live in :mod:`.boards` and :mod:`.cards`; they all go through one
:class:`State`, whose :meth:`State.transaction` makes each of them atomic and serialised.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .actions import ActionLog
from .apierror import invalid_id, invalid_value, not_found, unauthorized
from .clock import SandboxClock, format_date
from .db import Database
from .ids import IdFactory, is_object_id, is_short_link, new_control_secret, new_key, new_token
from .params import MISSING

__all__ = ["Member", "State", "position_number"]


@dataclass(frozen=True)
class Member:
    """A sandbox member; each has its own token (the API key is shared, like one Trello app)."""

    id: str
    username: str
    full_name: str
    initials: str
    token: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Member:
        return cls(row["id"], row["username"], row["full_name"], row["initials"], row["token"])


def position_number(pos: float) -> int | float:
    """Trello prints whole positions without a fraction (65535, not 65535.0)."""
    return int(pos) if float(pos).is_integer() else float(pos)


def _initials(full_name: str) -> str:
    parts = [part for part in full_name.replace("-", " ").split() if part]
    return "".join(part[0] for part in parts[:3]).upper() or "?"


class State:
    """Everything the sandbox knows, in one SQLite database, plus the clock and id minting."""

    def __init__(
        self, db_path: str | Path = ":memory:", clock: SandboxClock | None = None, *, key: str | None = None
    ) -> None:
        self.db = Database(db_path)
        saved_clock = self.db.get_meta("clock")
        self.clock = clock or SandboxClock()
        if saved_clock and clock is None:
            self.clock.restore(saved_clock)
        self.clock.on_change(self._save_clock)
        self.ids = IdFactory(self.clock.now)
        self.log = ActionLog(self)
        self._members: dict[str, Member] = {}
        self.key: str = self.db.get_meta("api_key") or key or new_key()
        if key and key != self.key:
            raise ValueError("this sandbox database already has another API key")
        self.db.set_meta("api_key", self.key)
        #: What the /_sandbox control routes require (X-Sandbox-Secret); a db file keeps it, like the key.
        self.control_secret: str = self.db.get_meta("control_secret") or new_control_secret()
        self.db.set_meta("control_secret", self.control_secret)
        if not self.db.one("SELECT id FROM members LIMIT 1"):
            self.add_member("sandbox", "Sandbox User")

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db.transaction() as conn:
            yield conn

    def now(self) -> str:
        return format_date(self.clock.now())

    def new_id(self) -> str:
        return self.ids.new()

    def _save_clock(self) -> None:
        self.db.set_meta("clock", self.clock.state())

    def close(self) -> None:
        self._save_clock()
        self.db.close()

    # -- members ----------------------------------------------------------------------------

    def add_member(self, username: str, full_name: str | None = None, *, token: str | None = None,
                   workspace: bool = True) -> Member:
        """Create a member with its own 64-hex token (the first one is the default member).

        Like a new Trello account, the member gets a workspace of its own unless ``workspace`` is false.
        """
        username = username.strip()
        if not username or not username.replace("_", "").isalnum() or username.lower() != username:
            raise ValueError(f"a username is lower-case letters, digits and _: {username!r}")
        full_name = full_name or username.replace("_", " ").title()
        with self.transaction():
            if self.db.one("SELECT id FROM members WHERE username = ?", username):
                raise ValueError(f"member {username!r} already exists")
            member = Member(self.new_id(), username, full_name, _initials(full_name), token or new_token())
            self.db.insert(
                "members",
                {
                    "id": member.id,
                    "username": username,
                    "full_name": full_name,
                    "initials": member.initials,
                    "token": member.token,
                },
            )
            if workspace:
                from .workspaces import create_workspace

                create_workspace(self, member, f"{full_name}'s workspace", f"{username}workspace")
        self._members[member.id] = member
        return member

    def add_token(self, member: Member, scope: str = "read", *, identifier: str = "trelloplan sandbox") -> str:
        """Another token for ``member``: Trello's scopes are ``read`` and ``read,write``."""
        if scope not in ("read", "read,write"):
            raise ValueError(f"a token's scope is read or read,write, not {scope!r}")
        token = new_token()
        self.db.insert("tokens", {"token": token, "member_id": member.id, "scope": scope, "identifier": identifier,
                                  "date_created": self.now()})
        return token

    def token_scope(self, token: str) -> str:
        """``read`` or ``read,write``; a member's own token (:attr:`Member.token`) may write."""
        row = self.db.one("SELECT scope FROM tokens WHERE token = ?", token)
        return str(row["scope"]) if row else "read,write"

    def members(self) -> list[Member]:
        return [Member.from_row(row) for row in self.db.all("SELECT * FROM members ORDER BY rowid")]

    def default_member(self) -> Member:
        row = self.db.one("SELECT * FROM members ORDER BY rowid LIMIT 1")
        assert row is not None
        return Member.from_row(row)

    def member_by_token(self, token: str) -> Member | None:
        row = self.db.one("SELECT * FROM members WHERE token = ?", token)
        if row is None:
            row = self.db.one("SELECT m.* FROM tokens t JOIN members m ON m.id = t.member_id WHERE t.token = ?", token)
        return Member.from_row(row) if row else None

    def member(self, member_id: str) -> Member | None:
        cached = self._members.get(member_id)
        if cached:
            return cached
        row = self.db.one("SELECT * FROM members WHERE id = ?", member_id)
        if row is None:
            return None
        self._members[member_id] = Member.from_row(row)
        return self._members[member_id]

    def resolve_member(self, ref: str, me: Member) -> Member:
        """A member by ``me``, id or username (404 if unknown)."""
        if ref == "me":
            return me
        row = self.db.one("SELECT * FROM members WHERE id = ? OR username = ?", ref, ref)
        if row is None:
            raise not_found()
        return Member.from_row(row)

    # -- lookups (Trello's 400 invalid id / 404 not found) ---------------------------------

    def _row(self, table: str, ref: str, *, short_links: bool = False) -> sqlite3.Row:
        if is_object_id(ref):
            row = self.db.one(f"SELECT * FROM {table} WHERE id = ?", ref.lower())
        elif short_links and is_short_link(ref):
            row = self.db.one(f"SELECT * FROM {table} WHERE short_link = ?", ref)
        else:
            raise invalid_id()
        if row is None:
            raise not_found()
        return row

    def board(self, ref: str) -> sqlite3.Row:
        return self._row("boards", ref, short_links=True)

    def card(self, ref: str) -> sqlite3.Row:
        return self._row("cards", ref, short_links=True)

    def list_(self, ref: str) -> sqlite3.Row:
        return self._row("lists", ref)

    def label(self, ref: str) -> sqlite3.Row:
        return self._row("labels", ref)

    def checklist(self, ref: str) -> sqlite3.Row:
        return self._row("checklists", ref)

    def check_item(self, ref: str) -> sqlite3.Row:
        return self._row("check_items", ref)

    def action(self, ref: str) -> sqlite3.Row:
        return self._row("actions", ref)

    def board_by_id(self, board_id: str) -> sqlite3.Row:
        row = self.db.one("SELECT * FROM boards WHERE id = ?", board_id)
        assert row is not None, board_id
        return row

    def list_by_id(self, list_id: str) -> sqlite3.Row:
        row = self.db.one("SELECT * FROM lists WHERE id = ?", list_id)
        assert row is not None, list_id
        return row

    def card_by_id(self, card_id: str) -> sqlite3.Row:
        row = self.db.one("SELECT * FROM cards WHERE id = ?", card_id)
        assert row is not None, card_id
        return row

    def param_row(self, table: str, name: str, value: Any) -> sqlite3.Row:
        """Look up an id given as a parameter: anything wrong is ``400 invalid value for <name>``."""
        if not isinstance(value, str) or not is_object_id(value):
            raise invalid_value(name)
        row = self.db.one(f"SELECT * FROM {table} WHERE id = ?", value.lower())
        if row is None:
            raise invalid_value(name)
        return row

    # -- permissions ------------------------------------------------------------------------

    def membership(self, board_id: str, member: Member) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM memberships WHERE board_id = ? AND member_id = ?", board_id, member.id)

    def can_read(self, board: sqlite3.Row, member: Member) -> bool:
        if self.membership(board["id"], member):
            return True
        return bool(self.json(board["prefs"]).get("permissionLevel") == "public")

    def check_read(self, board_id: str, member: Member) -> None:
        if not self.can_read(self.board_by_id(board_id), member):
            raise unauthorized()

    def check_write(self, board_id: str, member: Member) -> None:
        if not self.membership(board_id, member):
            raise unauthorized()

    def board_ids_of(self, member: Member) -> list[str]:
        rows = self.db.all(
            "SELECT b.id FROM boards b JOIN memberships m ON m.board_id = b.id WHERE m.member_id = ? ORDER BY b.id",
            member.id,
        )
        return [row["id"] for row in rows]

    # -- positions and activity --------------------------------------------------------------

    def position(self, value: Any, existing: list[float], *, default: str, first: float, step: float) -> float:
        """Trello's ``pos``: ``top`` halves the smallest, ``bottom`` adds a step to the largest.

        An empty string counts as ``top`` (observed with ruby-trello's empty ``pos=``).
        """
        if value is MISSING or value is None:
            value = default
        if isinstance(value, str):
            text = value.strip().lower()
            if text in {"", "top"}:
                return min(existing) / 2 if existing else first
            if text == "bottom":
                return max(existing) + step if existing else first
            try:
                value = float(text)
            except ValueError as error:
                raise invalid_value("pos") from error
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid_value("pos")
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise invalid_value("pos")
        return number

    def touch_board(self, board_id: str) -> None:
        self.db.run("UPDATE boards SET date_last_activity = ? WHERE id = ?", self.now(), board_id)

    def touch_card(self, card_id: str) -> None:
        self.db.run("UPDATE cards SET date_last_activity = ? WHERE id = ?", self.now(), card_id)

    @staticmethod
    def json(text: str | None) -> Any:
        return json.loads(text) if text else None

    # -- refs used in action data -------------------------------------------------------------

    def board_ref(self, board: sqlite3.Row) -> dict[str, Any]:
        return {"id": board["id"], "name": board["name"], "shortLink": board["short_link"]}

    def list_ref(self, row: sqlite3.Row) -> dict[str, Any]:
        return {"id": row["id"], "name": row["name"]}

    def card_ref(self, card: sqlite3.Row) -> dict[str, Any]:
        return {"id": card["id"], "name": card["name"], "idShort": card["id_short"], "shortLink": card["short_link"]}
