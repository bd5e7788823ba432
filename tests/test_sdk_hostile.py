"""The SDK against hostile servers, round 2: real HTTP servers on loopback that answer what
an attacker or a broken gateway would (lists that never end, compression bombs, numbers no
clock can hold, secrets in odd places). Each answer ends as a value or an APIError, within
the call's time and a bounded amount of memory."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote_plus

import pytest
import uvloop

from vbc_telephony import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AsyncTelephony,
    BadRequestError,
    CallNotConfirmedError,
    PasswordGrant,
    RateLimitError,
    RetryPolicy,
    Telephony,
)
from vbc_telephony._pagination import PageWalk
from vbc_telephony._reading import MAX_RESPONSE_BYTES

API = "/t/vbc.prod/telephony/v3"
BASE = "http://127.0.0.1:9" + API
JSON_GZIP = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


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
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

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
    settings = {"token": "t", **options}
    return Telephony(account_id=1234, base_url=server.base_url, **settings)


def login(server: Hostile) -> PasswordGrant:
    return PasswordGrant(
        username="alice",
        password="pw",
        client_id="c",
        client_secret="s",
        token_url=server.token_url,
    )


def call(call_id: str) -> dict[str, Any]:
    """A call with every field each known form carries (what the spec requires)."""
    return {
        "account_id": 1234,
        "call_id": call_id,
        "direction": "outbound",
        "status": "on-call",
        "start_time": 1764547200,
    }


def page_number(seen: Seen) -> int:
    _, _, query = seen.target.partition("page=")
    return int(query.split("&")[0]) if query else 1


#: Past this many pages a test's endless server fails the request, so that a walk that
#: does not end fails the test instead of hanging it.
ENOUGH = 40


CALLS_PATH, DEVICES_PATH = "/cc/accounts/1234/calls", "/registration/accounts/1234/devices"


def endless(
    items_on: Callable[[int], list[dict[str, Any]]],
    field: str = "calls",
    path: str = CALLS_PATH,
    **counters: Any,
) -> Callable[[Seen], Answer]:
    """A list (calls unless told) that names page N+1 after every page N."""

    def answer(seen: Seen) -> Answer:
        number = page_number(seen)
        if number > ENOUGH:
            return json_answer({"code": "500", "message": "the walk did not end"}, 500)
        body = {
            field: items_on(number),
            **counters,
            "next_page_uri": f"{path}?page_size=100&page={number + 1}",
        }
        return json_answer(body)

    return answer


def device(mac_address: str) -> dict[str, Any]:
    return {"account_id": 1234, "mac_address": mac_address}


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
    server = hostile(
        endless(lambda n: [device(f"79-5C-7D-28-1B-{min(n, 3):02}")], "devices", DEVICES_PATH)
    )
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
    unhashable: list[Any] = [["a"], {"b": 1}]
    assert walk.next_url(Page("/p2"), resolve("/p1"), unhashable) == resolve("/p2")
    assert walk.next_url(Page("/p3"), resolve("/p2"), unhashable[:1]) is None and walk.cut_short


# ------------------------------------------------------------------ #13: compression bombs

MiB = 1024 * 1024


def compressed(size: int, wbits: int) -> bytes:
    """`size` zero bytes, compressed a MiB at a time (zlib's format for `wbits`)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MiB)
    return b"".join([*(packer.compress(zeros) for _ in range(size // MiB)), packer.flush()])


GZIP, ZLIB, RAW = zlib.MAX_WBITS | 16, zlib.MAX_WBITS, -zlib.MAX_WBITS


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """96 KB of gzip that decodes to 96 MiB."""
    bomb = compressed(96 * MiB, GZIP)
    assert len(bomb) < 100_000
    return bomb


def peak_memory(action: Callable[[], object]) -> int:
    """The most memory Python held at once while `action` ran, over what it held before."""
    tracemalloc.start()
    try:
        action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def raises_validation_error(action: Callable[[], object], match: str) -> Callable[[], None]:
    def run() -> None:
        with pytest.raises(APIResponseValidationError, match=match):
            action()

    return run


@pytest.mark.parametrize("bound", [1 * MiB, MAX_RESPONSE_BYTES])
def test_a_gzip_bomb_is_refused_once_its_decoded_size_passes_the_bound(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], gzip_bomb: bytes, bound: int
) -> None:
    server = hostile(lambda _: (200, JSON_GZIP, gzip_bomb))
    with client_of(server, max_response_bytes=bound) as client:
        peak = peak_memory(
            raises_validation_error(
                lambda: client.calls.get("3fa85f64"), f"decodes to more than {bound} bytes"
            )
        )
    # Decoding stopped at the bound: nothing near the 96 MiB the body expands to was held.
    assert peak < 2 * bound + 4 * MiB, peak
    assert server.seen[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_async_clients_refuse_a_gzip_bomb_the_same_way(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], gzip_bomb: bytes
) -> None:
    server = hostile(lambda _: (200, JSON_GZIP, gzip_bomb))

    async def get() -> None:
        async with AsyncTelephony(
            account_id=1234, token="t", base_url=server.base_url, max_response_bytes=MiB
        ) as client:
            await client.calls.get("3fa85f64")

    peak = peak_memory(
        raises_validation_error(lambda: asyncio.run(get()), f"decodes to more than {MiB} bytes")
    )
    assert peak < 6 * MiB, peak


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("deflate", lambda: compressed(32 * MiB, ZLIB)),
        ("deflate", lambda: compressed(32 * MiB, RAW)),
        ("gzip, gzip", lambda: zlib.compress(compressed(64 * MiB, GZIP), wbits=GZIP)),
        ("gzip", lambda: compressed(32 * MiB, GZIP) + b"x" * 100),
    ],
    ids=["deflate", "raw deflate", "gzip twice (a bomb in a bomb)", "gzip, then more"],
)
def test_every_encoding_httpx_decodes_is_bounded_as_it_decodes(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
    encoding: str,
    body: Callable[[], bytes],
) -> None:
    sent = body()
    server = hostile(lambda _: (200, {**JSON_GZIP, "Content-Encoding": encoding}, sent))
    with client_of(server, max_response_bytes=MiB) as client:
        peak = peak_memory(
            raises_validation_error(lambda: client.calls.get("3fa85f64"), "decodes to more than")
        )
    assert peak < 6 * MiB, peak


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, compress"])
def test_an_encoding_the_sdk_did_not_ask_for_is_refused(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], encoding: str
) -> None:
    server = hostile(lambda _: (200, {**JSON_GZIP, "Content-Encoding": encoding}, b"\x0b\x02"))
    with client_of(server) as client:
        with pytest.raises(APIResponseValidationError, match="did not ask for"):
            client.calls.get("3fa85f64")


def test_honest_compressed_answers_still_read(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    answers = {
        "gzip": zlib.compress(json.dumps(call("zipped")).encode(), wbits=GZIP),
        "deflate": zlib.compress(json.dumps(call("deflated")).encode(), wbits=RAW),
        "identity": json.dumps(call("plain")).encode(),
    }
    server = hostile(
        lambda seen: (
            200,
            {**JSON_GZIP, "Content-Encoding": seen.target.rsplit("/", 1)[1]},
            answers[seen.target.rsplit("/", 1)[1]],
        )
    )
    with client_of(server) as client:
        assert [client.calls.get(name).call_id for name in answers] == [
            "zipped",
            "deflated",
            "plain",
        ]
        with pytest.raises(APIResponseValidationError, match="does not decode"):
            server.answer = lambda _: (200, JSON_GZIP, b"\x1f\x8b not gzip at all")
            client.calls.get("3fa85f64")


def test_a_token_endpoint_bomb_is_refused_too(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], gzip_bomb: bytes
) -> None:
    server = hostile(lambda _: (200, JSON_GZIP, gzip_bomb))
    peak = peak_memory(raises_validation_error(login(server).token, "decodes to more than"))
    assert peak < 4 * MiB, peak


# ------------------------------------------------------------------ #14: Retry-After and friends


def rate_limited(retry_after: str) -> Callable[[Seen], Answer]:
    body = {"code": "900800", "message": "Message throttled out"}
    return lambda _: json_answer(body, 429, **{"Retry-After": retry_after})


def finished_within(action: Callable[[], object], seconds: float) -> BaseException | None:
    """What `action` raised, run in a thread that must end within `seconds` (a hang fails the
    test instead of freezing it)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


UNUSABLE_RETRY_AFTER = {
    "NaN": "nan",
    "infinity": "inf",
    "negative": "-5",
    "400 digits": "9" * 400,
    "exponent": "1e400",
    "year 99999": "Mon, 01 Jan 99999 00:00:00 GMT",
    "not a date": "Mon, 32 Foo 2026 25:61:61 GMT",
}


@pytest.mark.parametrize("value", UNUSABLE_RETRY_AFTER.values(), ids=UNUSABLE_RETRY_AFTER.keys())
def test_a_retry_after_no_clock_can_use_is_a_rate_limit_error_within_the_timeout(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], value: str
) -> None:
    server = hostile(rate_limited(value))
    quick = RetryPolicy(initial_backoff=0.1, max_backoff=0.2)

    def sync_get() -> None:
        with client_of(server, timeout=2, retry=quick) as client:
            client.calls.get("3fa85f64")

    async def async_get() -> None:
        async with AsyncTelephony(
            account_id=1234, token="t", base_url=server.base_url, timeout=2, retry=quick
        ) as client:
            await client.calls.get("3fa85f64")

    # On asyncio's own loop a NaN sleep is no sleep; uvloop (the sandbox's loop) refuses it.
    in_loops = [lambda: asyncio.run(async_get()), lambda: uvloop.run(async_get())]
    for action in (sync_get, *in_loops):
        raised = finished_within(action, 15)
        assert isinstance(raised, RateLimitError), repr(raised)
        # Read as no Retry-After at all: the usual backoff within the call's time.
        assert raised.retry_after is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri, 31 Dec 9999 23:59:59 GMT", lambda s: s > 10**11),
        ("Thu, 01 Jan 1970 00:00:00 GMT", lambda s: s == 0),
        ("99999999999", lambda s: s == 99999999999),
    ],
    ids=["year 9999", "a date past", "three thousand years"],
)
def test_a_retry_after_date_or_number_far_away_is_not_waited_out(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
    value: str,
    expected: Callable[[float], bool],
) -> None:
    server = hostile(rate_limited(value))
    waits: list[float] = []
    with client_of(server, sleep=waits.append) as client:
        with pytest.raises(RateLimitError) as raised:
            client.calls.get("3fa85f64")
    assert raised.value.retry_after is not None and expected(raised.value.retry_after)
    assert all(0 <= wait <= 60 for wait in waits)


def test_a_retry_after_date_is_waited_out_until_that_date(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    soon = formatdate(time.time() + 30, usegmt=True)
    answers: Iterator[Callable[[Seen], Answer]] = iter(
        [rate_limited(soon), lambda _: json_answer(call("after-the-wait"))]
    )
    server = hostile(lambda seen: next(answers)(seen))
    waits: list[float] = []
    with client_of(server, sleep=waits.append) as client:
        assert client.calls.get("3fa85f64").call_id == "after-the-wait"
    (waited,) = waits
    assert 25 < waited <= 31


# ------------------------------------------------------------------ #15: expires_in


def token_and_api(expires_in: bytes) -> Callable[[Seen], Answer]:
    """A token endpoint that answers `expires_in` as these bytes of JSON, and an API."""

    def answer(seen: Seen) -> Answer:
        if seen.target == "/token":
            body = b'{"access_token": "a", "token_type": "Bearer", "expires_in": %s}' % expires_in
            return 200, {"Content-Type": "application/json"}, body
        return json_answer(call(seen.target.rsplit("/", 1)[1]))

    return answer


@pytest.mark.parametrize(
    "expires_in",
    [b"1" + b"0" * 400, b"1e400", b"NaN", b"Infinity", b"-3600", b"true", b'"soon"', b"[]"],
    ids=["401 digits", "1e400", "NaN", "Infinity", "negative", "true", "text", "a list"],
)
def test_any_expires_in_gives_a_token_that_is_used_until_it_expires(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], expires_in: bytes
) -> None:
    server = hostile(token_and_api(expires_in))
    with Telephony(account_id=1234, auth=login(server), base_url=server.base_url) as client:
        assert [client.calls.get(f"c{n}").call_id for n in range(3)] == ["c0", "c1", "c2"]
    # One login for all three calls: the lifetime read is a usable one, not "already gone".
    assert [seen.target for seen in server.seen].count("/token") == 1

    async def three_calls() -> list[str]:
        async with AsyncTelephony(
            account_id=1234, auth=login(server), base_url=server.base_url
        ) as client:
            return [(await client.calls.get(f"c{n}")).call_id for n in range(3)]

    assert asyncio.run(three_calls()) == ["c0", "c1", "c2"]
    assert [seen.target for seen in server.seen].count("/token") == 2


def test_a_token_is_not_trusted_for_longer_than_a_day(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = hostile(token_and_api(b"1" + b"0" * 400))
    with Telephony(account_id=1234, auth=login(server), base_url=server.base_url) as client:
        client.calls.get("today")
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 25 * 3600)
        client.calls.get("tomorrow")
    assert [seen.target for seen in server.seen].count("/token") == 2


# ------------------------------------------------------------------ times no calendar holds


HOSTILE_TIMES = {
    "5000 digits": "9" * 5000,
    "400 digits": "9" * 400,
    "a 400-digit number": 10**400,
    "before year 1": "0001-01-01T00:00:00+14:00",
    "after 9999": "9999-12-31T23:59:59-14:00",
}


@pytest.mark.parametrize("moment", HOSTILE_TIMES.values(), ids=HOSTILE_TIMES.keys())
def test_a_call_with_times_no_calendar_holds_reads_them_as_unknown(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], moment: str | int
) -> None:
    leg = {"leg_id": "l1", "call_id": "c1", "direction": "outbound", "status": "on-call"}
    leg |= {"start_time": moment, "answer_time": moment}
    body = {**call("c1"), "start_time": moment, "end_time": moment, "legs": [leg]}
    server = hostile(lambda _: json_answer(body))
    with client_of(server) as client:
        got = client.calls.get("c1")
    assert (got.start_time, got.end_time, got.legs[0].answer_time) == (None, None, None)
    assert got.to_dict()["legs"][0]["start_time"] is None


def test_a_server_date_far_behind_our_clock_is_not_believed_when_finding_a_placed_call(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    earlier = time.time() - 300  # a call between the same parties, five minutes ago
    old_call = {
        **call("placed-five-minutes-ago"),
        "from": "1001",
        "to": "15551234567",
        "start_time": int(earlier),
    }

    def answer(seen: Seen) -> Answer:
        if seen.method == "POST":
            return 202, {"Content-Type": "text/plain", "Date": formatdate(0, usegmt=True)}, b""
        return json_answer({"calls": [old_call]})

    server = hostile(answer)
    with client_of(server) as client:
        with pytest.raises(CallNotConfirmedError, match="may have been placed"):
            client.calls.dial("15551234567", from_="1001", confirm_timeout=1.0)
    assert [seen.method for seen in server.seen].count("POST") == 1


# ------------------------------------------------------------------ secrets a server echoes

SECRET_TOKEN = "static-token-echoed-3c9d"
SECRET_PASSWORD = "pass word/echoed+7a1e"
SECRET_CLIENT = "client-secret-echoed-55b0"


def echoing(seen: Seen) -> Answer:
    """A gateway in a debugging mood: every answer is an error that repeats the request's
    credentials and body, in the message and in a header."""
    said = f"{seen.headers.get('Authorization', '')} {seen.body.decode()}"
    status = 401 if seen.target == "/token" else 400
    return json_answer(
        {"code": str(status), "message": f"rejected: {said}", "error_description": said},
        status,
        **{"X-Debug": said.encode("ascii", "replace").decode()},
    )


def no_secret_in(*texts: str) -> None:
    everything = "\n".join(texts)
    for secret in (SECRET_TOKEN, SECRET_PASSWORD, SECRET_CLIENT, quote_plus(SECRET_PASSWORD)):
        assert secret not in everything


def error_texts(error: BaseException) -> list[str]:
    body = json.dumps(getattr(error, "body", None))
    headers = json.dumps(list(getattr(error, "headers", {}).items()))
    return [str(error), repr(error), body, headers, getattr(error, "detail", "")]


def test_a_secret_the_server_echoes_is_hidden_in_errors_and_logs(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = hostile(echoing)
    with client_of(server, token=SECRET_TOKEN) as client:
        with pytest.raises(APIStatusError) as with_token:
            client.calls.get("3fa85f64")
    refused: list[APIStatusError] = []
    for client_auth in ("form", "basic"):
        grant = PasswordGrant(
            username="alice",
            password=SECRET_PASSWORD,
            client_id="sandbox-client",
            client_secret=SECRET_CLIENT,
            token_url=server.token_url,
            client_auth=client_auth,
        )
        with pytest.raises(APIStatusError) as raised:
            grant.token()
        refused.append(raised.value)
    # The server did echo them: the SDK hid each one.
    assert all("<hidden>" in error.detail for error in (with_token.value, *refused))
    no_secret_in(
        *error_texts(with_token.value),
        *(text for error in refused for text in error_texts(error)),
        # (httpcore's own DEBUG lines repeat the answer's headers as they came.)
        *(r.getMessage() for r in caplog.records if not r.name.startswith("httpcore")),
    )


def vbc(server: Hostile, *args: str, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VBC_BASE_URL": server.base_url, "VBC_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "vbc_telephony.cli", *args],
        env={**env, "VBC_ACCOUNT_ID": "1234"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_vbc_command_hides_an_echoed_token_and_keeps_to_one_plain_line(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    server = hostile(echoing)
    result = vbc(server, "calls", "get", "3fa85f64", token=SECRET_TOKEN)
    assert result.returncode == 1 and "<hidden>" in result.stderr
    no_secret_in(result.stdout, result.stderr)

    escapes = "\x1b]0;pwned\x07\x1b[2J line one\nline two\u202e" + "x" * 5000
    server.answer = lambda _: json_answer({"code": "400", "message": escapes}, 400)
    result = vbc(server, "calls", "get", "3fa85f64", token="t")
    (line,) = result.stderr.splitlines()
    assert line.isprintable() and len(line) < 400 and "line one line two" in line

    server.answer = lambda _: json_answer({"calls": [{**call("c1"), "from": "\x1b[31m1001"}]})
    result = vbc(server, "calls", "list", token="t")
    assert result.returncode == 0 and "\x1b" not in result.stdout and "1001" in result.stdout


def test_vbc_devices_list_takes_at_most_its_limit_from_an_endless_list(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    server = hostile(endless(lambda n: [device(f"79-5C-7D-{n:05}")], "devices", DEVICES_PATH))
    result = vbc(server, "--json", "devices", "list", "--limit", "5", token="t")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 5 and len(server.seen) == 5


# ------------------------------------------------------------------ answers nested or too long


NESTED = b"[" * 100_000 + b"]" * 100_000


def test_an_error_answer_nested_too_deeply_is_still_its_typed_error(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    server = hostile(lambda _: (400, {"Content-Type": "application/json"}, NESTED))
    with client_of(server) as client:
        with pytest.raises(BadRequestError) as raised:
            client.calls.get("3fa85f64")
    assert raised.value.status_code == 400 and len(raised.value.detail) <= 500


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", NESTED),
        ("text/plain", b"not an id / " * 1000),
        ("application/json", json.dumps({"call_id": "../../devices"}).encode()),
    ],
    ids=["nested 100,000 deep", "12 kB of text", "an id that leaves its segment"],
)
def test_a_create_answer_without_a_usable_id_is_an_api_error(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile], content_type: str, body: bytes
) -> None:
    server = hostile(lambda _: (200, {"Content-Type": content_type}, body))
    with client_of(server) as client:
        with pytest.raises(APIResponseValidationError, match="no call id"):
            client.calls.dial("15551234567", from_="1001")
    assert len(server.seen) == 1


def test_an_error_message_of_a_megabyte_is_shortened_and_kept_whole_in_the_body(
    hostile: Callable[[Callable[[Seen], Answer]], Hostile],
) -> None:
    message = "x" * 1_000_000
    server = hostile(lambda _: json_answer({"code": "409", "message": message}, 409))
    with client_of(server) as client:
        with pytest.raises(APIStatusError) as raised:
            client.calls.hangup("3fa85f64")
    assert len(raised.value.detail) <= 500 and len(str(raised.value)) < 1000
    assert raised.value.body["message"] == message


# ------------------------------------------------------------------ what a caller configures


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"timeout": 0},
        {"max_response_bytes": math.nan},
        {"max_response_bytes": -1},
        {"base_url": "http://user:pw-in-url-91c@127.0.0.1:9/t/vbc.prod/telephony/v3"},
    ],
    ids=["NaN timeout", "infinite timeout", "no time", "NaN bytes", "negative bytes", "userinfo"],
)
def test_settings_that_would_lift_a_bound_or_write_a_secret_are_refused(
    options: dict[str, Any],
) -> None:
    settings: dict[str, Any] = {"account_id": 1234, "token": "t", "base_url": BASE, **options}
    with pytest.raises(ValueError) as raised:
        Telephony(**settings)
    assert "pw-in-url-91c" not in str(raised.value)
    with pytest.raises(ValueError):
        AsyncTelephony(**settings)


@pytest.mark.parametrize(
    "setting",
    [
        lambda: Telephony(account_id=1, token="t", base_url=BASE).with_options(timeout=math.nan),
        lambda: RetryPolicy(max_total=math.nan),
        lambda: RetryPolicy(max_attempts=0),
        lambda: RetryPolicy(initial_backoff=-1),
        lambda: PasswordGrant(
            username="a", password="p", client_id="c", client_secret="s", refresh_margin=math.nan
        ),
        lambda: PasswordGrant(
            username="a", password="p", client_id="c", client_secret="s", timeout=math.inf
        ),
        lambda: PasswordGrant(
            username="a",
            password="p",
            client_id="c",
            client_secret="s",
            token_url="https://c:secret@api.vonage.com/token",
        ),
    ],
    ids=[
        "with_options NaN",
        "retry NaN",
        "no attempts",
        "negative backoff",
        "margin NaN",
        "grant timeout inf",
        "token_url userinfo",
    ],
)
def test_every_other_setting_is_checked_too(setting: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        setting()


def test_a_token_endpoint_that_cannot_be_reached_is_an_api_connection_error() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    grant = PasswordGrant(
        username="a",
        password="p",
        client_id="c",
        client_secret="s",
        token_url=f"http://127.0.0.1:{port}/token",
        timeout=5,
    )
    with pytest.raises(APIConnectionError) as raised:
        grant.token()
    assert raised.value.method == "POST" and str(port) in (raised.value.url or "")
    with pytest.raises(APIConnectionError):
        asyncio.run(grant.atoken())
