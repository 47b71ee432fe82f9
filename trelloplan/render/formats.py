"""Pick a renderer by format name: the ``--format`` of ``trelloplan report``."""

from __future__ import annotations

from ..errors import UsageError
from ..history.schema import Report
from .csv import render_csv
from .json import render_json
from .markdown import render_markdown
from .text import render_text

__all__ = ["FORMATS", "render_report"]

FORMATS = ("text", "json", "csv", "markdown")


def render_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """``report`` in ``fmt`` (one of :data:`FORMATS`); ``color`` and ``width`` apply to text only."""
    if fmt == "text":
        return render_text(report, color=color, width=width)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "markdown":
        return render_markdown(report)
    raise UsageError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
