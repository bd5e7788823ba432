"""The read operations' fast path answers exactly as connexion does: the same status, body
and headers for valid requests and for every kind of bad one, and the same quota count."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from vbc_sandbox.app import SandboxApp
from vbc_sandbox.inprocess import SyncASGITransport
from vbc_sandbox.settings import RateLimit, Settings, StaticToken
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


def answer(http: httpx.Client, url: str, headers: dict[str, str]) -> tuple[int, str, object, str]:
    response = http.get(url, headers=headers)
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


def test_the_quota_counts_a_fast_read_once() -> None:
    answers = []
    for fast in (True, False):
        app = sandbox_app(rate_limit=RateLimit(3, 60.0))
        app.fast_path.enabled = fast
        with httpx.Client(transport=SyncASGITransport(app), base_url="http://sandbox") as http:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            answers.append(
                [answer(http, url, auth)[::2] for url in [CALLS, f"{CALLS}?page_size=0"] * 3]
            )
    assert answers[0] == answers[1]
    assert [status for status, _ in answers[0]] == [200, 400, 200, 429, 429, 429]


def test_with_validate_responses_connexion_answers_everything() -> None:
    assert not sandbox_app(validate_responses=True).fast_path.enabled
