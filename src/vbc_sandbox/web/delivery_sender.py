"""Sending one VIS delivery attempt to a user's receiver, and saying how it went.

VIS's rules for the receiver (`/work/shared/reference/vis-call-events.md` §5): accept the
connection within 3 s, answer within 2 s of being asked; a 302 is followed as a GET and a
307 as a POST, up to some limit; only a 200 counts (`phone/webhook_rules.py` decides what
follows). Each attempt opens its own connection, so the 3 s always mean connecting. What the
receiver answers is read up to a small bound and thrown away. An outcome's `detail` never
holds the URL (it may carry credentials) nor the signing key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import anyio
import attrs
import httpx

from vbc_sandbox.phone.webhook_rules import Parcel, Sign, accepted, envelope

#: Redirects followed for one attempt, at most (VIS: "up to some limit").
MAX_REDIRECTS = 5
#: Bytes of a receiver's answer read, at most, before it is thrown away.
MAX_ANSWER_BYTES = 4096
#: Redirects VIS follows, and the method each re-sends with.
REDIRECT_METHODS = {302: "GET", 307: "POST"}
USER_AGENT = "vbc-sandbox (VIS webhook delivery)"

Kind = Literal["accepted", "refused", "timeout", "connection_refused", "failed"]


@attrs.frozen
class Timeouts:
    """Seconds a receiver has to accept the connection, and then to answer."""

    connect: float = 3.0
    answer: float = 2.0


@attrs.frozen
class Outcome:
    """How an attempt went: `accepted` (a 200), `refused` (any other answer, its `status`),
    `timeout` (no connection or no answer in time), `connection_refused` (nobody listens,
    or the host does not resolve), `failed` (a broken answer, a bad URL, too many redirects)."""

    kind: Kind
    status: int | None = None
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.kind == "accepted"


class DeliverySender:
    """Sends attempts over one httpx client (no connection kept between attempts)."""

    def __init__(
        self,
        timeouts: Timeouts = Timeouts(),
        *,
        max_redirects: int = MAX_REDIRECTS,
        transport: httpx.AsyncBaseTransport | None = None,
        may_reach: Callable[[str], bool] = lambda host: True,
    ) -> None:
        self.timeouts, self.max_redirects = timeouts, max_redirects
        #: Whether a host may be sent to: the registered URL was checked, a redirect was not.
        self.may_reach = may_reach
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeouts.answer, connect=timeouts.connect),
            limits=httpx.Limits(max_keepalive_connections=0),
            follow_redirects=False,
            # The receiver's URL is reached directly: no proxy or netrc from the environment.
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def deliver(self, url: str, parcel: Parcel, sign: Sign) -> Outcome:
        """Send one attempt of a delivery: its body and metadata as its webhook's policy says."""
        body, headers = envelope(parcel, sign)
        content = json.dumps(body, separators=(",", ":")).encode()
        return await self.send(url, content, {"Content-Type": "application/json", **headers})

    async def send(self, url: str, content: bytes, headers: Mapping[str, str]) -> Outcome:
        """POST `content`, following 302 (as a GET) and 307 (as a POST) up to the limit."""
        method: str = "POST"
        body: bytes | None = content
        for _hop in range(self.max_redirects + 1):
            try:
                parts = urlsplit(url)
                host = parts.hostname or ""
            except ValueError:  # a redirect to an unclosed IPv6 bracket, a port not a number
                return Outcome("failed", detail="the URL cannot be read")
            if parts.scheme not in ("http", "https"):
                return Outcome("failed", detail="the URL is not http or https")
            if not self.may_reach(host):
                return Outcome("failed", detail="redirected to a host deliveries may not go to")
            answer = await self.attempt(method, url, body, headers)
            if isinstance(answer, Outcome):
                return answer
            status, location = answer
            if status not in REDIRECT_METHODS or location is None:
                return Outcome("accepted" if accepted(status) else "refused", status)
            url, method = urljoin(url, location), REDIRECT_METHODS[status]
            if method == "GET":
                body = None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        return Outcome("failed", detail=f"more than {self.max_redirects} redirects")

    async def attempt(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, str | None] | Outcome:
        """One request: its status and Location, or the Outcome of a failure."""
        answer_by = self.timeouts.answer
        with anyio.CancelScope() as scope:
            # Until the request goes out, connecting is bounded by httpx's connect timeout;
            # from then on, the whole answer by `answer` seconds.
            scope.deadline = anyio.current_time() + self.timeouts.connect + answer_by

            async def trace(name: str, _info: dict[str, Any]) -> None:
                if name.endswith(".send_request_headers.started"):
                    scope.deadline = anyio.current_time() + answer_by

            try:
                async with self.client.stream(
                    method, url, content=content, headers=headers, extensions={"trace": trace}
                ) as response:
                    await read_bounded(response)
                    return response.status_code, response.headers.get("Location")
            except httpx.ConnectTimeout:
                return Outcome(
                    "timeout", detail=f"no connection within {self.timeouts.connect:g} s"
                )
            except httpx.TimeoutException:
                return Outcome("timeout", detail=f"no answer within {answer_by:g} s")
            except httpx.ConnectError as error:
                return Outcome("connection_refused", detail=str(error)[:200])
            except (httpx.TransportError, httpx.InvalidURL) as error:
                return Outcome("failed", detail=f"{type(error).__name__}: {str(error)[:200]}")
        return Outcome("timeout", detail=f"no answer within {answer_by:g} s")


async def read_bounded(response: httpx.Response) -> None:
    """Read what the receiver answered, as sent (not decompressed), up to MAX_ANSWER_BYTES."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read >= MAX_ANSWER_BYTES:
            return
