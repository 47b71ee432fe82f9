"""Client-side pacing that stays under Trello's rate limits instead of hitting them.

Trello allows 100 requests per 10 s per token and 300 per key, counted over a
sliding window. :class:`Pacer` keeps the send times of recent requests and
makes a caller wait only when one more request would exceed a window, so a
burst of up to a window's worth goes out at once and longer runs settle at the
allowed rate. The ``X-Rate-Limit-*`` headers, when a server sends them, tell
the pacer about requests it did not see (another process with the same token).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Pacer", "Window"]


@dataclass(frozen=True)
class Window:
    """At most ``limit`` requests in any ``interval`` seconds."""

    limit: int
    interval: float


class _Log:
    def __init__(self, window: Window) -> None:
        self.window = window
        self.sent: deque[float] = deque()

    def prune(self, now: float) -> None:
        horizon = now - self.window.interval
        while self.sent and self.sent[0] <= horizon:
            self.sent.popleft()

    def wait(self, now: float) -> float:
        self.prune(now)
        if len(self.sent) < self.window.limit:
            return 0.0
        return self.sent[len(self.sent) - self.window.limit] + self.window.interval - now


class Pacer:
    """A thread-safe limiter over several sliding windows (per token, per key).

    ``margin`` keeps a few requests of every window in reserve, and
    ``skew`` pads each window, because the server counts a request when it
    arrives and we count it when it leaves.
    """

    def __init__(
        self,
        token: Window = Window(100, 10.0),
        key: Window = Window(300, 10.0),
        *,
        margin: float = 0.03,
        skew: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        def padded(window: Window) -> Window:
            return Window(max(1, int(window.limit * (1 - margin))), window.interval + skew)

        self._logs = {"token": _Log(padded(token)), "key": _Log(padded(key))}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0
        self.waited = 0.0

    def acquire(self) -> None:
        """Block until one more request fits in every window, then count it as sent."""
        while True:
            with self._lock:
                now = self._clock()
                delay = max([self._paused_until - now] + [log.wait(now) for log in self._logs.values()])
                if delay <= 0:
                    for log in self._logs.values():
                        log.sent.append(now)
                    return
            self.waited += delay
            self._sleep(delay)

    def pause(self, seconds: float) -> None:
        """Hold every caller back for ``seconds`` (after a 429, the server knows better than we do)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Account for requests the server counted but this pacer did not send."""
        for name, log in self._logs.items():
            prefix = f"x-rate-limit-api-{name}-"
            remaining, maximum = headers.get(prefix + "remaining"), headers.get(prefix + "max")
            if remaining is None or maximum is None:
                continue
            try:
                used = int(maximum) - int(remaining)
            except ValueError:
                continue
            with self._lock:
                now = self._clock()
                log.prune(now)
                unseen = used - len(log.sent)
                for _ in range(max(0, unseen)):
                    log.sent.append(now)
