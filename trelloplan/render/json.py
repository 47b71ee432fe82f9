"""The report as JSON: the versioned schema documented in docs/report-json.md."""

from __future__ import annotations

import json

from ..history.schema import Report

__all__ = ["render_json"]


def render_json(report: Report, *, indent: int | None = 2) -> str:
    """``report.to_dict()`` as JSON text, ending with a newline."""
    return json.dumps(report.to_dict(), indent=indent, ensure_ascii=False) + "\n"
