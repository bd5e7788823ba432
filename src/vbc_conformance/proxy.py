"""`vbc-conformance proxy --upstream URL`: a reverse proxy an application points its base URL
at. It forwards every request and answer unchanged (status, headers but hop-by-hop ones,
body bytes as sent, streamed), sends nothing of its own, and judges each exchange after it
has been answered through `exchanges.Judge`, the path replay and generated runs share."""

from __future__ import annotations

import argparse
import asyncio
import queue
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import StreamingResponse

from vbc_conformance.cli import seconds
from vbc_conformance.exchanges import Exchange, Judge
from vbc_conformance.replay import add_outputs
from vbc_spec import API_BASE_PATH

#: Headers about one connection, not the message (RFC 9110 7.6.1): never forwarded.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
#: The most of one answer's body kept for judging; a longer one is forwarded whole, judged
#: on its status and headers only.
MOST_JUDGED_BYTES = 16 * 1024 * 1024


#: Exchanges waiting to be judged at most; beyond, one is forwarded and counted unjudged.
MOST_PENDING = 10_000


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
    return p


def forwarded_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.decode("latin-1").lower() not in HOP_BY_HOP]


def as_lists(headers: list[tuple[bytes, bytes]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in headers:
        found.setdefault(key.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return found


class Proxy:
    def __init__(self, upstream: str, judge: Judge, max_requests: int | None) -> None:
        self.upstream = upstream.rstrip("/")
        self.judge = judge
        self.max_requests = max_requests
        self.exchanges = 0
        self.pending: queue.Queue[Exchange | None] = queue.Queue(maxsize=MOST_PENDING)
        self.server: uvicorn.Server | None = None
        self.client = httpx.AsyncClient(timeout=None, follow_redirects=False)  # noqa: S113

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        url = (
            self.upstream
            + request.url.path
            + (f"?{request.url.query}" if request.url.query else "")
        )
        headers = [
            (k, v) for k, v in forwarded_headers(request.headers.raw) if k.lower() != b"host"
        ]
        upstream_request = self.client.build_request(
            request.method, url, headers=headers, content=body
        )
        try:
            answer = await self.client.send(upstream_request, stream=True)
        except httpx.HTTPError as error:
            print(
                f"upstream unreachable for {request.method} {request.url.path}:"
                f" {type(error).__name__}",
                flush=True,
            )
            response = StreamingResponse(iter([b""]), status_code=502)
            await response(scope, receive, send)
            return
        kept = bytearray()
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status_code,
                    "headers": forwarded_headers(answer.headers.raw),
                }
            )
            async for chunk in answer.aiter_raw():
                if len(kept) <= MOST_JUDGED_BYTES:
                    kept.extend(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await answer.aclose()
        self.judged(
            Exchange(
                method=request.method,
                url=url,
                request_headers=as_lists(request.headers.raw),
                request_body=body,
                status=answer.status_code,
                response_headers=as_lists(answer.headers.raw),
                response_body=bytes(kept) if len(kept) <= MOST_JUDGED_BYTES else b"",
            )
        )

    def judged(self, exchange: Exchange) -> None:
        """Hand the answered exchange to the judging thread: the connection is free for the
        application's next request at once, whatever judging costs."""
        self.exchanges += 1
        try:
            self.pending.put_nowait(attrs.evolve(exchange, label=f"exchange {self.exchanges}"))
        except queue.Full:  # judging fell behind: the traffic goes on, the run says so
            self.judge.outcome.errors[("proxy", "not judged", "judging fell behind")] += 1
        if self.max_requests is not None and self.exchanges >= self.max_requests and self.server:
            self.server.should_exit = True

    def judging(self) -> None:
        """The judging thread: each exchange in turn, a line per finding, until None."""
        while (found := self.pending.get()) is not None:
            for finding in self.judge.judge(found):
                print(
                    f"FINDING {finding.label} {found.method} {urlsplit(found.url).path}:"
                    f" {finding.check}: {finding.title}",
                    flush=True,
                )


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
    return sock


def main(argv: list[str]) -> int:
    from vbc_conformance import cli
    from vbc_conformance.replay import judge_for

    args = parser().parse_args(argv)
    upstream = urlsplit(args.upstream)
    if upstream.scheme not in ("http", "https") or not upstream.netloc:
        raise cli.UsageError(f"--upstream takes an http(s) URL, not {args.upstream!r}")
    if args.max_requests is not None and not 0 < args.max_requests < 10**9:
        raise cli.UsageError("--max-requests must be positive")
    sock = listening_socket(args.listen)
    with tempfile.TemporaryDirectory(prefix="vbc-conformance-") as scratch:
        events = Path(scratch)
        judge = judge_for(args.upstream.rstrip("/") + API_BASE_PATH, events)
        proxy = Proxy(args.upstream, judge, args.max_requests)
        config = uvicorn.Config(
            proxy,
            log_level="warning",
            access_log=False,
            server_header=False,
            date_header=False,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        proxy.server = server
        host, port = sock.getsockname()[:2]
        print(f"vbc-conformance: proxying http://{host}:{port} -> {args.upstream}", flush=True)
        started = time.monotonic()

        def stop() -> None:
            server.should_exit = True

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            # Ctrl-C and SIGTERM end the run with its summary (uvicorn's own handling would
            # re-raise the signal once stopped, and the process would die before it).
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, stop)
            if args.duration is not None:
                loop.call_later(args.duration, stop)
            await server._serve(sockets=[sock])  # serve() without its signal capture
            await proxy.client.aclose()

        judging = threading.Thread(target=proxy.judging, daemon=True)
        judging.start()
        asyncio.run(serve())
        proxy.pending.put(None)  # what is still waiting is judged before the summary
        judging.join()
        seconds = time.monotonic() - started
        where = f"traffic through the proxy to {args.upstream}"
        return cli.conclude_traffic(args, judge, events, where, seconds)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
