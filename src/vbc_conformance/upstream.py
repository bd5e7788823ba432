"""The proxy's side of its connections to the upstream: HTTP/1.1 over kept-alive connections,
answers parsed by httptools (the parser uvicorn serves with) and handed on as they arrive.
httpx's pool cost the proxy more per request than the sandbox's whole answer (each request
checks every pooled connection for expiry), halving an application's rate through it."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import cast
from urllib.parse import urlsplit

import httptools
import httpx

#: Answer bytes read ahead of the application at most, per connection; beyond, reading from
#: the upstream waits (the application reads slowly: memory stays bounded).
MOST_READ_AHEAD = 256 * 1024
#: Idle connections kept for the next requests at most.
MOST_IDLE = 64
#: Seconds the upstream has, unless told otherwise, to accept a connection, to take each
#: part of a request and to answer (status and headers) once the request is sent.
WITHIN = 30.0
#: The most bytes of an answer's head (1xx answers before it included): a longer one is
#: refused rather than kept.
MOST_HEAD_BYTES = 64 * 1024


class UpstreamError(Exception):
    """The upstream could not be reached, or broke off before its answer was whole."""


class UpstreamTimeout(UpstreamError):
    """The upstream did not connect, take the request or answer in time."""


class Connection(asyncio.Protocol):
    """One connection to the upstream, carrying one exchange at a time."""

    def __init__(self, within: float) -> None:
        self.within = within
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.lost = False
        self.writable = asyncio.Event()
        self.writable.set()
        self.arrived = asyncio.Event()
        self.begin(head_only=False)

    def begin(self, head_only: bool) -> None:
        """Ready for the next answer (an answer to HEAD carries no body, whatever it says)."""
        self.head_only = head_only
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_bytes = 0
        self.informational = False
        self.chunks: deque[bytes] = deque()
        self.read_ahead = 0
        self.complete = False
        self.keep_alive = False
        self.error: UpstreamError | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self.fail(f"sent an answer that is not HTTP/1.1 ({error})")
        except httptools.HttpParserUpgrade:
            self.fail("switched protocols, which the proxy does not relay")
        # Counted here, not per header: httptools keeps a header growing until it ends.
        if not self.status and not self.complete:
            self.head_bytes += len(data)
            if self.head_bytes > MOST_HEAD_BYTES:
                self.fail(f"sent headers over {MOST_HEAD_BYTES // 1024} KiB")

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.status and not self.complete and not self.delimited():
            self.complete = True  # an answer without a length ends where the connection does
        elif not self.complete:
            self.fail("closed the connection before its answer was whole")
        self.writable.set()
        self.arrived.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    # httptools' callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.status:  # trailers are not relayed
            self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            self.informational = True  # 100 Continue and the like: the answer comes after
            return
        self.status = status
        # Asked now: once the answer is complete, the parser has forgotten.
        self.keep_alive = self.parser.should_keep_alive()
        if self.head_only:
            self.complete = True
        self.arrived.set()

    def on_body(self, body: bytes) -> None:
        if self.head_only:
            return
        self.chunks.append(body)
        self.read_ahead += len(body)
        if self.read_ahead > MOST_READ_AHEAD and self.transport:
            self.transport.pause_reading()
        self.arrived.set()

    def on_message_complete(self) -> None:
        if self.informational:
            self.informational = False
            self.headers = []
            return
        self.complete = True
        self.arrived.set()

    def fail(self, reason: str, kind: type[UpstreamError] = UpstreamError) -> None:
        if not self.complete:
            self.error = kind(reason)
        self.complete = True
        self.arrived.set()
        self.writable.set()
        self.lost = True  # not to be used again, whatever it was carrying
        if self.transport:
            self.transport.close()

    @contextmanager
    def deadline(self, doing: str) -> Iterator[None]:
        """The exchange fails as timed out unless the block ends within `within` seconds."""
        reason = f"{doing} within {self.within:g} s"
        timer = asyncio.get_running_loop().call_later(
            self.within, self.fail, reason, UpstreamTimeout
        )
        try:
            yield
        finally:
            timer.cancel()

    def delimited(self) -> bool:
        """Whether the answer says where it ends (a length, chunks) rather than at the close."""
        names = {name.lower() for name, _ in self.headers}
        return bool(names & {b"content-length", b"transfer-encoding"})

    # the exchange
    async def send(self, data: bytes) -> None:
        """Part of the request; waits while the upstream reads slower than it is sent. Sent
        to a connection already lost, it goes nowhere: `answer` says what happened."""
        if data and self.transport and not self.transport.is_closing():
            self.transport.write(data)
            if not self.writable.is_set():
                with self.deadline("took none of the request"):
                    await self.writable.wait()

    async def answer(self) -> tuple[int, list[tuple[bytes, bytes]]]:
        """The answer's status and headers, once they have arrived (the request sent)."""
        if not self.status and not self.error:
            with self.deadline("did not answer"):
                while not self.status and not self.error:
                    self.arrived.clear()
                    await self.arrived.wait()
        if self.error and not self.status:
            raise self.error
        return self.status, self.headers

    async def body(self) -> AsyncIterator[bytes]:
        """The answer's body as it arrives (chunked framing undone, bytes otherwise as sent)."""
        while True:
            while self.chunks:
                chunk = self.chunks.popleft()
                self.read_ahead -= len(chunk)
                if (
                    self.read_ahead <= MOST_READ_AHEAD
                    and self.transport
                    and not self.transport.is_closing()
                ):
                    self.transport.resume_reading()
                yield chunk
            if self.error:
                raise self.error
            if self.complete:
                return
            self.arrived.clear()
            await self.arrived.wait()

    def reusable(self) -> bool:
        return (
            self.complete
            and not self.error
            and not self.lost
            and not self.head_only
            and self.keep_alive
        )

    def close(self) -> None:
        if self.transport:
            self.transport.close()


class Upstream:
    """Where the proxy forwards to: `http(s)://host[:port][/prefix]`. TLS is verified
    against the certificates the SDK trusts."""

    def __init__(self, url: str, within: float = WITHIN) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.host_header = parts.netloc.rpartition("@")[2].encode("ascii")
        self.prefix = parts.path.rstrip("/").encode("ascii")
        self.tls = httpx.create_ssl_context() if parts.scheme == "https" else None
        self.idle: list[Connection] = []
        self.within = within

    async def request(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]]
    ) -> Connection:
        """A connection whose request head has gone: send its body, then read its answer.
        `target` is the path and query as the application sent them."""
        connection = await self.connection()
        connection.begin(head_only=method == "HEAD")
        head = [method.encode("ascii"), b" ", self.prefix, target, b" HTTP/1.1\r\nhost: "]
        head.append(self.host_header)
        for name, value in headers:
            head += (b"\r\n", name, b": ", value)
        head.append(b"\r\n\r\n")
        await connection.send(b"".join(head))
        return connection

    async def connection(self) -> Connection:
        while self.idle:
            connection = self.idle.pop()
            if not connection.lost:
                return connection
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.within):  # the TLS handshake included
                _, connection = await loop.create_connection(
                    lambda: Connection(self.within),
                    self.host,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.host if self.tls else None,
                )
        except TimeoutError:
            raise UpstreamTimeout(
                f"did not accept the connection within {self.within:g} s"
            ) from None
        except (OSError, ValueError) as error:
            raise UpstreamError(f"cannot connect ({type(error).__name__}: {error})") from None
        return connection

    def release(self, connection: Connection) -> None:
        """The exchange is over: the connection waits for the next one, or closes."""
        if connection.reusable() and len(self.idle) < MOST_IDLE:
            self.idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()
