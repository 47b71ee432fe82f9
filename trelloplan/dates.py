"""Trello's date format, written and read in one place; and the range of dates trelloplan handles.

Trello writes instants as ISO-8601 UTC with milliseconds (``2026-01-05T09:00:00.000Z``)
and accepts a few more forms on input (``2020-12-22 01:59:00 UTC``, ``+0000`` offsets).

Every date that comes in (a plan's start, ``--as-of``, an action's date in an
export, a store or a server's answer) must lie in :data:`EARLIEST` ..
:data:`LATEST`: Trello's ids count seconds from 1970, and the upper bound leaves
centuries of room for week arithmetic, forecasts and time zones, so nothing
computed from an accepted date can overflow Python's year 9999.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

__all__ = ["EARLIEST", "LATEST", "RANGE_TEXT", "format_date", "in_range", "out_of_range", "parse_date"]

EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
RANGE_TEXT = "1970-01-01 to 9000-12-31"


def in_range(moment: datetime | date) -> bool:
    """True when ``moment`` (an aware instant, or a calendar day) lies between :data:`EARLIEST` and :data:`LATEST`."""
    if isinstance(moment, datetime):
        return EARLIEST <= moment <= LATEST
    return EARLIEST.date() <= moment <= LATEST.date()


def out_of_range(text: str) -> str:
    """The message for a date outside the range: ``'0001-01-01' is outside the dates trelloplan handles (…)``."""
    return f"{text!r} is outside the dates trelloplan handles ({RANGE_TEXT})"


def format_date(moment: datetime) -> str:
    """Trello's date format: ISO-8601 UTC with milliseconds and a ``Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_date(value: str) -> datetime:
    """Parse the date forms Trello accepts (ISO-8601, ``2020-12-22 01:59:00 UTC``, ``+0000``).

    Naive values are taken as UTC. Raises ``ValueError`` for anything else,
    including dates that exist only in another zone (``0001-01-01T00:00:00+14:00``).
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
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(out_of_range(value)) from None
