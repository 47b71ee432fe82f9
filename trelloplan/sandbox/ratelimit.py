"""Trello's rate limits: sliding windows per token and per key, in real (monotonic) time.

Defaults are Trello's: 100 requests per 10 s per token and 300 per 10 s per key. A request over a
limit gets ``429`` with Trello's JSON body and does not count toward the window, so once the
window has slid past the burst the client is served again. As on Trello, a key that collects more
than 200 429s inside one window gets 429 for everything until the window has passed. Every API
response carries the ``X-Rate-Limit-*`` headers Trello sends (token, key and member families).
The windows use ``time.monotonic`` (injectable), never the sandbox clock, so freezing the clock
does not freeze the limits.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RateDecision", "RateLimiter"]

MEMBER_MAX = 375  # Trello's undocumented member budget (Dec 2023 headers); reported, not enforced
ACTION_MAX = 15000  # per token per hour on /1/actions routes (2022 headers); reported, not enforced
ACTION_WINDOW_S = 3600.0
KEY_LOCKOUT_429S = 200


@dataclass
class RateDecision:
    allowed: bool
    scope: str = ""  # "TOKEN" or "KEY" when refused
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    """Thread-safe sliding-window limiter (configurable, and switchable off).

    ``time_source`` (default ``time.monotonic``) may be replaced, e.g. by a test that wants to
    move time by hand instead of sleeping through a 10 s window.
    """

    def __init__(
        self,
        *,
        token_limit: int = 100,
        key_limit: int = 300,
        window_s: float = 10.0,
        enabled: bool = True,
        time_source: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self.time_source = time_source
        self.token_limit = token_limit
        self.key_limit = key_limit
        self.window_s = window_s
        self.enabled = enabled
        self._hits: dict[str, deque[float]] = {}
        self._refusals: dict[str, deque[float]] = {}
        self._actions: dict[str, deque[float]] = {}

    def configure(
        self,
        *,
        token_limit: int | None = None,
        key_limit: int | None = None,
        window_s: float | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change limits at runtime (the windows already counted are kept)."""
        with self._lock:
            if token_limit is not None:
                self.token_limit = int(token_limit)
            if key_limit is not None:
                self.key_limit = int(key_limit)
            if window_s is not None:
                if window_s <= 0:
                    raise ValueError("window_s must be positive")
                self.window_s = float(window_s)
            if enabled is not None:
                self.enabled = bool(enabled)

    def reset(self) -> None:
        """Forget every counted request (a fresh window for everyone)."""
        with self._lock:
            self._hits.clear()
            self._refusals.clear()
            self._actions.clear()

    def settings(self) -> dict[str, Any]:
        with self._lock:
            return {
                "enabled": self.enabled,
                "tokenLimit": self.token_limit,
                "keyLimit": self.key_limit,
                "windowMs": int(self.window_s * 1000),
            }

    def _window(self, table: dict[str, deque[float]], name: str, now: float) -> deque[float]:
        hits = table.setdefault(name, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def hit(self, key: str, token: str | None, cost: int = 1) -> RateDecision:
        """Count one request (``cost`` units) for ``key``/``token``; refuse it if over a limit."""
        with self._lock:
            now = self.time_source()
            key_hits = self._window(self._hits, "key:" + key, now)
            token_hits = self._window(self._hits, "token:" + (token or ""), now)
            refusals = self._window(self._refusals, key, now)
            scope = ""
            if self.enabled:
                if len(refusals) > KEY_LOCKOUT_429S or len(key_hits) + cost > self.key_limit:
                    scope = "KEY"
                elif token and len(token_hits) + cost > self.token_limit:
                    scope = "TOKEN"
            if scope:
                refusals.append(now)
            else:
                for _ in range(cost):
                    key_hits.append(now)
                    if token:
                        token_hits.append(now)
            return RateDecision(not scope, scope, self._headers(len(token_hits), len(key_hits)))

    def peek(self, key: str, token: str | None) -> dict[str, str]:
        """The headers for a response that was not counted (e.g. a 401)."""
        with self._lock:
            now = self.time_source()
            key_hits = self._window(self._hits, "key:" + key, now)
            token_hits = self._window(self._hits, "token:" + (token or ""), now)
            return self._headers(len(token_hits), len(key_hits))

    def action_headers(self, token: str | None) -> dict[str, str]:
        """Count one ``/1/actions`` request and return Trello's ``X-Rate-Limit-Action-*`` headers."""
        with self._lock:
            now = self.time_source()
            hits = self._actions.setdefault(token or "", deque())
            while hits and hits[0] <= now - ACTION_WINDOW_S:
                hits.popleft()
            hits.append(now)
            return {
                "X-Rate-Limit-Action-Interval-Ms": str(int(ACTION_WINDOW_S * 1000)),
                "X-Rate-Limit-Action-Max": str(ACTION_MAX),
                "X-Rate-Limit-Action-Remaining": str(max(ACTION_MAX - len(hits), 0)),
            }

    def _headers(self, token_used: int, key_used: int) -> dict[str, str]:
        interval = str(int(self.window_s * 1000))
        return {
            "X-Rate-Limit-Api-Token-Interval-Ms": interval,
            "X-Rate-Limit-Api-Token-Max": str(self.token_limit),
            "X-Rate-Limit-Api-Token-Remaining": str(max(self.token_limit - token_used, 0)),
            "X-Rate-Limit-Api-Key-Interval-Ms": interval,
            "X-Rate-Limit-Api-Key-Max": str(self.key_limit),
            "X-Rate-Limit-Api-Key-Remaining": str(max(self.key_limit - key_used, 0)),
            "X-Rate-Limit-Member-Interval-Ms": interval,
            "X-Rate-Limit-Member-Max": str(MEMBER_MAX),
            "X-Rate-Limit-Member-Remaining": str(max(MEMBER_MAX - token_used, 0)),
        }
