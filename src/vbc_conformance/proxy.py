"""`vbc-conformance proxy --upstream URL`: a reverse proxy an application points its base URL
at. It forwards every request and answer unchanged (status, headers but hop-by-hop ones,
body bytes as sent, streamed), sends nothing of its own, and judges each exchange after it
has been answered through `exchanges.Judge`, the path replay and generated runs share."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import uvicorn
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse

from vbc_conformance.exchanges import Exchange, Judge
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
    p.add_argument("--report", type=Path, metavar="PATH", help="write a report (.md or .html)")
    p.add_argument(
        "--evidence",
        type=Path,
        metavar="PATH",
        help="write what the traffic showed about the API's form, without its data (JSON)",
    )
    p.add_argument("--max-requests", type=int, metavar="N", help="stop after N exchanges")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
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

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.aiter_raw():
                    if len(kept) <= MOST_JUDGED_BYTES:
                        kept.extend(chunk)
                    yield chunk
            finally:
                await answer.aclose()

        def exchange(label: str) -> Exchange:
            """The exchange as it went, once its body has gone through."""
            return Exchange(
                method=request.method,
                url=url,
                request_headers=as_lists(request.headers.raw),
                request_body=body,
                status=answer.status_code,
                response_headers=as_lists(answer.headers.raw),
                response_body=bytes(kept) if len(kept) <= MOST_JUDGED_BYTES else b"",
                label=label,
            )

        response = StreamingResponse(
            relay(),
            status_code=answer.status_code,
            background=BackgroundTask(self.judged, exchange),
        )
        response.raw_headers = forwarded_headers(answer.headers.raw)
        await response(scope, receive, send)

    async def judged(self, exchange: Callable[[str], Exchange]) -> None:
        self.exchanges += 1
        number = self.exchanges
        found = exchange(f"exchange {number}")
        findings = await anyio.to_thread.run_sync(self.judge.judge, found)
        for finding in findings:
            print(
                f"FINDING {finding.label} {found.method} {urlsplit(found.url).path}:"
                f" {finding.check}: {finding.title}",
                flush=True,
            )
        if self.max_requests is not None and number >= self.max_requests and self.server:
            self.server.should_exit = True


def listening_socket(listen: str) -> socket.socket:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"--listen takes HOST:PORT, not {listen!r}")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), int(port)))
    return sock


def main(argv: list[str]) -> int:
    from vbc_conformance import cli
    from vbc_conformance.replay import judge_for

    args = parser().parse_args(argv)
    upstream = urlsplit(args.upstream)
    if upstream.scheme not in ("http", "https") or not upstream.netloc:
        raise cli.UsageError(f"--upstream takes an http(s) URL, not {args.upstream!r}")
    for name in ("max_requests", "duration"):
        value = getattr(args, name)
        if value is not None and not 0 < value < 10**9:
            raise cli.UsageError(f"--{name.replace('_', '-')} must be positive")
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

        asyncio.run(serve())
        seconds = time.monotonic() - started
        where = f"traffic through the proxy to {args.upstream}"
        return cli.conclude_traffic(args, judge, events, where, seconds)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
