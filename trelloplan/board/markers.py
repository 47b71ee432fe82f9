"""The marker that ties a Trello card to its plan task, and the task's estimate.

apply writes the task's key as the last line of the card's description
(``trelloplan-key: set-up-bigquery``), and the task's hours on the line
before it (``Estimate: 4 h``), so the team sees them on the card. The state file maps keys to card ids
too; the marker is what lets a re-run recognise a card created by a run that
died before it could record the id, and lets reports on any machine match
cards to plan tasks.

People add notes to descriptions, often at the very end: both lines are
found wherever they stand (on a line of their own; the last one wins), and
everything else is the text people read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ESTIMATE_PREFIX", "MARKER_PREFIX", "CardText", "card_key", "compose_desc", "retrail", "split_desc", "strip_marker",
           "with_marker"]

MARKER_PREFIX = "trelloplan-key:"
_MARKER_LINE = re.compile(r"^[ \t]*trelloplan-key:[ \t]*(\S+)[ \t]*$", re.MULTILINE)
ESTIMATE_PREFIX = "Estimate:"
_ESTIMATE_LINE = re.compile(r"^[ \t]*Estimate:[ \t]*([0-9]+(?:\.[0-9]+)?)[ \t]*h(?:ours?)?[ \t]*$", re.MULTILINE)


def card_key(desc: str | None) -> str | None:
    """The task key in a card description, or None when the card has none."""
    if not desc or MARKER_PREFIX not in desc:
        return None
    found = _MARKER_LINE.findall(desc)
    return found[-1] if found else None


def _without(pattern: re.Pattern[str], text: str) -> str:
    """``text`` without the lines ``pattern`` matches, each with the blank line apply put before it."""
    kept: list[str] = []
    for line in text.split("\n"):
        if pattern.fullmatch(line):
            if kept and not kept[-1].strip():
                kept.pop()
        else:
            kept.append(line)
    return "\n".join(kept).lstrip("\n").rstrip()


def strip_marker(desc: str | None) -> str:
    """The description without its marker line: the part a person reads."""
    if not desc:
        return ""
    return _without(_MARKER_LINE, desc) if MARKER_PREFIX in desc else desc.rstrip()


def with_marker(desc: str, key: str) -> str:
    """``desc`` followed by the marker line for ``key``."""
    body = strip_marker(desc)
    return f"{body}\n\n{MARKER_PREFIX} {key}" if body else f"{MARKER_PREFIX} {key}"


class CardText(NamedTuple):
    """A card description taken apart: the text people read, the estimate line's hours, the key."""

    body: str
    hours: float | None
    key: str | None


def split_desc(desc: str | None) -> CardText:
    """``desc`` as (body, hours, key); the parts apply writes are None when absent."""
    key = card_key(desc)
    rest = strip_marker(desc) if key else (desc or "").rstrip()
    estimates = _ESTIMATE_LINE.findall(rest) if ESTIMATE_PREFIX in rest else []
    if not estimates:
        return CardText(rest, None, key)
    return CardText(_without(_ESTIMATE_LINE, rest), float(estimates[-1]), key)


def compose_desc(body: str, hours: float | None, key: str) -> str:
    """The description apply writes: the body, then the estimate line and the marker line."""
    trailer = (f"{ESTIMATE_PREFIX} {hours:g} h\n" if hours is not None else "") + f"{MARKER_PREFIX} {key}"
    body = body.rstrip()
    return f"{body}\n\n{trailer}" if body else trailer


def retrail(desc: str, hours: float | None, key: str) -> str:
    """``desc`` with its estimate line set to ``hours`` (unless None) and its marker to ``key``, where they stand.

    For a write of the estimate or the key alone: whatever people wrote around the two lines stays as
    it was, byte for byte. A description without a marker line gets both, as :func:`compose_desc` writes them.
    """
    markers = list(_MARKER_LINE.finditer(desc)) if MARKER_PREFIX in desc else []
    if not markers:
        text = split_desc(desc)
        return compose_desc(text.body, hours if hours is not None else text.hours, key)
    marker = markers[-1]
    desc = f"{desc[:marker.start()]}{MARKER_PREFIX} {key}{desc[marker.end():]}"
    if hours is None:
        return desc
    line = f"{ESTIMATE_PREFIX} {hours:g} h"
    estimates = list(_ESTIMATE_LINE.finditer(desc)) if ESTIMATE_PREFIX in desc else []
    if estimates:
        found = estimates[-1]
        return f"{desc[:found.start()]}{line}{desc[found.end():]}"
    return f"{desc[:marker.start()]}{line}\n{desc[marker.start():]}"
