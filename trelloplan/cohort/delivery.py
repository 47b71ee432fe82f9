"""The cohort report by email: each team its own weekly report, the overview to the cohort's ``report_to``.

Every message is built whole (numbers, charts, both parts) before the first one is sent. Each
message goes in its own SMTP transaction, so a recipient the server refuses fails only the
message it is on; the others are still sent and the failures are returned, named.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..errors import TrelloplanError, UsageError
from ..fsutil import atomic_write, output_folder
from ..history.schema import Report
from ..mail import SmtpSettings, send_email, write_eml
from ..render.charts import render_charts
from ..render.cohort import render_overview
from ..render.cohort_email import build_overview_email
from ..render.email import build_email
from .report import CohortReport

__all__ = ["OVERVIEW", "Delivery", "cohort_emails", "deliver_cohort", "team_reports_folder", "write_cohort_report"]

log = logging.getLogger("trelloplan.cohort.delivery")

#: The file name ending of a team's own report, by format.
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}

#: The name of the overview's message among the teams' ones.
OVERVIEW = "overview"


@dataclass
class Delivery:
    """One message of the cohort report: to whom, where it was written (with an .eml folder), or why it failed."""

    name: str  # a team's name, or OVERVIEW
    key: str  # the team's key, or OVERVIEW: the .eml file's name
    recipients: tuple[str, ...]
    message: EmailMessage
    path: Path | None = None
    error: TrelloplanError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def data(self) -> dict[str, Any]:
        return {"name": self.name, "to": list(self.recipients), "subject": str(self.message["Subject"]), "ok": self.ok,
                "eml": str(self.path) if self.path else None, "error": self.error.one_line() if self.error else None}


def cohort_emails(cohort_report: CohortReport, *, sender: str, sent_at: datetime) -> list[Delivery]:
    """Every message the cohort report sends, built: a team's report for each team with a report and an
    ``email:`` list, then the overview when the cohort has ``report_to``."""
    messages = []
    for team in cohort_report.teams:
        if team.report is None or not team.team.email:
            continue
        message = build_email(team.report, sender=sender, recipients=team.team.email, charts=render_charts(team.report),
                              date=sent_at)
        messages.append(Delivery(team.team.name, team.team.key, team.team.email, message))
    report_to = cohort_report.cohort.report_to
    if report_to:
        message = build_overview_email(cohort_report.overview, sender=sender, recipients=report_to, date=sent_at)
        messages.append(Delivery(OVERVIEW, OVERVIEW, report_to, message))
    return messages


def deliver_cohort(cohort_report: CohortReport, *, sender: str, sent_at: datetime, settings: SmtpSettings | None = None,
                   eml_dir: str | Path | None = None) -> list[Delivery]:
    """Build every message, then send each with ``settings`` (or write it into ``eml_dir`` as KEY.eml).

    A message that fails is recorded on its :class:`Delivery` and the next one is still sent.
    """
    if settings is None and eml_dir is None:
        raise ValueError("deliver_cohort needs SMTP settings or a folder for the .eml files")
    deliveries = cohort_emails(cohort_report, sender=sender, sent_at=sent_at)
    if eml_dir is not None:
        _folder(Path(eml_dir))
    for delivery in deliveries:
        try:
            if eml_dir is not None:
                delivery.path = write_eml(delivery.message, Path(eml_dir) / f"{delivery.key}.eml")
            else:
                assert settings is not None
                send_email(delivery.message, settings)
        except TrelloplanError as error:
            delivery.error = error
            log.info("cohort report: the email to %s failed: %s", delivery.name, error.one_line())
    return deliveries


def _folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {path}: {exc.strerror}", hint="choose another place for the files") from None
    return path


def team_reports_folder(out: str | Path) -> Path:
    """Where the teams' own reports go beside the overview file ``out``: ``cohort.html`` → ``cohort.teams/``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.teams")


def _team_page(report: Report, fmt: str) -> str:
    if fmt == "html":
        from ..render.html import render_html

        return render_html(report, mode="file")
    from ..render.formats import render_report

    return render_report(report, fmt)


def write_cohort_report(cohort_report: CohortReport, out: str | Path, fmt: str) -> CohortReport:
    """Write each team's own report into :func:`team_reports_folder`, then the overview linking to them, at ``out``.

    Returns the cohort report whose overview carries the links (relative to ``out``'s folder).
    """
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown overview format {fmt!r}", hint=f"use one of: {', '.join(EXTENSIONS)}")
    out = Path(out)
    output_folder(out)  # as for any file written: the teams' folder is made, never the folder ``out`` goes into
    folder = team_reports_folder(out)
    links: dict[str, str] = {}
    for team in cohort_report.teams:
        if team.report is None:
            continue
        name = f"{team.team.key}.{EXTENSIONS[fmt]}"
        atomic_write(_folder(folder) / name, _team_page(team.report, fmt))
        links[team.team.key] = f"{folder.name}/{name}"
    linked = cohort_report.with_links(links)
    atomic_write(out, render_overview(linked.overview, fmt))
    return linked
