"""Pick a renderer by format name (the ``--format`` of ``trelloplan report``), or by a file's extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..history.schema import Report
from .csv import CSV_TABLES, render_csv
from .json import render_json
from .markdown import render_markdown
from .text import render_text

__all__ = ["ALIASES", "EXTENSIONS", "FORMATS", "format_for_path", "render_report", "resolve_format"]

FORMATS = ("text", "json", "csv", "markdown", "html")
#: Other names accepted for a format.
ALIASES = {"md": "markdown", "txt": "text", "htm": "html"}
#: The format a file's extension stands for (``report --out report.html``).
EXTENSIONS = {".txt": "text", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html"}


def resolve_format(name: str) -> str:
    """The format ``name`` means (one of :data:`FORMATS`, or an alias such as ``md``)."""
    fmt = ALIASES.get(name.strip().lower(), name.strip().lower())
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {name!r}", hint=f"use one of: {', '.join(FORMATS)} (or md)")
    return fmt


def format_for_path(path: str | Path) -> str | None:
    """The format a file name's extension stands for, or None for any other extension."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def render_report(report: Report, fmt: str, *, color: bool = False, width: int | None = None,
                  csv_table: str = "cards") -> str:
    """``report`` in ``fmt`` (one of :data:`FORMATS` or :data:`ALIASES`).

    ``color`` and ``width`` (columns; None: no limit) apply to text only,
    ``csv_table`` (``cards`` or ``weeks``) to CSV only; HTML embeds its charts.
    """
    fmt = resolve_format(fmt)
    if fmt == "text":
        return render_text(report, color=color, width=width)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        if csv_table not in CSV_TABLES:
            raise UsageError(f"unknown CSV table {csv_table!r}", hint=f"use one of: {', '.join(CSV_TABLES)}")
        return render_csv(report, csv_table)
    if fmt == "markdown":
        return render_markdown(report)
    from .html import render_html

    return render_html(report, mode="file")
