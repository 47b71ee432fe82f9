"""No secret in ``cassettes/``: the scanner, proof that it catches what it must, and the scrubbing.

The scanner (:func:`trelloplan.devtools.cassettes.find_secrets`) flags Trello
keys (32 hex digits), tokens (64 hex digits or ``ATTA…``), cookies and e-mail
addresses. Keys and tokens are matched as whole words, so Trello's 24-hex
ObjectIds (and lists of them) never are. The scrubbing hooks are checked on
planted data, and end to end: a recording of requests that carry a key, a
token, a cookie and answers with e-mail addresses is written clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from trelloplan.devtools.cassettes import CASSETTE_DIR, Scrubber, find_secrets, make_vcr, scan_folder, scrub_text
from trelloplan.sandbox import Sandbox

KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
ATTA = "ATTA9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0A1B2C3D4"
OBJECT_ID = "5e93ba98614ac22d22f085c4"

PLANTED = [
    ("key", KEY),
    ("key", KEY.upper()),
    ("key", f"https://api.trello.com/1/members/me?key={KEY}&token=x"),
    ("key", f'OAuth oauth_consumer_key="{KEY}"'),
    ("token", TOKEN),
    ("token", f'"token": "{TOKEN}"'),
    ("token", ATTA),
    ("token", f"?token={ATTA}&fields=id"),
    ("cookie", '"Set-Cookie": ["dsc=set_cookie_dsc"]'),
    ("cookie", "Cookie: dsc=abc"),
    ("cookie", "      set-cookie:\n      - x"),
    ("cookie", "dsc=0dd7dc85c8663753; Path=/; Expires=Wed, 20 May 2020 16:23:48 GMT; Secure"),
    ("cookie", "__cfduid=d591ade9645; expires=Sat, 28-Jan-17 11:08:18 GMT; path=/; domain=.trello.com; HttpOnly"),
    ("e-mail", "someone@example.com"),
    ("e-mail", '"email":"tacokit+548a6696b3b9918beb144b07@boards.trello.com"'),
    ("e-mail", "first.last+tag@sub.example.co.uk"),
]

LEGITIMATE = [
    OBJECT_ID,
    f'"idLabels":["{OBJECT_ID}","5e94f5de7669b2254978bd14"]',
    f"{OBJECT_ID},{OBJECT_ID}",
    f"/1/boards/{OBJECT_ID}/actions?before={OBJECT_ID}&fields=id%2Ctype&limit=5",
    "https://trello.com/c/nBxda8Ot/3-set-up-the-board",
    '"date":"2027-01-04T12:00:00.000Z"',
    '"X-Server-Time": ["1798797600000"]',
    "trelloplan-board: recorded-cassettes",
    "trelloplan-key: w1-write-the-project-charter",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",  # a UUID with its dashes
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # 40 hex: a git commit, not a key
    "a1b2c3d4e5f60718293a4b5c6d7e8f90ab",  # 34 hex
    "Cookies are not modelled; cookie jars neither.",
    "ping @alice about it",
    '"Authorization" header removed',
    "ATTACHMENT",
]


@pytest.mark.parametrize(("kind", "text"), PLANTED)
def test_the_scanner_catches_each_kind_of_secret(kind: str, text: str) -> None:
    found = find_secrets(f"some context\n{text}\nmore")
    assert kind in {f.kind for f in found}, found
    assert all(f.line >= 2 for f in found)


@pytest.mark.parametrize("text", LEGITIMATE)
def test_the_scanner_leaves_legitimate_content_alone(text: str) -> None:
    assert find_secrets(text) == []


def test_the_scanner_reads_every_file_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "clean.json").write_text(json.dumps({"id": OBJECT_ID}))
    (tmp_path / "sub" / "planted.yaml").write_text(f"a: 1\nb: {TOKEN}\n")
    (tmp_path / "binary.bin").write_bytes(b"\xff\xfe" + KEY.encode())
    found = {(path.name, finding.kind, finding.line) for path, finding in scan_folder(tmp_path)}
    assert found == {("planted.yaml", "token", 2), ("binary.bin", "key", 1)}


def test_no_file_in_cassettes_looks_like_a_secret() -> None:
    files = [p for p in CASSETTE_DIR.rglob("*") if p.is_file()]
    assert len(files) >= 7
    assert scan_folder(CASSETTE_DIR) == []


# -- the scrubbing hooks ----------------------------------------------------------------------------------


def test_scrub_text_replaces_known_secrets_and_lookalikes() -> None:
    text = f"invalid key {KEY}; token {TOKEN} or {ATTA}, mail me at x@example.org, Set-Cookie: a=b, id {OBJECT_ID}, word sekrit-value"
    cleaned = scrub_text(text, secrets=("sekrit-value",))
    assert find_secrets(cleaned) == []
    assert OBJECT_ID in cleaned and "sekrit-value" not in cleaned


def test_responses_keep_only_harmless_headers_and_lose_e_mail_addresses() -> None:
    member = {"id": OBJECT_ID, "username": "ann", "email": "ann@example.com", "aaEmail": "ann@corp.example",
              "bio": "reach me: ann@example.com", "nested": [{"email": None, "emailAddress": "b@example.com"}]}
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": ["dsc=x; Path=/"], "Content-Type": ["application/json"], "X-Rate-Limit-Api-Token-Remaining": ["99"],
                    "X-Trello-Version": ["1.0"], "Retry-After": ["1"]},
        "body": {"string": json.dumps(member).encode()},
    }
    scrubbed = Scrubber().response(response)
    assert set(scrubbed["headers"]) == {"Content-Type", "X-Rate-Limit-Api-Token-Remaining", "Retry-After"}
    body = json.loads(scrubbed["body"]["string"])
    assert body["email"] is None and body["aaEmail"] is None and body["nested"][0]["emailAddress"] is None
    assert body["id"] == OBJECT_ID and body["username"] == "ann" and "@" not in body["bio"]
    assert find_secrets(json.dumps({**scrubbed, "body": scrubbed["body"]["string"].decode()})) == []


def test_error_bodies_that_echo_input_are_scrubbed() -> None:
    scrubber = Scrubber(secrets=(KEY, TOKEN))
    echoed = {"status": {"code": 401, "message": "Unauthorized"}, "headers": {},
              "body": {"string": f"invalid key {KEY} for token {TOKEN[:20]}".encode()}}
    text = scrubber.response(echoed)["body"]["string"].decode()
    assert KEY not in text and find_secrets(text) == []
    untouched = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"\x89PNG\x00\xff"}}
    assert scrubber.response(untouched)["body"]["string"] == b"\x89PNG\x00\xff"


def test_a_recording_through_the_shared_config_is_written_clean(tmp_path: Path) -> None:
    path = tmp_path / "planted.json"
    with Sandbox() as sandbox, requests.Session() as http:
        key, token = sandbox.key, sandbox.token
        auth = {"key": key, "token": token}
        with make_vcr(record_mode="all", secrets=(key, token)).use_cassette(str(path)):
            me = http.get(f"{sandbox.api_url}/members/me", params=auth, headers={"Cookie": "dsc=abc123"}, timeout=10)
            board = http.post(f"{sandbox.api_url}/boards", params=auth, timeout=10,
                              json={"name": f"named {key} by mistake", "desc": "owner: ann@example.com"})
            oauth = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
            refused = http.get(f"{sandbox.api_url}/members/me", headers={"Authorization": oauth.replace(token, "0" * 64)}, timeout=10)
    assert "@" in me.json()["email"] and key in board.json()["name"] and refused.status_code == 401  # there was something to scrub
    text = path.read_text()
    assert key not in text and token not in text and "example.com" not in text and "dsc=abc123" not in text
    assert find_secrets(text) == []
    recorded = json.loads(text)["interactions"]
    assert len(recorded) == 3 and all("Authorization" not in i["request"]["headers"] for i in recorded)
    assert json.loads(recorded[0]["response"]["body"]["string"])["email"] is None
