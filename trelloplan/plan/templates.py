"""The plan templates shipped with trelloplan (``plans/*.yaml``).

In a wheel they live inside the package (``trelloplan/plans``); in a source
checkout they are read from the repository's ``plans/`` folder.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..errors import UsageError

__all__ = ["list_templates", "render_template", "template_path"]

_PACKAGED = Path(__file__).parent.parent / "plans"
_CHECKOUT = Path(__file__).parent.parent.parent / "plans"


def _folder() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def list_templates() -> list[str]:
    """The names of the available templates, e.g. ``mlops-gcp-10-weeks``."""
    folder = _folder()
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def template_path(name: str) -> Path:
    """The file of template ``name`` (with or without ``.yaml``)."""
    stem = name[:-5] if name.endswith(".yaml") else name
    path = _folder() / f"{stem}.yaml"
    if not path.is_file():
        raise UsageError(f"no plan template named `{name}`", hint=f"choose one of: {', '.join(list_templates())}")
    return path


def render_template(name: str, *, start: date | None = None, project: str | None = None) -> str:
    """The text of template ``name``, with its ``start`` (and ``project``) replaced when given.

    The template's comments and layout are kept: only the value on the
    ``start:``/``project:`` line changes.
    """
    text = template_path(name).read_text(encoding="utf-8")
    if start is not None:
        text = re.sub(r"^start:[^#\n]*?(\s*#.*)?$", lambda m: f"start: {start.isoformat()}{m.group(1) or ''}", text, count=1, flags=re.M)
    if project is not None:
        quoted = '"' + project.replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = re.sub(r"^project:.*$", lambda m: f"project: {quoted}", text, count=1, flags=re.M)
    return text
