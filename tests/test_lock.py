"""The per-board lock: one run at a time per board, freed when the holder exits, however it exits."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trelloplan.errors import LockedError, TrelloplanError
from trelloplan.lock import BoardLock, board_lock, default_lock_folder

BOARD = "5f1e0c9a2b3d4e5f6a7b8c9d"


def test_a_second_run_for_the_same_board_is_refused(tmp_path: Path):
    with board_lock(BOARD, folder=tmp_path) as held:
        assert held.held
        with pytest.raises(LockedError) as caught:
            board_lock(BOARD, folder=tmp_path).acquire()
        error = caught.value
        assert re.fullmatch(rf"another trelloplan report for board {BOARD} is running "
                            rf"\(pid {os.getpid()} since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", error.message), error.message
        assert str(held.path) in error.hint
        assert error.exit_code == 1 and isinstance(error, TrelloplanError)
    assert not held.held
    with board_lock(BOARD, folder=tmp_path):
        pass


def test_other_boards_and_purposes_do_not_wait(tmp_path: Path):
    with board_lock(BOARD, folder=tmp_path), board_lock("another-board", folder=tmp_path), \
            board_lock(BOARD, folder=tmp_path, purpose="pull"):
        pass


def test_the_lock_file_is_private_and_stays_inside_its_folder(tmp_path: Path):
    odd = ["../../etc/passwd", "a/b", "board with spaces", ".hidden", "x" * 300, "ünïcode"]
    paths = set()
    for board in [BOARD, *odd]:
        lock = BoardLock(board, folder=tmp_path)
        with lock:
            assert lock.path.parent == tmp_path
            assert stat.S_IMODE(lock.path.stat().st_mode) == 0o600
            assert len(lock.path.name) < 120
        paths.add(lock.path)
    assert len(paths) == 1 + len(odd)
    assert BoardLock(BOARD, folder=tmp_path).path.name == f"{BOARD}.report.lock"
    with pytest.raises(ValueError):
        BoardLock("", folder=tmp_path)


def test_release_is_idempotent_and_a_lock_is_not_taken_twice(tmp_path: Path):
    lock = BoardLock(BOARD, folder=tmp_path)
    lock.release()
    lock.acquire()
    with pytest.raises(RuntimeError):
        lock.acquire()
    lock.release()
    lock.release()
    assert not lock.held


def test_the_lock_is_released_when_the_block_raises(tmp_path: Path):
    with pytest.raises(ZeroDivisionError), board_lock(BOARD, folder=tmp_path):
        raise ZeroDivisionError
    with board_lock(BOARD, folder=tmp_path):
        pass


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if sys.platform.startswith("linux"):
        assert default_lock_folder() == tmp_path / "cache" / "trelloplan" / "locks"
    with board_lock(BOARD) as lock:
        assert lock.path.parent == default_lock_folder()
        assert lock.path.is_file()


def test_an_unwritable_folder_is_a_runtime_failure(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(TrelloplanError, match="cannot create the lock file") as caught:
        board_lock(BOARD, folder=blocker / "locks").acquire()
    assert caught.value.exit_code == 1 and "XDG_CACHE_HOME" in caught.value.hint  # as README says of the lock


def _hold_in_child(folder: Path) -> subprocess.Popen[str]:
    code = textwrap.dedent(f"""
        import sys, time
        from trelloplan.lock import board_lock
        lock = board_lock({BOARD!r}, folder={str(folder)!r}).acquire()
        print("held", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held"
    return child


def test_another_process_holding_the_lock_blocks_until_it_dies(tmp_path: Path):
    child = _hold_in_child(tmp_path)
    try:
        with pytest.raises(LockedError, match=rf"\(pid {child.pid} since "):
            board_lock(BOARD, folder=tmp_path).acquire()
        child.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs, the OS still frees the lock
        child.wait(10)
        with board_lock(BOARD, folder=tmp_path) as lock:
            assert lock.held
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
