"""`vbc-conformance proxy --upstream URL`: a reverse proxy an application points its base URL
at. It forwards every request and answer unchanged (method, path and query as sent, headers
but hop-by-hop ones, bodies streamed both ways), sends nothing of its own, and hands each
answered exchange to its judge (`judging`, a process of its own, fed through a pipe) without
ever waiting for it."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import subprocess
import sys
from collections import Counter
from typing import Any, cast

import uvicorn

from vbc_conformance.cli import seconds
from vbc_conformance.judging import MOST_JUDGED_BYTES, frame
from vbc_conformance.replay import add_outputs
from vbc_conformance.upstream import WITHIN, Connection, Upstream, UpstreamError, UpstreamTimeout

#: Headers about one connection, not the message (RFC 9110 7.6.1): never forwarded.
HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-authenticate",
    b"proxy-authorization",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
}
#: Exchanges waiting for the judge at most, in bytes, beyond what the pipe holds; beyond,
#: one is forwarded all the same and counted as not judged.
MOST_PENDING_BYTES = 8 * 1024 * 1024
#: Why an exchange whose application left before its answer was whole is not judged.
LEFT = "the application left before its answer"
#: Seconds exchanges under way get to finish once the proxy is told to stop; then they are
#: cut (and counted as not judged), so the judge's summary and reports are always written.
STOP_WITHIN = 5


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vbc-conformance proxy",
        description="A reverse proxy judging the traffic an application exchanges with the API"
        " (same checks, dialect, drift, advisories, reports and exit codes as a generated run)."
        " It forwards everything unchanged, sends no request of its own and never blocks one.",
    )
    p.add_argument(
        "--upstream", required=True, help="where to forward, e.g. https://api.vonage.com"
    )
    p.add_argument(
        "--listen",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where the application connects (default: loopback, a free port)",
    )
    add_outputs(p)
    p.add_argument("--max-requests", type=int, metavar="N", help="stop after N exchanges")
    p.add_argument("--duration", type=seconds, metavar="S", help="stop after S seconds")
    p.add_argument(
        "--upstream-timeout",
        type=seconds,
        default=WITHIN,
        metavar="S",
        help="seconds the upstream has to accept a connection and, once a request is sent,"
        f" to answer it (status and headers); past them the application gets a 504"
        f" (default: {WITHIN:g})",
    )
    return p


def watch_leaving(receive: Any, connection: Connection) -> asyncio.Future[Any]:
    """Once the request is forwarded, the application's next message is its leaving: the
    upstream connection then closes, which ends whatever waits on it."""
    left: asyncio.Future[Any] = asyncio.ensure_future(receive())

    def leaving(done: asyncio.Future[Any]) -> None:
        if not done.cancelled():
            connection.fail("the application left")

    left.add_done_callback(leaving)
    return left


def pairs(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


class Keep:
    """The first MOST_JUDGED_BYTES of a body, for the judge; whether there was more."""

    def __init__(self) -> None:
        self.kept = bytearray()
        self.cut = False

    def add(self, chunk: bytes) -> None:
        if len(self.kept) + len(chunk) <= MOST_JUDGED_BYTES:
            self.kept += chunk
        else:
            self.cut = True


class JudgePipe(asyncio.Protocol):
    """The write end of the judge's input, on the proxy's event loop: a frame is written
    only while less than MOST_PENDING_BYTES wait; otherwise its exchange is counted."""

    def __init__(self) -> None:
        self.transport: asyncio.WriteTransport | None = None
        self.unjudged: Counter[str] = Counter()
        self.closed = asyncio.Event()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.closed.set()

    def hand(self, data: bytes) -> None:
        if self.transport is None:
            self.unjudged["the judge had stopped"] += 1
        elif self.transport.get_write_buffer_size() > MOST_PENDING_BYTES:
            self.unjudged["judging fell behind"] += 1
        else:
            self.transport.write(data)

    async def end(self) -> None:
        """The count of exchanges not handed over, then the end of the judge's input."""
        if self.transport is None:
            return
        self.transport.write(frame({"unjudged": dict(self.unjudged)}, b"", b""))
        self.transport.close()  # after what is still buffered has been written
        await self.closed.wait()


class Proxy:
    """The ASGI application uvicorn serves: one upstream exchange per request."""

    def __init__(
        self,
        upstream: str,
        judge_input: Any,
        max_requests: int | None,
        duration: float | None,
        upstream_timeout: float = WITHIN,
    ) -> None:
        self.upstream_url = upstream.rstrip("/")
        self.upstream = Upstream(upstream, upstream_timeout)
        self.judge_input = judge_input
        self.judge = JudgePipe()
        self.max_requests = max_requests
        self.duration = duration
        self.exchanges = 0
        self.server: uvicorn.Server | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            await self.forward(scope, receive, send)

    async def lifespan(self, receive: Any, send: Any) -> None:
        """Startup connects the judge's pipe and sets the clock; shutdown (once the last
        exchange is answered) ends the judge's input."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                loop = asyncio.get_running_loop()
                await loop.connect_write_pipe(lambda: self.judge, self.judge_input)
                if self.duration is not None:
                    loop.call_later(self.duration, self.stop)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.upstream.close()
                await self.judge.end()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True

    async def forward(self, scope: Any, receive: Any, send: Any) -> None:
        method: str = scope["method"]
        target = scope["raw_path"] + (
            b"?" + scope["query_string"] if scope["query_string"] else b""
        )
        chunked = any(name == b"transfer-encoding" for name, _ in scope["headers"])
        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name not in HOP_BY_HOP and name != b"host"
        ]
        if chunked:  # the body's length is unknown: it goes on in chunks
            headers.append((b"transfer-encoding", b"chunked"))
        request, answer = Keep(), Keep()
        try:
            connection = await self.upstream.request(method, target, headers)
        except UpstreamError as error:
            await self.unanswered(method, scope["path"], error, send)
            return
        left: asyncio.Future[Any] | None = None
        try:
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    self.judge.unjudged[LEFT] += 1
                    return  # nothing more to forward or judge
                body: bytes = message.get("body", b"")
                more = message.get("more_body", False)
                request.add(body)
                if chunked and (body or not more):
                    body = b"%x\r\n%b\r\n" % (len(body), body) if body else b""
                    body += b"" if more else b"0\r\n\r\n"
                await connection.send(body)
            left = watch_leaving(receive, connection)
            try:
                status, answer_headers = await connection.answer()
            except UpstreamError as error:
                if left.done():
                    self.judge.unjudged[LEFT] += 1
                else:
                    await self.unanswered(method, scope["path"], error, send)
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(k, v) for k, v in answer_headers if k.lower() not in HOP_BY_HOP],
                }
            )
            try:
                async for chunk in connection.body():
                    answer.add(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except UpstreamError as error:
                if left.done():
                    self.judge.unjudged[LEFT] += 1
                    return
                print(
                    f"upstream broke off its answer to {method} {scope['path']}: {error}",
                    flush=True,
                )
                self.judge.unjudged["the upstream broke off its answer"] += 1
                return  # uvicorn closes the application's connection: the answer is cut too
            left.cancel()  # the answer's end wakes it as a departure would
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            # Stopping, past STOP_WITHIN: uvicorn's way to end the exchange, which ends here
            # (raised on, uvicorn would print it as the application's crash).
            self.judge.unjudged["the proxy stopped before its answer was whole"] += 1
            return
        finally:
            if left is not None:
                left.cancel()
            self.upstream.release(connection)
        self.judged(method, target, scope["headers"], request, status, answer_headers, answer)

    async def unanswered(self, method: str, path: str, error: UpstreamError, send: Any) -> None:
        """504 when the upstream took too long, 502 otherwise; the exchange is not judged."""
        status, why = (
            (504, "did not answer in time")
            if isinstance(error, UpstreamTimeout)
            else (502, "gave no answer")
        )
        said = f"the upstream {error}"
        print(f"{status} to {method} {path}: {said}", flush=True)
        self.judge.unjudged[f"the upstream {why} ({status})"] += 1
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": f"{said}\n".encode()})

    def judged(
        self,
        method: str,
        target: bytes,
        request_headers: list[tuple[bytes, bytes]],
        request: Keep,
        status: int,
        answer_headers: list[tuple[bytes, bytes]],
        answer: Keep,
    ) -> None:
        """Hand the answered exchange to the judge: the connection is free for the
        application's next request at once, whatever judging costs."""
        self.exchanges += 1
        head = {
            "method": method,
            "url": self.upstream_url + target.decode("latin-1"),
            "request_headers": pairs(request_headers),
            "status": status,
            "response_headers": pairs(answer_headers),
            "label": f"exchange {self.exchanges}",
            "cut": request.cut or answer.cut,
        }
        self.judge.hand(frame(head, bytes(request.kept), bytes(answer.kept)))
        if self.max_requests is not None and self.exchanges >= self.max_requests:
            self.stop()


def listening_socket(listen: str) -> socket.socket:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"--listen takes HOST:PORT, not {listen!r}")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Answers go out as several writes (headers, body): without this, each waits 40 ms for
    # the client's delayed ACK (Nagle). Accepted connections inherit it.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host.strip("[]"), int(port)))
    # Listening before the proxy says where: an application may connect at once (uvicorn
    # accepts once it has started; until then connections wait in the backlog).
    sock.listen(2048)
    return sock


def judge_command(args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", "vbc_conformance.judging", "--upstream", args.upstream]
    for option in ("report", "evidence", "junit"):
        if getattr(args, option):
            command += [f"--{option}", str(getattr(args, option).resolve())]
    return command


def main(argv: list[str]) -> int:
    from vbc_conformance import cli

    args = parser().parse_args(argv)
    try:
        Upstream(args.upstream)
    except ValueError:
        raise cli.UsageError(f"--upstream takes an http(s) URL, not {args.upstream!r}") from None
    if args.max_requests is not None and not 0 < args.max_requests < 10**9:
        raise cli.UsageError("--max-requests must be positive")
    try:
        sock = listening_socket(args.listen)
    except OSError as error:  # taken, not this host's, not allowed
        raise cli.UsageError(f"cannot listen on {args.listen}: {error.strerror}") from None
    # Its own session: the terminal's Ctrl-C stops the proxy, and the judge then finishes.
    judge = subprocess.Popen(  # noqa: S603 (our own module)
        judge_command(args), stdin=subprocess.PIPE, start_new_session=True
    )
    assert judge.stdin is not None
    proxy = Proxy(
        args.upstream, judge.stdin, args.max_requests, args.duration, args.upstream_timeout
    )
    server = uvicorn.Server(
        uvicorn.Config(
            proxy,
            log_level="warning",
            access_log=False,
            server_header=False,
            date_header=False,
            proxy_headers=False,
            lifespan="on",
            timeout_graceful_shutdown=STOP_WITHIN,
        )
    )
    proxy.server = server
    host, port = sock.getsockname()[:2]
    print(f"vbc-conformance: proxying http://{host}:{port} -> {args.upstream}", flush=True)
    # uvicorn takes SIGINT and SIGTERM while it serves, stops gracefully, and then raises the
    # signal again for the handler it found: ignoring it lets the judge's summary follow.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    server.run(sockets=[sock])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        code = judge.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: no summary
        judge.kill()
        raise
    if code not in (cli.EXIT_OK, cli.EXIT_NONCONFORMING, cli.EXIT_USAGE):
        raise cli.UsageError(f"the judge stopped (exit {code}): its output is above")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
