"""The transports under every client: retries (policy in `_retry`) over bounded reading
(limits in `_reading`) over httpx's own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import tenacity

from vbc_telephony._encodings import ACCEPT_ENCODING
from vbc_telephony._reading import Limits, bounded
from vbc_telephony._retry import (
    RetryableResponse,
    RetryPolicy,
    current_options,
    log_answer,
    retry_answer,
    retrying,
    start_clock,
)


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        total_timeout: float | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.sleep = sleep or asyncio.sleep
        self.total_timeout = total_timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        options = current_options()
        policy = options.retry or self.policy
        start_clock(request, options, self.total_timeout)

        async def attempt() -> httpx.Response:
            started = time.monotonic()
            response = await self.inner.handle_async_request(request)
            log_answer(request, response, started)
            if retry_answer(options, request.method, response):
                await response.aread()
                await response.aclose()
                raise RetryableResponse(response)
            return response

        # The first attempt runs outside tenacity, which costs time on every request; only
        # a failed one enters the retry loop, which starts by replaying its outcome.
        try:
            return await attempt()
        except Exception as error:
            first: list[Exception] = [error]

        async def replay_then_attempt() -> httpx.Response:
            if first:
                raise first.pop()
            return await attempt()

        loop = tenacity.AsyncRetrying(**retrying(policy, options, request), sleep=self.sleep)
        result: httpx.Response = await loop(replay_then_attempt)
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()


class AsyncReadingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, limits: Limits) -> None:
        self.inner = inner
        self.limits = limits

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        bounded(request)
        # Only encodings that can be decoded within the size bound (see `_encodings`).
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = await self.inner.handle_async_request(request)
        try:
            body = self.limits.body(request, response)
            async for chunk in response.stream:  # type: ignore[union-attr]
                body.add(chunk)
        finally:
            await response.aclose()
        return body.read()

    async def aclose(self) -> None:
        await self.inner.aclose()
