"""The sandbox: a local Trello-compatible server (Flask + SQLite) for tests and demos.

It serves Trello's REST API under ``/1`` with Trello's shapes, actions, paging, errors and rate
limits, plus ``/_sandbox`` routes for a movable clock, seeded fault injection and counters.
See ``docs/sandbox.md``. The Python entry point::

    from trelloplan.sandbox import Sandbox

    with Sandbox() as sandbox:
        sandbox.api_url, sandbox.key, sandbox.token
"""

from __future__ import annotations

from .clock import SandboxClock, format_date, parse_date
from .counters import Counters
from .faults import FaultDecision, Faults
from .ratelimit import RateLimiter
from .server import Sandbox
from .state import Member, State

__all__ = [
    "Counters",
    "FaultDecision",
    "Faults",
    "Member",
    "RateLimiter",
    "Sandbox",
    "SandboxClock",
    "State",
    "format_date",
    "parse_date",
]
