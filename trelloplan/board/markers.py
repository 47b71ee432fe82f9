"""The marker that ties a Trello card to its plan task.

apply writes the task's key as the last line of the card's description
(``trelloplan-key: w3-set-up-bigquery``). The state file maps keys to card ids
too; the marker is what lets a re-run recognise a card created by a run that
died before it could record the id, and lets reports on any machine match
cards to plan tasks.
"""

from __future__ import annotations

import re

__all__ = ["MARKER_PREFIX", "card_key", "strip_marker", "with_marker"]

MARKER_PREFIX = "trelloplan-key:"
_MARKER_LINE = re.compile(r"(?:\n\n)?^trelloplan-key:[ \t]*(\S+)[ \t]*\Z", re.MULTILINE)


def card_key(desc: str | None) -> str | None:
    """The task key in a card description, or None when the card has none."""
    if not desc:
        return None
    match = _MARKER_LINE.search(desc.rstrip())
    return match.group(1) if match else None


def strip_marker(desc: str | None) -> str:
    """The description without its marker line: the part a person reads."""
    if not desc:
        return ""
    return _MARKER_LINE.sub("", desc.rstrip()).rstrip()


def with_marker(desc: str, key: str) -> str:
    """``desc`` followed by the marker line for ``key``."""
    body = strip_marker(desc)
    return f"{body}\n\n{MARKER_PREFIX} {key}" if body else f"{MARKER_PREFIX} {key}"
