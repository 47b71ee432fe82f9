"""The one deadline policy for every network call: Trello's API and SMTP alike.

Socket timeouts bound each wait for a byte, not a whole exchange: a server (or
a proxy) that sends one byte every few seconds keeps a request alive forever,
and a cron job hangs silently. So every exchange also has an overall
*deadline*, from the first connect to the last byte of the answer (an HTTP
request, or a whole SMTP session). When it passes, a watchdog shuts the
exchange's socket down, and the caller raises one line naming the server and
the deadline.

The deadline is :data:`DEFAULT_DEADLINE` seconds unless ``TRELLOPLAN_TIMEOUT``
(or a library argument) says otherwise; see :func:`deadline_from_env`.
"""

from __future__ import annotations

import contextlib
import heapq
import ipaddress
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .errors import ConfigError

__all__ = ["DEFAULT_DEADLINE", "ENV_DEADLINE", "Guard", "current_guard", "deadline", "deadline_from_env", "is_loopback",
           "shut_down"]

#: Seconds an exchange may take from connect to the last byte, unless configured otherwise.
DEFAULT_DEADLINE = 60.0
ENV_DEADLINE = "TRELLOPLAN_TIMEOUT"
_RETRY_ABORT = 0.05  # when the deadline finds no socket yet (still connecting), look again this soon


def deadline_from_env(environ: Mapping[str, str] | None = None) -> float:
    """The deadline in seconds: ``TRELLOPLAN_TIMEOUT`` when set (a positive number), else :data:`DEFAULT_DEADLINE`."""
    env = os.environ if environ is None else environ
    text = env.get(ENV_DEADLINE, "").strip()
    if not text:
        return DEFAULT_DEADLINE
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 86_400:
        raise ConfigError(f"{ENV_DEADLINE}={text!r} is not a number of seconds",
                          hint=f"set it to the seconds a network call may take, e.g. {ENV_DEADLINE}=60 (the default)")
    return seconds


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``::1``)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shut_down(sock: socket.socket | None) -> bool:
    """Shut ``sock`` down both ways (a blocked ``recv`` returns at once); False when there is no socket yet."""
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    return True


class Guard:
    """One exchange under a deadline: what to shut down when it passes, and whether it did."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._closers: list[Callable[[], bool]] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left, never less than a millisecond (a socket timeout of 0 would mean non-blocking)."""
        return max(0.001, self.ends - time.monotonic())

    def track(self, closer: Callable[[], bool]) -> None:
        """Call ``closer`` when the deadline passes; it returns False while it has nothing to close yet."""
        with self._lock:
            self._closers.append(closer)
            expired = self.expired
        if expired:
            closer()

    def _abort(self) -> bool:
        with self._lock:
            self.expired = True
            closers = list(self._closers)
        done = [closer() for closer in closers]
        return any(done)


class _Watchdog:
    """One daemon thread that fires the deadlines of every exchange in the process, soonest first."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Guard]] = []
        self._done: set[int] = set()
        self._count = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, guard: Guard) -> int:
        with self._wake:
            number = next(self._count)
            heapq.heappush(self._heap, (guard.ends, number, guard))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="trelloplan-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
            return number

    def remove(self, number: int) -> None:
        with self._wake:
            self._done.add(number)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][1] in self._done:
                    self._done.discard(heapq.heappop(self._heap)[1])
                if not self._heap:
                    self._wake.wait()
                    continue
                when, number, guard = self._heap[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
            if not guard._abort():  # nothing to shut yet: look again shortly, until the exchange ends
                with self._wake:
                    if number not in self._done:
                        heapq.heappush(self._heap, (time.monotonic() + _RETRY_ABORT, number, guard))
                    else:
                        self._done.discard(number)
            else:
                with self._wake:
                    self._done.discard(number)


_WATCHDOG = _Watchdog()
_CURRENT = threading.local()


def current_guard() -> Guard | None:
    """The guard of the exchange this thread is running, if any (connections register with it)."""
    return getattr(_CURRENT, "guard", None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Guard]:
    """Run one exchange under a deadline of ``seconds``.

    Whatever the body (or a connection it opens, through :func:`current_guard`)
    :meth:`Guard.track`\\ s is shut down when the deadline passes; the body then
    sees its socket fail, and checks ``guard.expired`` to say why.
    """
    guard = Guard(seconds)
    previous = current_guard()
    _CURRENT.guard = guard
    number = _WATCHDOG.add(guard)
    try:
        yield guard
    finally:
        _WATCHDOG.remove(number)
        _CURRENT.guard = previous


def watch(target: Any) -> None:
    """Let the current exchange's deadline shut down ``target.sock`` (an HTTP or SMTP connection)."""
    guard = current_guard()
    if guard is not None:
        guard.track(lambda: shut_down(getattr(target, "sock", None)))
