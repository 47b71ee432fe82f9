"""Real Trello answers, replayed through trelloplan's client and parsers.

The ruby-trello (YAML, ``!binary`` base64 bodies) and tacokit (JSON, base64
bodies) VCR cassettes in ``../shared/trello-samples`` are read in place and
converted in memory into vcrpy cassettes (a persister that serves them from a
dict; nothing is copied into the repo). Every recorded request is then sent
again, in its cassette's order, through ``Trello.get/post/put/delete`` (so
through TrelloSession, py-trello's ``fetch_json``, the pacer and the error
translation), and vcrpy answers with the real response. Checks:

- a 2xx answer comes back as the recorded JSON, and boards, cards, lists,
  labels, checklists, members and actions go through trelloplan's parsers
  (``BoardState.from_json``, ``history_from_actions``, ``history_from_board_json``,
  ``parse_card``/``parse_list``/…) without error;
- a 401 / 404 / 400 becomes ``AuthError`` / ``NotFound`` / ``BadRequest`` carrying
  Trello's own words;
- the ``X-Rate-Limit-*`` headers reach the pacer, which reads them without pausing.

Requests are matched on method, path and query (``key``/``token`` removed, as
our client sends them in a header), not on the body: ruby-trello sent form
bodies where py-trello sends JSON.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import vcr
import yaml
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request

from trelloplan.board.remote import BoardState
from trelloplan.client import DEFAULT_API_URL, Credentials, RetryPolicy, Trello
from trelloplan.client.ratelimit import Pacer
from trelloplan.errors import AuthError, BadRequest, NotFound, TrelloAPIError, UnexpectedResponse
from trelloplan.history.model import RELEVANT_TYPES
from trelloplan.history.parse import (
    history_from_actions,
    history_from_board_json,
    parse_action,
    parse_card,
    parse_label,
    parse_list,
    parse_member,
)

FAKE_KEY = "0badc0de" * 4
FAKE_TOKEN = "feedface" * 8
ERRORS: dict[int, type[TrelloAPIError]] = {400: BadRequest, 401: AuthError, 404: NotFound}
# Headers about the recorded wire (the body is replayed decoded and whole), not about Trello's answer.
WIRE_HEADERS = {"content-length", "transfer-encoding", "content-encoding", "connection"}
RATE_HEADER = "x-rate-limit-api-token-remaining"


# -- the samples, as vcrpy cassettes in memory ----------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """ruby-trello keeps bodies base64-encoded under ``!binary``."""


_Loader.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


@dataclass(frozen=True)
class Sample:
    """One recorded exchange: what was asked, and Trello's answer."""

    cassette: str
    index: int
    method: str
    uri: str  # without key and token
    body: dict[str, Any]
    status: int
    message: str
    headers: dict[str, list[str]]
    text: str

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path.removeprefix("/1")

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.uri).query, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        for key, values in self.headers.items():
            if key.lower() == name:
                return values[0]
        return None


def _bytes(part: Mapping[str, Any]) -> bytes:
    if "base64_string" in part:
        return base64.b64decode(part["base64_string"])
    value = part.get("string") or b""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _request_body(raw: bytes) -> dict[str, Any]:
    text = raw.decode("utf-8").strip()
    if not text:
        return {}
    return json.loads(text) if text.startswith("{") else dict(parse_qsl(text, keep_blank_values=True))


def _without_credentials(uri: str) -> str:
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("key", "token")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def load_samples(root: Path) -> dict[str, list[Sample]]:
    """``cassette name → exchanges`` for every ruby-trello and tacokit cassette."""
    found: dict[str, list[Sample]] = {}
    files = [(p, yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)) for p in sorted((root / "ruby-trello").glob("*.yml"))]
    files += [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted((root / "tacokit").glob("*.json"))]
    for path, data in files:
        name = f"{path.parent.name}/{path.name}"
        found[name] = []
        for index, item in enumerate(data["http_interactions"]):
            request, response = item["request"], item["response"]
            headers = {k: (v if isinstance(v, list) else [str(v)]) for k, v in (response.get("headers") or {}).items()}
            found[name].append(Sample(
                name, index, request["method"].upper(), _without_credentials(request["uri"]), _request_body(_bytes(request["body"])),
                response["status"]["code"], response["status"].get("message") or "", headers,
                _bytes(response["body"]).decode("utf-8"),
            ))
    return found


class SamplePersister:
    """Serves converted sample cassettes by name; never writes."""

    cassettes: dict[str, list[Sample]] = {}

    @classmethod
    def load_cassette(cls, cassette_path: str, serializer: Any) -> tuple[list[Request], list[dict[str, Any]]]:
        samples = cls.cassettes.get(str(cassette_path))
        if samples is None:
            raise CassetteNotFoundError()
        requests = [Request(s.method, s.uri, None, {}) for s in samples]
        responses = [{
            "status": {"code": s.status, "message": s.message},
            "headers": {k: list(v) for k, v in s.headers.items() if k.lower() not in WIRE_HEADERS},
            "body": {"string": s.text.encode("utf-8")},
        } for s in samples]
        return requests, copy.deepcopy(responses)

    @staticmethod
    def save_cassette(cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        raise AssertionError("the samples are replayed, never recorded")


def sample_vcr() -> vcr.VCR:
    """Replay only; matched without the body (ruby-trello sent forms, we send JSON)."""
    player = vcr.VCR(record_mode="none", match_on=("method", "path", "query"))
    player.register_persister(SamplePersister)
    return player


class ObservingPacer(Pacer):
    """The real pacer, remembering the headers it was shown."""

    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(clock=lambda: self.now, sleep=self._sleep)
        self.seen: list[Mapping[str, str]] = []

    def _sleep(self, seconds: float) -> None:
        self.now += seconds

    def observe(self, headers: Mapping[str, str]) -> None:
        self.seen.append(headers)
        super().observe(headers)


# -- what a response is, and the parser for it ----------------------------------------------------------

_ID = r"[^/]+"
SHAPES: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(f"^(?:{pattern})$")) for kind, pattern in [
    ("actions", rf"/(boards|cards|lists|members)/{_ID}/actions"),
    ("action", rf"/actions/{_ID}"),
    ("cards", rf"/(boards|lists)/{_ID}/cards(/(open|closed|all))?"),
    ("card", rf"/cards(/{_ID}(/(idList|idBoard))?)?|/boards/{_ID}/cards/{_ID}"),
    ("lists", rf"/boards/{_ID}/lists"),
    ("list", rf"/lists(/{_ID})?"),
    ("labels", rf"/boards/{_ID}/labels"),
    ("label", rf"/labels(/{_ID})?"),
    ("members", rf"/boards/{_ID}/members"),
    ("boards", rf"/members/{_ID}/boards"),
    ("member", rf"/members/{_ID}"),
    ("checklists", rf"/boards/{_ID}/checklists"),
    ("checklist", rf"/checklists(/{_ID})?|/cards/{_ID}/checklists"),
    ("checkitem", rf"/checklists/{_ID}/checkItems|/cards/{_ID}/checkItem/{_ID}"),
    ("board", rf"/boards(/{_ID})?"),
]]


def shape_of(sample: Sample) -> str | None:
    if sample.method == "DELETE":
        return None
    return next((kind for kind, pattern in SHAPES if pattern.match(sample.path)), None)


def _board(data: Any) -> BoardState:
    state = BoardState.from_json(data)
    assert state.id == data["id"]
    if any(key in data for key in ("actions", "cards", "lists")):
        assert history_from_board_json(data).board is not None
    return state


def _checklists(items: list[Any]) -> None:
    state = BoardState.from_json({"id": "board", "checklists": items, "cards": [{"id": c.get("idCard") or "card"} for c in items]})
    parsed = [cl for card in state.cards for cl in card.checklists]
    assert sorted(cl.id for cl in parsed) == sorted(c["id"] for c in items)
    assert sum(len(cl.items) for cl in parsed) == sum(len(c.get("checkItems") or []) for c in items)


def _actions(items: list[Any]) -> None:
    history = history_from_actions(items)
    assert len(history.actions) == len({a["id"] for a in items if a["type"] in RELEVANT_TYPES})


def _one(parse: Any) -> Any:
    def check(data: Any) -> None:
        assert parse(data).id == data["id"]

    return check


def _many(parse: Any) -> Any:
    def check(data: Any) -> None:
        assert [parse(item).id for item in data] == [item["id"] for item in data]

    return check


def _cards(data: Any) -> None:
    _many(parse_card)(data)
    assert len(_board({"id": "board", "cards": data}).cards) == len(data)


def _action(data: Any) -> None:
    parsed = parse_action(data)
    assert (parsed is None) == (data["type"] not in RELEVANT_TYPES) and (parsed is None or parsed.id == data["id"])


PARSERS: dict[str, Any] = {
    "board": _board,
    "boards": lambda data: [_board(item) for item in data],
    "card": _one(parse_card),
    "cards": _cards,
    "list": _one(parse_list),
    "lists": _many(parse_list),
    "label": _one(parse_label),
    "labels": _many(parse_label),
    "member": _one(parse_member),
    "members": _many(parse_member),
    "action": _action,
    "actions": _actions,
    "checklist": lambda data: _checklists([data]),
    "checklists": _checklists,
    "checkitem": lambda data: _checklists([{"id": "checklist", "idCard": "card", "checkItems": [data]}]),
}


# -- the replay ------------------------------------------------------------------------------------------


@dataclass
class Replayed:
    shapes: Counter[str]
    errors: list[tuple[Sample, TrelloAPIError]]
    rate_limited_answers: int


def send(trello: Trello, sample: Sample) -> Any:
    if sample.method == "GET":
        return trello.get(sample.path, sample.params)
    assert not sample.params, "a recorded write with a query string"
    if sample.method == "POST":
        return trello.post(sample.path, sample.body)
    if sample.method == "PUT":
        return trello.put(sample.path, sample.body)
    return trello.delete(sample.path)


def replay(name: str, samples: list[Sample]) -> Replayed:
    SamplePersister.cassettes[name] = samples
    pacer = ObservingPacer()
    result = Replayed(Counter(), [], 0)
    trello = Trello(Credentials(FAKE_KEY, FAKE_TOKEN), api_url=DEFAULT_API_URL, pacer=pacer,
                    retry=RetryPolicy(attempts=1), sleep=pacer._sleep)
    with sample_vcr().use_cassette(name) as cassette, trello:
        for sample in samples:
            seen = len(pacer.seen)
            try:
                answer = send(trello, sample)
            except TrelloAPIError as error:
                result.errors.append((sample, error))
            else:
                assert sample.status < 300, f"{name}#{sample.index}: HTTP {sample.status} did not raise"
                assert answer == json.loads(sample.text), f"{name}#{sample.index}: the answer differs from the recording"
                kind = shape_of(sample)
                if kind is not None:
                    PARSERS[kind](answer)
                    result.shapes[kind] += 1
            assert len(pacer.seen) == seen + 1, f"{name}#{sample.index}: the pacer did not see the answer"
            recorded = sample.header(RATE_HEADER)
            if recorded is not None:
                assert pacer.seen[-1].get(RATE_HEADER) == recorded  # what the pacer reads, case-insensitively
                result.rate_limited_answers += 1
        assert cassette.all_played, f"{name}: not every recorded answer was asked for"
    assert pacer.waited == 0, "the recorded rate-limit headers never said to slow down"
    return result


@pytest.fixture(scope="module")
def replayed(trello_samples: Path) -> dict[str, Replayed]:
    return {name: replay(name, samples) for name, samples in load_samples(trello_samples).items()}


def test_every_ruby_trello_and_tacokit_cassette_is_replayed(trello_samples: Path, replayed: dict[str, Replayed]) -> None:
    names = {f"ruby-trello/{p.name}" for p in (trello_samples / "ruby-trello").glob("*.yml")}
    names |= {f"tacokit/{p.name}" for p in (trello_samples / "tacokit").glob("*.json")}
    assert set(replayed) == names and len(names) >= 60


def test_real_answers_of_every_shape_go_through_the_parsers(replayed: dict[str, Replayed]) -> None:
    shapes: Counter[str] = sum((r.shapes for r in replayed.values()), Counter())
    assert set(shapes) == set(PARSERS), f"no real answer of shape {set(PARSERS) - set(shapes)}"
    assert sum(shapes.values()) >= 100


def test_real_error_answers_become_our_errors_with_trellos_words(replayed: dict[str, Replayed]) -> None:
    answered = [pair for r in replayed.values() for pair in r.errors]
    errors = [(sample, error) for sample, error in answered if sample.status >= 400]
    # A 2015-16 recording's new card lacks keys py-trello reads (dueComplete, since 2017): refused in one line, not a KeyError
    old = [(sample, error) for sample, error in answered if sample.status < 400]
    assert all(isinstance(error, UnexpectedResponse) and sample.cassette.startswith("tacokit/") and sample.method == "POST"
               for sample, error in old), old
    assert {sample.status for sample, _ in errors} >= {401, 404}
    for sample, error in errors:
        assert type(error) is ERRORS.get(sample.status, BadRequest), (sample.cassette, sample.index)
        assert error.status == sample.status and error.method == sample.method and error.path == sample.path
        words = " ".join(sample.text.split())[:200]
        assert words and words in error.message
        assert FAKE_KEY not in error.one_line() and FAKE_TOKEN not in error.one_line()


def test_real_rate_limit_headers_reach_the_pacer(replayed: dict[str, Replayed]) -> None:
    assert sum(r.rate_limited_answers for r in replayed.values()) >= 50


def test_a_real_permission_refusal_becomes_an_auth_error(trello_samples: Path) -> None:
    """adlio kept only the body of a 401 (a board the token may not see); served as the 401 it was."""
    text = (trello_samples / "adlio" / "boards_unauthorized.txt").read_text(encoding="utf-8")
    sample = Sample("adlio/boards_unauthorized.txt", 0, "GET", f"{DEFAULT_API_URL}/boards/5d2ccd3015468d3df508f10d", {}, 401,
                    "Unauthorized", {"Content-Type": ["text/plain; charset=utf-8"]}, text)
    [(_, error)] = replay(sample.cassette, [sample]).errors
    assert type(error) is AuthError and error.status == 401
    assert " ".join(text.split()) == "unauthorized permission requested" and "unauthorized permission requested" in error.message
