"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import UsageError

__all__ = ["atomic_write", "output_folder"]


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # os.umask can only be read by setting it: once, at import, before threads write files


def output_folder(path: str | Path) -> Path:
    """The folder a file written at ``path`` goes into; a missing folder or a ``path`` that is a folder is a
    :class:`~trelloplan.errors.UsageError`. Callers check it before long work (a pull) whose result goes there."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"cannot write {target}: it is a folder", hint="give a file name inside it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {target}: the folder {folder} does not exist",
                         hint="create the folder first, or choose another path")
    return folder


def atomic_write(path: str | Path, data: str | bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    With ``overwrite=False`` an existing file is never replaced, even by a
    concurrent writer (the final step is a hard link, which fails if the name exists).
    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``,
    a FIFO) is written into, never replaced: a rename would put a file in its place.
    """
    target = Path(path)
    try:
        special = not stat.S_ISREG(os.stat(target).st_mode) and not target.is_dir()
    except OSError:
        special = False
    if special:
        if not overwrite:
            raise UsageError(f"{target} already exists", hint="choose another path, or pass --force to overwrite it")
        try:
            with open(target, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror}", hint="check the path") from exc
        return target
    folder = output_folder(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}", hint="check the folder's permissions") from exc
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a written file should look like any other
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise UsageError(f"{target} already exists", hint="choose another path, or pass --force to overwrite it") from None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}", hint="check the path and free disk space") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
