"""`vbc-conformance proxy` against upstreams that misbehave (raw servers on loopback): one
that never accepts the connection, one that never answers, one whose headers never end, one
that stops mid-answer; and an application that gives up waiting. The application gets a 504
or a 502 saying why, the exchange is counted as not judged, no upstream connection outlives
its application, and the proxy always stops with its summary."""

from __future__ import annotations

import queue
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from tests.conftest import ACCOUNT
from tests.raw_server import closed_by_peer, raw_server, request_of
from vbc_conformance.launch import ProxyProcess
from vbc_spec import API_BASE_PATH

CALLS = f"/cc/accounts/{ACCOUNT}/calls"
#: What the proxy prints about the request to CALLS it could not get answered.
SAID = f"to GET {API_BASE_PATH}{CALLS}: the upstream"
Events = queue.Queue[str]


def silent(events: Events) -> Callable[[socket.socket], None]:
    """Reads the request and never answers; says when the proxy closes the connection."""

    def handle(connection: socket.socket) -> None:
        try:
            request_of(connection)
        except OSError:
            return
        events.put("request read")
        if closed_by_peer(connection):
            events.put("closed by the proxy")

    return handle


def assert_unanswered(answer: httpx.Response, output: str, status: int, why: str) -> None:
    """The application got `status` saying why, so did the proxy's output, and the exchange
    was counted as not judged."""
    counted = "did not answer in time" if status == 504 else "gave no answer"
    assert answer.status_code == status
    assert answer.text == f"the upstream {why}\n"
    assert f"{status} {SAID} {why}" in output
    assert f"not judged: the upstream {counted} ({status}) (x1)" in output
    assert "incomplete: no check failed" in output, output


def test_an_upstream_that_does_not_answer_in_time_gets_the_application_a_504() -> None:
    events: Events = queue.Queue()
    with (
        raw_server(silent(events)) as origin,
        ProxyProcess(origin, "--upstream-timeout", "0.5") as proxy,
    ):
        answer = httpx.get(proxy.base_url + CALLS, timeout=60)
        assert events.get(timeout=60) == "request read"
        assert events.get(timeout=60) == "closed by the proxy"
        output = proxy.stop()
    assert_unanswered(answer, output, 504, "did not answer within 0.5 s")


def test_an_upstream_that_does_not_accept_the_connection_gets_a_504() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        # Never accepted, this one fills the listener's queue: the next connection waits.
        with (
            socket.create_connection(("127.0.0.1", port)),
            ProxyProcess(f"http://127.0.0.1:{port}", "--upstream-timeout", "0.5") as proxy,
        ):
            answer = httpx.get(proxy.base_url + CALLS, timeout=60)
            output = proxy.stop()
    assert_unanswered(answer, output, 504, "did not accept the connection within 0.5 s")


def test_an_application_that_leaves_closes_its_connection_to_the_upstream() -> None:
    """Without waiting for the upstream's timeout: held open, one connection per abandoned
    request, the upstream's connections would run out, and the proxy could not stop."""
    events: Events = queue.Queue()
    with (
        raw_server(silent(events)) as origin,
        ProxyProcess(origin, "--upstream-timeout", "3600") as proxy,
    ):
        where = urlsplit(proxy.origin)
        with socket.create_connection((where.hostname, where.port)) as application:
            application.sendall(b"GET %b HTTP/1.1\r\nhost: a\r\n\r\n" % proxy_path())
            assert events.get(timeout=60) == "request read"
        assert events.get(timeout=60) == "closed by the proxy"
        output = proxy.stop()
    assert "not judged: the application left before its answer (x1)" in output
    assert proxy.returncode == 2 and "incomplete" in output, output


def proxy_path() -> bytes:
    return (API_BASE_PATH + CALLS).encode()


def test_stopping_cuts_an_answer_that_never_ends_and_still_prints_the_summary() -> None:
    def head_then_nothing(connection: socket.socket) -> None:
        try:
            request_of(connection)
            connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n")
        except OSError:
            return

    with raw_server(head_then_nothing) as origin, ProxyProcess(origin) as proxy:
        where = urlsplit(proxy.origin)
        with socket.create_connection((where.hostname, where.port)) as application:
            application.sendall(b"GET %b HTTP/1.1\r\nhost: a\r\n\r\n" % proxy_path())
            assert application.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
            output = proxy.stop(timeout=60)  # the application still waits for its body
    assert "not judged: the proxy stopped before its answer was whole (x1)" in output
    assert proxy.returncode == 2 and "incomplete" in output, output
    assert "Traceback" not in output


def test_headers_over_64_kib_get_a_502_and_are_not_read_on() -> None:
    events: Events = queue.Queue()
    line = b"x-pad: " + b"a" * 8000 + b"\r\n"

    def endless_headers(connection: socket.socket) -> None:
        try:
            request_of(connection)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(8000):  # 64 MB, never ended by an empty line
                connection.sendall(line)
        except OSError:
            events.put("cut off")
            return
        events.put("all sent")

    with raw_server(endless_headers) as origin, ProxyProcess(origin) as proxy:
        answer = httpx.get(proxy.base_url + CALLS, timeout=60)
        assert events.get(timeout=60) == "cut off"
        output = proxy.stop()
    assert_unanswered(answer, output, 502, "sent headers over 64 KiB")
