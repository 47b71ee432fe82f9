"""The SQLite history store, on real files: de-duplication, transactions, interruption, former cards, errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from trelloplan.errors import NotAStore, StoreError, UsageError
from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import generate_board
from trelloplan.store import SCHEMA, HistoryStore, default_store_path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
AS_OF = datetime(2026, 6, 1, tzinfo=timezone.utc)


def fill(store: HistoryStore, export: dict) -> None:
    store.add_actions(export["actions"])
    store.save_snapshot(export, cards=export["cards"], lists=export["lists"], labels=export["labels"],
                        members=export["members"])


def test_actions_are_stored_once_by_id(tmp_path: Path) -> None:
    export = generate_board(300, seed=2)
    with HistoryStore(tmp_path / "b.sqlite") as store:
        assert store.newest_action_id() is None and store.action_count() == 0
        assert store.add_actions(export["actions"][:200]) == 200
        assert store.add_actions(export["actions"][100:]) == len(export["actions"]) - 200
        assert store.add_actions(export["actions"]) == 0
        assert store.action_count() == len(export["actions"])
        ids = [a["id"] for a in export["actions"]]
        assert store.newest_action_id() == max(ids) and store.oldest_action_id() == min(ids)
        assert [a["id"] for a in store.raw_actions()] == sorted(ids)
        assert next(store.raw_actions()) == next(a for a in export["actions"] if a["id"] == min(ids))


def test_a_failed_transaction_stores_nothing(tmp_path: Path) -> None:
    export = generate_board(100, seed=3)
    with HistoryStore(tmp_path / "b.sqlite") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.add_actions(export["actions"])
                store.set_gap(("a", "b"))
                raise RuntimeError("the network went away")
        assert store.action_count() == 0 and store.gap() == (None, None)


def test_a_killed_process_loses_only_its_unfinished_page(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    export = generate_board(200, seed=4)
    with HistoryStore(path) as store:
        store.add_actions(export["actions"][:50])
    script = f"""
import json, os, sys
from trelloplan.store import HistoryStore
actions = json.load(open({str(tmp_path / 'page.json')!r}))
store = HistoryStore({str(path)!r})
with store.transaction():
    store.add_actions(actions)
    os._exit(9)   # killed in the middle of the page
"""
    (tmp_path / "page.json").write_text(json.dumps(export["actions"][50:]))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9
    with HistoryStore(path) as store:
        assert store.action_count() == 50
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_store_round_trips_a_board(tmp_path: Path) -> None:
    export = generate_board(2000, seed=5)
    with HistoryStore(tmp_path / "b.sqlite", board_id=export["id"]) as store:
        fill(store, export)
        loaded = store.load_history()
    direct = history_from_board_json(export)
    assert loaded == direct
    assert build_report(loaded, as_of=AS_OF, trials=100).to_dict() == build_report(direct, as_of=AS_OF, trials=100).to_dict()


def test_cards_that_leave_the_board_are_kept_as_former_cards(tmp_path: Path) -> None:
    export = generate_board(300, seed=6)
    gone = export["cards"][0]
    with HistoryStore(tmp_path / "b.sqlite") as store:
        fill(store, export)
        store.save_snapshot(export, cards=export["cards"][1:], lists=export["lists"])
        history = store.load_history()
    assert gone["id"] not in {c.id for c in history.cards}
    [former] = history.former_cards
    assert former.id == gone["id"] and former.label_ids == tuple(gone["idLabels"])
    assert history.labels == ()  # replaced by the newer (empty) snapshot


def test_the_unfetched_range_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    with HistoryStore(path) as store:
        assert store.gap() == (None, None)  # never pulled: everything is missing
        store.set_gap((None, "5f0000000000000000000000"))
    with HistoryStore(path) as store:
        assert store.gap() == (None, "5f0000000000000000000000")
        store.set_gap(None)
        assert store.gap() is None


def test_a_store_holds_one_board(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    HistoryStore(path, board_id="a" * 24).close()
    with pytest.raises(StoreError, match="holds board a+, not b+"):
        HistoryStore(path, board_id="b" * 24)
    with HistoryStore(path) as store:
        assert store.board_id == "a" * 24


def test_unusable_files_are_store_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database " * 100)
    with pytest.raises(NotAStore, match="not a trelloplan history store: not an SQLite file") as caught:
        HistoryStore(junk)
    assert caught.value.exit_code == 2 and "path" in caught.value.hint
    with pytest.raises(StoreError, match="no such history store"):
        HistoryStore(tmp_path / "missing.sqlite", create=False)
    newer = tmp_path / "newer.sqlite"
    HistoryStore(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA + 1),))
    with pytest.raises(StoreError, match="newer trelloplan"):
        HistoryStore(newer)
    bad = tmp_path / "bad.sqlite"
    with HistoryStore(bad) as store:
        store._db.execute("INSERT INTO actions VALUES ('x', '', 'createCard', '{\"type\": \"createCard\"}')")
        with pytest.raises(StoreError, match="cannot read"):
            store.load_history()


@pytest.mark.parametrize("create", [True, False])
def test_an_empty_or_foreign_file_is_refused_and_left_as_it_is(tmp_path: Path, create: bool) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    foreign = tmp_path / "notes.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
    db.close()
    before = foreign.read_bytes()
    with pytest.raises(NotAStore, match="is an empty file, not a trelloplan history store"):
        HistoryStore(empty, create=create)
    with pytest.raises(NotAStore, match="SQLite file of another program"):
        HistoryStore(foreign, create=create)
    with pytest.raises(NotAStore, match="is a folder"):
        HistoryStore(tmp_path, create=create)
    assert empty.read_bytes() == b"" and foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite", "notes.sqlite"]  # no journal left either


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a bad disk or a copy cut short would."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xde\xad\xbe\xef" * 2048)


def test_a_damaged_store_says_so(tmp_path: Path) -> None:
    export = generate_board(3000, seed=3)
    path = tmp_path / "board.sqlite"
    with HistoryStore(path, board_id=export["id"]) as store:
        store.add_actions(export["actions"])
        store.check()  # a sound store passes
    damage(path)
    with HistoryStore(path, create=False) as store:
        with pytest.raises(StoreError, match="is damaged") as caught:
            store.check()
        assert caught.value.exit_code == 1 and "pull again" in caught.value.hint
        with pytest.raises(StoreError, match="damaged|cannot read"):
            store.load_history()


def test_the_default_store_lives_in_the_users_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = default_store_path("5e20e06c460b391727ce7a2b")
    assert path == tmp_path / "cache" / "trelloplan" / "boards" / "5e20e06c460b391727ce7a2b.sqlite"
    with HistoryStore.for_board("5e20e06c460b391727ce7a2b") as store:
        assert store.path == path and path.is_file() and store.board_id == "5e20e06c460b391727ce7a2b"
    for bad in ("../etc", "a/b", ""):
        with pytest.raises(UsageError, match="is not a board id"):
            default_store_path(bad)


def test_a_real_export_in_the_store(tmp_path: Path) -> None:
    export = json.loads((SAMPLES / "board-exports" / "kanban-template.json").read_text(encoding="utf-8"))
    with HistoryStore(tmp_path / "k.sqlite") as store:
        fill(store, export)
        history = store.load_history()
    assert history == history_from_board_json(export)
    assert history.board is not None and history.board.name == "Kanban Template"
