# Written by scripts/unasync.py from transports.py: edit that file, then run `make generate`.
"""The transports under every client: retries (policy in `_retry`) over bounded reading
(limits in `_reading`) over httpx's own."""

from __future__ import annotations

import time
from collections.abc import Callable

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


class RetryTransport(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        sleep: Callable[[float], None] | None = None,
        total_timeout: float | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.sleep = sleep or time.sleep
        self.total_timeout = total_timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        options = current_options()
        policy = options.retry or self.policy
        start_clock(request, options, self.total_timeout)

        def attempt() -> httpx.Response:
            started = time.monotonic()
            response = self.inner.handle_request(request)
            log_answer(request, response, started)
            if retry_answer(options, request.method, response):
                response.read()
                response.close()
                raise RetryableResponse(response)
            return response

        # The first attempt runs outside tenacity, which costs time on every request; only
        # a failed one enters the retry loop, which starts by replaying its outcome.
        try:
            return attempt()
        except Exception as error:
            first: list[Exception] = [error]

        def replay_then_attempt() -> httpx.Response:
            if first:
                raise first.pop()
            return attempt()

        loop = tenacity.Retrying(**retrying(policy, options, request), sleep=self.sleep)
        result: httpx.Response = loop(replay_then_attempt)
        return result

    def close(self) -> None:
        self.inner.close()


class ReadingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, limits: Limits) -> None:
        self.inner = inner
        self.limits = limits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        bounded(request)
        # Only encodings that can be decoded within the size bound (see `_encodings`).
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = self.inner.handle_request(request)
        try:
            body = self.limits.body(request, response)
            for chunk in response.stream:  # type: ignore[union-attr]
                body.add(chunk)
        finally:
            response.close()
        return body.read()

    def close(self) -> None:
        self.inner.close()
