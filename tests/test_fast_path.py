"""The fast path answers exactly as connexion does: the same status, body and headers for
valid requests and for every kind of bad one, reads and writes alike, and the same quota
count."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from vbc_sandbox.settings import RateLimit, Settings, StaticToken
from vbc_sandbox.testkit.inprocess import SyncASGITransport
from vbc_sandbox.testkit.sandbox_app import SandboxApp
from vbc_spec import API_BASE_PATH

TOKEN = "fast-token"
CALLS = f"{API_BASE_PATH}/cc/accounts/1234/calls"
DEVICES = f"{API_BASE_PATH}/registration/accounts/1234/devices"


def sandbox_app(**settings: object) -> SandboxApp:
    return SandboxApp(
        Settings(static_tokens=(StaticToken(TOKEN, "1234"),), **settings)  # type: ignore[arg-type]
    )


@pytest.fixture(params=["documented", "observed"])
def app(request: pytest.FixtureRequest) -> Iterator[SandboxApp]:
    built = sandbox_app(dialect=request.param, ring_delay=30)
    built.sandbox.clock.change(freeze=True)
    yield built


def answer(
    http: httpx.Client, url: str, headers: dict[str, str], method: str = "GET", body: object = None
) -> tuple[int, str, object, str]:
    content = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    response = http.request(method, url, headers=headers, content=content)
    kind = response.headers.get("content-type", "")
    body = response.json() if "json" in kind else response.text
    return response.status_code, kind, body, response.headers.get("retry-after", "")


def both_ways(
    app: SandboxApp, http: httpx.Client, url: str, headers: dict[str, str]
) -> tuple[object, object]:
    app.fast_path.enabled = True
    fast = answer(http, url, headers)
    app.fast_path.enabled = False
    slow = answer(http, url, headers)
    return fast, slow


def test_every_read_answers_as_connexion_does(
    app: SandboxApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    serve = app.fast_path.serve

    async def counted(*args: object) -> None:
        served.append(args[-3]["path"])  # type: ignore[index]
        await serve(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(app.fast_path, "serve", counted)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://sandbox") as http:
        placed = http.post(
            CALLS,
            headers=auth,
            json={
                "from": {"destination": "1001", "type": "extension"},
                "to": {"destination": "1002", "type": "extension"},
                "type": "odr",
            },
        )
        assert placed.status_code in (200, 202)
        call_id = http.get(CALLS, headers=auth).json()["calls"][0]["call_id"]
        leg = http.get(f"{CALLS}/{call_id}/legs", headers=auth).json()[0]
        leg_id = leg.get("leg_id") or leg["id"]
        urls = [
            f"{CALLS}/{call_id}",
            f"{CALLS}/{call_id}?unknown=1",
            f"{CALLS}/{'9' * 36}",
            f"{CALLS}/{'9' * 65}",
            f"{CALLS}/%00%ff",
            f"{API_BASE_PATH}/cc/accounts/5678/calls/{call_id}",
            f"{API_BASE_PATH}/cc/accounts/self/calls/{call_id}",
            f"{API_BASE_PATH}/cc/accounts/{'1' * 33}/calls",
            CALLS,
            f"{CALLS}?page_size=1",
            f"{CALLS}?page_size=1&page=2",
            f"{CALLS}?page=9",
            f"{CALLS}?order=asc&start_time=0&end_time=99999999999",
            f"{CALLS}?order=sideways",
            f"{CALLS}?page_size=0",
            f"{CALLS}?page_size=abc",
            f"{CALLS}?page_size=",
            f"{CALLS}?page_size=1&page_size=2",
            f"{CALLS}?page_size=99999999999999999999999",
            f"{CALLS}?extension=1001",
            f"{CALLS}?extension=4242",
            f"{CALLS}?start_time=-1",
            f"{CALLS}?as_of=1&page_size=1",
            f"{CALLS}/{call_id}/legs",
            f"{CALLS}/{call_id}/legs/{leg_id}",
            f"{CALLS}/{call_id}/legs/nope",
            DEVICES,
            f"{DEVICES}?page_size=2&order=asc",
            f"{DEVICES}/79-5C-7D-28-1B-B3",
            f"{DEVICES}/79:5c:7d:28:1b:b3",
            f"{DEVICES}/VH1111111",
            f"{DEVICES}/nothing",
        ]
        for url in urls:
            fast, slow = both_ways(app, http, url, auth)
            assert fast == slow, url
        # The fast path served the valid ones (and those only the handler refuses).
        assert len(served) >= 20
        for headers in [
            {},
            {"Authorization": "Basic Zm9vOmJhcg=="},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": f"bearer {TOKEN}"},
            {"Authorization": f"Bearer  {TOKEN}"},
            {"Authorization": f"Bearer {TOKEN} "},
            {"Authorization": f"Bearer\t{TOKEN}"},
        ]:
            fast, slow = both_ways(app, http, f"{CALLS}/{call_id}", headers)
            assert fast == slow, headers


JSON_TYPE = {"Content-Type": "application/json"}
EXT_1001 = {"destination": "1001", "type": "extension"}
EXT_1002 = {"destination": "1002", "type": "extension"}
DIAL = {"from": EXT_1001, "to": EXT_1002}
#: Writes and the reads between them, with `{call}` and `{leg}` the first listed call and its
#: first leg: (method, path under the account's calls, extra headers, body).
WRITES: list[tuple[str, str, dict[str, str], object]] = [
    ("POST", "", JSON_TYPE, DIAL),
    ("POST", "", JSON_TYPE, {**DIAL, "type": "odr"}),
    ("POST", "", JSON_TYPE, {**DIAL, "to": {"destination": "15550000486", "type": "pstn"}}),
    ("POST", "", JSON_TYPE, {**DIAL, "from": {"destination": "4242", "type": "extension"}}),
    ("POST", "", JSON_TYPE, {**DIAL, "type": "sideways"}),
    ("POST", "", JSON_TYPE, {**DIAL, "extra": 1}),
    ("POST", "", JSON_TYPE, {"from": DIAL["from"]}),
    ("POST", "", JSON_TYPE, []),
    ("POST", "", JSON_TYPE, b"null"),
    ("POST", "", JSON_TYPE, b'{"from": '),
    ("POST", "", JSON_TYPE, b'{"from": "\xff"}'),
    ("POST", "", JSON_TYPE, b"\xff\xfe"),
    ("POST", "", JSON_TYPE, b""),
    ("POST", "", {"Content-Type": "text/plain"}, DIAL),
    ("POST", "", {"Content-Type": "application/json; charset=utf-8"}, DIAL),
    ("POST", "", {}, DIAL),
    ("POST", "?type=odr", JSON_TYPE, DIAL),
    ("GET", "", {}, None),
    ("GET", "/{call}", {}, None),
    ("PUT", "/{call}", JSON_TYPE, {"state": "parked", "from": EXT_1001}),
    ("PUT", "/{call}", JSON_TYPE, {"state": "active", "to": {"destination": "1002"}}),
    ("PUT", "/{call}", JSON_TYPE, {"state": "active", "to": EXT_1002}),
    ("PUT", "/{call}", JSON_TYPE, {"state": "active", "to": EXT_1002}),
    ("PUT", "/{call}", JSON_TYPE, {"state": "sideways"}),
    ("PUT", "/{call}/legs/{leg}", JSON_TYPE, {"state": "held"}),
    ("PUT", "/{call}/legs/{leg}", JSON_TYPE, {"state": "held", "extra": True}),
    ("PUT", "/{call}/legs/nope", JSON_TYPE, {"state": "active"}),
    ("PUT", "/{call}/legs/{leg}", JSON_TYPE, {"state": "active"}),
    ("PUT", "/{call}", JSON_TYPE, {"from": EXT_1002, "to": {"destination": "1003"}}),
    ("PUT", "/{call}", JSON_TYPE, {"from": EXT_1002, "to": {**EXT_1002, "destination": "1003"}}),
    ("PUT", "/{call}", JSON_TYPE, {"state": "parked", "from": EXT_1001}),
    ("GET", "/{call}/legs", {}, None),
    ("DELETE", "/{call}", {"Content-Type": "application/json"}, b"{}"),
    ("DELETE", "/{call}", {}, None),
    ("DELETE", "/{call}", {}, None),
    ("PUT", "/{call}", JSON_TYPE, {"state": "parked", "from": EXT_1001}),
    ("POST", "", {"Authorization": "Bearer wrong-token", **JSON_TYPE}, DIAL),
    ("POST", "", {"Authorization": "Basic Zm9vOmJhcg==", **JSON_TYPE}, DIAL),
    ("GET", "", {}, None),
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_ids(answers: list[tuple[int, str, object, str]]) -> str:
    """The answers with each generated id named by the order it first appears in."""
    text = json.dumps(answers)
    names: dict[str, str] = {}
    return UUID.sub(lambda m: names.setdefault(m.group(), f"<id {len(names)}>"), text)


def run_writes(app: SandboxApp) -> list[tuple[int, str, object, str]]:
    answers = []
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://sandbox") as http:
        for method, path, headers, body in WRITES:
            listed = http.get(f"{CALLS}?order=asc", headers=auth).json()["calls"]
            call, leg = "none", "none"
            if listed:
                call = listed[0]["call_id"]
                legs = listed[0].get("legs") or list(listed[0]["leg_map"].values())
                leg = legs[0]["leg_id"]
            url = CALLS + path.format(call=call, leg=leg)
            answers.append(answer(http, url, {**auth, **headers}, method, body))
    return answers


@pytest.mark.parametrize("dialect", ["documented", "observed"])
def test_every_write_answers_as_connexion_does(
    dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    runs = []
    for fast in (True, False):
        app = sandbox_app(dialect=dialect, ring_delay=30)
        app.sandbox.clock.change(freeze=True, at=1_800_000_000)
        app.fast_path.enabled = fast
        serve = app.fast_path.serve

        async def counted(*args: object, serve: object = serve) -> None:
            served.append(args[-3]["method"])  # type: ignore[index]
            await serve(*args)  # type: ignore[operator]

        monkeypatch.setattr(app.fast_path, "serve", counted)
        runs.append(without_ids(run_writes(app)))
    assert runs[0] == runs[1]
    # The fast path served the valid writes of every kind, and those only the handler or the
    # token refuses: 3 dials, the unknown extension, the one with a query, the wrong token.
    assert {"PUT", "DELETE"} <= set(served)
    assert served.count("POST") == 6


def test_the_quota_counts_a_fast_request_once() -> None:
    answers = []
    requests: list[tuple[str, str, object]] = [
        ("GET", CALLS, None),
        ("GET", f"{CALLS}?page_size=0", None),
        ("POST", CALLS, {"from": DIAL["from"]}),
        ("POST", CALLS, DIAL),
    ]
    for fast in (True, False):
        app = sandbox_app(rate_limit=RateLimit(5, 60.0))
        app.fast_path.enabled = fast
        with httpx.Client(transport=SyncASGITransport(app), base_url="http://sandbox") as http:
            auth = {"Authorization": f"Bearer {TOKEN}", **JSON_TYPE}
            answers.append(
                [answer(http, url, auth, method, body)[0] for method, url, body in requests * 2]
            )
    assert answers[0] == answers[1]
    assert answers[0] == [200, 400, 400, 200, 200, 429, 429, 429]


def test_with_validate_responses_connexion_answers_everything() -> None:
    assert not sandbox_app(validate_responses=True).fast_path.enabled
