"""Bounds on a request's head and body, which uvicorn's httptools protocol does not have: a
connection that has not sent a whole head within HEADER_TIMEOUT seconds is closed, and so is
one whose body has not all come within as long again after its head, with a 408 if it is
still unanswered (a client dripping bytes cannot hold a worker's connection; uvicorn's
keep-alive timeout covers only idle connections), and a head of more than MAX_HEAD_BYTES or
MAX_HEAD_LINES is answered 431 and the connection closed before the parser reads it on
(httptools would gather a header line of any length, in memory, while every other connection
of the worker waits). The trailers and
chunk framing of a chunked body are bounded likewise (the connection is closed).

The same protocol class lets the app drop a connection unanswered (`vbc.abort` in the
scope's extensions), for the test kit's injected faults."""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vbc_sandbox.errors import documented_body

#: Read by each worker process from its environment, as the CLI set it.
HEADER_TIMEOUT_VARIABLE = "VBC_SANDBOX_HEADER_TIMEOUT"
#: A request head's bytes (request line and headers) at most: a bearer token and a browser's
#: headers take a few kilobytes.
MAX_HEAD_BYTES = 64 * 1024
#: Its lines at most (the request line, the headers and the blank line that ends it).
MAX_HEAD_LINES = 128
HEAD_END = b"\r\n\r\n"


def closing_answer(status: int, reason: bytes, message: str) -> bytes:
    """A whole answer in the documented body, written straight to the socket before it closes."""
    body = json.dumps(documented_body(status, message)).encode()
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (status, reason, len(body), body)
    )


def head_too_large() -> bytes:
    return closing_answer(
        431,
        b"Request Header Fields Too Large",
        f"The request head is larger than {MAX_HEAD_BYTES} bytes or"
        f" {MAX_HEAD_LINES - 2} headers; not read",
    )


def body_too_slow() -> bytes:
    return closing_answer(
        408, b"Request Timeout", "The request body did not all arrive in time; not read"
    )


class HeaderDeadlineProtocol(HttpToolsProtocol):
    header_timeout = float(os.environ.get(HEADER_TIMEOUT_VARIABLE, "10"))
    _head_timer: asyncio.TimerHandle | None = None
    #: Whether the bytes arriving belong to a request's head, and how many it has had.
    _in_head = True
    _head_bytes = 0
    _head_lines = 0
    #: The last bytes of the head so far, where its end may have begun.
    _head_tail = b""
    #: Of the message after its head: its body's bytes, those of the last read, and the
    #: others (chunk sizes and extensions, trailers: headers after a chunked body).
    _body_bytes = 0
    _read_body_bytes = 0
    _framing_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            if not self._count_head(data):
                self._refuse()
                return
            super().data_received(data)
            return
        self._read_body_bytes = 0
        super().data_received(data)
        # Trailers are read as a head is, by the same parser: bound them alike. A body sent
        # in one-byte chunks has five bytes of framing to each byte.
        self._framing_bytes += len(data) - self._read_body_bytes
        if self._framing_bytes > MAX_HEAD_BYTES + 8 * self._body_bytes:
            self._refuse()

    def _refuse(self) -> None:
        self._disarm()
        self._in_head = False
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(head_too_large())
        self.transport.close()

    def _count_head(self, data: bytes) -> bool:
        """Count the head's bytes and lines in `data`; False once past a bound."""
        seen = self._head_tail + data  # no copy when there is no tail
        start = len(self._head_tail)
        end = seen.find(HEAD_END)
        stop = len(seen) if end < 0 else end + len(HEAD_END)
        self._head_tail = seen[-3:] if end < 0 else b""
        self._head_bytes += stop - start
        self._head_lines += seen.count(b"\n", start, stop)
        return self._head_bytes <= MAX_HEAD_BYTES and self._head_lines <= MAX_HEAD_LINES

    def on_message_begin(self) -> None:
        self._body_bytes = self._framing_bytes = 0
        super().on_message_begin()
        if self._head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        # The body is due within the same deadline: a client dripping it would otherwise
        # hold the connection (and the app reading it) for as long as it likes.
        self._arm()
        self._in_head = False
        # The test kit's injected "drop" fault closes the connection unanswered.
        extensions: dict[str, object] = self.scope.setdefault("extensions", {})  # type: ignore[assignment]
        extensions["vbc.abort"] = self.transport.abort
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        self._read_body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        # What comes next on the connection is the next request's head.
        self._in_head = True
        self._head_bytes = self._head_lines = 0
        self._head_tail = b""
        if self.cycle.response_complete and self._head_timer is None:
            # Answered before its body had all come (a 401, a 403): that body's arrival
            # cancelled uvicorn's keep-alive timer, which nothing arms again. The next head
            # is due within the deadline, or the connection would stay open for good.
            self._arm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if not self._in_head and (self.cycle is None or not self.cycle.response_started):
            self.transport.write(body_too_slow())
        self.transport.close()
