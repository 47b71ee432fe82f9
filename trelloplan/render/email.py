"""The report as an email: a plain-text part and an HTML part with the charts as inline images.

:func:`build_email` is pure: the whole message (subject, both parts, every
chart) is built before anything connects anywhere, so a failure while
building can never leave a half-sent email, and what is sent is exactly
what ``--eml`` would write. Sending is :mod:`trelloplan.mail`'s job.

The message is::

    multipart/alternative
    ├── text/plain                 plain_summary(report)
    └── multipart/related
        ├── text/html              render_html(report, mode="email")
        └── image/png × N          Content-ID <name.TOKEN@sender-domain>, referenced as cid:

Nothing reads the clock or the host name: ``Date`` defaults to the report's
as-of moment and ``Message-ID`` and the content ids derive from the report,
so the same report gives the same bytes. A sender passes ``date=`` the
moment it actually sends.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, parseaddr

from ..errors import BadAddress, EmailError
from ..history.schema import Report, format_instant
from .safe import clean_strings, header_text, terminal_text
from .status import (
    STAGE_TEXT,
    Status,
    as_of_note,
    format_instant_local,
    format_span,
    headline,
    history_text,
    in_progress_cards,
    milestone_line,
    next_week_cards,
    next_week_label,
    number_rows,
    plan_weeks,
    report_status,
    week_note,
    week_position,
)

__all__ = ["address_domain", "build_email", "plain_summary", "validate_address"]

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+|localhost")
_ADDRESS_HINT = "give one address per --email-to, like team@example.com or \"Team <team@example.com>\""


def _bad_address(text: str, why: str) -> EmailError:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return BadAddress(f"bad email address {shown!r}: {why}", hint=_ADDRESS_HINT)


def validate_address(text: str) -> str:
    """One address (``a@example.com`` or ``Name <a@example.com>``), checked and normalised.

    Plain ASCII addresses only: the message is sent without SMTPUTF8. Raises
    :class:`~trelloplan.errors.EmailError` with what is wrong, before anything connects.
    """
    if not isinstance(text, str) or not text.strip():
        raise _bad_address(str(text), "it is empty")
    if any(ch in text for ch in "\r\n\0"):
        raise _bad_address(text, "it contains a line break")
    if len(getaddresses([text])) != 1:
        raise _bad_address(text, "it holds more than one address")
    name, address = parseaddr(text)
    if not address or address.count("@") != 1:
        raise _bad_address(text, "it needs exactly one @")
    if address not in text:
        raise _bad_address(text, "it is not one well-formed address (a space inside it?)")
    local, domain = address.split("@")
    if not local or not domain:
        raise _bad_address(text, "the part before or after the @ is missing")
    if not address.isascii():
        raise _bad_address(text, "only plain ASCII addresses are supported")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        raise _bad_address(text, f"{local!r} is not a valid mailbox name")
    if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
        raise _bad_address(text, f"{domain!r} is not a valid domain")
    return formataddr((name, address)) if name else address


def fold_name(address: str) -> str:
    """A validated address with its display name on one line (:func:`.safe.header_text`)."""
    name, mailbox = parseaddr(address)
    return formataddr((header_text(name), mailbox)) if name else mailbox


def address_domain(address: str) -> str:
    """The domain part of a validated address."""
    return parseaddr(address)[1].rpartition("@")[2].lower()


def _bullets(lines: Iterable[str]) -> list[str]:
    return [f"  - {line}" for line in lines]


def _week_tag(week: int | None) -> str:
    return f"[W{week}] " if week is not None else ""


def plain_summary(report: Report, status: Status | None = None) -> str:
    """The report as plain text (no colour, no markup): the email's ``text/plain`` part.

    Text from the board is one line per value, without control characters (:func:`.safe.terminal_text`).
    """
    report = clean_strings(report, terminal_text)
    status = status or report_status(report)
    lines = [headline(report, status), ""]
    lines.append(f"{week_position(report)[:1].upper()}{week_position(report)[1:]}: "
                 f"{format_span(report.week.start, report.week.end)}, "
                 f"as of {format_instant_local(report.as_of, report.timezone)}{as_of_note(report)}")
    history = history_text(report)
    lines.append(history[:1].upper() + history[1:])
    note = week_note(report)
    if note:
        lines.append(note)
    lines.append(f"Status: {status.label} ({status.reason})")
    milestone = milestone_line(report)
    if milestone:
        lines.append(milestone)
    totals = report.totals
    lines.append(f"Done: {totals.done} of {totals.cards} cards; {totals.in_progress} in progress, {totals.todo} to do"
                 + (f"; {totals.dropped} dropped" if totals.dropped else ""))

    completed = report.week.completed
    lines += ["", f"Completed this week ({len(completed)})"]
    lines += _bullets(f"{_week_tag(ref.week)}{ref.name}" + (" (carried over)" if ref.carried_over else "")
                      for ref in completed) or ["  (nothing yet)"]

    doing = in_progress_cards(report)
    aging = {card.id for card in report.wip.cards if card.aging}
    lines += ["", f"In progress ({len(doing)})"]
    lines += _bullets(
        f"{_week_tag(row.week)}{row.name}"
        + (f" ({row.age_days:.1f} days{', aging' if row.id in aging else ''})" if row.age_days is not None else "")
        for row in doing
    ) or ["  (nothing)"]

    following = next_week_cards(report)
    if following is not None:
        lines += ["", f"Planned next week: {next_week_label(report)} ({len(following)})"]
        lines += _bullets(row.name for row in following) or ["  (none open)"]

    carried = report.week.carried_over
    finished = {ref.id for ref in completed}
    still_open = [ref for ref in carried if ref.id not in finished]
    lines += ["", f"Carried over ({len(carried)})"]
    lines += _bullets(f"{_week_tag(ref.week)}{ref.name} ({STAGE_TEXT.get(ref.role, ref.role)})" for ref in still_open)
    if len(still_open) < len(carried):
        lines.append(f"  and {len(carried) - len(still_open)} completed this week (listed above)")
    elif not carried:
        lines.append("  (nothing)")
    if report.week.scope_added:
        lines += ["", f"Added this week ({len(report.week.scope_added)})"]
        lines += _bullets(ref.name for ref in report.week.scope_added)
    if report.week.dropped:
        lines += ["", f"Dropped this week ({len(report.week.dropped)})"]
        lines += _bullets(f"{_week_tag(ref.week)}{ref.name}" for ref in report.week.dropped)

    weeks = plan_weeks(report)
    if weeks:
        lines += ["", "Milestones and demos"]
        for row in weeks:
            mark = ">" if row.number == report.week.number else " "
            demo = f"; demo {STAGE_TEXT.get(row.demo.status, row.demo.status)}" if row.demo else ""
            lines.append(f" {mark}{row.label}: {row.milestone or ''} - {row.done or 0}/{row.planned or 0} done{demo}")

    lines += ["", "Numbers"]
    lines += [f"  {label}: {value}" for label, value in number_rows(report)]

    if report.members:
        lines += ["", "Members (assigned: to do / in progress / done; finished this week)"]
        lines += [f"  {m.name}: {m.assigned} assigned: {m.todo} / {m.in_progress} / {m.done}; {m.completed_this_week} this week"
                  for m in report.members]

    counts = [(rule, count) for rule, count in report.data_quality.counts.items() if count]
    lines += ["", "Data quality: " + ("; ".join(f"{count} x {rule.replace('_', ' ')}" for rule, count in counts)
                                      if counts else "no warnings")]
    lines += ["", "The charts are in the HTML version of this email."]
    return "\n".join(lines) + "\n"


def _token(report: Report, subject: str, sender: str, recipients: list[str], body: str) -> str:
    digest = hashlib.sha256()
    for part in (report.board_id or "", format_instant(report.as_of), subject, sender, *recipients, body):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def build_email(
    report: Report,
    *,
    sender: str,
    recipients: Iterable[str],
    charts: Mapping[str, bytes] | None = None,
    subject: str | None = None,
    date: datetime | None = None,
    message_id: str | None = None,
    status: Status | None = None,
) -> EmailMessage:
    """The weekly report email for ``recipients``, from ``sender``, complete and ready to send.

    ``charts`` is ``{name: png_bytes}`` (default: every chart
    :func:`~trelloplan.render.charts.render_charts` can draw). ``subject``
    defaults to :func:`~trelloplan.render.status.headline` (``MLOps on GCP:
    week 4 of 10, 38% done, on track``); ``date`` to the report's as-of
    moment; ``message_id`` to one derived from the content and the sender's
    domain. Bad addresses raise :class:`~trelloplan.errors.EmailError`.
    """
    from_address = validate_address(sender)
    to = [validate_address(address) for address in recipients]
    if not to:
        raise EmailError("no recipient given", hint="pass --email-to ADDRESS (repeatable)")
    if charts is None:
        from .charts import render_charts

        charts = render_charts(report)
    from .html import render_html

    status = status or report_status(report)
    subject = header_text(subject or headline(report, status))
    plain = plain_summary(report, status)
    domain = address_domain(from_address)
    token = _token(report, subject, from_address, to, plain)
    cids = {name: f"{name}.{token}@{domain}" for name in charts}
    html = render_html(report, mode="email", cids=cids, status=status)

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = fold_name(from_address)
    message["To"] = ", ".join(to)
    when = date or report.as_of
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id or f"<report.{token}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Trelloplan-Report"] = header_text(f"{report.board_id or 'no-board'}; as-of={format_instant(report.as_of)}")
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    html_part = next(part for part in message.iter_parts() if part.get_content_type() == "text/html")
    for name, png in charts.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cids[name]}>",
                              filename=f"{name}.png", disposition="inline")
    if html_part.is_multipart():
        html_part.set_param("type", "text/html")
    for index, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"=_trelloplan_{token}_{index}")
    return message
