"""The console's live feed over real HTTP: it ends when its token stops being valid, a token
holds only a few feeds at once, and an idle feed reads nothing until something changes, on
whichever instance sharing the state it changed."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, OTHER_TOKEN, STATIC_TOKENS, TOKEN
from tests.loopback_server import serving
from vbc_sandbox import feeds
from vbc_sandbox.app import SandboxApp
from vbc_sandbox.feeds import FEEDS_PER_TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.settings import Settings, StaticToken
from vbc_spec import API_BASE_PATH

FEED = "/console/api/events"
CALLS = f"{API_BASE_PATH}/cc/accounts/{ACCOUNT}/calls"
DIAL = {
    "from": {"destination": "1001", "type": "extension"},
    "to": {"destination": "15551234567", "type": "pstn"},
}
#: How long a read of the feed may wait: several ticks, and well under its heartbeat.
READ_TIMEOUT = 10


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(answer: httpx.Response) -> Iterator[dict[str, Any]]:
    """The server-sent events of a feed: {"event": a name or None, "data": parsed}; the
    comments that keep it open are skipped."""
    message: dict[str, Any] = {"event": None}
    for line in answer.iter_lines():
        if line.startswith("event: "):
            message["event"] = line[7:]
        elif line.startswith("data: "):
            message["data"] = json.loads(line[6:])
        elif not line and "data" in message:
            yield message
            message = {"event": None}


@contextlib.contextmanager
def feed(origin: str, token: str) -> Iterator[Iterator[dict[str, Any]]]:
    with httpx.stream("GET", origin + FEED, headers=bearer(token), timeout=READ_TIMEOUT) as answer:
        assert answer.status_code == 200, answer.read()
        yield events(answer)


def next_drawing(stream: Iterator[dict[str, Any]], until: Callable[[dict[str, Any]], bool]) -> None:
    """Read the feed until a drawing satisfies `until` (a read timeout fails the test)."""
    for message in stream:
        assert message["event"] is None, message
        if until(message["data"]):
            return
    raise AssertionError("the feed ended")


def assert_ends_with_401(stream: Iterator[dict[str, Any]]) -> None:
    """The feed sends an error event and ends (a feed that goes on times out the read)."""
    received = list(stream)
    assert received[-1]["event"] == "error", received
    assert received[-1]["data"]["code"] == 401


@pytest.fixture(scope="module")
def target() -> Iterator[SandboxProcess]:
    with SandboxProcess([*STATIC_TOKENS, "--token-ttl", "60"]) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "target" in request.fixturenames:
        running: SandboxProcess = request.getfixturevalue("target")
        httpx.post(running.origin + "/sandbox/reset", headers=ADMIN).raise_for_status()


def issued_token(target: SandboxProcess) -> str:
    answer = httpx.post(target.origin + "/token", data=ALICE_LOGIN)
    token: str = answer.json()["access_token"]
    return token


def test_a_feed_ends_once_its_token_expires(target: SandboxProcess) -> None:
    token = issued_token(target)
    with feed(target.origin, token) as stream:
        next_drawing(stream, lambda drawn: drawn["account_id"] == ACCOUNT)
        moved = httpx.post(target.origin + "/sandbox/clock", json={"advance": 120}, headers=ADMIN)
        assert moved.status_code == 200
        assert_ends_with_401(stream)
    assert httpx.get(target.origin + FEED, headers=bearer(token)).status_code == 401


def test_a_feed_ends_once_a_reset_takes_its_token(target: SandboxProcess) -> None:
    token = issued_token(target)
    with feed(target.origin, token) as stream:
        next_drawing(stream, lambda drawn: drawn["account_id"] == ACCOUNT)
        httpx.post(target.origin + "/sandbox/reset", headers=ADMIN).raise_for_status()
        assert_ends_with_401(stream)


def test_a_token_holds_only_a_few_feeds_at_once(target: SandboxProcess) -> None:
    with contextlib.ExitStack() as held:
        for _ in range(FEEDS_PER_TOKEN):
            held.enter_context(feed(target.origin, TOKEN))
        refused = httpx.get(target.origin + FEED, headers=bearer(TOKEN))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert f"already has {FEEDS_PER_TOKEN} live feeds open" in refused.json()["message"]
        with feed(target.origin, OTHER_TOKEN):  # another token is not held back
            pass
    # Closed feeds free their places (once the sandbox has seen the disconnects).
    deadline = time.monotonic() + READ_TIMEOUT
    while True:
        with httpx.stream("GET", target.origin + FEED, headers=bearer(TOKEN)) as answer:
            if answer.status_code == 200 or time.monotonic() > deadline:
                assert answer.status_code == 200
                break
        time.sleep(0.1)


def test_a_feed_sees_a_change_made_through_another_instance(tmp_path: Path) -> None:
    # On PostgreSQL (--sandbox-db postgresql) the two share one database, as in compose.yaml.
    state = ["--db", str(tmp_path / "shared.db")]
    with (
        SandboxProcess([*STATIC_TOKENS, *state]) as one,
        SandboxProcess([*STATIC_TOKENS, *state]) as other,
        feed(other.origin, TOKEN) as stream,
    ):
        next_drawing(stream, lambda drawn: drawn["calls"] == [])
        call_id = httpx.post(one.origin + CALLS, json=DIAL, headers=bearer(TOKEN)).json()
        next_drawing(stream, lambda drawn: [c["call_id"] for c in drawn["calls"]] == [call_id])
        httpx.delete(f"{one.origin}{CALLS}/{call_id}", headers=bearer(TOKEN)).raise_for_status()
        next_drawing(stream, lambda drawn: drawn["calls"] == [])


class Counted:
    """Counts the calls of one of a store's methods."""

    def __init__(self, app: SandboxApp, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        method = getattr(app.sandbox.store, name)

        def counting(*args: Any) -> Any:
            self.calls += 1
            return method(*args)

        monkeypatch.setattr(app.sandbox.store, name, counting)

    def wait_for(self, calls: int) -> None:
        deadline = time.monotonic() + READ_TIMEOUT
        while self.calls < calls:
            assert time.monotonic() < deadline, f"{self.calls} calls, waited for {calls}"
            time.sleep(0.05)


def test_an_idle_feed_reads_nothing_until_something_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each leg rings a second: what the feed shows also changes with time alone.
    app = SandboxApp(Settings(ring_delay=1.0, static_tokens=(StaticToken(TOKEN, ACCOUNT),)))
    # Every look at the state reads the sandbox's clock: a count of the feed's ticks.
    ticks = Counted(app, "clock", monkeypatch)
    reads = Counted(app, "active_calls_now", monkeypatch)
    with serving(app) as origin, feed(origin, TOKEN) as stream:
        next_drawing(stream, lambda drawn: drawn["calls"] == [])
        ticks.wait_for(ticks.calls + 10)  # ten ticks, idle
        assert reads.calls == 1
        call_id = httpx.post(origin + CALLS, json=DIAL, headers=bearer(TOKEN)).json()
        next_drawing(stream, lambda drawn: drawn["calls"][0]["status"] == "ringing")
        # No request: the legs answer as the clock passes their ring delay.
        next_drawing(stream, lambda drawn: drawn["calls"][0]["status"] == "on-call")
        settled = reads.calls
        ticks.wait_for(ticks.calls + 10)
        assert reads.calls == settled
        httpx.delete(f"{origin}{CALLS}/{call_id}", headers=bearer(TOKEN)).raise_for_status()
        next_drawing(stream, lambda drawn: drawn["calls"] == [])
        assert reads.calls == settled + 1


def test_a_quiet_feed_says_it_is_still_there(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy cuts a stream silent for long (nginx: proxy_read_timeout); a comment line
    # every HEARTBEAT seconds of silence keeps it, and the console skips it.
    monkeypatch.setattr(feeds, "HEARTBEAT", 0.5)
    app = SandboxApp(Settings(static_tokens=(StaticToken(TOKEN, ACCOUNT),)))
    with (
        serving(app) as origin,
        httpx.stream("GET", origin + FEED, headers=bearer(TOKEN), timeout=READ_TIMEOUT) as answer,
    ):
        lines = answer.iter_lines()
        assert next(lines).startswith("data: ")
        assert [next(lines), next(lines), next(lines)] == ["", ": still here", ""]
