"""A per-board lock, so two runs for the same board never overlap (two cron jobs, or cron and a person).

The lock is an advisory ``flock`` on a file under the user's cache folder
(``<cache>/trelloplan/locks/<board>.<purpose>.lock``). Taking it never waits:
if another process holds it, :class:`~trelloplan.errors.LockedError` says
who. The operating system releases it when the holder exits, however it
exits (a crash or ``kill -9`` included), so a stale lock cannot block the
next run; the file itself stays, as removing it would race with a new holder.

flock locks belong to an open file, so two :class:`BoardLock` objects for the
same board exclude each other even inside one process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import platformdirs

from .board.resolve import is_board_id
from .errors import LockedError, LockError

__all__ = ["BoardLock", "board_lock", "default_lock_folder"]

log = logging.getLogger("trelloplan.lock")

if sys.platform == "win32":  # pragma: no cover - trelloplan's cron story is Unix; this keeps Windows working
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def default_lock_folder() -> Path:
    """``<user cache dir>/trelloplan/locks`` (``~/.cache/trelloplan/locks`` on Linux)."""
    return Path(platformdirs.user_cache_dir("trelloplan")) / "locks"


def _file_name(key: str, purpose: str) -> str:
    """A safe file name for any key: the key itself when it is plain, else a readable prefix and a hash."""
    plain = re.sub(r"[^A-Za-z0-9_-]", "_", key)[:64]
    if plain != key or not key:
        plain = f"{plain}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"
    return f"{plain}.{re.sub(r'[^A-Za-z0-9_-]', '_', purpose)}.lock"


class BoardLock:
    """The lock for one board and purpose. Use as a context manager, or :meth:`acquire` and :meth:`release`."""

    def __init__(self, board_id: str, *, purpose: str = "report", folder: str | Path | None = None) -> None:
        if not board_id:
            raise ValueError("board_id must not be empty")
        self.board_id = board_id.lower() if is_board_id(board_id) else board_id  # one board, one lock: its canonical id
        self.purpose = purpose
        self.path = Path(folder if folder is not None else default_lock_folder()) / _file_name(board_id, purpose)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> BoardLock:
        """Take the lock now or raise :class:`LockedError`; never waits."""
        if self._fd is not None:
            raise RuntimeError(f"the lock {self.path} is already held by this object")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LockError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise LockedError(
                f"another trelloplan {self.purpose} for board {self.board_id} is running{holder}",
                hint=f"wait for it to finish; the lock ({self.path}) is freed when that process exits",
            )
        self._fd = fd
        _write_holder(fd)
        log.debug("took the lock %s", self.path)
        return self

    def release(self) -> None:
        """Give the lock up (a no-op when not held)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)
        log.debug("released the lock %s", self.path)

    def __enter__(self) -> BoardLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.release()

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            self.release()


def board_lock(board_id: str, *, purpose: str = "report", folder: str | Path | None = None) -> BoardLock:
    """A lock for ``board_id``, not yet taken: ``with board_lock(board_id): ...``."""
    return BoardLock(board_id, purpose=purpose, folder=folder)


def _write_holder(fd: int) -> None:
    """Record who holds the lock, for the message another run shows; best effort."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {stamp}\n".encode("ascii"), 0)
    except (OSError, AttributeError):
        log.debug("could not write the lock holder into the lock file", exc_info=True)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("ascii", "replace").strip()
    except (OSError, AttributeError):
        return ""
    return f" ({text})" if re.fullmatch(r"pid \d+ since [0-9T:Z-]+", text) else ""
