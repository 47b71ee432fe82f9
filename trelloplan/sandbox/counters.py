"""Request counters: what clients sent, by method and route template; 429s; injected faults.

A benchmark resets them, runs a client, and reads exactly how many requests of each kind the
client made (``GET /1/boards/<board_id>/actions``: 3), how many were refused with 429, and which
faults were injected. Only API requests (``/1/...`` and the board-export path) are counted, not
the ``/_sandbox`` control routes.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["Counters"]


class Counters:
    """Thread-safe counters with a snapshot and a reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: Counter[str] = Counter()
        self._methods: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._batched: Counter[str] = Counter()
        self._rate_limited = 0
        self._total = 0

    def request(self, method: str, route: str) -> None:
        with self._lock:
            self._total += 1
            self._methods[method] += 1
            self._routes[f"{method} {route}"] += 1

    def batched(self, route: str) -> None:
        """One sub-request of ``GET /1/batch`` (counted apart from what the client sent)."""
        with self._lock:
            self._batched[f"GET {route}"] += 1

    def response(self, status: int) -> None:
        with self._lock:
            self._statuses[str(status)] += 1

    def rate_limited(self) -> None:
        """A 429 from the rate limiter itself (injected 429s count as faults)."""
        with self._lock:
            self._rate_limited += 1

    def fault(self, kind: str) -> None:
        """``latency``, ``drop``, or the injected status (``"500"``)."""
        with self._lock:
            self._faults[kind] += 1

    def reset(self) -> None:
        with self._lock:
            for counter in (self._routes, self._methods, self._statuses, self._faults, self._batched):
                counter.clear()
            self._rate_limited = 0
            self._total = 0

    def snapshot(self) -> dict[str, Any]:
        """Everything counted since the last reset, as JSON-ready data."""
        with self._lock:
            return {
                "requests": self._total,
                "byMethod": dict(sorted(self._methods.items())),
                "byRoute": dict(sorted(self._routes.items())),
                "batched": dict(sorted(self._batched.items())),
                "byStatus": dict(sorted(self._statuses.items())),
                "responses429": self._statuses.get("429", 0),
                "rateLimited": self._rate_limited,
                "faults": dict(sorted(self._faults.items())),
            }

    def route(self, method: str, route: str) -> int:
        """How many ``method route`` requests were counted (route as a template)."""
        with self._lock:
            return self._routes.get(f"{method} {route}", 0)

    @property
    def requests(self) -> int:
        with self._lock:
            return self._total
