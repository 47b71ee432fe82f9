"""Seeded, reproducible fault injection: latency, error statuses, and connections dropped after
a write was committed.

Every API request draws the same three numbers from one ``random.Random(seed)`` (latency jitter,
error roll, drop roll), whatever is switched on, so a given seed and request sequence always
produce the same faults. Besides the random shares, tests can queue one-shot faults
(:meth:`Faults.fail_next`, :meth:`Faults.drop_next`) that hit the next matching request.

A *drop* lets the request run and commit, then closes the TCP connection without a response:
the client sees a connection error and cannot know whether its write happened, which is exactly
the case an idempotent client must handle. Only writes (POST, PUT, DELETE) that succeeded are
dropped.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["ERROR_BODIES", "FaultDecision", "Faults"]

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
ERROR_BODIES: dict[int, Any] = {
    429: {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class FaultDecision:
    latency_s: float = 0.0
    status: int | None = None
    drop: bool = False


@dataclass
class _OneShot:
    kind: str  # "status" or "drop"
    status: int | None
    method: str | None
    path_prefix: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.kind == "drop" and method.upper() not in WRITE_METHODS:
            return False
        return not self.path_prefix or path.startswith(self.path_prefix)


class Faults:
    """Fault settings plus the seeded random source; thread-safe."""

    def __init__(
        self,
        *,
        seed: int | None = None,
        latency_ms: float = 0.0,
        latency_jitter_ms: float = 0.0,
        error_rate: float = 0.0,
        error_statuses: tuple[int, ...] = (429, 500, 502, 503),
        drop_rate: float = 0.0,
        enabled: bool = True,
    ) -> None:
        self._lock = threading.Lock()
        self._queue: deque[_OneShot] = deque()
        self.seed = seed
        self._random = random.Random(seed)
        self.latency_ms = 0.0
        self.latency_jitter_ms = 0.0
        self.error_rate = 0.0
        self.error_statuses: tuple[int, ...] = (429, 500, 502, 503)
        self.drop_rate = 0.0
        self.enabled = enabled
        self.configure(
            latency_ms=latency_ms,
            latency_jitter_ms=latency_jitter_ms,
            error_rate=error_rate,
            error_statuses=error_statuses,
            drop_rate=drop_rate,
        )

    def configure(
        self,
        *,
        latency_ms: float | None = None,
        latency_jitter_ms: float | None = None,
        error_rate: float | None = None,
        error_statuses: tuple[int, ...] | list[int] | None = None,
        drop_rate: float | None = None,
        enabled: bool | None = None,
        seed: int | None = None,
    ) -> None:
        """Change any setting; ``seed`` restarts the random sequence."""
        for name, rate in (("error_rate", error_rate), ("drop_rate", drop_rate)):
            if rate is not None and not 0.0 <= float(rate) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {rate}")
        if error_statuses is not None:
            bad = [s for s in error_statuses if int(s) not in ERROR_BODIES]
            if bad or not error_statuses:
                raise ValueError(f"error_statuses must be some of {sorted(ERROR_BODIES)}, not {list(error_statuses)}")
        with self._lock:
            if latency_ms is not None:
                self.latency_ms = max(float(latency_ms), 0.0)
            if latency_jitter_ms is not None:
                self.latency_jitter_ms = max(float(latency_jitter_ms), 0.0)
            if error_rate is not None:
                self.error_rate = float(error_rate)
            if error_statuses is not None:
                self.error_statuses = tuple(int(s) for s in error_statuses)
            if drop_rate is not None:
                self.drop_rate = float(drop_rate)
            if enabled is not None:
                self.enabled = bool(enabled)
            if seed is not None:
                self.seed = seed
                self._random = random.Random(seed)

    def fail_next(
        self, status: int, count: int = 1, *, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (before they run)."""
        if status not in ERROR_BODIES:
            raise ValueError(f"status must be one of {sorted(ERROR_BODIES)}")
        with self._lock:
            self._queue.extend(_OneShot("status", status, method, path_prefix) for _ in range(count))

    def drop_next(self, count: int = 1, *, method: str | None = None, path_prefix: str | None = None) -> None:
        """Drop the connection of the next ``count`` matching writes, after they commit."""
        with self._lock:
            self._queue.extend(_OneShot("drop", None, method, path_prefix) for _ in range(count))

    def clear(self) -> None:
        """Switch every random fault off and forget queued one-shots (the seed is kept)."""
        with self._lock:
            self._queue.clear()
            self.latency_ms = self.latency_jitter_ms = self.error_rate = self.drop_rate = 0.0

    def settings(self) -> dict[str, Any]:
        with self._lock:
            return {
                "enabled": self.enabled,
                "seed": self.seed,
                "latencyMs": self.latency_ms,
                "latencyJitterMs": self.latency_jitter_ms,
                "errorRate": self.error_rate,
                "errorStatuses": list(self.error_statuses),
                "dropRate": self.drop_rate,
                "queued": len(self._queue),
            }

    def decide(self, method: str, path: str) -> FaultDecision:
        """The faults for one API request, drawn in request order."""
        with self._lock:
            jitter_roll, error_roll, drop_roll = self._random.random(), self._random.random(), self._random.random()
            status_pick = self._random.randrange(len(self.error_statuses))
            if not self.enabled:
                return FaultDecision()
            latency = (self.latency_ms + jitter_roll * self.latency_jitter_ms) / 1000.0
            for shot in list(self._queue):
                if shot.matches(method, path):
                    self._queue.remove(shot)
                    if shot.kind == "status":
                        return FaultDecision(latency, shot.status, False)
                    return FaultDecision(latency, None, True)
            status = self.error_statuses[status_pick] if error_roll < self.error_rate else None
            drop = status is None and method.upper() in WRITE_METHODS and drop_roll < self.drop_rate
            return FaultDecision(latency, status, drop)
