"""The cohort overview as an email: a plain-text part and the HTML page, built whole before anything connects.

Pure, like :func:`trelloplan.render.email.build_email`: the same overview gives the same bytes
(``Date`` defaults to the overview's as-of moment, ``Message-ID`` derives from the content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from ..cohort.overview import Overview
from ..errors import EmailError
from ..history.schema import format_instant
from .cohort import headline
from .cohort_html import render_overview_html
from .cohort_text import render_overview_text
from .email import address_domain, fold_name, validate_address
from .safe import header_text

__all__ = ["build_overview_email"]


def build_overview_email(overview: Overview, *, sender: str, recipients: Iterable[str], date: datetime | None = None,
                         subject: str | None = None) -> EmailMessage:
    """The overview email for ``recipients``, from ``sender``; the subject defaults to
    :func:`~trelloplan.render.cohort.headline`. Bad addresses raise :class:`~trelloplan.errors.EmailError`."""
    from_address = validate_address(sender)
    to = [validate_address(address) for address in recipients]
    if not to:
        raise EmailError("no recipient for the cohort overview", hint="list the overview's recipients in the cohort's `report_to:`")
    subject = header_text(subject or headline(overview))
    plain = render_overview_text(overview, width=100)
    html = render_overview_html(overview)
    digest = hashlib.sha256("\0".join((format_instant(overview.as_of), subject, from_address, *to, plain)).encode("utf-8"))
    token = digest.hexdigest()[:24]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = fold_name(from_address)
    message["To"] = ", ".join(to)
    when = date or overview.as_of
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<cohort.{token}@{address_domain(from_address)}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Trelloplan-Report"] = f"cohort; as-of={format_instant(overview.as_of)}"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    for index, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"=_trelloplan_{token}_{index}")
    return message
