"""The library is typed: ``mypy --strict`` (configured in pyproject.toml) passes, and the wheel says so."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_package_ships_py_typed() -> None:
    assert (ROOT / "trelloplan" / "py.typed").is_file()


def test_mypy_strict_passes(tmp_path: Path) -> None:
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
                                      str(ROOT / "trelloplan")])
    assert status == 0, stdout + stderr
    assert "Success" in stdout
