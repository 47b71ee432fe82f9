"""The one rule that keeps secrets out of output: masked wherever they stand, and ordinary words left whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trelloplan.redact import MASK, Redactor

alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789", min_size=1, max_size=70)
punctuation = st.text(alphabet=" =&\"'/:;,.?\n\t-_()[]{}<>", max_size=30)
hex_secret = st.text(alphabet="0123456789abcdef", min_size=8, max_size=80)
other_letters = st.text(alphabet="ghijklmnopqrstuvwxyzGHIJ", min_size=1, max_size=20)


@given(secret=alnum, before=punctuation, after=punctuation)
def test_a_secret_standing_alone_never_survives(secret: str, before: str, after: str) -> None:
    masked = Redactor([secret]).text(f"{before}{secret}{after}")
    assert masked == f"{before}{MASK}{after}"
    assert Redactor([secret]).bytes(f"{before}{secret}{after}".encode()) == f"{before}{MASK}{after}".encode()


@given(secret=hex_secret, before=other_letters, after=other_letters)
def test_a_long_secret_is_masked_even_inside_a_word(secret: str, before: str, after: str) -> None:
    assert Redactor([secret]).text(before + secret + after) == before + MASK + after


@given(secret=st.text(alphabet="0123456789abcdef", min_size=1, max_size=7), before=other_letters, after=other_letters)
def test_a_short_secret_inside_a_word_leaves_it_whole(secret: str, before: str, after: str) -> None:
    word = before + secret + after
    assert Redactor([secret]).text(f"{word} {secret}") == f"{word} {MASK}"


def test_a_short_secret_leaves_words_whole() -> None:
    redact = Redactor(["t", None, ""])
    assert redact.text("GET /boards?key=k&token=t answered 200 text/html") == "GET /boards?key=k&token=*** answered 200 text/html"
    assert redact.bytes(b'{"token": "t"}') == b'{"token": "***"}'


def test_no_secret_changes_nothing() -> None:
    assert not Redactor([None, ""]) and Redactor([]).text("token=") == "token="


def test_the_longest_secret_is_masked_first() -> None:
    assert Redactor(["abcdefgh", "abcdefghijkl"]).text("x abcdefghijkl y") == f"x {MASK} y"


@given(secret=hex_secret, flips=st.lists(st.booleans(), min_size=80, max_size=80), before=punctuation, after=punctuation)
def test_a_secret_echoed_in_another_case_is_masked_too(secret: str, flips: list[bool], before: str, after: str) -> None:
    echoed = "".join(c.upper() if flip else c for c, flip in zip(secret, flips))  # a server's 400 in capitals
    assert Redactor([secret]).text(f"{before}{echoed}{after}") == f"{before}{MASK}{after}"
    assert Redactor([secret]).bytes(f"{before}{echoed}{after}".encode()) == f"{before}{MASK}{after}".encode()
