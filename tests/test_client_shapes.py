"""The shape check of every answer (trelloplan/client/shapes.py) against Trello's real recordings and broken answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_sandbox_contract import load_recordings

from trelloplan.client.shapes import ShapeMismatch, check_shape, parse_json

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "trello-samples"


def test_every_recorded_answer_of_trello_passes() -> None:
    checked = old = 0
    for recording in load_recordings():
        if recording.status != 200 or recording.rid.startswith("synthetic") or not recording.text.strip():
            continue
        path = re.sub(r"^/1", "", recording.path)
        data = parse_json(recording.text.encode())
        try:
            check_shape(recording.method, path, data)
        except ShapeMismatch as mismatch:  # cards created before Trello added dueComplete (2017), which py-trello reads
            assert recording.method == "POST" and path == "/cards" and "without dueComplete" in str(mismatch), recording.rid
            old += 1
        checked += 1
    assert checked > 150 and old < 10
    for path in [*SAMPLES.glob("board-exports/*.json"), *SAMPLES.glob("adlio/actions_*.json")]:
        data = json.loads(path.read_text())
        check_shape("GET", "/boards/5e20e06c460b391727ce7a2b" + ("/actions" if isinstance(data, list) else ""), data)


@pytest.mark.parametrize(("method", "path", "body", "where", "found"), [
    ("GET", "/boards/b1", b"<!DOCTYPE html><title>Login</title>", "", "not JSON: '<!DOCTYPE html><title>Login</title>'"),
    ("GET", "/boards/b1", b'{"id": "b1", "cards": [', "", "JSON cut off after 23 bytes"),
    ("GET", "/boards/b1", b"", "", "an empty body"),
    ("GET", "/boards/b1", b"[" * 100_000 + b"]" * 100_000, "", "JSON nested too deeply to be Trello's"),
    ("GET", "/boards/b1", b"[]", "", "a list of 0 where Trello sends an object"),
    ("GET", "/boards/b1", b'{"message": "no"}', "", "an object with keys message where Trello sends an object with an id"),
    ("GET", "/boards/b1/actions", b'{"id": "x"}', "", "an object with keys id where Trello sends a list"),
    ("GET", "/boards/b1/actions", b'[{"id": 3}]', "[0]", "an object with keys id where Trello sends an object with an id"),
    ("GET", "/boards/b1", b'{"id": "b1", "cards": [{"id": "c", "idLabels": [{"id": "l"}]}]}', "cards[0].idLabels",
     "a list of 1 where Trello sends a list of ids"),
    ("GET", "/boards/b1", b'{"id": "b1", "cards": ["c1"]}', "cards[0]", "the text 'c1' where Trello sends an object with an id"),
    ("GET", "/boards/b1/actions", b'[{"id": "a", "date": "0001-01-01T00:00:00+14:00"}]', "[0].date",
     "the text '0001-01-01T00:00:00+14:00' where Trello sends a date such as 2026-01-05T09:00:00.000Z (1970 to 9000)"),
    ("GET", "/boards/b1", b'{"id": "b1", "lists": [{"id": "l", "pos": "top"}]}', "lists[0].pos",
     "the text 'top' where Trello sends a number"),
    ("POST", "/lists", b'{"id": "l"}', "", "an object with keys id without name, closed, pos (read from every new list: "
                                          "Trello has sent them since 2017)"),
])
def test_broken_answers_say_where_and_what(method: str, path: str, body: bytes, where: str, found: str) -> None:
    with pytest.raises(ShapeMismatch) as caught:
        check_shape(method, path, parse_json(body))
    assert (caught.value.where, caught.value.found) == (where, found)


def test_answers_that_are_not_objects_are_fine_where_trello_sends_them() -> None:
    check_shape("POST", "/cards/c1/idLabels", ["l1"])  # a write may answer a list
    check_shape("DELETE", "/cards/c1", {"_value": None})
    check_shape("GET", "/boards/b1/labelnames", {"green": "", "red": "Urgent"})  # a field of a board, no id
    check_shape("GET", "/batch", [{"200": {"id": "x"}}])
    check_shape("GET", "/boards/b1/actions", [{"id": "a", "data": {"card": {"labels": ["blue"]}}}])  # 2015's actions


def test_a_create_or_an_update_answers_one_object() -> None:
    for method, path in (("POST", "/boards"), ("PUT", "/cards/c1"), ("GET", "/members/me")):
        with pytest.raises(ShapeMismatch, match="a list of 0 where Trello sends an object"):
            check_shape(method, path, [])
