"""Sending the report through a real SMTP server (aiosmtpd on loopback), and every way that can fail."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from test_render_html import Page, make_report

from trelloplan.errors import ConfigError, EmailError, UsageError
from trelloplan.mail import (
    ENV_FROM,
    ENV_HOST,
    ENV_PASSWORD,
    ENV_PORT,
    ENV_SECURITY,
    ENV_USER,
    SmtpSettings,
    message_bytes,
    send_email,
    smtp_settings,
    write_eml,
)
from trelloplan.render.charts import CHART_NAMES
from trelloplan.render.email import build_email
from trelloplan.render.status import report_status

# aiosmtpd warns (in its server thread) about AUTH without TLS, which only a test on loopback does on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

PASSWORD = "s3cret-Pa55-w0rd"
SENDER = "Trelloplan <reports@example.com>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """An aiosmtpd handler keeping what it received; RCPT to ``nobody@…`` is refused with 550."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.sessions: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook name)
        if address.startswith("nobody@"):
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        self.sessions.append(session)
        return "250 2.0.0 queued"


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Controller, Recorder]]]:
    """Start aiosmtpd servers on free loopback ports; all stopped after the test."""
    started: list[Controller] = []

    def start(**options) -> tuple[Controller, Recorder]:
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return controller, recorder

    yield start
    for controller in started:
        controller.stop()


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == b"reporter" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def settings_for(controller: Controller, **changes) -> SmtpSettings:
    values = {"host": "127.0.0.1", "port": controller.port, "security": "none", "timeout": 10.0, **changes}
    return SmtpSettings(**values)


def assert_secret_free(error: BaseException) -> None:
    for text in (str(error), repr(error), getattr(error, "hint", ""), getattr(error, "one_line", lambda: "")()):
        assert PASSWORD not in text
        assert "czNjcmV0" not in text  # base64 of the password's start, as AUTH PLAIN sends it
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


@pytest.fixture(scope="module")
def report():
    return make_report()


@pytest.fixture(scope="module")
def message(report) -> EmailMessage:
    return build_email(report, sender=SENDER, recipients=["team@example.com", "Lead <lead@example.org>"])


# -- a real delivery ---------------------------------------------------------


def test_the_report_arrives_whole(smtp_server, report, message):
    controller, recorder = smtp_server()
    accepted = send_email(message, settings_for(controller))
    assert accepted == ["team@example.com", "lead@example.org"]
    (envelope,) = recorder.envelopes
    assert envelope.mail_from == "reports@example.com"
    assert envelope.rcpt_tos == ["team@example.com", "lead@example.org"]
    received = email.message_from_bytes(envelope.original_content, policy=policy.default)

    status = report_status(report)
    assert received["Subject"] == f"MLOps on GCP: week 4 of 10, {report.totals.pct_done:.0f}% done, {status.label}"
    assert received["From"] == SENDER
    assert received["To"] == "team@example.com, Lead <lead@example.org>"
    assert received["Date"].datetime == report.as_of
    assert received["Message-ID"].startswith("<") and received["Message-ID"].endswith("@example.com>")

    assert received.get_content_type() == "multipart/alternative"
    plain, related = received.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert [image.get_content_type() for image in images] == ["image/png"] * len(CHART_NAMES)

    page = Page(html_part.get_content())
    sources = [img["src"] for img in page.all("img")]
    content_ids = [image["Content-ID"].strip("<>") for image in images]
    assert sources == [f"cid:{cid}" for cid in content_ids]
    for image in images:
        assert image.get_content().startswith(b"\x89PNG")
        assert image.get_content_disposition() == "inline"

    text = plain.get_content()
    cycle, totals = report.cycle_time_days, report.totals
    percentiles = f"p50 {cycle.p50:.1f} d · p85 {cycle.p85:.1f} d · p95 {cycle.p95:.1f} d"
    assert received["Subject"] in text
    for figure in (f"Done: {totals.done} of {totals.cards} cards; {totals.in_progress} in progress, {totals.todo} to do",
                   f"Cycle time: {percentiles}", f"Work in progress: {report.wip.count} cards",
                   f"Completed this week ({len(report.week.completed)})", f"Status: {status.label} ({status.reason})"):
        assert figure in text
    for figure in (f"{totals.pct_done:.0f}% done ({totals.done} of {totals.cards})", f"Cycle time {percentiles}",
                   f"Work in progress {report.wip.count} cards", f"Completed this week {len(report.week.completed)} cards"):
        assert figure in page.text
    for ref in report.week.completed:
        assert ref.name in text and ref.name in page.text


def test_login_then_send(smtp_server, message):
    controller, recorder = smtp_server(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    send_email(message, settings_for(controller, user="reporter", password=PASSWORD))
    assert recorder.sessions[0].authenticated


def test_a_user_set_for_a_relay_without_login_says_which_settings_to_drop(smtp_server, message):
    controller, recorder = smtp_server()  # offers no AUTH
    with pytest.raises(EmailError) as caught:
        send_email(message, settings_for(controller, user="reporter", password=PASSWORD))
    assert caught.value.message == f"127.0.0.1:{controller.port} offers no login (SMTP AUTH), but a user is set ('reporter')"
    assert "unset TRELLOPLAN_SMTP_USER and TRELLOPLAN_SMTP_PASSWORD" in caught.value.hint
    assert recorder.envelopes == []


def test_a_refused_login_says_so_without_the_password(smtp_server, message):
    controller, recorder = smtp_server(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    with pytest.raises(EmailError) as caught:
        send_email(message, settings_for(controller, user="reporter", password=PASSWORD[::-1] + PASSWORD))
    error = caught.value
    assert "refused the login for user 'reporter'" in error.message and "535" in error.message
    assert "TRELLOPLAN_SMTP_PASSWORD" in error.hint
    assert "\n" not in error.one_line()
    assert_secret_free(error)
    assert recorder.envelopes == []


def test_a_refused_recipient_sends_to_no_one(smtp_server, message):
    controller, recorder = smtp_server()
    bad = build_email(make_report(), sender=SENDER, recipients=["team@example.com", "nobody@example.com"])
    with pytest.raises(EmailError) as caught:
        send_email(bad, settings_for(controller))
    assert "refused the recipient nobody@example.com (550 5.1.1" in caught.value.message
    assert "sent to no one" in caught.value.message
    assert recorder.envelopes == []
    send_email(message, settings_for(controller))  # the same connection settings still work
    assert len(recorder.envelopes) == 1


def test_no_server_listening(message):
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=5,
                            user="reporter", password=PASSWORD)
    with pytest.raises(EmailError) as caught:
        send_email(message, settings)
    assert caught.value.message == f"127.0.0.1:{settings.port} refused the connection: no SMTP server is listening there"
    assert caught.value.hint.startswith("check the host and port") and "is running" in caught.value.hint  # it is set: say what to check
    assert_secret_free(caught.value)


def test_a_server_that_hangs_up(message):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def hang_up() -> None:
            connection, _ = listener.accept()
            connection.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        with pytest.raises(EmailError) as caught:
            send_email(message, SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5))
        thread.join(5)
    assert caught.value.message == f"127.0.0.1:{port} closed the connection unexpectedly"


def test_a_server_that_never_answers(message):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(EmailError) as caught:
            send_email(message, SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=0.5))
    assert caught.value.message == f"127.0.0.1:{port} did not answer within 0.5 s"


def test_tls_failures(smtp_server, message):
    controller, recorder = smtp_server()
    with pytest.raises(EmailError) as caught:
        send_email(message, settings_for(controller, security="ssl", user="reporter", password=PASSWORD))
    assert caught.value.message.startswith(f"TLS with 127.0.0.1:{controller.port} failed")
    assert "--smtp-security" in caught.value.hint
    assert_secret_free(caught.value)
    with pytest.raises(EmailError) as caught:
        send_email(message, settings_for(controller, security="starttls"))
    assert caught.value.message == f"127.0.0.1:{controller.port}: the server does not offer STARTTLS"
    assert recorder.envelopes == []


def test_bad_addresses_fail_before_connecting(message):
    closed = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    for bad in ("not-an-address", "team@", "a@b@example.com", "team@exa mple.com", "tëam@example.com"):
        # compat32 stores headers as given, as a caller's hand-made message might; build_email refuses them earlier.
        broken = EmailMessage(policy=policy.compat32)
        broken["From"] = "reports@example.com"
        broken["To"] = bad
        broken.set_payload("x")
        with pytest.raises(EmailError, match="bad email address") as caught:
            send_email(broken, closed)
        assert "refused the connection" not in caught.value.message
    nobody = EmailMessage()
    nobody["From"] = "reports@example.com"
    with pytest.raises(EmailError, match="no recipient"):
        send_email(nobody, closed)


def test_a_password_never_goes_out_unencrypted(message):
    remote = SmtpSettings(host="192.0.2.10", port=25, security="none", user="reporter", password=PASSWORD)
    with pytest.raises(EmailError) as caught:
        send_email(message, remote)
    assert caught.value.message == "refusing to send the SMTP password unencrypted to 192.0.2.10:25"
    assert_secret_free(caught.value)


# -- settings ------------------------------------------------------------------


def test_settings_come_from_arguments_then_the_environment():
    env = {ENV_HOST: "smtp.example.com", ENV_PORT: "2525", ENV_USER: "bot", ENV_PASSWORD: PASSWORD,
           ENV_FROM: "bot@example.com", ENV_SECURITY: "ssl"}
    settings = smtp_settings(env=env)
    assert (settings.host, settings.port, settings.security, settings.user, settings.password, settings.sender) == (
        "smtp.example.com", 2525, "ssl", "bot", PASSWORD, "bot@example.com")
    override = smtp_settings(host="mail.example.org", port=587, security="starttls", user="other",
                             sender="x@example.org", env=env)
    assert (override.host, override.port, override.security, override.user, override.sender) == (
        "mail.example.org", 587, "starttls", "other", "x@example.org")
    assert override.password == PASSWORD
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.describe()
    assert smtp_settings(env={**env, ENV_PASSWORD: PASSWORD + "\r"}).password == PASSWORD  # an env file saved with CRLF


def test_security_and_port_defaults():
    def pick(**kwargs) -> tuple[int, str]:
        settings = smtp_settings(env={}, **kwargs)
        return settings.port, settings.security

    assert pick(host="smtp.example.com") == (587, "starttls")
    assert pick(host="smtp.example.com", port=465) == (465, "ssl")
    assert pick(host="smtp.example.com", port=25) == (25, "starttls")
    assert pick(host="smtp.example.com", security="ssl") == (465, "ssl")
    assert pick(host="localhost") == (25, "none")
    assert pick(host="127.0.0.1", port=1025) == (1025, "none")
    assert pick(host="::1", security="starttls") == (587, "starttls")
    assert smtp_settings(host="h.example.com", env={}).timeout == 30.0


def test_bad_settings_are_config_errors():
    cases = [
        ({}, "no SMTP server"),
        ({ENV_HOST: "h.example.com", ENV_PORT: "smtp"}, "TRELLOPLAN_SMTP_PORT must be a port number"),
        ({ENV_HOST: "h.example.com", ENV_PORT: "70000"}, "between 1 and 65535"),
        ({ENV_HOST: "h.example.com", ENV_SECURITY: "tls13"}, "SMTP security must be one of"),
        ({ENV_HOST: "h.example.com", ENV_USER: "bot"}, "TRELLOPLAN_SMTP_PASSWORD is not"),
        ({ENV_HOST: "h.example.com", ENV_PASSWORD: PASSWORD}, "no SMTP user"),
    ]
    for env, expected in cases:
        with pytest.raises(ConfigError, match=expected) as caught:
            smtp_settings(env=env)
        assert PASSWORD not in caught.value.one_line()
    with pytest.raises(ConfigError, match="timeout"):
        smtp_settings(host="h.example.com", timeout=0, env={})


def test_settings_read_the_process_environment(monkeypatch):
    monkeypatch.setenv(ENV_HOST, "env.example.com")
    monkeypatch.setenv(ENV_USER, "bot")
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    settings = smtp_settings()
    assert (settings.host, settings.user, settings.password) == ("env.example.com", "bot", PASSWORD)


# -- .eml files ----------------------------------------------------------------


def test_write_eml_writes_what_would_be_sent(tmp_path: Path, message):
    target = write_eml(message, tmp_path / "weekly.eml")
    data = target.read_bytes()
    assert data == message_bytes(message)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert parsed["Subject"] == message["Subject"]
    assert [p.get_content_type() for p in parsed.walk()] == [p.get_content_type() for p in message.walk()]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["weekly.eml"]
    with pytest.raises(UsageError, match="already exists"):
        write_eml(message, target, overwrite=False)
    with pytest.raises(UsageError, match="does not exist"):
        write_eml(message, tmp_path / "missing" / "weekly.eml")


def test_bcc_is_delivered_but_never_shown(smtp_server, tmp_path: Path, report):
    controller, recorder = smtp_server()
    message = build_email(report, sender=SENDER, recipients=["team@example.com"])
    message["Bcc"] = "boss@example.com"
    send_email(message, settings_for(controller))
    assert recorder.envelopes[0].rcpt_tos == ["team@example.com", "boss@example.com"]
    assert b"boss@example.com" not in recorder.envelopes[0].original_content
    assert b"boss@example.com" not in write_eml(message, tmp_path / "m.eml").read_bytes()
