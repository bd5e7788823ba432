"""The SDK against hostile servers, round 2: real HTTP servers on loopback that answer what
an attacker or a broken gateway would (lists that never end, compression bombs, numbers no
clock can hold, secrets in odd places). Each answer ends as a value or an APIError, within
the call's time and a bounded amount of memory."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vbc_telephony import AsyncTelephony, Telephony
from vbc_telephony._pagination import PageWalk

API = "/t/vbc.prod/telephony/v3"
CALLS = f"{API}/cc/accounts/1234/calls"


class Seen:
    """One request a hostile server received."""

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.target, self.headers, self.body = method, target, headers, body


#: What a hostile server answers: status, headers, body.
Answer = tuple[int, dict[str, str], bytes]


def json_answer(body: Any, status: int = 200, **headers: str) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


class Hostile:
    """A real HTTP/1.1 server on a loopback port that answers each request as `answer` says,
    and keeps every request it got."""

    def __init__(self, answer: Callable[[Seen], Answer]) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (ConnectionError, TimeoutError):
                    self.close_connection = True  # the client stopped reading: fine

            def respond(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                outer.seen.append(seen)
                status, headers, body = outer.answer(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if not any(name.lower() == "content-length" for name in headers):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = respond

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}{API}"
        self.token_url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Callable[[Seen], Answer]], Hostile]]:
    started: list[Hostile] = []

    def start(answer: Callable[[Seen], Answer]) -> Hostile:
        server = Hostile(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def client_of(server: Hostile, **options: Any) -> Telephony:
    return Telephony(account_id=1234, token="t", base_url=server.base_url, **options)


def call(call_id: str) -> dict[str, Any]:
    return {"account_id": 1234, "call_id": call_id, "status": "on-call"}


def page_number(seen: Seen) -> int:
    _, _, query = seen.target.partition("page=")
    return int(query.split("&")[0]) if query else 1


#: Past this many pages a test's endless server fails the request, so that a walk that
#: does not end fails the test instead of hanging it.
ENOUGH = 40


def endless(calls_on: Callable[[int], list[dict[str, Any]]], **counters: Any) -> Callable:
    """A calls list that names page N+1 after every page N."""

    def answer(seen: Seen) -> Answer:
        number = page_number(seen)
        if number > ENOUGH:
            return json_answer({"code": "500", "message": "the walk did not end"}, 500)
        body = {
            "calls": calls_on(number),
            **counters,
            "next_page_uri": f"/cc/accounts/1234/calls?page_size=100&page={number + 1}",
        }
        return json_answer(body)

    return answer


# ------------------------------------------------------------------ #16: every walk ends


def test_a_server_repeating_the_same_call_on_every_page_ends_the_walk_at_once(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], caplog: pytest.LogCaptureFixture
) -> None:
    server = hostile(endless(lambda _: [call("same")]))
    with client_of(server) as client:
        listed = [c.call_id for c in client.calls.list()]
    # The second page brought nothing new: the walk ends there, and says it was cut short.
    assert listed == ["same", "same"] and len(server.seen) == 2
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.name == "vbc_telephony" and "no item not already seen" in warning.getMessage()


def test_a_server_inventing_new_calls_for_ever_is_bounded_by_the_pages_it_announced(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], caplog: pytest.LogCaptureFixture
) -> None:
    server = hostile(endless(lambda n: [call(f"call-{n}")], pages=4))
    with client_of(server) as client:
        listed = [c.call_id for c in client.calls.list()]
    # 4 pages announced, 3 more allowed for calls placed during the walk.
    assert listed == [f"call-{n}" for n in range(1, 8)] and len(server.seen) == 7
    assert any("announces 4" in r.getMessage() for r in caplog.records if r.levelno >= 30)


def test_async_walks_end_on_a_repeating_server_too(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    server = hostile(endless(lambda n: [call("a"), call("b")] if n % 2 else [call("b")]))

    async def walk() -> list[str]:
        async with AsyncTelephony(account_id=1234, token="t", base_url=server.base_url) as c:
            return [listed.call_id async for listed in c.calls.list()]

    assert asyncio.run(walk()) == ["a", "b", "b"] and len(server.seen) == 2


def test_devices_are_told_apart_by_their_mac_address(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    def answer(seen: Seen) -> Answer:
        number = page_number(seen)
        if number > ENOUGH:
            return json_answer({"code": "500", "message": "the walk did not end"}, 500)
        device = {"account_id": 1234, "mac_address": f"79-5C-7D-28-1B-{min(number, 3):02}"}
        uri = f"/registration/accounts/1234/devices?page={number + 1}"
        return json_answer({"devices": [device], "next_page_uri": uri})

    server = hostile(answer)
    with client_of(server) as client:
        macs = [device.mac_address for device in client.devices.list()]
    assert macs[-1] == "79-5C-7D-28-1B-03" and len(server.seen) == 4


def resolve(uri: str) -> str:
    return "http://127.0.0.1:9" + uri


class Page:
    def __init__(self, next_page_uri: str | None, **counters: Any) -> None:
        self.next_page_uri = next_page_uri
        self.__dict__.update(counters)


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        (Page(None), ["a"]),
        (Page("/p2"), []),
        (Page("/p2", current_page=1, pages=1), ["a"]),
        (Page("/p2", current_page=0, pages="1"), ["a"]),
    ],
    ids=["no next URI", "an empty page", "the last page, from 1", "the last page, from 0"],
)
def test_a_walk_the_server_ends_is_not_cut_short(page: Page, keys: list[str]) -> None:
    walk = PageWalk(resolve)
    assert walk.next_url(page, resolve("/p1"), keys) is None
    assert walk.cut_short is False


def test_a_walk_a_guard_ends_is_cut_short() -> None:
    repeated = PageWalk(resolve)
    assert repeated.next_url(Page("/p2"), resolve("/p1"), ["a"]) == resolve("/p2")
    assert repeated.cut_short is False
    assert repeated.next_url(Page("/p1"), resolve("/p2"), ["b"]) is None
    assert repeated.cut_short is True

    stale = PageWalk(resolve)
    stale.next_url(Page("/p2"), resolve("/p1"), ["a", "b"])
    assert stale.next_url(Page("/p3"), resolve("/p2"), ["b", "a"]) is None
    assert stale.cut_short is True

    bounded = PageWalk(resolve)
    urls = [resolve("/p1")]
    while urls[-1] is not None:
        n = len(urls)
        urls.append(bounded.next_url(Page(f"/p{n + 1}", pages=2), urls[-1], [n]))
    assert len(urls) - 1 == 5 and bounded.cut_short is True


@pytest.mark.parametrize(
    "pages",
    ["9" * 5000, "²", "1e9", float("nan"), -3, True],
    ids=["5000 digits", "a superscript digit", "1e9", "NaN", "negative", "a boolean"],
)
def test_page_counters_no_number_can_hold_are_ignored(pages: Any) -> None:
    walk = PageWalk(resolve)
    page = Page("/p2", current_page=pages, pages=pages)
    assert walk.next_url(page, resolve("/p1"), ["a"]) in (resolve("/p2"), None)


def test_items_whose_ids_are_not_hashable_still_count() -> None:
    walk = PageWalk(resolve)
    assert walk.next_url(Page("/p2"), resolve("/p1"), [["a"], {"b": 1}]) == resolve("/p2")
    assert walk.next_url(Page("/p3"), resolve("/p2"), [["a"]]) is None and walk.cut_short
