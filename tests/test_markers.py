"""The card marker and estimate lines survive what people do to a description."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trelloplan.board.markers import card_key, compose_desc, retrail, split_desc, strip_marker

lines = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30).filter(
    lambda line: "trelloplan-key:" not in line and "Estimate:" not in line)
texts = st.lists(lines, max_size=4).map(lambda parts: "\n".join(parts).strip())
keys = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
hours = st.sampled_from([0.5, 1.0, 2.0, 4.0, 7.5])


@given(texts, hours, keys)
def test_what_apply_writes_reads_back(body: str, estimate: float, key: str) -> None:
    assert split_desc(compose_desc(body, estimate, key)) == (body, estimate, key)


@given(texts, hours, keys, texts.filter(bool))
def test_a_note_added_after_the_marker_keeps_key_and_estimate(body: str, estimate: float, key: str, note: str) -> None:
    read = split_desc(compose_desc(body, estimate, key) + "\n\n" + note)
    assert read.key == key and read.hours == estimate
    assert read.body == (f"{body}\n\n{note}" if body else note)


people = st.lists(st.sampled_from(["", "  ", "note"]) | lines, max_size=3).map("\n".join)


@given(texts, st.none() | hours, keys, people, people, st.booleans(), hours, keys)
def test_a_new_estimate_or_key_changes_only_its_line(body: str, estimate: float | None, key: str, between: str, after: str,
                                                     blank: bool, new_hours: float, new_key: str) -> None:
    """People edit around apply's two lines (notes between them, after them, blank lines): writing the estimate or
    the key alone rewrites only that line, and the description reads back with the same text people wrote."""
    desc = compose_desc(body, estimate, key)
    lines_ = desc.split("\n")
    gap = "\n\n" if blank else "\n"
    desc = "\n".join(lines_[:-1] + ([between] if between else []) + lines_[-1:]) + (gap + after if after else "")
    before = split_desc(desc)
    written = retrail(desc, new_hours, new_key)
    assert split_desc(written) == (before.body, new_hours, new_key)
    people_lines = lambda text: [l for l in text.split("\n") if not l.startswith(("Estimate:", "trelloplan-key:"))]  # noqa: E731
    assert people_lines(written) == people_lines(desc) and written.count("\n") - desc.count("\n") == (estimate is None)
    assert retrail(desc, None, key) == desc and split_desc(retrail(desc, None, new_key)) == (before.body, before.hours, new_key)


def test_retrail_without_a_marker_writes_both_lines() -> None:
    assert retrail("Notes", 2, "k") == compose_desc("Notes", 2, "k")
    assert retrail("Notes\n\nEstimate: 3 h", None, "k") == "Notes\n\nEstimate: 3 h\ntrelloplan-key: k"


def test_the_last_marker_wins_and_lines_only_count_on_their_own() -> None:
    desc = "see trelloplan-key: inline\n\ntrelloplan-key: old\ntext\ntrelloplan-key: new"
    assert card_key(desc) == "new"
    assert strip_marker(desc) == "see trelloplan-key: inline\ntext"
    assert card_key("no marker here") is None and split_desc("Estimate: soon").hours is None
