"""Untrusted text made safe for each place trelloplan writes it: one function per output kind.

Anyone who can rename a card, a list or a board controls text that ends up in
a terminal, a spreadsheet, a wiki page or an email header. Every renderer
passes such text through the function for its output here, and nowhere else:

===================  ==========================================================================
:func:`terminal_text`  one line for a terminal: control and bidi-override characters dropped,
                       line breaks folded into a space; emoji and every script kept
:func:`terminal_block` a whole multi-line output: the same, keeping its line breaks
:func:`header_text`    an email header value (subject, a name in From): one line, no controls
:func:`html_text`      text for an HTML page, before Jinja2's autoescaping: no control or
                       bidi-override characters (they are not allowed in HTML)
:func:`csv_cell`       a CSV cell a spreadsheet will not run as a formula (OWASP's rule)
:func:`markdown_text`  inline Markdown that renders as the text itself: HTML escaped, no
                       links, images, emphasis or table breaks made from the text
:func:`markdown_link`  a link to a card, only for plain ``http(s)`` URLs
:func:`safe_url`       the URL when it is a plain ``http(s)`` link, else None
===================  ==========================================================================

HTML goes through :func:`html_text`, then Jinja2's autoescaping (:mod:`.html`); JSON through
``json.dumps``, which escapes control characters itself.

:func:`unsafe_character` is the rule plan validation applies to names, and
:func:`clean_strings` applies one of the functions above to every string of a
report (or any tree of frozen dataclasses, tuples and mappings).
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

__all__ = [
    "BIDI_CONTROLS",
    "clean_strings",
    "csv_cell",
    "header_text",
    "html_text",
    "markdown_link",
    "markdown_text",
    "safe_url",
    "terminal_block",
    "terminal_text",
    "unsafe_character",
]

#: The bidirectional embeddings, overrides and isolates that reorder how text is shown (Trojan Source,
#: CVE-2021-42574). The marks LRM, RLM and ALM only nudge neutral characters and are kept.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]

# One line: line breaks and tabs become a space, every other control character goes.
_LINE = str.maketrans({**{c: None for c in _CONTROLS}, **{c: " " for c in _LINE_BREAKS + "\t"},
                       **{c: None for c in BIDI_CONTROLS}})
# A block: the same, keeping line feeds and tabs (a CR only ever ends a line here, so it goes).
_BLOCK = str.maketrans({**{c: None for c in _CONTROLS}, **{c: "\n" for c in "\x0b\x0c\x85\u2028\u2029"},
                        "\n": "\n", "\t": "\t", "\r": None, **{c: None for c in BIDI_CONTROLS}})
# A CSV cell keeps its line breaks and tabs (the csv module quotes them) and loses the rest.
_CELL = str.maketrans({**{c: None for c in _CONTROLS if c not in "\t\n\r"}, **{c: None for c in BIDI_CONTROLS}})
_UNSAFE = re.compile("[" + re.escape("".join(_CONTROLS) + "".join(sorted(BIDI_CONTROLS)) + "\u2028\u2029") + "]")

# OWASP CSV injection: a cell starting with one of these is read as a formula (fullwidth forms included,
# which some spreadsheets fold to ASCII).
_FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# Inline Markdown punctuation that could make emphasis, code, links, images, strikethrough or a table cell
# break out of the text (CommonMark lets any ASCII punctuation be backslash-escaped).
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
_URL_UNSAFE = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22"})

_T = TypeVar("_T")


def terminal_text(text: str) -> str:
    """``text`` as one line a terminal shows as it is: no escape sequence, no bidi reordering.

    Line breaks and tabs become a space; every other control character and the
    bidi overrides are dropped; emoji, combining marks and non-Latin scripts stay.
    """
    return text.translate(_LINE)


def terminal_block(text: str) -> str:
    """A whole multi-line output made safe for a terminal, keeping its line feeds and tabs."""
    return text.translate(_BLOCK)


def header_text(text: str) -> str:
    """An email header value on one line: line breaks folded into a space, control characters dropped."""
    return " ".join(text.translate(_LINE).split())


def html_text(text: str) -> str:
    """``text`` without the control and bidi-override characters an HTML page may not hold; line breaks and tabs stay."""
    return text.translate(_CELL)


def csv_cell(value: object) -> str:
    """One CSV cell that a spreadsheet shows as text, never runs (OWASP's CSV injection rule).

    Numbers stay numbers (``-1.5``); text starting with ``= + - @``, a tab or a
    carriage return (after any spaces) gets a leading ``'``; line breaks inside
    become ``\n`` (the csv module quotes those). ``None`` is an
    empty cell and booleans are ``true``/``false``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value).translate(_CELL)
    formula = text.lstrip(" ")[:1] in _FORMULA_STARTS and not _NUMBER.fullmatch(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a bare CR would end the row in some readers
    return "'" + text if formula else text


def markdown_text(text: str) -> str:
    """``text`` as inline Markdown that renders as exactly that text, on one line.

    HTML is escaped (``<script>`` shows as text), and the punctuation that would
    make links, images, emphasis, code or a table column is backslash-escaped,
    so ``[click](javascript:…)`` is no link.
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(terminal_text(text), quote=False))


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain ``http(s)`` link with a host (a card's Trello URL), else None."""
    if not url or _UNSAFE.search(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return None


def safe_relative_path(path: str | None) -> str | None:
    """The path when it is a plain relative one (a report written beside another: no scheme, not absolute), else None."""
    if not path or ":" in path or path.startswith(("/", "\\")) or _UNSAFE.search(path) or any(
            ch in path for ch in "<>\"' ") or any(ch.isspace() for ch in path):
        return None
    return path


def markdown_link(text: str, url: str | None, *, relative: bool = False) -> str:
    """``[text](url)`` when ``url`` is a plain ``http(s)`` link (or, with ``relative``, a plain relative
    path), else the text alone (no ``javascript:``)."""
    label = markdown_text(text)
    target = safe_url(url) or (safe_relative_path(url) if relative else None)
    if target is None:
        return label
    return f"[{label or target.translate(_URL_UNSAFE)}]({target.translate(_URL_UNSAFE)})"


def unsafe_character(text: str, *, allow: str = "") -> str | None:
    """The first character of ``text`` no name may hold (a control or bidi override), described; else None.

    ``allow`` lists characters accepted anyway (``"\\n\\t"`` for a description).
    """
    for match in _UNSAFE.finditer(text):
        char = match.group()
        if char not in allow:
            name = unicodedata.name(char, "") or {"\x1b": "ESCAPE", "\n": "LINE FEED", "\r": "CARRIAGE RETURN",
                                                   "\t": "TAB", "\x00": "NUL"}.get(char, "a control character")
            return f"U+{ord(char):04X} ({name})"
    return None


def clean_strings(value: _T, clean: Callable[[str], str]) -> _T:
    """``value`` with ``clean`` applied to every string in it (dataclass fields, tuples, lists, mappings).

    Frozen dataclasses are copied, not mutated; anything unchanged is returned
    as the same object, so cleaning text that needs nothing is cheap.
    """
    return _clean(value, clean)  # type: ignore[no-any-return]


def _clean(value: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, (int, float, type(None))):
        return value
    if isinstance(value, tuple):
        items = tuple(_clean(item, clean) for item in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, list):
        return [_clean(item, clean) for item in value]
    if isinstance(value, Mapping):
        pairs = [(_clean(k, clean), _clean(v, clean)) for k, v in value.items()]
        if all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items())):
            return value
        return dict(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and hasattr(value, "__dict__"):
        changed = {}
        for field in dataclasses.fields(value):
            old = getattr(value, field.name)
            new = _clean(old, clean)
            if new is not old:
                changed[field.name] = new
        if not changed:
            return value
        copy = object.__new__(type(value))
        copy.__dict__.update(value.__dict__)
        copy.__dict__.update(changed)
        return copy
    return value
