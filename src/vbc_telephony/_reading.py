"""Reading an answer within bounds, and decoding it fast.

Each attempt's body is read here, under the retry layer: at most `max_response_bytes` as
sent and as decoded (gzip, deflate: `_encodings`), and never past the call's deadline (a
server that drips a byte at a time cannot hold a call longer than its `timeout=`). Bodies
then decode with orjson: typed models cost the SDK time for every call on a page, and
orjson decodes a page in under half the standard library's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx
import orjson

from vbc_telephony._checks import count
from vbc_telephony._encodings import Decoding, UnreadableEncoding
from vbc_telephony._errors import APIResponseValidationError

T = TypeVar("T")

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
        self.max_response_bytes = count(max_response_bytes, "max_response_bytes")

    def body(self, request: httpx.Request, response: httpx.Response) -> Body:
        return Body(self.max_response_bytes, request, response)


class Body:
    """One answer's body as it arrives: at most `limit` bytes as sent and as decoded, and
    never past the call's deadline. Decoded a piece at a time (`_encodings`), so a small
    compressed answer cannot grow past the bound in memory either."""

    def __init__(self, limit: int, request: httpx.Request, response: httpx.Response) -> None:
        self.limit, self.request, self.response = limit, request, response
        self.sent = 0
        self.decoded = bytearray()
        self.decoding = self.unless_unreadable(lambda: Decoding(response.headers))

    def unless_unreadable(self, step: Callable[[], T]) -> T:
        try:
            return step()
        except UnreadableEncoding as error:
            raise self.invalid(str(error)) from None

    def invalid(self, message: str) -> APIResponseValidationError:
        return APIResponseValidationError(
            message, method=self.request.method, url=str(self.request.url)
        )

    def add(self, chunk: bytes) -> None:
        self.sent += len(chunk)
        if self.sent > self.limit:
            raise self.invalid(
                f"the answer is larger than {self.limit} bytes (max_response_bytes):"
                " not read further"
            )
        self.unless_unreadable(lambda: self.keep(self.decoding.decode(chunk)))
        left = remaining(self.request)
        if left is not None and left <= 0:
            raise httpx.ReadTimeout("the call's time (timeout=) ran out", request=self.request)

    def keep(self, pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            self.decoded += piece
            if len(self.decoded) > self.limit:
                raise self.invalid(
                    f"the answer decodes to more than {self.limit} bytes"
                    " (max_response_bytes): not decoded further"
                )

    def read(self) -> Response:
        """The answer with its whole body, decoded (so httpx does not decode it again)."""
        self.unless_unreadable(lambda: self.keep(self.decoding.end()))
        headers = httpx.Headers(self.response.headers)
        headers.pop("content-encoding", None)
        headers.pop("content-length", None)
        return Response(
            self.response.status_code,
            headers=headers,
            content=bytes(self.decoded),
            extensions=self.response.extensions,
        )
