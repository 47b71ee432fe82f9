"""How wide text output may be, and a rich console drawing to that width: one rule for every command.

In a terminal, output fits its width (``COLUMNS`` when set, else the
terminal's size): long cells and lines wrap at word boundaries. Piped or
written to a file, nothing wraps unless ``COLUMNS`` asks for it. Text is never
cut with "…": table cells fold a word longer than their column instead.
"""

from __future__ import annotations

import io
import os
import shutil
import textwrap
from typing import IO

from rich.console import Console

from .safe import terminal_block

__all__ = ["UNLIMITED", "console", "finish", "fit_lines", "output_width"]

#: The width a console draws with when nothing limits it (a pipe or a file).
UNLIMITED = 100_000
_MIN_WIDTH = 20


def output_width(stream: IO[str] | None) -> int | None:
    """The columns output to ``stream`` should fit: the terminal's, ``COLUMNS`` if set, else None (no limit)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(_MIN_WIDTH, int(columns))
    isatty = getattr(stream, "isatty", None)
    if stream is not None and isatty is not None and isatty():
        return max(_MIN_WIDTH, shutil.get_terminal_size().columns)
    return None


def console(out: io.StringIO, *, width: int | None, color: bool = False) -> Console:
    """A rich console writing into ``out``: ``width`` columns (None: no limit), markup off, colour on request.

    Markup is off so that text from a board (``[bold]``, ``[link=…]``) is printed, never interpreted.
    """
    return Console(file=out, width=width or UNLIMITED, force_terminal=color, color_system="standard" if color else None,
                   highlight=False, markup=False, emoji=False, legacy_windows=False, soft_wrap=False)


def finish(text: str) -> str:
    """Rendered text without the trailing spaces a console pads lines with."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def fit_lines(text: str, width: int | None) -> str:
    """Plain text safe for a terminal, each line longer than ``width`` wrapped at words under its own indent.

    A word longer than the width (a URL, a path) stays whole, so that it can be copied.
    """
    text = terminal_block(text)
    if width is None:
        return text
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        lines.extend(textwrap.wrap(line, width=width, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False) or [""])
    return "\n".join(lines)
