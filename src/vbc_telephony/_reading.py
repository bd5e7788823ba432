"""Reading an answer within bounds, and decoding it fast.

Each attempt's body is read here, under the retry layer: at most `max_response_bytes`, and
never past the call's deadline (a server that drips a byte at a time cannot hold a call
longer than its `timeout=`). Bodies then decode with orjson: typed models cost the SDK time
for every call on a page, and orjson decodes a page in under half the standard library's.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from vbc_telephony._errors import APIResponseValidationError

#: Where the retry layer puts the monotonic time by which the whole call must be done.
DEADLINE = "vbc_deadline"
#: The largest answer read by default: a 1000-call page is about 600 kB.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024


class Response(httpx.Response):
    """An httpx response whose `.json()` uses orjson. What orjson refuses and the standard
    library reads (NaN, integers wider than 64 bits, UTF-16 text) still parses as it would;
    what neither can read (nesting thousands deep, say) is a ValueError, never a crash."""

    def json(self, **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return orjson.loads(self.content)
            except orjson.JSONDecodeError:
                pass
        try:
            return super().json(**kwargs)
        except RecursionError:
            raise ValueError("the JSON in the answer is nested too deeply to read") from None


def remaining(request: httpx.Request) -> float | None:
    deadline = request.extensions.get(DEADLINE)
    return None if deadline is None else deadline - time.monotonic()


def bounded(request: httpx.Request) -> None:
    """No phase of this attempt may wait past the call's deadline."""
    left = remaining(request)
    if left is None:
        return
    if left <= 0:
        raise httpx.ReadTimeout("the call's time (timeout=) ran out", request=request)
    phases = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        phase: left if phases.get(phase) is None else min(phases[phase], left)
        for phase in ("connect", "read", "write", "pool")
    }


class Limits:
    def __init__(self, max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.max_response_bytes = max_response_bytes

    def add(self, request: httpx.Request, body: bytearray, chunk: bytes) -> None:
        body += chunk
        if len(body) > self.max_response_bytes:
            raise APIResponseValidationError(
                f"the answer is larger than {self.max_response_bytes} bytes"
                " (max_response_bytes): not read further",
                method=request.method,
                url=str(request.url),
            )
        left = remaining(request)
        if left is not None and left <= 0:
            raise httpx.ReadTimeout("the call's time (timeout=) ran out", request=request)

    def response(self, response: httpx.Response, body: bytes) -> Response:
        return Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
        )
