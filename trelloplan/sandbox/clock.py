"""The sandbox clock: real time by default; frozen, set or moved on demand.

Ids, action dates and ``dateLastActivity`` take their time from this clock, so a test or a demo
can freeze time at a Monday morning, apply a plan, advance a day, move some cards, and so on:
ten weeks of history in seconds. Rate-limit windows do *not* use it (they use monotonic time).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from ..dates import format_date, parse_date

__all__ = ["SandboxClock", "format_date", "parse_date"]

_MIN = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX = datetime(2106, 2, 7, tzinfo=timezone.utc)


def _coerce(at: datetime | str) -> datetime:
    moment = parse_date(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        raise ValueError("the sandbox clock needs a timezone-aware datetime (use timezone.utc)")
    moment = moment.astimezone(timezone.utc)
    if not _MIN <= moment < _MAX:
        raise ValueError(f"the sandbox clock must stay between 1970 and 2106, not {moment.isoformat()}")
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SandboxClock:
    """A thread-safe clock that runs with real time, or stands still while frozen.

    Running: ``now()`` is the last set time plus the real (monotonic) time elapsed since.
    Frozen: ``now()`` stays put until :meth:`set` or :meth:`advance` moves it.
    Times are timezone-aware UTC, truncated to milliseconds (Trello's precision).
    """

    def __init__(self, start: datetime | str | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._base = _coerce(start) if start is not None else _coerce(datetime.now(timezone.utc))
        self._base_mono = time.monotonic()
        self._frozen = frozen
        self._listeners: list[Any] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._frozen:
            return self._base
        elapsed = time.monotonic() - self._base_mono
        moment = self._base + timedelta(seconds=elapsed)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self, at: datetime | str | None = None) -> datetime:
        """Stop the clock (at ``at`` if given, else at the current sandbox time)."""
        with self._lock:
            self._base = _coerce(at) if at is not None else self._now_locked()
            self._base_mono = time.monotonic()
            self._frozen = True
            moment = self._base
        self._changed()
        return moment

    def unfreeze(self) -> datetime:
        """Let the clock run again from where it stands."""
        with self._lock:
            self._base = self._now_locked()
            self._base_mono = time.monotonic()
            self._frozen = False
            moment = self._base
        self._changed()
        return moment

    def set(self, at: datetime | str) -> datetime:
        """Jump to ``at``; a frozen clock stays frozen, a running one runs on from there.

        Moving the clock backwards is allowed, but ids and action dates minted afterwards will
        sort before the ones minted earlier, as they would on a server whose clock was reset.
        """
        with self._lock:
            self._base = _coerce(at)
            self._base_mono = time.monotonic()
            moment = self._base
        self._changed()
        return moment

    def advance(
        self,
        delta: timedelta | float | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move the clock forward by ``delta`` (a timedelta or seconds) plus the keyword parts."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=float(delta or 0))
        step += timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError("advance() moves the clock forward only; use set() to go back")
        with self._lock:
            self._base = _coerce(self._now_locked() + step)
            self._base_mono = time.monotonic()
            moment = self._base
        self._changed()
        return moment

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            moment = self._now_locked()
            frozen = self._frozen
        return {"now": format_date(moment), "frozen": frozen, "epochMs": int(moment.timestamp() * 1000)}

    def state(self) -> dict[str, Any]:
        """What to persist so a restarted sandbox keeps its time (see :meth:`restore`)."""
        with self._lock:
            moment = self._now_locked()
            offset = (moment - datetime.now(timezone.utc)).total_seconds()
            return {"frozen": self._frozen, "at": format_date(moment), "offset": offset}

    def restore(self, saved: dict[str, Any]) -> None:
        """Resume a persisted clock: a frozen one at its saved time; a running one keeps its
        offset from real time (a clock set ten weeks back stays ten weeks back)."""
        if saved.get("frozen"):
            self.freeze(saved["at"])
        elif abs(float(saved.get("offset", 0.0))) > 1.0:
            self.set(datetime.now(timezone.utc) + timedelta(seconds=float(saved["offset"])))

    def on_change(self, callback: Any) -> None:
        """Call ``callback()`` after every change (the sandbox persists the clock with it)."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for callback in list(self._listeners):
            callback()
