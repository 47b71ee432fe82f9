"""The local history store: one SQLite file per board, so reports need no network.

It keeps every action ever pulled (by id: never lost, never twice), the
board's cards, lists, labels and members as of the last pull, and the board's
name. Every write is one transaction, so a pull killed half-way leaves the
file as it was before the page being written; the unfetched range is recorded
(:meth:`HistoryStore.gap`) so the next pull resumes it instead of skipping it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from .board.resolve import is_board_id
from .errors import NotAStore, StoreError, UsageError
from .history.model import BoardHistory
from .history.gcpause import gc_paused
from .history.model import BoardInfo
from .history.parse import make_history, parse_action, parse_card, parse_label, parse_list, parse_member

__all__ = ["SCHEMA", "HistoryStore", "default_store_path"]

#: The store's own schema version (in the ``meta`` table); a newer file is refused.
SCHEMA = 1
_TABLES = ("lists", "labels", "members")
_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actions (id TEXT PRIMARY KEY, date TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cards (id TEXT PRIMARY KEY, json TEXT NOT NULL, on_board INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lists (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS labels (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
"""


_SQLITE_MAGIC = b"SQLite format 3\x00"
_F = TypeVar("_F", bound=Callable[..., Any])


def _damaged(path: Path, detail: object) -> StoreError:
    return StoreError(f"{path} is damaged ({detail})",
                      hint="move it aside and pull again: the whole history is fetched anew into a new store")


def _guarded(method: _F) -> _F:
    """SQLite's errors as a :class:`StoreError`: a damaged file says so, and so does one that cannot be used."""

    @wraps(method)
    def call(self: HistoryStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:  # locked, read-only, disk full, I/O error
            raise StoreError(f"cannot use {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None

    return call  # type: ignore[return-value]


def _check_is_store(path: Path) -> None:
    """Refuse, before anything is written, an existing file that is not a trelloplan store."""
    if path.is_dir():
        raise NotAStore(f"{path} is a folder, not a trelloplan history store", hint="give the path of a .sqlite file")
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror}") from None
    if not head:
        raise NotAStore(f"{path} is an empty file, not a trelloplan history store (it was left as it is)",
                        hint="give the path of a store a pull wrote, or a path that does not exist yet to make a new one")
    if head != _SQLITE_MAGIC:
        raise NotAStore(f"{path} is not a trelloplan history store: not an SQLite file (it was left as it is)")


def default_store_path(board_id: str) -> Path:
    """``<user cache dir>/trelloplan/boards/<board id>.sqlite``, named by the canonical (24-hex, lower-case) id only.

    A short link or URL names the same board by another name; resolve it first
    (:func:`trelloplan.reporting.resolve_board`), so that one board has one store.
    """
    if not is_board_id(board_id):
        raise UsageError(f"{board_id!r} is not a board id",
                         hint="pass the 24-character board id; resolve a short link or URL with trelloplan.reporting.resolve_board")
    return Path(platformdirs.user_cache_dir("trelloplan")) / "boards" / f"{board_id.lower()}.sqlite"


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class HistoryStore:
    """A board's history on disk. Open with ``HistoryStore(path)`` or :meth:`for_board`; use as a context manager.

    ``board_id``, when given, must match the board the file already holds.
    """

    def __init__(self, path: str | Path, *, board_id: str | None = None, create: bool = True) -> None:
        self.path = Path(path)
        existing = self.path.exists()
        if not create and not existing:
            raise StoreError(f"{self.path}: no such history store", hint="pull the board first, or check the store's path")
        if existing:
            _check_is_store(self.path)
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            if existing and not self._has_store_tables():
                self._db.close()
                raise NotAStore(f"{self.path} is an SQLite file of another program, not a trelloplan history store "
                                "(it was left as it is)")
            self._db.executescript(_DDL)
            found = self.get_meta("schema")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a trelloplan history store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"cannot open {self.path}: {exc.strerror}") from None
        if found is None:
            self.set_meta("schema", str(SCHEMA))
        elif int(found) > SCHEMA:
            self._db.close()
            raise StoreError(
                f"{self.path} was written by a newer trelloplan (store schema {found})",
                hint="upgrade trelloplan, or use another store file",
            )
        stored = self.board_id
        if board_id is not None:
            if stored is None:
                self.set_meta("board_id", board_id)
            elif stored != board_id:
                self._db.close()
                raise StoreError(
                    f"{self.path} holds board {stored}, not {board_id}", hint="use another store file for this board"
                )

    def _has_store_tables(self) -> bool:
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "actions"} <= tables:
            return False
        return self._db.execute("SELECT 1 FROM meta WHERE key = 'schema'").fetchone() is not None

    @_guarded
    def check(self) -> None:
        """Read every page of the file (SQLite's quick check): a damaged store is a :class:`StoreError`, not a silent gap."""
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _damaged(self.path, problems[0])

    @classmethod
    def for_board(cls, board_id: str, path: str | Path | None = None) -> HistoryStore:
        """The store of ``board_id``: at ``path``, or the default one under the user's cache directory."""
        return cls(path if path is not None else default_store_path(board_id), board_id=board_id)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _in_transaction(self) -> bool:
        return self._db.in_transaction

    @contextmanager
    def _maybe_transaction(self) -> Iterator[None]:
        if self._in_transaction():
            yield
        else:
            with self.transaction():
                yield

    # -- meta ---------------------------------------------------------------

    @_guarded
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_guarded
    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    @property
    def board_id(self) -> str | None:
        return self.get_meta("board_id")

    # -- actions ------------------------------------------------------------

    @_guarded
    def add_actions(self, actions: Iterable[Mapping[str, Any]]) -> int:
        """Store actions not stored yet (by id); the number that were new."""
        rows = []
        for action in actions:
            if not isinstance(action, dict) or not isinstance(action.get("id"), str):
                raise StoreError("an action without an id cannot be stored", hint="this is a bug in trelloplan; please report it")
            rows.append((action["id"], str(action.get("date") or ""), str(action.get("type") or ""), _dump(action)))
        if not rows:
            return 0
        with self._maybe_transaction():
            before = self._db.total_changes
            self._db.executemany("INSERT OR IGNORE INTO actions (id, date, type, json) VALUES (?, ?, ?, ?)", rows)
            return self._db.total_changes - before

    @_guarded
    def newest_action_id(self) -> str | None:
        """The greatest stored action id: ids start with their creation time, so it is the cursor for ``since``."""
        value: str | None = self._db.execute("SELECT max(id) FROM actions").fetchone()[0]
        return value

    @_guarded
    def oldest_action_id(self) -> str | None:
        value: str | None = self._db.execute("SELECT min(id) FROM actions").fetchone()[0]
        return value

    @_guarded
    def action_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM actions").fetchone()[0])

    @_guarded
    def has_action(self, action_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM actions WHERE id = ?", (action_id,)).fetchone() is not None

    def raw_actions(self) -> Iterator[dict[str, Any]]:
        """Every stored action as Trello sent it, oldest id first."""
        for (text,) in self._db.execute("SELECT json FROM actions ORDER BY id"):
            yield json.loads(text)

    # -- the unfetched range ------------------------------------------------

    @_guarded
    def gap(self) -> tuple[str | None, str | None] | None:
        """The range of action ids a pull has not fetched yet, ``(since, before)``, both exclusive; None when complete.

        ``since`` None means "from the board's first action"; ``before`` None
        means "up to the newest". A store that was never pulled has the gap
        ``(None, None)``: everything.
        """
        if self.get_meta("gap") is None:
            return (None, None) if self.get_meta("pulled") is None else None
        since, before = json.loads(self.get_meta("gap") or "[null, null]")
        return since, before

    @_guarded
    def set_gap(self, gap: tuple[str | None, str | None] | None) -> None:
        """Record the unfetched range; call inside the transaction that stores the page before it."""
        with self._maybe_transaction():
            self.set_meta("pulled", "1")
            self.set_meta("gap", None if gap is None else _dump(list(gap)))

    # -- the board now ------------------------------------------------------

    @_guarded
    def save_snapshot(
        self,
        board: Mapping[str, Any],
        *,
        cards: Iterable[Mapping[str, Any]] = (),
        lists: Iterable[Mapping[str, Any]] = (),
        labels: Iterable[Mapping[str, Any]] = (),
        members: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """Replace the board's cards, lists, labels, members and name with these, in one transaction.

        Cards no longer on the board are kept, marked gone: their last known
        labels and key still tell a past week's report which week they were planned for.
        """
        board_info = {key: board.get(key) for key in ("id", "name", "url", "shortUrl") if key in board}
        with self._maybe_transaction():
            self._db.execute("UPDATE cards SET on_board = 0")
            self._db.executemany(
                "INSERT INTO cards (id, json, on_board) VALUES (?, ?, 1) "
                "ON CONFLICT(id) DO UPDATE SET json = excluded.json, on_board = 1",
                [(item["id"], _dump(item)) for item in cards if isinstance(item, dict) and "id" in item],
            )
            for table, items in zip(_TABLES, (lists, labels, members)):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {table} (id, json) VALUES (?, ?)",  # noqa: S608
                    [(item["id"], _dump(item)) for item in items if isinstance(item, dict) and "id" in item],
                )
            self.set_meta("board", _dump(board_info))
            self.set_meta("snapshot_after", self.newest_action_id() or "")

    @property
    def has_snapshot(self) -> bool:
        return self.get_meta("snapshot_after") is not None

    def _rows(self, table: str, where: str = "") -> list[dict[str, Any]]:
        query = f"SELECT json FROM {table} {where} ORDER BY id"  # noqa: S608 - constants only
        return [json.loads(text) for (text,) in self._db.execute(query)]

    def load_history(self) -> BoardHistory:
        """Everything stored, as a history for :func:`trelloplan.history.build_report`."""
        try:
            with gc_paused():
                return self._load()
        except (ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"{self.path} holds data trelloplan cannot read ({exc})") from None

    def _load(self) -> BoardHistory:
        actions = []
        for (text,) in self._db.execute("SELECT json FROM actions"):
            action = parse_action(json.loads(text))
            if action is not None:
                actions.append(action)
        board_raw = json.loads(self.get_meta("board") or "{}")
        board_id = board_raw.get("id") or self.board_id
        board = None
        if board_id:
            board = BoardInfo(id=board_id, name=str(board_raw.get("name") or ""),
                              url=board_raw.get("shortUrl") or board_raw.get("url"))
        return make_history(
            actions,
            board=board,
            cards=[parse_card(raw) for raw in self._rows("cards", "WHERE on_board = 1")],
            former_cards=[parse_card(raw) for raw in self._rows("cards", "WHERE on_board = 0")],
            lists=[parse_list(raw) for raw in self._rows("lists")],
            labels=[parse_label(raw) for raw in self._rows("labels")],
            members=[parse_member(raw) for raw in self._rows("members")],
            snapshot=self.has_snapshot,
        )
