"""The CSV report: one row per card with its stage dates, safely quoted."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.render.csv import COLUMNS, render_csv

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)


def test_one_row_per_card_with_its_stage_dates_in_the_zone() -> None:
    b = BoardBuilder("CSV", created=T0 - timedelta(days=1))
    todo, doing, done = b.add_list("To Do"), b.add_list("Doing"), b.add_list("Done")
    tricky = b.add_card('Say "hi", then\nleave; twice', todo, T0, members=(b.member,))
    b.move(tricky, doing, T0 + timedelta(days=1))
    b.move(tricky, done, T0 + timedelta(days=2, hours=12))
    b.add_card("Plain", todo, T0 + timedelta(hours=3))
    gone = b.add_card("Gone", todo, T0)
    b.delete(gone, T0 + timedelta(hours=1))
    report = build_report(history_from_board_json(b.export()), as_of=T0 + timedelta(days=5), tz="Asia/Kolkata")
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 2
    first = rows[0]
    assert first["name"] == 'Say "hi", then\nleave; twice' and first["role"] == "done" and first["list"] == "Done"
    assert (first["created"], first["started"], first["done"]) == (
        "2027-01-04T14:30:00+05:30", "2027-01-05T14:30:00+05:30", "2027-01-07T02:30:00+05:30")
    assert (first["cycle_time_days"], first["lead_time_days"], first["completed_week"]) == ("1.5", "2.5", "2027-W01")
    assert first["members"] == "Ada Lovelace" and first["closed"] == "false"
    assert rows[1]["started"] == "" and rows[1]["done"] == "" and rows[1]["cycle_time_days"] == ""
    assert render_csv(report).count("\n") >= 3
