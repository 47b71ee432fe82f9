"""Parsing every real Trello response in ../shared/trello-samples, exports from files, and merging overlapping exports."""

from __future__ import annotations

import base64
import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from trelloplan.errors import ExportError
from trelloplan.history import build_report, load_export, load_exports, merge_histories
from trelloplan.history.model import RELEVANT_TYPES, id_time
from trelloplan.history.parse import (
    history_from_actions,
    history_from_board_json,
    parse_action,
    parse_actions,
    parse_card,
    parse_date,
    parse_list,
)

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "trello-samples"
EXPORTS = sorted((SAMPLES / "board-exports").glob("*.json"))


class _CassetteLoader(yaml.SafeLoader):
    pass


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return base64.b64decode(loader.construct_scalar(node)).decode("utf-8")


_CassetteLoader.add_constructor("tag:yaml.org,2002:binary", _binary)
_CassetteLoader.add_constructor("!binary", _binary)


def cassette_bodies() -> list[tuple[str, Any]]:
    """Every JSON response body recorded by ruby-trello (YAML) and tacokit (JSON) cassettes."""
    found = []
    for path in sorted((SAMPLES / "ruby-trello").glob("*.yml")) + sorted((SAMPLES / "tacokit").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_CassetteLoader) if path.suffix == ".yml" else json.loads(text)
        for number, interaction in enumerate(data["http_interactions"]):
            body = interaction["response"]["body"]
            raw = body["string"] if "string" in body else base64.b64decode(body["base64_string"]).decode("utf-8")
            try:
                found.append((f"{path.name}#{number}", json.loads(raw)))
            except json.JSONDecodeError:
                continue  # plain-text error bodies
    return found


def _is_action(item: Any) -> bool:
    return isinstance(item, dict) and "type" in item and "date" in item and "data" in item


def test_every_recorded_action_parses() -> None:
    actions = []
    for path in sorted((SAMPLES / "adlio").glob("actions_*.json")) + [SAMPLES / "trellodotnet" / "BoardActions.json"]:
        actions += json.loads(path.read_text(encoding="utf-8"))
    for _, body in cassette_bodies():
        if isinstance(body, list):
            actions += [item for item in body if _is_action(item)]
        elif isinstance(body, dict) and isinstance(body.get("actions"), list):
            actions += body["actions"]
    for path in EXPORTS:
        actions += json.loads(path.read_text(encoding="utf-8"))["actions"]
    assert len(actions) > 250
    parsed = parse_actions(actions)
    assert len(parsed) == sum(1 for a in actions if a["type"] in RELEVANT_TYPES)
    for action in parsed:
        assert action.date.tzinfo is timezone.utc
        assert abs((action.date - id_time(action.id)).total_seconds()) < 1 or action.type == "copyCommentCard"
        if action.type == "updateCard" and action.after_id:
            assert action.before_id is not None


def test_every_recorded_card_and_list_parses() -> None:
    cards = lists = 0
    for _, body in cassette_bodies():
        items = body if isinstance(body, list) else [body]
        for item in items:
            if isinstance(item, dict) and "idList" in item and "idBoard" in item and "id" in item:
                card = parse_card(item)
                assert card.id == item["id"] and card.closed == bool(item.get("closed"))
                cards += 1
            elif isinstance(item, dict) and "pos" in item and "idBoard" in item and "idList" not in item and "name" in item:
                assert parse_list(item).id == item["id"]
                lists += 1
    assert cards >= 5 and lists >= 3


def test_a_list_move_and_an_archive() -> None:
    actions = json.loads((SAMPLES / "adlio" / "actions_card-actions-typical.json").read_text(encoding="utf-8"))
    archive, move = parse_action(actions[0]), parse_action(actions[1])
    assert archive is not None and archive.closed is True and archive.list_id == "57f03a11ab00f21e8197bef5"
    assert move is not None and move.is_move and (move.before_id, move.after_id) == (
        "57f03a10947d01faa6f5d8e5", "57f03a11ab00f21e8197bef5")
    assert move.after_name == "Done" and move.card_id == "57f03c5d3896839d574d63a7"
    assert move.date == datetime(2016, 10, 1, 22, 45, 25, 258000, tzinfo=timezone.utc)


def test_renames_and_list_archives() -> None:
    actions = json.loads((SAMPLES / "trellodotnet" / "BoardActions.json").read_text(encoding="utf-8"))
    renames = [parse_action(a) for a in actions if a["type"] == "updateList" and "name" in a["data"]["old"]]
    assert renames and all(r.old_name == "XList" and r.list_name for r in renames)
    archived = [parse_action(a) for a in actions if a["type"] == "updateList" and "closed" in a["data"]["old"]]
    assert {a.closed for a in archived} == {True, False}
    moved_away = [parse_action(a) for a in actions if a["type"] == "moveListFromBoard"]
    assert len(moved_away) == 2 and all(a.list_id for a in moved_away)


def test_dates() -> None:
    assert parse_date("2026-01-05T09:00:00.000Z") == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    assert parse_date("2026-01-05T10:00:00+01:00") == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    assert parse_date("2026-01-05T09:00:00") == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_date("yesterday")


def test_broken_actions_are_value_errors() -> None:
    assert parse_action({"type": "commentCard"}) is None  # not needed by reports
    with pytest.raises(ValueError, match="id of a createCard action"):
        parse_action({"type": "createCard", "data": {}})
    with pytest.raises(ValueError, match="not shaped like a Trello action"):
        parse_action({"type": "createCard", "id": "a" * 24, "date": "2026-01-05T09:00:00Z", "data": {"card": "x"}})
    with pytest.raises(ValueError, match="not a JSON object"):
        parse_actions([1])


def test_an_export_file(tmp_path: Path) -> None:
    history = load_export(SAMPLES / "board-exports" / "kanban-template.json")
    assert history.snapshot and history.board is not None and history.board.id == "5e20e06c460b391727ce7a2b"
    assert len(history.cards) == 16 and len(history.lists) == 8
    page = load_export(SAMPLES / "adlio" / "actions_card-actions-done.json")
    assert not page.snapshot and len(page.actions) == 7


def test_overlapping_exports_are_merged_by_action_id(tmp_path: Path) -> None:
    export = json.loads((SAMPLES / "board-exports" / "kanban-template.json").read_text(encoding="utf-8"))
    older = copy.deepcopy(export)
    older["actions"] = export["actions"][20:]  # the board a while ago: fewer actions
    newer = copy.deepcopy(export)
    newer["actions"] = export["actions"][:45]  # capped: the oldest actions are missing
    (tmp_path / "old.json").write_text(json.dumps(older))
    (tmp_path / "new.json").write_text(json.dumps(newer))
    merged = load_exports([tmp_path / "new.json", tmp_path / "old.json"])
    assert merged == history_from_board_json(export)
    as_of = datetime(2020, 6, 1, tzinfo=timezone.utc)
    assert build_report(merged, as_of=as_of).to_dict() == build_report(history_from_board_json(export), as_of=as_of).to_dict()
    capped = build_report(load_export(tmp_path / "new.json"), as_of=as_of)
    assert capped.data_quality.counts["history_start"] == 1 and capped.data_quality.counts["created_from_id"] > 0


def test_the_newest_export_decides_the_board_now() -> None:
    export = json.loads((SAMPLES / "board-exports" / "kanban-template.json").read_text(encoding="utf-8"))
    old = history_from_board_json(dict(export, actions=export["actions"][10:]))
    new = history_from_board_json(dict(export, cards=export["cards"][1:]))
    merged = merge_histories([new, old])
    assert {c.id for c in merged.cards} == {c["id"] for c in export["cards"][1:]}
    assert [c.id for c in merged.former_cards] == [export["cards"][0]["id"]]


def test_exports_of_different_boards_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="2 different boards"):
        load_exports(EXPORTS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\x80\x81 latin-1 bytes", "not a text file"),
        (b"{not json", "not valid JSON"),
        (b'{"name": "x"}', "not a Trello board export"),
        (b'{"id": "b", "actions": [{"type": "createCard"}]}', "not a Trello board export"),
        (b'{"id": "b", "cards": [{"name": "no id"}]}', "not a Trello board export"),
        (b'[{"id": "a", "type": "updateCard", "date": "not a date", "data": {}}]', "not a Trello board export"),
    ],
)
def test_bad_export_files_are_export_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "board.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ExportError, match=message) as caught:
        load_export(path)
    assert caught.value.exit_code == 2 and caught.value.hint
    assert str(path) in caught.value.message


def test_a_folder_is_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        load_export(tmp_path)
    with pytest.raises(ExportError, match="no export file given"):
        load_exports([])


def test_actions_only_histories_have_no_snapshot() -> None:
    actions = json.loads((SAMPLES / "trellodotnet" / "BoardActions.json").read_text(encoding="utf-8"))
    history = history_from_actions(actions)
    assert not history.snapshot and history.cards == ()
    assert [a.date for a in history.actions] == sorted(a.date for a in history.actions)
