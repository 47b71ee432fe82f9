"""The HTML report page and the status rule behind its one-line status.

``make_report`` (also imported by the chart, email and mail tests) builds a
:class:`Report` straight from the schema dataclasses, deriving every section
from a short list of cards the way docs/metrics.md defines them, so each test
states its scenario in a few lines.
"""

from __future__ import annotations

import base64
import math
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from trelloplan.history.schema import (
    BurnUpPoint,
    CardRef,
    CardRow,
    DataQuality,
    DemoStatus,
    Finding,
    FlowDay,
    Forecast,
    MemberRow,
    Percentiles,
    Report,
    ThisWeek,
    ThroughputWeek,
    Totals,
    WeekRow,
    Wip,
    WipCard,
)
from trelloplan.render.charts import CHART_NAMES, render_charts
from trelloplan.render.html import render_html
from trelloplan.render.status import headline, report_status

START = date(2027, 1, 4)
UTC = timezone.utc
SCRIPT_NAME = "<script>alert(1)</script>"


def at(day: float) -> datetime:
    """``day`` days after the plan starts (Monday 4 Jan 2027 00:00 UTC)."""
    return datetime.combine(START, time(0), tzinfo=UTC) + timedelta(days=day)


def _nearest_rank(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def standard_cards(weeks: int = 10, per_week: int = 6) -> list[tuple]:
    """Weeks 1–3 mostly done, week 4 under way, the rest not started: ``(week, name, started, done)`` days."""
    cards = []
    for week in range(1, weeks + 1):
        base = 7 * (week - 1)
        for index in range(per_week):
            name = f"Demo {week}" if index == per_week - 1 else f"Task {week}.{index + 1}"
            if week <= 3 and index < 5:
                started, done = base + 0.5 + index * 0.6, base + 1.5 + index * 0.9
            elif week <= 3:
                started, done = base + 4.0, None
            elif week == 4 and index < 3:
                started, done = base + 0.3 + index, base + 1.2 + index * 0.9
            elif week == 4 and index < 5:
                started, done = base + 2.5, None
            else:
                started = done = None
            cards.append((week, name, started, done))
    return cards


def make_report(
    cards: list[tuple] | None = None,
    *,
    weeks: int = 10,
    as_of_day: float = 24.6,
    project: str | None = "MLOps on GCP",
    plan: bool = True,
    forecast: Forecast | None = None,
    findings: tuple[Finding, ...] = (),
    members: dict[str, str] | None = None,
    owners: dict[str, tuple[str, ...]] | None = None,
    urls: dict[str, str] | None = None,
) -> Report:
    """A report as of ``as_of_day`` for ``cards`` = ``[(week, name, started_day, done_day), ...]``."""
    cards = standard_cards(weeks) if cards is None else cards
    as_of = at(as_of_day)
    current = int(as_of_day // 7) + 1
    members = members or {}
    owners = owners or {}
    urls = urls or {}

    def role(started: float | None, done: float | None, moment: float) -> str:
        if done is not None and done <= moment:
            return "done"
        if started is not None and started <= moment:
            return "in_progress"
        return "todo"

    rows = []
    for index, (week, name, started, done) in enumerate(cards):
        now_role = role(started, done, as_of_day)
        card_id = f"card{index:04d}".ljust(24, "0")
        rows.append(CardRow(
            id=card_id, name=name, role=now_role, list={"todo": "To Do", "in_progress": "In Progress", "done": "Done"}[now_role],
            list_id=None, week=week if plan else None, key=None, labels=(f"Week {week}",) if plan and week else (),
            members=owners.get(name, ()), closed=False, created=at(-1), created_from_id=False,
            started=at(started) if started is not None and started <= as_of_day else None,
            done=at(done) if now_role == "done" else None,
            completed_week=None,
            cycle_time_days=round(done - started, 6) if now_role == "done" and started is not None else None,
            lead_time_days=round(done + 1, 6) if now_role == "done" else None,
            age_days=round(as_of_day - started, 6) if now_role == "in_progress" else None,
            hours=4.0 if plan else None, demo=name.startswith("Demo"), url=urls.get(name, f"https://trello.com/c/c{index:07d}"),
        ))
    count = {r: sum(1 for row in rows if row.role == r) for r in ("todo", "in_progress", "done")}
    cycle_values = [row.cycle_time_days for row in rows if row.cycle_time_days is not None]
    lead_values = [row.lead_time_days for row in rows if row.lead_time_days is not None]
    cycle = Percentiles(len(cycle_values), *(_nearest_rank(cycle_values, p) for p in (50, 85, 95)))
    lead = Percentiles(len(lead_values), *(_nearest_rank(lead_values, p) for p in (50, 85, 95)))

    def week_start(number: int) -> date:
        return START + timedelta(days=7 * (number - 1))

    def finished(low: float, high: float) -> int:
        return sum(1 for (_, _, _, d) in cards if d is not None and low <= d < high and d <= as_of_day)

    week_rows = []
    for number in range(1, (weeks if plan else current) + 1):
        mine = [row for row in rows if row.week == number] if plan else []
        done = sum(1 for row in mine if row.role == "done")
        doing = sum(1 for row in mine if row.role == "in_progress")
        demo_row = next((row for row in mine if row.demo), None)
        completed = finished(7 * (number - 1), 7 * number)
        milestone_status = ("empty" if not mine else "done" if done == len(mine) else "in_progress" if done or doing
                            else "not_started")
        week_rows.append(WeekRow(
            label=f"Week {number}" if plan else f"2027-W{number:02d}", number=number if plan else None,
            start=week_start(number), end=week_start(number) + timedelta(days=6), in_plan=plan, completed=completed,
            planned=len(mine) if plan else None, done=done if plan else None, in_progress=doing if plan else None,
            todo=len(mine) - done - doing if plan else None,
            pct_done=round(100 * done / len(mine), 1) if plan and mine else None,
            hours_done=4.0 * done if plan else None, hours_total=4.0 * len(mine) if plan else None,
            milestone=f"Milestone {number}" if plan else None, milestone_status=milestone_status if plan else None,
            demo=DemoStatus(f"Demo {number}", demo_row.id if demo_row else None, demo_row.role if demo_row else "missing")
            if plan else None,
        ))
    start_day, end_day = 7 * (current - 1), 7 * current

    def ref(row: CardRow) -> CardRef:
        return CardRef(row.id, row.name, row.week, row.role, row.done)

    by_name = {row.name: row for row in rows}
    completed = [by_name[name] for (_, name, _, d) in cards if d is not None and start_day <= d < end_day and d <= as_of_day]
    carried = [by_name[name] for (week, name, s, d) in cards
               if plan and week < current and role(s, d, start_day) != "done"]
    throughput = tuple(
        ThroughputWeek(label=week_rows[n - 1].label if n <= len(week_rows) else f"Week {n}", start=week_start(n),
                       end=week_start(n) + timedelta(days=6), partial=n == current,
                       completed=finished(7 * (n - 1), 7 * n))
        for n in range(1, current + 1)
    )
    burn_up = tuple(
        BurnUpPoint(label=f"Week {n}", at=min(at(7 * n) - timedelta(milliseconds=1), as_of), scope=len(rows),
                    done=sum(1 for (_, _, _, d) in cards if d is not None and d <= min(7 * n, as_of_day)))
        for n in range(1, current + 1)
    )
    flow = []
    for offset in range(int(as_of_day) + 1):
        moment = min(offset + 1, as_of_day)
        roles = [role(s, d, moment) for (_, _, s, d) in cards]
        flow.append(FlowDay(START + timedelta(days=offset), roles.count("todo"), roles.count("in_progress"), roles.count("done")))
    sle = cycle.p85
    wip_cards = sorted(
        (WipCard(row.id, row.name, row.list, row.started, row.age_days, sle is not None and row.age_days > sle)
         for row in rows if row.role == "in_progress" and row.started is not None and row.age_days is not None),
        key=lambda card: (-card.age_days, card.id),
    )
    full = [week.completed for week in throughput if not week.partial]
    remaining = count["todo"] + count["in_progress"]
    if forecast is None:
        if not remaining:
            forecast = Forecast("done", 0, 0, 0, tuple(full), 0, 0, as_of.date(), as_of.date())
        elif not full:
            forecast = Forecast("no_history", remaining, 0, 0, (), None, None, None, None)
        elif not sum(full):
            forecast = Forecast("no_throughput", remaining, 0, 0, tuple(full), None, None, None, None)
        else:
            # Steady weeks make every trial alike; uneven ones spread the 85% answer a week later.
            w50 = math.ceil(remaining / (sum(full) / len(full)))
            w85 = w50 + (min(full) != max(full))
            forecast = Forecast("ok", remaining, 1000, 0, tuple(full), w50, w85,
                                (as_of + timedelta(weeks=w50)).date(), (as_of + timedelta(weeks=w85)).date())
    rules = ("history_start", "created_from_id", "skipped_in_progress", "reopened", "archived_in_progress",
             "no_week_label", "deleted", "moved_to_other_board", "history_mismatch")
    member_rows = tuple(
        MemberRow(member_id, name, sum(1 for row in rows if member_id in row.members), 0, 0, 0, 0)
        for member_id, name in sorted(members.items())
    )
    return Report(
        board_id="b0a1".ljust(24, "0"), board_name="MLOps board", as_of=as_of, timezone="UTC",
        calendar="plan" if plan else "iso", project=project if plan else None,
        week=ThisWeek(label=week_rows[current - 1].label if current <= len(week_rows) else f"Week {current}",
                      number=current if plan and current <= weeks else None, start=week_start(current),
                      end=week_start(current) + timedelta(days=6), completed=tuple(ref(r) for r in completed),
                      carried_over=tuple(ref(r) for r in carried), scope_added=()),
        totals=Totals(cards=len(rows), todo=count["todo"], in_progress=count["in_progress"], done=count["done"], ignored=0,
                      pct_done=round(100 * count["done"] / len(rows), 1) if rows else None,
                      planned=len(rows) if plan else None, planned_done=count["done"] if plan else None,
                      hours_done=4.0 * count["done"] if plan else None, hours_total=4.0 * len(rows) if plan else None),
        weeks=tuple(week_rows), cards=tuple(rows), cycle_time_days=cycle, lead_time_days=lead, throughput=throughput,
        wip=Wip(count=len(wip_cards), sle_days=sle, aging=sum(1 for c in wip_cards if c.aging), cards=tuple(wip_cards)),
        burn_up=burn_up, cumulative_flow=tuple(flow), forecast=forecast, members=member_rows,
        data_quality=DataQuality(counts={rule: sum(1 for f in findings if f.rule == rule) for rule in rules},
                                 findings=findings),
    )


class Page(HTMLParser):
    """Every tag with its attributes, the text, and the ids in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.ids: list[str] = []
        self.feed(text)
        self.close()
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.tags if name == tag]


def assert_mail_safe(page: Page) -> None:
    """No scripts, no handlers, no stylesheets or fonts from elsewhere: links to cards are the only URLs."""
    names = {name for name, _ in page.tags}
    assert not names & {"script", "iframe", "object", "embed", "link", "form", "base", "svg", "video", "audio"}
    for name, attributes in page.tags:
        for key, value in attributes.items():
            assert not key.startswith("on"), (name, key)
            text = (value or "").lower()
            assert "javascript:" not in text, (name, key)
            assert "url(" not in text, (name, key)
            if key in ("src", "srcset", "background", "poster", "data", "action"):
                assert not text.startswith(("http:", "https:", "//")), (name, key, value)
            if key == "href":
                assert name == "a", name
    assert "display:flex" not in " ".join(str(a.get("style")) for _, a in page.tags).replace(" ", "")
    assert "display:grid" not in " ".join(str(a.get("style")) for _, a in page.tags).replace(" ", "")


SECTIONS = ["header", "status", "completed", "in-progress", "next-week", "carried-over", "milestones", "numbers", "charts",
            "data-quality"]


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report()


@pytest.fixture(scope="module")
def charts(report: Report) -> dict[str, bytes]:
    return render_charts(report)


@pytest.fixture(scope="module")
def page_text(report: Report, charts: dict[str, bytes]) -> str:
    return render_html(report, charts=charts)


# -- the status rule ---------------------------------------------------------


def test_status_is_on_track_when_every_card_due_is_done_and_the_forecast_fits():
    # Weeks 1–3 fully done (18 cards), week 4 started, throughput 6/week: 42 left over 7 weeks fits 10 weeks.
    # Friday of week 4: weeks 1–4 done (24 cards, 18 of them due before this week), 6 a week: 36 left take 6 weeks,
    # which ends Friday of week 10, inside the plan.
    cards = [(w, f"T{w}.{i}", 7 * (w - 1) + i * 0.5, 7 * (w - 1) + i * 0.5 + 0.5) if w <= 4 else (w, f"T{w}.{i}", None, None)
             for w in range(1, 11) for i in range(6)]
    report = make_report(cards, as_of_day=25.6)
    assert report.forecast.status == "ok" and report.forecast.date_85 <= report.weeks[-1].end
    status = report_status(report)
    assert status.level == "on_track", status
    assert "24 of 60 planned cards done, 18 due before this week" in status.reason


def test_status_is_at_risk_when_cards_due_are_not_done():
    # One card of week 3 is still open at the start of week 4: gap 1 < a week of work (6).
    cards = [(w, f"T{w}.{i}", 7 * (w - 1) + 0.5, 7 * (w - 1) + 1.0 if (w, i) != (3, 0) else None) if w <= 3
             else (w, f"T{w}.{i}", None, None) for w in range(1, 11) for i in range(6)]
    report = make_report(cards, as_of_day=21.5, forecast=Forecast("ok", 43, 1000, 0, (6, 6, 5), 8, 9, date(2027, 3, 1),
                                                                   date(2027, 3, 8)))
    status = report_status(report)
    assert status.level == "at_risk", status
    assert "17 of 60 planned cards done, 18 due before this week" in status.reason


def test_status_is_behind_when_a_week_of_work_or_more_is_late():
    cards = [(w, f"T{w}.{i}", 7 * (w - 1) + 0.5, 7 * (w - 1) + 1.0 if i < 3 else None) if w <= 3
             else (w, f"T{w}.{i}", None, None) for w in range(1, 11) for i in range(6)]
    report = make_report(cards, as_of_day=21.5, forecast=Forecast("ok", 51, 1000, 0, (3, 3, 3), 5, 6, date(2027, 2, 1),
                                                                   date(2027, 2, 8)))
    assert report_status(report).level == "behind"


def test_status_follows_the_forecast_against_the_plan_end():
    cards = [(w, f"T{w}.{i}", 7 * (w - 1) + 0.5, 7 * (w - 1) + 1.0) if w <= 3 else (w, f"T{w}.{i}", None, None)
             for w in range(1, 11) for i in range(6)]
    base = make_report(cards, as_of_day=21.5)
    end = base.weeks[-1].end
    assert end == date(2027, 3, 14)

    def with_forecast(d50: date, d85: date, samples: tuple[int, ...] = (6, 6, 6), status: str = "ok") -> str:
        forecast = Forecast(status, 42, 1000, 0, samples, 1, 2, d50 if status == "ok" else None, d85 if status == "ok" else None)
        return report_status(replace(base, forecast=forecast)).level

    assert with_forecast(end, end) == "on_track"
    assert with_forecast(end, end + timedelta(days=1)) == "at_risk"
    assert with_forecast(end + timedelta(days=1), end + timedelta(days=8)) == "behind"
    assert with_forecast(end, end, status="beyond_horizon") == "behind"
    assert with_forecast(end, end, samples=(0, 0, 0), status="no_throughput") == "at_risk"
    # One sampled week is too little to judge by: the schedule alone decides.
    assert with_forecast(end + timedelta(days=60), end + timedelta(days=90), samples=(6,)) == "on_track"


def test_status_when_everything_is_done_or_there_is_no_plan():
    done = [(w, f"T{w}", 7 * (w - 1) + 0.2, 7 * (w - 1) + 0.4) for w in range(1, 4)]
    report = make_report(done, weeks=3, as_of_day=20.0)
    assert report_status(report).level == "on_track"
    assert report_status(report).reason == "all 3 planned cards are done"
    no_plan = make_report(standard_cards(), plan=False)
    assert report_status(no_plan).level == "no_plan"
    assert report_status(no_plan).label == "no plan"


def test_headline_shows_the_reports_figures():
    report = make_report()
    status = report_status(report)
    pct = round(report.totals.pct_done)
    assert headline(report) == f"MLOps on GCP: week 4 of 10, {pct}% done, {status.label}"
    no_plan = make_report(standard_cards(), plan=False)
    assert headline(no_plan) == f"MLOps board: 2027-W04, {round(no_plan.totals.pct_done)}% done"
    empty = make_report([], as_of_day=2.0)
    assert headline(empty).endswith("week 1 of 10, no cards yet, on track")


# -- the page ----------------------------------------------------------------


def test_page_has_every_section_in_order(page_text: str):
    page = Page(page_text)
    assert [i for i in page.ids if i in SECTIONS] == SECTIONS


def test_page_header_says_project_week_dates_and_status(report: Report, page_text: str):
    page = Page(page_text)
    status = report_status(report)
    assert "MLOps on GCP" in page.all("title")[0] or "MLOps on GCP" in page.text
    assert "Week 4 of 10 · 25–31 Jan 2027 · as of 28 Jan 2027 14:24 UTC" in page.text
    assert f"{status.label[0].upper()}{status.label[1:]} {status.reason}" in page.text
    assert "This week’s milestone: Milestone 4 — 3 of 6 cards done" in page.text


def test_page_lists_the_weeks_cards(report: Report, page_text: str):
    page = Page(page_text)
    for ref in report.week.completed + report.week.carried_over:
        assert ref.name in page.text
    in_progress = [row.name for row in report.cards if row.role == "in_progress"]
    assert in_progress and all(name in page.text for name in in_progress)
    assert "Planned next week Week 5: Milestone 5" in page.text
    for row in report.cards:
        if row.week == 5:
            assert row.name in page.text
    aging = [card.name for card in report.wip.cards if card.aging]
    assert aging and page_text.count(">aging<") == len(aging)


def test_page_shows_the_numbers(report: Report, page_text: str):
    page = Page(page_text)
    cycle = report.cycle_time_days
    assert f"p50 {cycle.p50:.1f} d · p85 {cycle.p85:.1f} d · p95 {cycle.p95:.1f} d ({cycle.count} cards)" in page.text
    assert f"Work in progress {report.wip.count} cards" in page.text
    assert f"Finished this week {len(report.week.completed)}" in page.text
    full = [w.completed for w in report.throughput if not w.partial]
    assert f"{sum(full) / len(full):.1f} cards per full week" in page.text
    forecast = report.forecast
    assert f"85% by {forecast.date_85.day} {forecast.date_85:%b %Y}" in page.text
    assert f"{report.totals.pct_done:.0f}% done ({report.totals.done} of {report.totals.cards})" in page.text


def test_file_mode_embeds_every_chart_as_a_data_uri(page_text: str, charts: dict[str, bytes]):
    page = Page(page_text)
    assert_mail_safe(page)
    sources = [img["src"] or "" for img in page.all("img")]
    assert len(sources) == len(CHART_NAMES)
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in sources]
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert embedded == [charts[name] for name in CHART_NAMES]
    assert all(img.get("alt") and img.get("width") == "650" for img in page.all("img"))


def test_file_mode_draws_the_charts_itself_when_none_are_given(report: Report):
    page = Page(render_html(report))
    assert len(page.all("img")) == len(CHART_NAMES)


def test_email_mode_refers_to_charts_by_content_id(report: Report):
    cids = {name: f"{name}.x1@example.com" for name in CHART_NAMES}
    page = Page(render_html(report, mode="email", cids=cids))
    assert_mail_safe(page)
    assert [img["src"] for img in page.all("img")] == [f"cid:{cids[name]}" for name in CHART_NAMES]
    with pytest.raises(ValueError, match="cids"):
        render_html(report, mode="email")
    with pytest.raises(ValueError, match="mode"):
        render_html(report, mode="pdf", charts={})


def test_card_names_are_text_never_markup():
    cards = standard_cards()
    cards[18] = (4, SCRIPT_NAME, 21.2, 22.0)
    cards[19] = (4, 'Quote " and <b>bold</b> & more', 21.4, None)
    report = make_report(cards, urls={SCRIPT_NAME: "javascript:alert(2)"})
    text = render_html(report, charts={})
    page = Page(text)
    assert_mail_safe(page)
    assert SCRIPT_NAME in page.text
    assert 'Quote " and <b>bold</b> & more' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>bold" not in text
    assert "javascript:" not in text
    hrefs = [a["href"] for a in page.all("a")]
    assert hrefs and all((h or "").startswith("https://trello.com/c/") for h in hrefs)


def test_in_progress_shows_owners():
    report = make_report(members={"m1": "Ada Lovelace"}, owners={"Task 4.4": ("m1",)})
    assert "days in progress · Ada Lovelace" in Page(render_html(report, charts={})).text


def test_milestone_table_marks_each_week(report: Report, page_text: str):
    page = Page(page_text)
    for row in report.weeks:
        assert f"{row.label} " in page.text and row.milestone in page.text
        assert f"{row.done} / {row.planned} ({round(row.pct_done or 0)}%)" in page.text


def test_data_quality_findings_are_listed_then_counted():
    findings = tuple(Finding("reopened", f"c{i}", f"Card {i}", at(3 + i * 0.01), "moved out of a done list") for i in range(20))
    report = make_report(findings=findings)
    page = Page(render_html(report, charts={}))
    assert "20 × moved back out of done." in page.text
    assert "Card 0 moved out of a done list" in page.text
    assert "Card 14" in page.text and "Card 15 " not in page.text
    assert "and 5 more (see the JSON report)" in page.text
    clean = Page(render_html(make_report(), charts={}))
    assert "No warnings" in clean.text


def test_empty_and_degenerate_reports_render():
    empty = make_report([], as_of_day=0.5)
    page = Page(render_html(empty))
    assert_mail_safe(page)
    assert page.all("img") == []
    assert page.text.count("no data yet") == len(CHART_NAMES)
    assert "Nothing finished this week yet." in page.text and "Nothing in progress." in page.text
    assert "No cards are planned for next week yet." in page.text
    assert "nothing to forecast: no cards yet" in page.text

    no_plan = make_report(standard_cards(), plan=False)
    page = Page(render_html(no_plan, charts={}))
    assert "milestones" not in page.ids
    assert "No plan given, so no next week to show." in page.text
    assert "no plan" in page.text.lower()

    last_week = make_report(standard_cards(), as_of_day=68.0)
    assert "The plan ends with this week." in Page(render_html(last_week, charts={})).text


def test_render_is_deterministic(report: Report, charts: dict[str, bytes], page_text: str):
    assert render_html(report, charts=charts) == page_text


def test_templates_ship_inside_the_package():
    template = resources.files("trelloplan.render") / "templates" / "report.html.j2"
    assert template.is_file()


def test_a_report_built_from_a_board_history_renders():
    from trelloplan.history import build_report, history_from_board_json
    from trelloplan.history.synthetic import BoardBuilder
    from trelloplan.plan.planfile import load_plan

    plan = load_plan(Path(__file__).resolve().parent.parent / "plans" / "mlops-gcp-10-weeks.yaml")
    start = datetime.combine(plan.start, time(9), tzinfo=UTC)
    board = BoardBuilder("MLOps", created=start - timedelta(days=2))
    todo, doing, done = board.add_list("To Do"), board.add_list("In Progress"), board.add_list("Done")
    labels = {week.number: board.add_label(week.label) for week in plan.weeks}
    for week in plan.weeks[:2]:
        for n, task in enumerate(week.cards):
            card = board.add_card(task.name, todo, start - timedelta(days=1), labels=(labels[week.number],), key=task.key)
            board.move(card, doing, start + timedelta(days=7 * (week.number - 1) + n * 0.5))
            if n % 2 == 0:
                board.move(card, done, start + timedelta(days=7 * (week.number - 1) + n * 0.5 + 1))
    board.add_card(SCRIPT_NAME, todo, start + timedelta(days=8), labels=(labels[2],))
    report = build_report(history_from_board_json(board.export()), as_of=start + timedelta(days=10), plan=plan)
    text = render_html(report)
    page = Page(text)
    assert_mail_safe(page)
    assert f"{report.week.number} of {len(plan.weeks)}" in page.text
    for ref in report.week.completed:
        assert ref.name in page.text
    assert SCRIPT_NAME in page.text and "<script>" not in text


# -- a real browser ------------------------------------------------------------


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _chromium_run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             "--disable-extensions", "--disable-default-apps", f"--user-data-dir={profile}"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=90, check=False)


def test_page_renders_in_headless_chromium(tmp_path: Path, report: Report, page_text: str):
    binary = _chromium()
    if binary is None:
        pytest.skip("no Chromium binary (/usr/bin/chromium, chromium, chromium-browser or google-chrome) on this machine")
    import numpy
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(page_text, encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = _chromium_run(binary, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,2000", page.as_uri())
    assert shot.is_file(), result.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1000, 2000)
        pixels = numpy.asarray(image.convert("RGB")).astype(int)
    # The page background is light grey and the content white: count what is neither (text, badges, bars, charts).
    inked = int(((pixels.max(axis=2) < 200) | (pixels.max(axis=2) - pixels.min(axis=2) > 40)).sum())
    assert inked > 0.01 * 1000 * 2000, inked

    dom = _chromium_run(binary, tmp_path / "profile2", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = Page(dom.stdout)
    assert [i for i in parsed.ids if i in SECTIONS] == SECTIONS
    assert report.week.completed[0].name in parsed.text
    assert len(parsed.all("img")) == len(CHART_NAMES)
