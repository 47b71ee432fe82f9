"""The state file that ties a plan to its board.

It sits next to the plan (``plan.yaml`` → ``plan.state.json``) and records
the board (and the server it lives on), the ids of the lists, labels and cards
apply made, and the values apply last wrote. Those last-written values make
apply a three-way merge: a field the plan did not change is never written, so
edits people make on the board survive. It holds no secrets. Keep it with
the plan (commit it next to the plan file): without it apply finds the board
again by its marker, but can no longer tell people's edits from plan changes,
so it reports those differences as conflicts instead of writing them.

Format history: version 2 (trelloplan 0.2) keys cards by the new default task
keys and records each card's ``hours`` and ``members``. A version 1 file is
read as it is: its week-prefixed keys still match their tasks
(:mod:`trelloplan.board.identity`), the hours of each card are taken from the
description it recorded, and the next apply saves it as version 2 under the
new keys. Older trelloplan releases refuse a version 2 file rather than
mistake its keys.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fsutil import atomic_write
from .markers import split_desc

__all__ = ["PlanState", "default_state_path"]

STATE_VERSION = 2
READABLE_VERSIONS = (1, 2)


def default_state_path(plan_path: str | Path) -> Path:
    path = Path(plan_path)
    return path.with_name(f"{path.stem}.state.json")


@dataclass
class PlanState:
    """What apply knows about the board of one plan. Values are plain JSON."""

    path: Path | None = None
    #: the plan instance written into the board's marker; "" (unknown: no state file) gets a fresh one,
    #: and lets apply adopt the one trelloplan board named like the project (``known_instance`` False)
    instance: str = ""
    api_url: str | None = None
    board_id: str | None = None
    board_url: str | None = None
    board: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: cards an apply is creating: recorded before the writes, so that a run killed before it could
    #: record their ids leaves the next one knowing their values are the plan's, not a person's
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    known_instance: bool = field(default=True, init=False, compare=False)

    def __post_init__(self) -> None:
        if not self.instance:
            self.instance, self.known_instance = uuid.uuid4().hex, False

    @classmethod
    def load(cls, path: str | Path) -> PlanState:
        """Read the state at ``path``; a missing file is a fresh state."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path=path)
        except OSError as exc:
            raise ConfigError(f"cannot read the state file {path}: {exc.strerror}", hint="check its permissions") from exc
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") not in READABLE_VERSIONS:
                if isinstance(data, dict) and isinstance(data.get("version"), int) and data["version"] > STATE_VERSION:
                    raise ConfigError(f"the state file {path} was written by a newer trelloplan (version {data['version']})",
                                      hint="upgrade trelloplan; do not remove the file")
                raise ValueError("not a trelloplan state file")
            if data["version"] == 1:
                for record in (data.get("cards") or {}).values():
                    if isinstance(record, dict) and isinstance(record.get("desc"), str) and "hours" not in record:
                        record["hours"] = split_desc(record["desc"]).hours
                    if isinstance(record, dict):
                        record.setdefault("members", [])  # trelloplan 0.1 assigned nobody
            return cls(
                path=path, instance=str(data["instance"]), api_url=data.get("api_url"), board_id=data.get("board_id"),
                board_url=data.get("board_url"), board=dict(data.get("board") or {}), lists=dict(data.get("lists") or {}),
                labels=dict(data.get("labels") or {}), cards=dict(data.get("cards") or {}), pending=dict(data.get("pending") or {}),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"the state file {path} is damaged ({exc})",
                              hint="restore it from version control, or move it away and pass --board ID to adopt the board again") from None

    def list_roles(self) -> dict[str, str]:
        """``{list_id: role}`` of the lists apply made (To Do, In Progress, Done): a report knows them by id, whatever their names."""
        return {info["id"]: role for role, info in self.lists.items()
                if role in ("todo", "in_progress", "done") and isinstance(info, dict) and isinstance(info.get("id"), str)}

    def week_labels(self) -> dict[str, int]:
        """``{label_id: week}`` of the week labels apply made: a card keeps its week when people rename the label."""
        weeks = {}
        for ref, info in self.labels.items():
            number = ref.removeprefix("week:")
            if ref.startswith("week:") and number.isdigit() and isinstance(info, dict) and isinstance(info.get("id"), str):
                weeks[info["id"]] = int(number)
        return weeks

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION, "instance": self.instance, "api_url": self.api_url, "board_id": self.board_id,
            "board_url": self.board_url, "board": self.board, "lists": self.lists, "labels": self.labels, "cards": self.cards,
            **({"pending": self.pending} if self.pending else {}),
        }

    def save(self) -> None:
        if self.path is not None:
            atomic_write(self.path, json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")
