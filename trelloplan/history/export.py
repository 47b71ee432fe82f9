"""Reading Trello board JSON exports from files (the offline input of ``report --from-export``).

The one module of :mod:`trelloplan.history` that reads files; everything it
builds comes from :mod:`.parse`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ..errors import ExportError
from .model import BoardHistory
from .parse import ShapeError, history_from_actions, history_from_board_json, merge_histories

__all__ = ["load_export", "load_exports"]

_HINT = "export the board again from Trello: Menu → Print, export and share → Export as JSON"


def load_export(path: str | Path) -> BoardHistory:
    """One board export (or a saved page of board actions, a JSON list) as a history."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ExportError(f"{file}: no such file", hint="check the export file's path") from None
    except IsADirectoryError:
        raise ExportError(f"{file} is a folder, not an export file", hint="give the path of the .json file") from None
    except OSError as exc:
        raise ExportError(f"{file}: cannot read it ({exc.strerror})", hint="check the file's permissions") from None
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ExportError(f"{file} is not a text file", hint=_HINT) from None
    except json.JSONDecodeError as exc:
        raise ExportError(f"{file}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})", hint=_HINT) from None
    except RecursionError:
        raise ExportError(f"{file}: the JSON is nested too deeply to be a board export", hint=_HINT) from None
    except ValueError as exc:  # e.g. a number with more digits than Python reads
        raise ExportError(f"{file}: not JSON a board export can hold ({exc})", hint=_HINT) from None
    try:
        if isinstance(data, list):
            return history_from_actions(data)
        return history_from_board_json(data)
    except ShapeError as exc:
        where = f" at {exc.path}" if exc.path else ""
        raise ExportError(f"{file} is not a Trello board export{where}: {exc.detail}", hint=_HINT) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"{file} is not a Trello board export: {exc}", hint=_HINT) from None


def load_exports(paths: Iterable[str | Path]) -> BoardHistory:
    """Several exports of one board, merged by action id (overlapping exports are common)."""
    histories = [load_export(path) for path in paths]
    if not histories:
        raise ExportError("no export file given", hint="give one or more board export files")
    try:
        return merge_histories(histories)
    except ValueError as exc:
        raise ExportError(f"cannot merge the exports: {exc}", hint="give exports of one board only") from None
