"""Trello's date format, written and read in one place.

Trello writes instants as ISO-8601 UTC with milliseconds (``2026-01-05T09:00:00.000Z``)
and accepts a few more forms on input (``2020-12-22 01:59:00 UTC``, ``+0000`` offsets).
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["format_date", "parse_date"]


def format_date(moment: datetime) -> str:
    """Trello's date format: ISO-8601 UTC with milliseconds and a ``Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_date(value: str) -> datetime:
    """Parse the date forms Trello accepts (ISO-8601, ``2020-12-22 01:59:00 UTC``, ``+0000``).

    Naive values are taken as UTC. Raises ``ValueError`` for anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-6] != ":":
        text = text[:-5].rstrip() + text[-5:-2] + ":" + text[-2:]
    text = text.replace(" +", "+").replace(" -", "-")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        text += "T00:00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
