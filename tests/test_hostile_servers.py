"""The SDK against hostile input and hostile servers: ids that cannot leave their path
segment, and every bad answer (nested too deep, empty, a redirect, too large, dripping, a
failing token endpoint) raised as an APIError within the call's time."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures import live_evidence as evidence
from vbc_telephony import (
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncTelephony,
    AuthenticationError,
    PasswordGrant,
    ServerError,
    Telephony,
)
from vbc_telephony._errors import InvalidIdError
from vbc_telephony_api import AuthenticatedClient
from vbc_telephony_api.api.call_leg import delete_call_leg

BASE = "http://127.0.0.1:9/t/vbc.prod/telephony/v3"
CALLS = "/t/vbc.prod/telephony/v3/cc/accounts/1234/calls"


def client_with(handler: httpx.MockTransport | httpx.BaseTransport, **options: object) -> Telephony:
    return Telephony(account_id=1234, token="t", base_url=BASE, transport=handler, **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------ ids stay in their segment


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call_id=st.text(max_size=12), leg_id=st.text(max_size=12))
def test_no_id_ever_reaches_another_endpoint(call_id: str, leg_id: str) -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    client = client_with(httpx.MockTransport(handle))
    try:
        client.calls.legs.drop(call_id, leg_id)
    except InvalidIdError:
        assert sent == []  # refused before anything was sent
        return
    (request,) = sent
    assert request.method == "DELETE" and not request.url.query
    path = request.url.raw_path.decode()
    assert path.startswith(CALLS + "/")
    parts = path.removeprefix(CALLS + "/").split("/")
    assert len(parts) == 3 and parts[1] == "legs"
    assert (unquote(parts[0]), unquote(parts[2])) == (call_id, leg_id)


@settings(max_examples=300, deadline=None)
@given(call_id=st.text(min_size=1, max_size=12), leg_id=st.text(min_size=1, max_size=12))
def test_the_generated_client_keeps_any_nonempty_id_in_its_segment(
    call_id: str, leg_id: str
) -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    api = AuthenticatedClient(
        base_url=BASE, token="t", httpx_args={"transport": httpx.MockTransport(handle)}
    )
    delete_call_leg.sync_detailed("1234", call_id, leg_id, client=api)
    (request,) = sent
    parts = request.url.raw_path.decode().removeprefix(CALLS + "/").split("/")
    assert len(parts) == 3 and parts[1] == "legs"
    assert (unquote(parts[0]), unquote(parts[2])) == (call_id, leg_id)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a?b", "a#b", "50%", "a\nb", "é", " "])
def test_ids_that_would_leave_their_segment_are_refused_before_sending(bad: str) -> None:
    sent: list[httpx.Request] = []
    client = client_with(httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    for action in (
        lambda: client.calls.get(bad),
        lambda: client.calls.hangup(bad),
        lambda: client.calls.legs.drop("3fa85f64", bad),
        lambda: client.calls.legs.list(bad),
        lambda: client.devices.get(bad),
    ):
        with pytest.raises(InvalidIdError) as raised:
            action()
        assert isinstance(raised.value, APIError)
    assert sent == []


def test_documented_id_forms_pass() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"account_id": 1234, "mac_address": "x"})

    client = client_with(httpx.MockTransport(handle))
    client.devices.get("79-5C-7D-28-1B-B3")
    client.devices.get("79:5c:7d:28:1b:b3")
    assert seen[-1].endswith("/devices/79:5c:7d:28:1b:b3")


# ------------------------------------------------------------------ bad answers are APIErrors


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=NESTED, headers={"Content-Type": "application/json"}),
        httpx.Response(200, content=b"<html>oops</html>", headers={"Content-Type": "text/html"}),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(204),
        httpx.Response(302, headers={"Location": "http://elsewhere.invalid/"}),
    ],
    ids=["nested 100,000 deep", "not JSON", "wrong shape", "empty 204", "a redirect"],
)
def test_every_bad_answer_to_a_read_is_an_api_error(answer: httpx.Response) -> None:
    client = client_with(httpx.MockTransport(lambda _: answer))
    with pytest.raises(APIResponseValidationError):
        client.calls.get("3fa85f64")
    with pytest.raises(APIResponseValidationError):
        client.calls.legs.list("3fa85f64")
    with pytest.raises(APIResponseValidationError):
        client.calls.hangup("3fa85f64")
    with pytest.raises(APIResponseValidationError):
        list(client.calls.list())


@pytest.mark.parametrize(
    "next_uri",
    [
        "https://attacker.invalid/steal",
        "http://127.0.0.1:9999/t/vbc.prod/telephony/v3/x",
        "http://[::1",
    ],
)
def test_a_page_uri_to_another_host_is_never_followed(next_uri: str) -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        page = {"calls": [evidence.DOCUMENTED_CALL], "next_page_uri": next_uri}
        return httpx.Response(200, json=page)

    client = client_with(httpx.MockTransport(handle))
    with pytest.raises(APIResponseValidationError):
        list(client.calls.list())
    assert len(sent) == 1 and all(r.url.host == "127.0.0.1" and r.url.port == 9 for r in sent)


def test_an_empty_204_is_fine_where_it_is_documented() -> None:
    client = client_with(httpx.MockTransport(lambda _: httpx.Response(204)))
    assert client.calls.legs.drop("3fa85f64", "9b1c7a5e") is None


def test_an_answer_over_the_size_cap_is_not_read_to_its_end() -> None:
    produced: list[int] = []

    def endless() -> Iterator[bytes]:
        for _ in range(150):  # 150 MB if read whole
            produced.append(1)
            yield b" " * 1_000_000

    client = client_with(
        httpx.MockTransport(lambda _: httpx.Response(200, content=endless())),
        max_response_bytes=2_000_000,
    )
    with pytest.raises(APIResponseValidationError, match="larger than 2000000 bytes"):
        client.calls.get("3fa85f64")
    assert len(produced) <= 3


class Dripping:
    """A real HTTP server on loopback that sends a valid header, then one body byte every
    0.2 s for 30 s: each read succeeds, the answer never ends."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        self.server.settimeout(0.5)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            threading.Thread(target=self.drip, args=(conn,), daemon=True).start()

    def drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 150\r\n\r\n"
            )
            for _ in range(150):
                if self.stop.wait(0.2):
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.fixture
def dripping() -> Iterator[Dripping]:
    server = Dripping()
    yield server
    server.close()


def test_timeout_bounds_the_whole_call_against_a_dripping_server(dripping: Dripping) -> None:
    base = f"http://127.0.0.1:{dripping.port}/t/vbc.prod/telephony/v3"
    with Telephony(account_id=1234, token="t", base_url=base, timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.calls.get("3fa85f64")
        # The server would drip for 30 s; the call ends at its 1 s deadline (plus one read).
        assert time.monotonic() - started < 5
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.with_options(timeout=0.5).calls.get("3fa85f64")
        assert time.monotonic() - started < 5


def test_async_timeout_bounds_the_whole_call_too(dripping: Dripping) -> None:
    base = f"http://127.0.0.1:{dripping.port}/t/vbc.prod/telephony/v3"

    async def main() -> float:
        async with AsyncTelephony(account_id=1234, token="t", base_url=base, timeout=1.0) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.calls.get("3fa85f64")
            return time.monotonic() - started

    assert asyncio.run(main()) < 5


# ------------------------------------------------------------------ the token endpoint


def grant(*answers: httpx.Response) -> tuple[PasswordGrant, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    auth = PasswordGrant(
        username="alice",
        password="pw",
        client_id="c",
        client_secret="s",
        token_url="http://127.0.0.1:9/token",
        transport=httpx.MockTransport(handle),
    )
    return auth, seen


TOKEN_OK = httpx.Response(
    200, json={"access_token": "a", "token_type": "Bearer", "expires_in": 600}
)


def test_a_502_from_the_token_endpoint_is_retried() -> None:
    auth, seen = grant(httpx.Response(502, text="Bad Gateway"), TOKEN_OK)
    assert auth.token() == "a" and len(seen) == 2


def test_a_token_endpoint_that_keeps_failing_is_a_server_error_not_a_refusal() -> None:
    auth, _ = grant(httpx.Response(503, text="down"))
    with pytest.raises(ServerError) as raised:
        auth.token()
    assert not isinstance(raised.value, AuthenticationError)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=NESTED, headers={"Content-Type": "application/json"}),
        httpx.Response(200, json={"token_type": "Bearer"}),
        httpx.Response(200, text="not json"),
    ],
    ids=["nested", "no access_token", "not JSON"],
)
def test_an_unusable_token_answer_is_an_api_error(answer: httpx.Response) -> None:
    auth, _ = grant(answer)
    with pytest.raises(APIResponseValidationError):
        auth.token()


# ------------------------------------------------------------------ the vbc command


@pytest.mark.parametrize(
    ("environment", "args", "code", "message"),
    [
        ({"VBC_BASE_URL": "http://[::1"}, ("calls", "list"), 2, "is not a URL"),
        ({}, ("calls", "get", ""), 1, "is not an id"),
        ({}, ("legs", "drop", "3fa85f64", ".."), 1, "is not an id"),
        ({"VBC_ACCOUNT_ID": "1234/../5678"}, ("calls", "list"), 2, "is not an id"),
    ],
)
def test_the_vbc_command_turns_hostile_input_into_one_line(
    environment: dict[str, str], args: tuple[str, ...], code: int, message: str
) -> None:
    env = {
        **os.environ,
        "VBC_BASE_URL": "http://127.0.0.1:9/t/vbc.prod/telephony/v3",
        "VBC_TOKEN": "t",
        "VBC_ACCOUNT_ID": "1234",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-m", "vbc_telephony.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
