"""Pausing Python's cyclic garbage collector while a history is parsed or replayed.

Parsing and replaying allocate hundreds of thousands of small objects and
make no reference cycles, so refcounting frees everything; but each allocation
burst makes the collector walk every live object, the whole history
included. Pausing it makes a 100,000-action report several times faster.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block, restoring its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
