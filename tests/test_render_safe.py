"""Untrusted text in every output: a card or board named to attack a spreadsheet, a wiki, a terminal or an email.

The rules (trelloplan/render/safe.py) are checked as properties over any text, then end to end: a board
whose names are the attacks of the issue, rendered in every format through the real renderers and read
back the way a spreadsheet, a Markdown renderer, a terminal and a mail client read them.
"""

from __future__ import annotations

import csv
import email
import io
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from trelloplan.cli import main
from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.mail import message_bytes
from trelloplan.plan.planfile import validate_plan_text
from trelloplan.render.csv import render_csv, render_csv_weeks
from trelloplan.render.email import build_email, plain_summary
from trelloplan.render.html import render_html
from trelloplan.render.markdown import render_markdown
from trelloplan.render.safe import (
    BIDI_CONTROLS,
    csv_cell,
    header_text,
    html_text,
    markdown_link,
    markdown_text,
    safe_url,
    terminal_block,
    terminal_text,
    unsafe_character,
)
from trelloplan.render.text import render_text

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
OSC8 = "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
HOSTILE = [
    '=HYPERLINK("http://x","y")', "@SUM(1)", "+cmd|' /C calc'!A0", "-2+3", "\tTabbed", "\rReturned",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
    "![img](javascript:alert(2))", "Clear \x1b[2J screen", OSC8, "Bidi \u202egnp.exe", "🚀 Launch 👩‍💻",
    "数据管道 и данные", "a|b `code` *bold* _it_ ~~gone~~",
]
BOARD = "Team\r\nBcc: everyone@example.com"
FORMULA = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"


def starts_formula(cell: str) -> bool:
    rest = cell.lstrip(" ")
    return bool(rest) and rest[0] in FORMULA


def _controls(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS or ch in "\u2028\u2029"]


# -- the rules, over any text ----------------------------------------------------------------------------


@given(st.text())
def test_terminal_text_keeps_no_control_or_bidi_character_and_everything_else(text: str) -> None:
    safe = terminal_text(text)
    assert not _controls(safe)
    kept = [ch for ch in text if not _controls(ch) or ch in "\n\r\t\x0b\x0c\x85"]
    assert [ch for ch in safe if ch != " "] == [ch for ch in kept if ch not in "\n\r\t\x0b\x0c\x85 "]


@given(st.text())
def test_terminal_block_keeps_line_feeds_only(text: str) -> None:
    assert all(ch in "\n\t" for ch in _controls(terminal_block(text)))


@given(st.text())
def test_html_text_keeps_no_character_html_forbids_and_everything_else(text: str) -> None:
    safe = html_text(text)
    assert all(ch in "\n\r\t" or ch in "\u2028\u2029" for ch in _controls(safe))
    assert [ch for ch in safe] == [ch for ch in text if not _controls(ch) or ch in "\n\r\t\u2028\u2029"]


@given(st.text())
def test_header_text_is_one_line(text: str) -> None:
    folded = header_text(text)
    assert not _controls(folded) and folded == folded.strip() and "  " not in folded


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_a_csv_cell_never_starts_a_formula_and_numbers_stay_numbers(value: object) -> None:
    cell = csv_cell(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert cell == str(value)
    elif starts_formula(cell):
        assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell), cell
    read_back = next(csv.reader(io.StringIO(_row([cell]), newline="")))
    assert read_back == [cell]


def _row(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


_MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")


@given(st.text())
def test_markdown_text_renders_as_the_text_itself(text: str) -> None:
    rendered = _MD.renderInline(markdown_text(text))
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered.lower()
    assert "<em>" not in rendered and "<strong>" not in rendered and "<code>" not in rendered and "<s>" not in rendered


@given(st.text(), st.text())
def test_markdown_links_only_ever_point_at_http(text: str, url: str) -> None:
    hrefs = re.findall(r'href="([^"]*)"', _MD.renderInline(markdown_link(text, url)))
    assert all(href.lower().startswith(("http://", "https://")) for href in hrefs)


def test_the_examples_of_each_rule() -> None:
    assert csv_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert [csv_cell(v) for v in ("@SUM(1)", "+cmd|' /C calc'!A0", "\tx", "-2+3", "\rx")] == [
        "'@SUM(1)", "'+cmd|' /C calc'!A0", "'\tx", "'-2+3", "'\nx"]
    assert [csv_cell(v) for v in ("-1.5", "+3", -2, 2.5, None, True, "plain")] == ["-1.5", "+3", "-2", "2.5", "", "true", "plain"]
    assert markdown_text("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert markdown_text("[click](javascript:alert(1))") == "\\[click\\](javascript:alert(1))"
    assert markdown_link("Card", "javascript:alert(1)") == "Card"
    assert markdown_link("Card (v2)", "https://trello.com/c/abc (x)") == "Card (v2)"  # a space: no URL of Trello's
    assert markdown_link("A", "https://trello.com/c/abc") == "[A](https://trello.com/c/abc)"
    assert safe_url("HTTPS://trello.com/c/x") and not safe_url("https://trello.com/\x1b[2J") and not safe_url("data:x")
    assert terminal_text("a\x1b[2Jb\r\nc\u202ed") == "a[2Jb  cd"
    assert terminal_text("🚀 数据 Ünï") == "🚀 数据 Ünï"
    assert header_text("Team\r\nBcc: x@y.z") == "Team Bcc: x@y.z"
    assert unsafe_character("fine 🚀") is None and unsafe_character("a\tb", allow="\t") is None
    assert unsafe_character("a\x1bb") == "U+001B (ESCAPE)" and unsafe_character("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"


# -- end to end: a hostile board in every output -------------------------------------------------------------


def hostile_report():
    b = BoardBuilder(BOARD, created=T0 - timedelta(days=1), member="Eve\x1b[31m <script>")
    todo, doing, done = b.add_list("To Do"), b.add_list("Doing \x1b]0;pwned\x07"), b.add_list("Done")
    for i, name in enumerate(HOSTILE):
        card = b.add_card(name, todo, T0 + timedelta(hours=i), members=(b.member,))
        b.move(card, doing, T0 + timedelta(days=1, hours=i))
        if i % 2:
            b.move(card, done, T0 + timedelta(days=2, hours=i))
    return build_report(history_from_board_json(b.export()), as_of=T0 + timedelta(days=4))


def test_csv_cells_are_text_to_a_spreadsheet() -> None:
    report = hostile_report()
    for text in (render_csv(report), render_csv_weeks(report)):
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not starts_formula(cell) or re.fullmatch(r"[+-]?[\d.]+", cell), cell
    names = [row["name"] for row in csv.DictReader(io.StringIO(render_csv(report)))]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names and "'@SUM(1)" in names and "数据管道 и данные" in names


def test_markdown_shows_the_names_and_runs_nothing() -> None:
    text = render_markdown(hostile_report())
    html = _MD.render(text)
    assert "<script" not in html and "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert not re.findall(r'href="(?!https?://)', html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "🚀 Launch" in html
    assert not _controls(text.replace("\n", ""))
    assert "in progress" in text and "in_progress" not in text


def test_text_has_no_escape_sequence_and_one_line_header() -> None:
    report = hostile_report()
    plain = render_text(report)
    assert not _controls(plain.replace("\n", ""))
    assert plain.splitlines()[0] == "Team  Bcc: everyone@example.com: weekly report for 2027-W01"
    coloured = render_text(report, color=True)
    assert "\x1b[2J" not in coloured and "\x1b]" not in coloured and "\u202e" not in coloured
    assert "[2J screen" in plain and "数据管道 и данные" in plain and "🚀 Launch 👩‍💻" in plain


def test_the_email_is_built_with_a_one_line_subject_and_clean_parts() -> None:
    report = hostile_report()
    message = build_email(report, sender="Reports <reports@example.com>", recipients=["team@example.com"], charts={})
    parsed = email.message_from_bytes(message_bytes(message), policy=policy.default)
    assert parsed["Subject"].startswith("Team Bcc: everyone@example.com: ") and parsed["Bcc"] is None
    assert parsed.get_all("To") == ["team@example.com"]
    plain = plain_summary(report)
    assert not _controls(plain.replace("\n", "")) and "Members" in plain
    html = render_html(report, mode="file", charts={})
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'id="members"' in html and "Eve" in html
    assert not [ch for ch in html if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t"]  # no ESC, BEL in a page
    assert not set(html) & BIDI_CONTROLS and "[2J screen" in html


def test_the_cli_writes_safe_text_when_piped(tmp_path: Path) -> None:
    b = BoardBuilder(BOARD, created=T0 - timedelta(days=1))
    todo = b.add_list("To Do")
    for i, name in enumerate(HOSTILE):
        b.add_card(name, todo, T0 + timedelta(hours=i))
    export = tmp_path / "board.json"
    export.write_text(json.dumps(b.export()))
    args = ["report", "--from-export", str(export), "--as-of", "2027-01-06"]
    piped = CliRunner().invoke(main, args)
    assert piped.exit_code == 0 and not _controls(piped.stdout.replace("\n", ""))
    assert "=HYPERLINK" in piped.stdout  # shown as text in a terminal: nothing to neutralise there
    assert CliRunner().invoke(main, [*args, "--out", str(tmp_path / "r.csv")]).exit_code == 0
    names = [row["name"] for row in csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text()))]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names and not any(starts_formula(name) for name in names)


def test_plan_names_with_control_characters_are_located_errors() -> None:
    plan = ('project: "Team\\r\\nBcc: x@y.z"\nstart: 2027-01-04\nweeks:\n'
            '  - {week: 1, milestone: "M\\e[2J", demo: "D\\u202e", tasks: [ok, {name: fine, desc: "two\\nlines\\tok"}]}\n')
    result = validate_plan_text(plan, "plan.yaml")
    assert [(p.line, p.path) for p in result.errors] == [(1, "project"), (4, "weeks[0].milestone"), (4, "weeks[0].demo")]
    assert "U+000D (CARRIAGE RETURN)" in result.errors[0].message and "U+202E" in result.errors[2].message
