"""Outputs that fit where they go: whole words when piped, the terminal's width in a terminal, the format
from the --out file's extension, --format md, --csv weeks, --charts DIR, -v after the command."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from trelloplan.cli import main
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.render.csv import WEEK_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "mlops-gcp-10-weeks.yaml"
T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
LONG = "Write the data contract between the ingestion team and the modelling team, with examples for every field"


def invoke(*args: str, **env: str):
    return CliRunner().invoke(main, list(args), env=env or None)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    b = BoardBuilder("Outputs", created=T0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("In Progress"), b.add_list("Done")
    week1 = b.add_label("Week 1")
    first = b.add_card(LONG, todo, T0, labels=(week1,), members=(b.member,))
    b.move(first, doing, T0 + timedelta(hours=3))
    second = b.add_card("Kick off", todo, T0, labels=(week1,))
    b.move(second, doing, T0 + timedelta(hours=1))
    b.move(second, done, T0 + timedelta(days=1))
    path = tmp_path / "board.json"
    path.write_text(json.dumps(b.export()))
    return path


def test_show_piped_prints_every_word(tmp_path: Path) -> None:
    result = invoke("show", str(PLAN))
    assert result.exit_code == 0 and "…" not in result.stdout
    assert "Creation of Multiple Environments" in result.stdout and "Big Query Modeling and Prediction" in result.stdout
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_show_and_report_fit_columns_without_cutting(export: Path, columns: int) -> None:
    for args in (["show", str(PLAN)], ["report", "--from-export", str(export), "--as-of", "2027-01-06"]):
        result = invoke(*args, COLUMNS=str(columns))
        assert result.exit_code == 0, result.output
        assert "…" not in result.stdout and max(map(len, result.stdout.splitlines())) <= columns, args
    words = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", COLUMNS=str(columns)).stdout.split()
    assert " ".join(words).count(LONG) == 1 or all(word in words for word in LONG.split())


def test_report_piped_keeps_long_names_on_one_line(export: Path) -> None:
    result = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06")
    assert result.exit_code == 0 and LONG in result.stdout and "…" not in result.stdout


def test_in_a_terminal_show_fits_its_width() -> None:
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    process = subprocess.Popen([sys.executable, "-m", "trelloplan", "show", str(PLAN)], stdout=child, stderr=child,
                               stdin=subprocess.DEVNULL, env=env)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(parent)
    text = output.decode("utf-8", "replace")
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", text)
    assert process.returncode == 0 and "…" not in plain
    assert max(len(line) for line in plain.replace("\r", "").splitlines()) <= 72


@pytest.mark.parametrize(("name", "check"), [
    ("r.html", lambda text: text.startswith("<!DOCTYPE html>") and 'id="members"' in text),
    ("r.md", lambda text: text.startswith("# Outputs: weekly report") and "(in progress)" in text),
    ("r.json", lambda text: json.loads(text)["schema_version"]),
    ("r.csv", lambda text: text.startswith("id,name,role")),
    ("r.txt", lambda text: text.startswith("Outputs: weekly report")),
    ("r.report", lambda text: text.startswith("Outputs: weekly report")),  # any other extension: text
])
def test_the_out_file_extension_chooses_the_format(export: Path, tmp_path: Path, name: str, check) -> None:
    out = tmp_path / name
    result = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == "", result.output
    assert check(out.read_text())


def test_a_format_that_contradicts_the_extension_is_refused_and_nothing_written(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke("report", "--from-export", str(export), "--format", "text", "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith(f"error: --format text contradicts --out {out} (a html file name)")
    same = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--format", "md",
                  "--out", str(tmp_path / "r.md"))
    assert same.exit_code == 0 and (tmp_path / "r.md").read_text().startswith("# ")
    assert invoke("report", "--from-export", str(export), "--format", "docx").exit_code == 2
    unknown = tmp_path / "report.pdf"
    refused = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--out", str(unknown))
    assert refused.exit_code == 2 and not unknown.exists()
    assert refused.stderr.startswith(f"error: there is no .pdf format (--out {unknown}) (hint: ")
    forced = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--out", str(unknown), "--format", "text")
    assert forced.exit_code == 0 and unknown.read_text().strip()  # --format says what goes in it
    empty = invoke("report", "--from-export", str(export), "--out", "")
    assert empty.exit_code == 2 and empty.stderr.startswith("error: --out is empty") and empty.stdout == ""


def test_format_md_is_markdown(export: Path) -> None:
    md = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--format", "md")
    markdown = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--format", "markdown")
    assert md.exit_code == 0 and md.stdout == markdown.stdout and md.stdout.startswith("# Outputs")


def test_csv_weeks_is_a_row_per_week(export: Path, tmp_path: Path) -> None:
    result = invoke("report", "--from-export", str(export), "--plan", str(PLAN), "--as-of", "2027-01-06", "--csv", "weeks")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == WEEK_COLUMNS and [row["week"] for row in rows] == [f"Week {n}" for n in range(1, 11)]
    assert rows[0]["milestone"] == "Kickoff" and rows[0]["completed"] == "1" and rows[0]["partial"] == "true"
    assert rows[0]["done_total"] == "1" and rows[1]["planned"] == "0" and rows[0]["planned"] == "2"
    wrong = invoke("report", "--from-export", str(export), "--format", "json", "--csv", "weeks")
    assert wrong.exit_code == 2 and "--csv weeks applies to CSV only" in wrong.stderr


def test_charts_dir_gets_the_pngs(export: Path, tmp_path: Path) -> None:
    charts = tmp_path / "charts" / "week1"
    result = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--charts", str(charts),
                    "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    pngs = sorted(charts.glob("*.png"))
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert (tmp_path / "r.json").is_file()


def test_a_charts_folder_that_cannot_be_made_fails_before_any_output(export: Path, tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("")
    for out in ([], ["--out", str(tmp_path / "r.md")]):
        result = invoke("report", "--from-export", str(export), "--as-of", "2027-01-06", "--charts", str(taken), *out)
        assert result.exit_code == 2 and result.stderr.startswith(f"error: --charts {taken}: cannot make the folder")
        assert result.stdout == "" and not (tmp_path / "r.md").exists()


def test_verbose_and_debug_work_after_the_command(export: Path) -> None:
    args = ["report", "--from-export", str(export), "--as-of", "2027-01-06", "--format", "json"]
    after = invoke(*args, "-v", "--out", "/dev/null")
    before = CliRunner().invoke(main, ["-v", *args, "--out", "/dev/null"])
    assert after.exit_code == before.exit_code == 0
    assert "wrote the json report to /dev/null" in after.stderr and "wrote the json report" in before.stderr
    broken = invoke("report", "--from-export", "missing.json", "--debug")
    assert broken.exit_code == 1 and broken.exception is not None and not isinstance(broken.exception, SystemExit)
    plain = invoke("report", "--from-export", "missing.json")
    assert plain.exit_code == 2 and plain.stderr.count("\n") == 1
    for group in (["cohort", "report", "missing.yaml"], ["cohort", "apply", "missing.yaml", "--yes"]):  # commands of a group too
        for flag in ("-v", "--debug"):
            result = invoke(*group, flag)
            assert "No such option" not in result.stderr and result.exit_code in (1, 2), result.stderr


def test_plain_output_is_wrapped_under_its_indent_never_cut() -> None:
    from trelloplan.render.terminal import fit_lines

    text = "Plan for board 'B' on http://x:\n    ~ card w1-a: name: '" + LONG + "' → 'Short'\n  notes (0):"
    assert fit_lines(text, None) == text
    fitted = fit_lines(text + "\x1b[2J", 40)
    assert max(map(len, fitted.splitlines())) <= 40 and fitted.split() == (text + "[2J").split()
    assert all(line.startswith("      ") for line in fitted.splitlines()[2:-1])


def test_show_in_80_columns_keeps_dates_and_numbers_on_the_week_line() -> None:
    lines = invoke("show", str(PLAN), COLUMNS="80").stdout.splitlines()
    assert max(map(len, lines)) <= 80
    rows = [line for line in lines if line[:4].strip().isdigit()]
    assert len(rows) == 10 and all("Fri 17:00" in row and " – " in row for row in rows)
    assert rows[0].split()[:5] == ["1", "Jan", "04", "–", "Jan"]


def test_show_too_narrow_for_the_table_gives_every_word_as_lines() -> None:
    text = invoke("show", str(PLAN), COLUMNS="60").stdout
    lines = text.splitlines()
    assert max(map(len, lines)) <= 60
    assert sum(line.startswith("Week ") for line in lines) == 10 and text.count("due Fri 17:00") == 10
    flat = " ".join(text.split())
    assert "Creation of Multiple Environments; demo: Staging Environment" in flat
