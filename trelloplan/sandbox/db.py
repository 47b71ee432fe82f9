"""The sandbox's SQLite database: schema, one shared connection and the lock that guards it.

Every read and write of sandbox state runs inside :meth:`Database.transaction`, which holds a
re-entrant lock for its whole duration. Two clients in threads therefore never interleave inside
one operation (a card move reads the card, writes it and writes its action atomically), and a
failing operation rolls back entirely. Latency injection happens outside this lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "Database"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL,
    initials TEXT NOT NULL, token TEXT NOT NULL UNIQUE, bio TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY, short_link TEXT NOT NULL UNIQUE, name TEXT NOT NULL, "desc" TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0, id_organization TEXT, id_member_creator TEXT NOT NULL,
    prefs TEXT NOT NULL, label_names TEXT NOT NULL, date_last_activity TEXT NOT NULL,
    date_last_view TEXT, date_closed TEXT, id_board_source TEXT, pinned INTEGER NOT NULL DEFAULT 0,
    subscribed INTEGER NOT NULL DEFAULT 0, card_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS memberships (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, member_id TEXT NOT NULL, member_type TEXT NOT NULL,
    UNIQUE (board_id, member_id)
);
CREATE TABLE IF NOT EXISTS lists (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, name TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
    pos REAL NOT NULL, soft_limit INTEGER, subscribed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS lists_board ON lists (board_id, pos);
CREATE TABLE IF NOT EXISTS labels (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, name TEXT NOT NULL, color TEXT
);
CREATE INDEX IF NOT EXISTS labels_board ON labels (board_id);
CREATE TABLE IF NOT EXISTS cards (
    id TEXT PRIMARY KEY, short_link TEXT NOT NULL UNIQUE, board_id TEXT NOT NULL, list_id TEXT NOT NULL,
    id_short INTEGER NOT NULL, name TEXT NOT NULL, "desc" TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
    pos REAL NOT NULL, due TEXT, start TEXT, due_complete INTEGER NOT NULL DEFAULT 0, due_reminder INTEGER,
    date_last_activity TEXT NOT NULL, id_members TEXT NOT NULL DEFAULT '[]',
    id_labels TEXT NOT NULL DEFAULT '[]', subscribed INTEGER NOT NULL DEFAULT 0, cover TEXT
);
CREATE INDEX IF NOT EXISTS cards_board ON cards (board_id);
CREATE INDEX IF NOT EXISTS cards_list ON cards (list_id, pos);
CREATE TABLE IF NOT EXISTS checklists (
    id TEXT PRIMARY KEY, card_id TEXT NOT NULL, board_id TEXT NOT NULL, name TEXT NOT NULL, pos REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS checklists_card ON checklists (card_id);
CREATE INDEX IF NOT EXISTS checklists_board ON checklists (board_id);
CREATE TABLE IF NOT EXISTS check_items (
    id TEXT PRIMARY KEY, checklist_id TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,
    pos REAL NOT NULL, due TEXT, due_reminder INTEGER, id_member TEXT
);
CREATE INDEX IF NOT EXISTS check_items_checklist ON check_items (checklist_id);
CREATE TABLE IF NOT EXISTS actions (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, date TEXT NOT NULL, id_member_creator TEXT NOT NULL,
    id_member TEXT, old_keys TEXT NOT NULL DEFAULT ',', hidden INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_order ON actions (date, id);
CREATE TABLE IF NOT EXISTS action_models (
    model_id TEXT NOT NULL, action_id TEXT NOT NULL, PRIMARY KEY (model_id, action_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS action_models_action ON action_models (action_id);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, "desc" TEXT NOT NULL DEFAULT '',
    id_member_creator TEXT NOT NULL, products TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS org_memberships (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, member_id TEXT NOT NULL, member_type TEXT NOT NULL,
    UNIQUE (org_id, member_id)
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, member_id TEXT NOT NULL, scope TEXT NOT NULL, identifier TEXT NOT NULL,
    date_created TEXT NOT NULL
) WITHOUT ROWID;
"""


class Database:
    """One SQLite connection (a file, or ``:memory:``) shared by all threads under one lock."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._depth = 0
        with self.lock:
            self._conn.execute("PRAGMA foreign_keys = OFF")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.executescript(_SCHEMA)
            version = self.get_meta("schema_version")
            if version is None:
                self.set_meta("schema_version", SCHEMA_VERSION)
            elif version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"unknown sandbox schema version {version!r}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the state lock and run one atomic unit; nested calls join the outer one."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outer:
                    self._conn.execute("COMMIT")

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self.transaction() as conn:
            row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
            return row

    def scalar(self, sql: str, *args: Any) -> Any:
        """The first column of the first row (e.g. a ``COUNT(*)``)."""
        row = self.one(sql, *args)
        return row[0] if row is not None else None

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.transaction() as conn:
            return list(conn.execute(sql, args).fetchall())

    def run(self, sql: str, *args: Any) -> int:
        with self.transaction() as conn:
            return conn.execute(sql, args).rowcount

    def insert(self, table: str, values: dict[str, Any]) -> None:
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" for _ in values)
        self.run(f"INSERT INTO {table} ({names}) VALUES ({marks})", *values.values())

    def update(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        if values:
            sets = ", ".join(f'"{name}" = ?' for name in values)
            self.run(f"UPDATE {table} SET {sets} WHERE id = ?", *values.values(), row_id)

    def get_meta(self, key: str) -> Any:
        row = self.one("SELECT value FROM meta WHERE key = ?", key)
        return json.loads(row["value"]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, json.dumps(value))

    def close(self) -> None:
        with self.lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
