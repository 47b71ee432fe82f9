"""The CLI's one place for failures (trelloplan/cli/__init__.py): every refused command line is one stderr line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.cli import main


@pytest.mark.parametrize(("args", "start", "where"), [
    (["report", "--week"], "error: Option '--week' requires an argument", "trelloplan report"),
    (["cohort", "report"], "error: Missing argument 'COHORT.yaml'", "trelloplan cohort report"),
    (["reprot"], "error: No such command 'reprot'. Did you mean 'report'?", "trelloplan"),
    (["report", "--bogus"], "error: No such option '--bogus'", "trelloplan report"),
    (["report", "--archived", "maybe"], "error: Invalid value for '--archived'", "trelloplan report"),
])
def test_a_refused_command_line_is_one_line_with_where_to_look_and_exit_2(args: list[str], start: str, where: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="trelloplan")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(start) and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.rstrip().endswith(f"(hint: see `{where} --help` for the options and examples)")


def test_a_folder_argument_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "plan.yaml"
    file.write_text("")
    result = CliRunner().invoke(main, ["demo", str(file)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "is a file" in result.stderr


def test_help_and_version_still_exit_0() -> None:
    for args in (["--help"], ["report", "--help"], ["--version"]):
        result = CliRunner().invoke(main, args, prog_name="trelloplan")
        assert result.exit_code == 0 and result.stdout and result.stderr == ""


def test_an_output_that_cannot_be_written_is_one_line_not_a_bug_report() -> None:
    plan = Path(__file__).resolve().parent.parent / "plans" / "mlops-gcp-10-weeks.yaml"
    with open("/dev/full", "w") as full:  # a full disk under `> file`
        done = subprocess.run([sys.executable, "-m", "trelloplan", "show", str(plan)], stdout=full, stderr=subprocess.PIPE,
                              text=True)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: could not write the output: No space left on device (hint: ")
    assert "bug" not in done.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:port/1"])
def test_an_api_url_python_cannot_parse_is_a_settings_error(url: str) -> None:
    result = CliRunner().invoke(main, ["pull", "--board", "abcdefgh"],
                                env={"TRELLO_API_URL": url, "TRELLO_API_KEY": "k", "TRELLO_TOKEN": "t"})
    assert result.exit_code == 2 and result.stderr.startswith(f"error: TRELLO_API_URL `{url}` is not a URL (")
    assert "bug" not in result.stderr and result.stderr.count("\n") == 1
