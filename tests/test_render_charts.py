"""PNG charts: drawn for a full report, left out (with a reason) when there is nothing to draw, byte-stable."""

from __future__ import annotations

import io
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy
import pytest
from PIL import Image
from test_render_html import make_report, standard_cards

from trelloplan.history.schema import Forecast
from trelloplan.render.charts import CHART_NAMES, DEFAULT_DPI, chart_gaps, render_chart, render_charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DONE_GREEN = (0x00, 0x9E, 0x73)


def pixels(png: bytes) -> numpy.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return numpy.asarray(image.convert("RGB")).astype(int)


def text_chunks(png: bytes) -> list[bytes]:
    """The keys of every tEXt/zTXt/iTXt chunk (where a timestamp or software version would hide)."""
    keys, offset = [], len(PNG_SIGNATURE)
    while offset < len(png):
        length = int.from_bytes(png[offset:offset + 4], "big")
        kind = png[offset + 4:offset + 8]
        body = png[offset + 8:offset + 8 + length]
        assert zlib.crc32(kind + body) == int.from_bytes(png[offset + 8 + length:offset + 12 + length], "big")
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keys.append(body.split(b"\0", 1)[0])
        offset += 12 + length
    return keys


def share_of(png: bytes, colour: tuple[int, int, int], tolerance: int = 12) -> float:
    image = pixels(png)
    close = (abs(image - numpy.array(colour)) <= tolerance).all(axis=2)
    return float(close.mean())


@pytest.fixture(scope="module")
def report():
    return make_report()


@pytest.fixture(scope="module")
def charts(report):
    return render_charts(report)


def test_a_full_report_gets_every_chart_as_a_png_of_email_size(charts):
    assert list(charts) == list(CHART_NAMES)
    for name, png in charts.items():
        assert png.startswith(PNG_SIGNATURE), name
        with Image.open(io.BytesIO(png)) as image:
            assert image.size == (round(6.5 * DEFAULT_DPI), round(3.0 * DEFAULT_DPI)), name
        image = pixels(png)
        inked = (image.max(axis=2) < 230).mean()
        assert 0.02 < inked < 0.6, (name, inked)


def test_the_data_is_drawn(charts):
    # The done series is green in the burn-up (line), the flow (bottom band), the throughput (bars).
    assert share_of(charts["burn-up"], DONE_GREEN) > 0.001
    assert share_of(charts["cumulative-flow"], DONE_GREEN) > 0.02
    assert share_of(charts["throughput"], DONE_GREEN) > 0.05


def test_charts_are_byte_for_byte_reproducible_and_carry_no_timestamp(report, charts):
    assert render_charts(report) == charts
    for name, png in charts.items():
        keys = text_chunks(png)
        assert b"Software" not in keys and b"Creation Time" not in keys, (name, keys)


def test_charts_can_be_drawn_from_several_threads_at_once(report, charts):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda name: render_chart(report, name), list(CHART_NAMES) * 2))
    assert results == [charts[name] for name in CHART_NAMES] * 2


def test_pyplot_is_never_imported():
    code = ("import sys; from test_render_html import make_report; from trelloplan.render.charts import render_charts; "
            "render_charts(make_report()); print('matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                            cwd=__import__("pathlib").Path(__file__).parent)
    assert result.stdout.strip() == "False"


def test_an_empty_board_has_no_charts_and_says_why():
    empty = make_report([], as_of_day=0.5)
    gaps = chart_gaps(empty)
    assert sorted(gaps) == sorted(CHART_NAMES)
    assert all(reason for reason in gaps.values())
    assert render_charts(empty) == {}
    assert render_chart(empty, "burn-up") is None


def test_no_card_done_yet_leaves_out_throughput_and_cycle_time():
    cards = [(1, "Started", 0.5, None), (1, "Waiting", None, None), (2, "Later", None, None)]
    report = make_report(cards, as_of_day=9.0)
    assert set(chart_gaps(report)) == {"throughput", "cycle-time"}
    assert list(render_charts(report)) == ["burn-up", "cumulative-flow"]


def test_a_single_week_and_a_single_day():
    one_week = make_report([(1, "A", 0.2, 1.0), (1, "B", 0.5, None)], weeks=1, as_of_day=3.0)
    assert list(render_charts(one_week)) == list(CHART_NAMES)
    one_day = make_report([(1, "A", 0.1, 0.3)], weeks=1, as_of_day=0.5)
    assert chart_gaps(one_day) == {"cumulative-flow": "needs at least two days with cards on the board"}
    assert list(render_charts(one_day)) == ["burn-up", "throughput", "cycle-time"]


def test_the_burn_up_draws_the_forecast_only_when_there_is_one(report, charts):
    assert report.forecast.status == "ok"
    without = replace(report, forecast=Forecast("no_history", 30, 0, 0, (), None, None, None, None))
    plain = render_chart(without, "burn-up")
    forecast_orange = (0xD5, 0x5E, 0x00)
    assert share_of(charts["burn-up"], forecast_orange) > share_of(plain, forecast_orange) + 0.0005
    beyond = replace(report, forecast=Forecast("beyond_horizon", 30, 0, 0, (1,), None, None, None, None))
    assert render_chart(beyond, "burn-up") == plain


def test_reports_without_a_plan_and_long_projects_draw():
    no_plan = make_report(standard_cards(), plan=False)
    assert list(render_charts(no_plan)) == list(CHART_NAMES)
    # 40 weeks, cycle times up to ~70 days: wider histogram bins and concise month ticks.
    cards = [(w, f"T{w}", 7 * (w - 1), 7 * (w - 1) + 1 + (w * 13) % 70) for w in range(1, 41)]
    long = make_report(cards, weeks=40, as_of_day=7 * 39 + 3)
    assert list(render_charts(long)) == list(CHART_NAMES)


def test_unknown_chart_names_are_a_programming_error(report):
    with pytest.raises(ValueError, match="unknown chart"):
        render_chart(report, "pie")
