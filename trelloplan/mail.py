"""Sending a finished email over SMTP, or writing it to a ``.eml`` file: the I/O edge of the email report.

The caller builds the whole message first (:func:`trelloplan.render.email.build_email`),
then hands it here: nothing is built while a connection is open, so no email
with stale or partial numbers can leave. One transaction sends to every
recipient or to none: if the server refuses any recipient, the transaction is
reset before the message data is sent.

Settings come from arguments, then the environment (:func:`smtp_settings`).
Each wait for the server is bounded by ``timeout``, and the whole session,
from connecting to the last reply, by the network deadline of
:mod:`trelloplan.net` (``TRELLOPLAN_TIMEOUT``): a server answering one byte
at a time cannot keep a cron job waiting.
The password comes only from ``TRELLOPLAN_SMTP_PASSWORD`` and never appears in
a message, a log line or ``repr``. Every failure is an
:class:`~trelloplan.errors.EmailError` with a one-line message and a hint.
"""

from __future__ import annotations

import base64
import copy
import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.utils import formataddr, getaddresses
from pathlib import Path

from .errors import ConfigError, EmailError
from .fsutil import atomic_write
from .net import DEFAULT_DEADLINE, deadline, deadline_from_env, is_loopback, watch
from .redact import Redactor
from .render.email import validate_address

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_TIMEOUT",
    "ENV_FROM",
    "ENV_HOST",
    "ENV_PASSWORD",
    "ENV_PORT",
    "ENV_SECURITY",
    "ENV_USER",
    "SECURITY_MODES",
    "SmtpSettings",
    "check_smtp",
    "message_bytes",
    "send_email",
    "smtp_settings",
    "write_eml",
]

log = logging.getLogger("trelloplan.mail")

ENV_HOST = "TRELLOPLAN_SMTP_HOST"
ENV_PORT = "TRELLOPLAN_SMTP_PORT"
ENV_USER = "TRELLOPLAN_SMTP_USER"
ENV_PASSWORD = "TRELLOPLAN_SMTP_PASSWORD"
ENV_FROM = "TRELLOPLAN_SMTP_FROM"
ENV_SECURITY = "TRELLOPLAN_SMTP_SECURITY"

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0

_SETTINGS_HINT = f"set {ENV_HOST} (and {ENV_PORT}, {ENV_USER}, {ENV_PASSWORD} if the server needs them)"
_REACH_HINT = (f"check the host and port ({ENV_HOST}, {ENV_PORT}; 587 for STARTTLS, 465 for SSL) and that the server "
               "is running and reachable from here")
_LOGIN_HINT = f"check {ENV_USER} and {ENV_PASSWORD} (many providers want an app password, not the account's)"
_ADDRESS_HINT = "give one address per --email-to, like team@example.com"
_TLS_HINT = "port 465 expects --smtp-security ssl, port 587 expects starttls; check the host name matches its certificate"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. ``password`` is left out of ``repr`` and of every message."""

    host: str
    port: int
    security: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    helo: str | None = None
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}, not {self.security!r}")

    @property
    def server(self) -> str:
        """``host:port``, for messages."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def describe(self) -> str:
        """The settings for a log line or ``--debug``: never the password."""
        who = f", user {self.user}" if self.user else ""
        return f"{self.server} ({self.security}{who}, timeout {self.timeout:g} s, deadline {self.deadline:g} s)"



def _parse_port(value: int | str, source: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source} must be a port number, not {value!r}", hint="use 587 (starttls), 465 (ssl) or 25") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{source} must be between 1 and 65535, not {port}", hint="use 587 (starttls), 465 (ssl) or 25")
    return port


def smtp_settings(
    *,
    host: str | None = None,
    port: int | str | None = None,
    security: str | None = None,
    user: str | None = None,
    sender: str | None = None,
    timeout: float | None = None,
    helo: str | None = None,
    deadline: float | None = None,
    env: Mapping[str, str] | None = None,
) -> SmtpSettings:
    """SMTP settings from the arguments, falling back to the environment.

    Arguments win over ``TRELLOPLAN_SMTP_HOST``, ``_PORT``, ``_SECURITY``,
    ``_USER`` and ``_FROM``; the password is read only from
    ``TRELLOPLAN_SMTP_PASSWORD``. Without a security mode: ``ssl`` on port
    465, ``none`` for a loopback host (a local relay), ``starttls``
    otherwise. Without a port: 587 for starttls, 465 for ssl, 25 for none.
    ``deadline`` (the whole session's) defaults to ``TRELLOPLAN_TIMEOUT``, else
    :data:`~trelloplan.net.DEFAULT_DEADLINE`. Missing or malformed settings
    raise :class:`~trelloplan.errors.ConfigError`.
    """
    source = os.environ if env is None else env
    host = (host or source.get(ENV_HOST) or "").strip()
    if not host:
        raise ConfigError(f"no SMTP server: pass --smtp-host or set {ENV_HOST}", hint=_SETTINGS_HINT)
    if port is not None:
        port_number: int | None = _parse_port(port, "--smtp-port")
    elif source.get(ENV_PORT, "").strip():
        port_number = _parse_port(source[ENV_PORT].strip(), ENV_PORT)
    else:
        port_number = None
    mode = (security or source.get(ENV_SECURITY) or "").strip().lower() or None
    if mode is not None and mode not in SECURITY_MODES:
        raise ConfigError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}, not {mode!r}",
                          hint="use starttls (port 587), ssl (port 465) or none (a local relay)")
    if mode is None:
        mode = "ssl" if port_number == 465 else "none" if is_loopback(host) else "starttls"
    if port_number is None:
        port_number = DEFAULT_PORTS[mode]
    user = (user or source.get(ENV_USER) or "").strip() or None
    password = (source.get(ENV_PASSWORD) or "").removesuffix("\n").removesuffix("\r") or None  # an env file saved with CRLF
    if user and not password:
        raise ConfigError(f"an SMTP user is set but {ENV_PASSWORD} is not",
                          hint=f"export {ENV_PASSWORD} (the password is read only from the environment)")
    if password and not user:
        raise ConfigError(f"{ENV_PASSWORD} is set but no SMTP user", hint=f"pass --smtp-user or set {ENV_USER}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"the SMTP timeout must be positive, not {timeout}", hint="use a number of seconds, like 30")
    sender = (sender or source.get(ENV_FROM) or "").strip() or None
    return SmtpSettings(host=host, port=port_number, security=mode, user=user, password=password, sender=sender,
                        timeout=DEFAULT_TIMEOUT if timeout is None else float(timeout), helo=helo,
                        deadline=deadline_from_env(source) if deadline is None else float(deadline))


def message_bytes(message: EmailMessage) -> bytes:
    """The message as sent and as written to ``.eml``: CRLF line ends, ``Bcc`` left out."""
    if message["Bcc"] is not None:
        message = copy.deepcopy(message)
        del message["Bcc"]
    return message.as_bytes(policy=policy.SMTP)


def write_eml(message: EmailMessage, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write the message to ``path`` atomically (a mail client opens it as the email that would be sent)."""
    return atomic_write(path, message_bytes(message), overwrite=overwrite)


def _envelope(message: EmailMessage, settings: SmtpSettings) -> tuple[str, list[str]]:
    """The envelope sender and recipients, every address checked before anything connects."""
    sender_header = message["From"] or settings.sender
    if not sender_header:
        raise EmailError("the message has no sender", hint=f"pass --email-from or set {ENV_FROM}")
    sender = getaddresses([validate_address(str(sender_header))])[0][1]
    recipients: list[str] = []
    for header in ("To", "Cc", "Bcc"):
        try:
            values = [str(value) for value in message.get_all(header, [])]
        except (HeaderParseError, IndexError, ValueError) as exc:
            raise EmailError(f"the {header} header cannot be read: {exc}", hint=_ADDRESS_HINT) from None
        for value in values:
            pairs = getaddresses([value])
            if not pairs or any(not address or address not in value for _, address in pairs):
                raise EmailError(f"bad email address in {header}: {value[:80]!r}", hint=_ADDRESS_HINT)
            for name, address in pairs:
                checked = getaddresses([validate_address(formataddr((name, address)) if name else address)])[0][1]
                if checked not in recipients:
                    recipients.append(checked)
    if not recipients:
        raise EmailError("the message has no recipient", hint="pass --email-to ADDRESS (repeatable)")
    return sender, recipients


def _secrets(settings: SmtpSettings) -> Redactor:
    """The password and the encodings of it that an SMTP AUTH exchange carries."""
    if not settings.password:
        return Redactor(())
    password, user = settings.password, settings.user or ""
    forms = {password, f"\0{user}\0{password}", f"{user}\0{user}\0{password}"}
    encoded = {base64.b64encode(form.encode("utf-8")).decode("ascii") for form in forms}
    return Redactor({password, *encoded})


def _scrub(text: str, secrets: Redactor) -> str:
    return " ".join(secrets.text(text).split())


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    text = " ".join(text.split())
    return f"{code} {text[:200]}".strip()


def _failure(exc: BaseException, settings: SmtpSettings, sender: str) -> EmailError:
    """The one-line :class:`EmailError` for a failure while talking to the server."""
    server = settings.server
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return EmailError(f"{server} refused the login for user {settings.user!r} ({_reply(exc.smtp_code, exc.smtp_error)})",
                          hint=_LOGIN_HINT)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return EmailError(f"{server} refused the sender {sender} ({_reply(exc.smtp_code, exc.smtp_error)})",
                          hint=f"set --email-from or {ENV_FROM} to an address this account may send from")
    if isinstance(exc, smtplib.SMTPDataError):
        return EmailError(f"{server} refused the message ({_reply(exc.smtp_code, exc.smtp_error)})",
                          hint="the server's reply (in the parentheses) says why; nothing was delivered")
    if isinstance(exc, smtplib.SMTPConnectError):
        return EmailError(f"{server} refused the connection ({_reply(exc.smtp_code, exc.smtp_error)})", hint=_SETTINGS_HINT)
    if isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc):
        return EmailError(f"{server} did not answer within {settings.timeout:g} s", hint=_SETTINGS_HINT)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return EmailError(f"{server} closed the connection unexpectedly", hint="check the port and security mode, then try again")
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "AUTH" in str(exc):
        return EmailError(f"{server} offers no login (SMTP AUTH), but a user is set ({settings.user!r})",
                          hint=f"for a relay that takes mail without a login, unset {ENV_USER} and {ENV_PASSWORD}; "
                               "otherwise check the port and the security mode (many servers offer AUTH only after STARTTLS)")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return EmailError(f"{server}: {exc}", hint=f"choose another security mode ({ENV_SECURITY}), or a server that offers it")
    if isinstance(exc, smtplib.SMTPResponseException):
        return EmailError(f"{server} answered {_reply(exc.smtp_code, exc.smtp_error)}", hint=_SETTINGS_HINT)
    if isinstance(exc, smtplib.SMTPException):
        return EmailError(f"{server}: {exc}", hint=_SETTINGS_HINT)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EmailError(f"the TLS certificate of {server} could not be verified ({exc.verify_message})", hint=_TLS_HINT)
    if isinstance(exc, ssl.SSLError):
        return EmailError(f"TLS with {server} failed ({exc.reason or exc})", hint=_TLS_HINT)
    if isinstance(exc, socket.gaierror):
        return EmailError(f"cannot find the SMTP server {settings.host!r} ({exc.strerror})", hint=_SETTINGS_HINT)
    if isinstance(exc, ConnectionRefusedError):
        return EmailError(f"{server} refused the connection: no SMTP server is listening there", hint=_REACH_HINT)
    if isinstance(exc, TimeoutError):
        return EmailError(f"{server} did not answer within {settings.timeout:g} s", hint=_REACH_HINT)
    if isinstance(exc, OSError):
        return EmailError(f"cannot talk to {server}: {exc.strerror or exc}", hint=_REACH_HINT)
    raise TypeError(f"not an SMTP failure: {exc!r}")


def _connect(settings: SmtpSettings, context: ssl.SSLContext, timeout: float) -> smtplib.SMTP:
    """Connect (and secure) a session the current deadline can shut down, greeting included."""
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(local_hostname=settings.helo, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(local_hostname=settings.helo, timeout=timeout)
    smtp._host = settings.host  # type: ignore[attr-defined]  # TLS checks the name smtplib keeps from __init__
    watch(smtp)
    try:
        smtp.connect(settings.host, settings.port)
    except BaseException:
        smtp.close()
        raise
    if settings.security == "starttls":
        try:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
    return smtp


def _transaction(smtp: smtplib.SMTP, settings: SmtpSettings, sender: str, recipients: list[str], payload: bytes,
                 progress: list[str]) -> None:
    """One SMTP transaction; ``progress`` gets "data" once the message itself goes out (before, nothing can be delivered)."""
    smtp.ehlo_or_helo_if_needed()
    if settings.user and settings.password:
        smtp.login(settings.user, settings.password)
    options = ["BODY=8BITMIME"] if not payload.isascii() and smtp.has_extn("8bitmime") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = _reply(code, reply)
    if refused:
        smtp.rset()
        listed = "; ".join(f"{address} ({why})" for address, why in refused.items())
        raise EmailError(f"{settings.server} refused {'the recipient' if len(refused) == 1 else 'recipients'} {listed}; "
                         "the email was sent to no one",
                         hint="check the --email-to addresses (the server's reply says why)")
    progress.append("data")
    code, reply = smtp.data(payload)
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _refuse_plain_password(settings: SmtpSettings) -> None:
    """A password is never sent unencrypted, except to a loopback host (a local relay)."""
    if settings.password and settings.security == "none" and not is_loopback(settings.host):
        raise EmailError(f"refusing to send the SMTP password unencrypted to {settings.server}",
                         hint=f"use --smtp-security starttls or ssl (or set {ENV_SECURITY})")


def send_email(message: EmailMessage, settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> list[str]:
    """Send a finished ``message``; return the recipients the server accepted (all of them).

    Every address is checked and the message flattened before connecting.
    A password is never sent unencrypted except to a loopback host.
    ``ssl_context`` defaults to the system's trusted certificates.
    """
    sender, recipients = _envelope(message, settings)
    payload = message_bytes(message)
    _refuse_plain_password(settings)
    secrets = _secrets(settings)
    context = ssl_context or ssl.create_default_context()
    log.debug("sending %r to %d recipients via %s", message["Subject"], len(recipients), settings.describe())
    smtp: smtplib.SMTP | None = None
    progress: list[str] = []
    with deadline(settings.deadline) as guard:
        try:
            smtp = _connect(settings, context, min(settings.timeout, guard.remaining()))
            _transaction(smtp, settings, sender, recipients, payload, progress)
        except EmailError as exc:
            raise EmailError(_scrub(exc.message, secrets), hint=exc.hint) from None
        except (smtplib.SMTPException, OSError) as exc:
            log.debug("SMTP failure: %s", _scrub(f"{type(exc).__name__}: {exc}", secrets))
            if guard.expired:
                raise EmailError(f"{settings.server} did not finish the SMTP exchange within the {settings.deadline:g} s "
                                 "deadline; " + ("the server may or may not have taken the email" if progress
                                                                else "the email was not sent"),
                                 hint="the server is too slow; check the SMTP settings, or allow more time with "
                                      "TRELLOPLAN_TIMEOUT=SECONDS (default 60)") from None
            error = _failure(exc, settings, sender)
            raise EmailError(_scrub(error.message, secrets), hint=error.hint) from None
        finally:
            if smtp is not None:
                _close(smtp)
    log.info("sent %r to %s via %s", message["Subject"], ", ".join(recipients), settings.server)
    return recipients


def check_smtp(settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> str:
    """Connect, greet and log in (when a user is set), then quit: nothing is sent.

    Returns what was proven (``"logged in as USER"`` or ``"connected (no login set)"``);
    raises :class:`~trelloplan.errors.EmailError` as :func:`send_email` would.
    """
    _refuse_plain_password(settings)
    secrets = _secrets(settings)
    smtp: smtplib.SMTP | None = None
    with deadline(settings.deadline) as guard:
        try:
            smtp = _connect(settings, ssl_context or ssl.create_default_context(), min(settings.timeout, guard.remaining()))
            smtp.ehlo_or_helo_if_needed()
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
        except (smtplib.SMTPException, OSError) as exc:
            log.debug("SMTP check failed: %s", _scrub(f"{type(exc).__name__}: {exc}", secrets))
            if guard.expired:
                raise EmailError(f"{settings.server} did not answer within the {settings.deadline:g} s deadline",
                                 hint="check the SMTP settings, or allow more time with TRELLOPLAN_TIMEOUT=SECONDS") from None
            error = _failure(exc, settings, settings.sender or "")
            raise EmailError(_scrub(error.message, secrets), hint=error.hint) from None
        finally:
            if smtp is not None:
                _close(smtp)
    return f"logged in as {settings.user}" if settings.user else "connected (no login set)"


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
