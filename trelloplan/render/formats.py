"""Pick a renderer by format name (the ``--format`` of ``trelloplan report``), or by a file's extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..history.schema import Report
from .csv import CSV_TABLES, render_csv
from .json import render_json
from .markdown import render_markdown
from .text import render_text

__all__ = ["ALIASES", "EXTENSIONS", "FORMATS", "choose_format", "format_for_path", "render_report", "resolve_format"]

FORMATS = ("text", "json", "csv", "markdown", "html")
#: Other names accepted for a format.
ALIASES = {"md": "markdown", "txt": "text", "htm": "html"}
#: The format a file's extension stands for (``report --out report.html``).
EXTENSIONS = {".txt": "text", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html"}
#: Extensions of formats trelloplan does not write: refused without ``--format``. Any other extension gets text.
OTHER_FORMATS = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".xml", ".yaml", ".yml", ".png",
                           ".jpg", ".jpeg", ".svg", ".eml", ".tsv"})


def resolve_format(name: str, formats: tuple[str, ...] = FORMATS, *, what: str = "report") -> str:
    """The format ``name`` means (one of ``formats``, or an alias such as ``md``)."""
    fmt = ALIASES.get(name.strip().lower(), name.strip().lower())
    if fmt not in formats:
        raise UsageError(f"unknown {what} format {name!r}", hint=f"use one of: {', '.join(formats)} (or md)")
    return fmt


def choose_format(fmt: str | None, out_path: str | Path | None, formats: tuple[str, ...] = FORMATS, *,
                  what: str = "report") -> str | None:
    """The format asked for: ``fmt``, else the extension of ``out_path``; None when neither says.

    A ``fmt`` that contradicts the extension, or an extension that stands for a format not
    in ``formats``, is a :class:`~trelloplan.errors.UsageError`: a file named ``.html`` never
    receives plain text.
    """
    if out_path is not None and not str(out_path).strip():
        raise UsageError("--out is empty", hint=f"give the file to write, or leave --out out to print the {what}")
    chosen = resolve_format(fmt, formats, what=what) if fmt is not None else None
    by_extension = format_for_path(out_path) if out_path else None
    if chosen and by_extension and chosen != by_extension:
        raise UsageError(f"--format {fmt} contradicts --out {out_path} (a {by_extension} file name)",
                         hint=f"drop --format (the extension chooses {by_extension}), or name the file for {chosen}")
    suffix = Path(out_path).suffix.lower() if out_path else ""
    if chosen is None and suffix in OTHER_FORMATS:  # report.pdf: plain text under that name would mislead
        raise UsageError(f"there is no {suffix} format (--out {out_path})",
                         hint=f"name the file for one of: {', '.join(sorted(EXTENSIONS))}, or pass --format to say what goes in it")
    if by_extension and by_extension not in formats:
        raise UsageError(f"the {what} has no {by_extension} format (--out {out_path})",
                         hint=f"name the file for one of: {', '.join(formats)}")
    return chosen or by_extension


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
