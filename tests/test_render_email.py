"""Building the report email (no network): structure, headers, inline images, addresses, the plain part."""

from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
from test_render_html import SCRIPT_NAME, Page, assert_mail_safe, make_report, standard_cards

from trelloplan.errors import EmailError
from trelloplan.mail import message_bytes
from trelloplan.render.charts import CHART_NAMES, render_charts
from trelloplan.render.email import build_email, plain_summary, validate_address
from trelloplan.render.status import report_status

SENDER = "Trelloplan <reports@example.com>"


@pytest.fixture(scope="module")
def report():
    return make_report()


@pytest.fixture(scope="module")
def charts(report):
    return render_charts(report)


@pytest.fixture(scope="module")
def message(report, charts):
    return build_email(report, sender=SENDER, recipients=["team@example.com"], charts=charts)


def test_structure_is_alternative_plain_then_related_html_with_images(message, charts):
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative", "text/plain", "multipart/related", "text/html", *["image/png"] * len(charts)]
    related = message.get_payload()[1]
    assert related.get_param("type") == "text/html"
    images = related.get_payload()[1:]
    assert [image.get_filename() for image in images] == [f"{name}.png" for name in CHART_NAMES]
    assert [image.get_content() for image in images] == [charts[name] for name in CHART_NAMES]


def test_every_image_is_referenced_and_every_reference_has_an_image(message):
    html = message.get_body(("html",)).get_content()
    page = Page(html)
    assert_mail_safe(page)
    referenced = {img["src"].removeprefix("cid:") for img in page.all("img")}
    attached = {part["Content-ID"].strip("<>") for part in message.walk() if part.get_content_maintype() == "image"}
    assert referenced == attached and len(attached) == len(CHART_NAMES)
    assert all(src.startswith("cid:") for src in (img["src"] for img in page.all("img")))
    assert "data:" not in html


def test_headers(report, message):
    status = report_status(report)
    assert message["Subject"] == f"MLOps on GCP: week 4 of 10, {report.totals.pct_done:.0f}% done, {status.label}"
    assert message["From"] == SENDER
    assert message["To"] == "team@example.com"
    assert message["Date"].datetime == report.as_of
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["MIME-Version"] == "1.0"


def test_the_same_report_gives_the_same_bytes(report, charts, message):
    again = build_email(report, sender=SENDER, recipients=["team@example.com"], charts=charts)
    assert message_bytes(again) == message_bytes(message)
    other = build_email(report, sender=SENDER, recipients=["other@example.com"], charts=charts)
    assert other["Message-ID"] != message["Message-ID"]


def test_options_override_subject_date_and_message_id(report, charts):
    sent = datetime(2027, 1, 29, 16, 0, tzinfo=timezone(timedelta(hours=1)))
    built = build_email(report, sender="reports@example.com", recipients=["a@example.com", "b@example.com"], charts=charts,
                        subject="Weekly: MLOps", date=sent, message_id="<fixed@example.com>")
    assert built["Subject"] == "Weekly: MLOps"
    assert built["Date"].datetime == sent
    assert built["Message-ID"] == "<fixed@example.com>"
    assert built["To"] == "a@example.com, b@example.com"
    with pytest.raises(ValueError, match="timezone-aware"):
        build_email(report, sender="reports@example.com", recipients=["a@example.com"], charts={}, date=datetime(2027, 1, 1))
    folded = build_email(report, sender="reports@example.com", recipients=["a@example.com"], charts={},
                         subject="a\r\nBcc: x@y.z")
    assert folded["Subject"] == "a Bcc: x@y.z" and folded["Bcc"] is None  # a line break is folded, never a new header


def test_the_round_trip_through_bytes_keeps_everything(message):
    parsed = email.message_from_bytes(message_bytes(message), policy=policy.default)
    assert parsed["Subject"] == message["Subject"]
    for kind in ("plain", "html"):
        # On the wire every line ends in CRLF; the text is otherwise unchanged.
        assert parsed.get_body((kind,)).get_content().replace("\r\n", "\n") == message.get_body((kind,)).get_content()
    assert max(len(line) for line in message_bytes(message).split(b"\r\n")) <= 998


def test_the_plain_part_summarises_the_report(report, message):
    text = message.get_body(("plain",)).get_content()
    assert text == plain_summary(report)
    status = report_status(report)
    assert text.startswith(message["Subject"] + "\n")
    assert f"Status: {status.label} ({status.reason})" in text
    for ref in report.week.completed + report.week.carried_over:
        assert ref.name in text
    assert f"In progress ({report.wip.count})" in text
    assert f"Planned next week: Week 5: Milestone 5 ({sum(1 for r in report.cards if r.week == 5)})" in text
    assert " >Week 4: Milestone 4 - 3/6 done" in text
    assert "\x1b[" not in text and "<" not in text


def test_plain_summary_of_degenerate_reports():
    empty = plain_summary(make_report([], as_of_day=0.5))
    assert "Completed this week (0)\n  (nothing yet)" in empty
    no_plan = plain_summary(make_report(standard_cards(), plan=False))
    assert "Planned next week" not in no_plan and "Milestones" not in no_plan
    assert "Status: no plan" in no_plan


def test_card_names_stay_text_in_the_html_part():
    cards = standard_cards()
    cards[18] = (4, SCRIPT_NAME, 21.2, 22.0)
    built = build_email(make_report(cards), sender=SENDER, recipients=["team@example.com"], charts={})
    html = built.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert SCRIPT_NAME in built.get_body(("plain",)).get_content()


def test_without_charts_the_html_part_stands_alone():
    built = build_email(make_report([], as_of_day=0.5), sender=SENDER, recipients=["team@example.com"])
    assert [part.get_content_type() for part in built.walk()] == ["multipart/alternative", "text/plain", "text/html"]


@pytest.mark.parametrize("good, normal", [
    ("team@example.com", "team@example.com"),
    ("Team <team@example.com>", "Team <team@example.com>"),
    ('"Doe, Jane" <jane.doe+reports@mail.example.co.uk>', '"Doe, Jane" <jane.doe+reports@mail.example.co.uk>'),
    ("root@localhost", "root@localhost"),
])
def test_good_addresses(good, normal):
    assert validate_address(good) == normal


@pytest.mark.parametrize("bad, why", [
    ("", "empty"),
    ("team", "exactly one @"),
    ("team@", "exactly one @"),
    ("@example.com", "missing"),
    ("a@b@example.com", "more than one address"),
    ("a@example.com, b@example.com", "more than one address"),
    ("team@example.com\r\nBcc: spy@example.com", "line break"),
    ("team@exa mple.com", "well-formed"),
    ("team..x@example.com", "not a valid mailbox"),
    ("team@example", "not a valid domain"),
    ("team@-example.com", "not a valid domain"),
    ("tëam@example.com", "ASCII"),
])
def test_bad_addresses(bad, why):
    with pytest.raises(EmailError, match=why) as caught:
        validate_address(bad)
    assert "--email-to" in caught.value.hint


def test_build_email_checks_addresses_and_needs_a_recipient(report):
    with pytest.raises(EmailError, match="bad email address 'not an address'"):
        build_email(report, sender=SENDER, recipients=["not an address"], charts={})
    with pytest.raises(EmailError, match="bad email address"):
        build_email(report, sender="reports", recipients=["team@example.com"], charts={})
    with pytest.raises(EmailError, match="no recipient"):
        build_email(report, sender=SENDER, recipients=[], charts={})
