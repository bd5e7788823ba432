"""The sandbox inside the test process, reached without a port: httpx's ASGI transport for
async clients, and a sync twin of it for sync ones (the app runs on an event loop in a
helper thread, as Starlette's TestClient does)."""

from __future__ import annotations

import atexit
import contextlib
import functools
from typing import Any

import anyio.from_thread
import httpx

from vbc_sandbox.testkit.sandbox_app import SandboxApp


@functools.cache
def portal() -> anyio.from_thread.BlockingPortal:
    """One event loop thread for every in-process client of this process, kept until exit:
    clients come and go (a token provider opens one per renewal), the loop stays."""
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(anyio.from_thread.start_blocking_portal())


class SyncASGITransport(httpx.BaseTransport):
    """Sends each request to an ASGI app on the process's in-process event loop thread."""

    def __init__(self, app: SandboxApp) -> None:
        self.inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def send() -> tuple[int, Any, bytes]:
            copied = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self.inner.handle_async_request(copied)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = portal().call(send)
        return httpx.Response(status, headers=headers, content=content, request=request)
