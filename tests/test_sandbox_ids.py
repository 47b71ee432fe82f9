"""Trello-shaped ids: ObjectIds with the sandbox time in front, shortLinks, slugs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from trelloplan.sandbox.clock import SandboxClock
from trelloplan.sandbox.ids import IdFactory, id_time, is_object_id, is_short_link, slugify


def test_object_ids_carry_the_clock_time_and_grow() -> None:
    clock = SandboxClock(datetime(2020, 4, 13, 1, 4, 24, tzinfo=timezone.utc), frozen=True)
    ids = IdFactory(clock.now)
    minted = [ids.new() for _ in range(1000)]
    assert all(is_object_id(i) and i == i.lower() for i in minted)
    assert {i[:8] for i in minted} == {"5e93ba98"}  # 2020-04-13T01:04:24Z, as in the recordings
    assert minted == sorted(minted) and len(set(minted)) == 1000
    clock.advance(timedelta(days=1))
    later = ids.new()
    assert later > minted[-1] and id_time(later) == id_time(minted[0]) + 86400


def test_short_links_and_slugs() -> None:
    ids = IdFactory(SandboxClock().now)
    taken = {"aaaaaaaa"}
    link = ids.short_link(lambda candidate: candidate in taken)
    assert is_short_link(link) and link not in taken
    assert slugify("Test Trello::Card.create") == "test-trellocardcreate"
    assert slugify("IT 99") == "it-99"
    assert slugify("Done 🎉 — really!") == "done-really"
    assert not is_object_id("5e93ba98614ac22d22f085c") and not is_short_link("too-long-link")
