"""atomic_write: whole files or none, and never a file put in the place of a device or a pipe."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from trelloplan.errors import UsageError
from trelloplan.fsutil import atomic_write


def test_a_file_is_written_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old")
    atomic_write(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["report.txt"]
    with pytest.raises(UsageError, match="already exists"):
        atomic_write(target, "other", overwrite=False)
    assert target.read_text() == "new"


def test_a_pipe_is_written_into_and_stays_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_stays_a_device() -> None:
    atomic_write(os.devnull, "nothing")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_no_file_goes_into_a_missing_folder_or_over_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the folder .* does not exist"):
        atomic_write(tmp_path / "missing" / "r.md", "x")
    with pytest.raises(UsageError, match="it is a folder"):
        atomic_write(tmp_path, "x")
    assert not (tmp_path / "missing").exists() and list(tmp_path.iterdir()) == []
