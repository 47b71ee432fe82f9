"""Texts every renderer shares (trelloplan/render/status.py), as each format shows them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from trelloplan.history import build_report, history_from_board_json
from trelloplan.history.synthetic import BoardBuilder
from trelloplan.render.html import render_html
from trelloplan.render.markdown import render_markdown
from trelloplan.render.text import render_text

T0 = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)


def test_a_deleted_card_whose_name_trello_dropped_is_named_by_its_id_in_every_format() -> None:
    b = BoardBuilder("Board", created=T0 - timedelta(days=1))
    todo = b.add_list("To Do")
    gone = b.add_card("Secret plan", todo, T0)
    b.add_card("Kept", todo, T0)
    b.delete(gone, T0 + timedelta(hours=5))
    export = b.export()
    # as Trello does: a deleted card's own actions go, only its deleteCard (no name) stays
    export["actions"] = [a for a in export["actions"]
                         if a["data"].get("card", {}).get("id") != gone or a["type"] == "deleteCard"]
    report = build_report(history_from_board_json(export), as_of=T0 + timedelta(days=1))
    finding = next(f for f in report.data_quality.findings if f.rule == "deleted")
    assert finding.card_id == gone and not finding.card_name  # the data says what the history says: no name
    named = f"card {gone} (its name is not in the history)"
    text = render_text(report, width=200)
    assert f"deleted: {named}: deleted; left out of every count" in text and "'': " not in text
    assert f"`deleted` {named}: deleted" in render_markdown(report)
    html = render_html(report)
    assert named in html and "the board" not in html.split("Data quality")[-1]
