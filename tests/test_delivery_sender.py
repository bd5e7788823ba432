"""The VIS delivery sender against real receivers on loopback (uvicorn + Starlette): what it
sends in each metadata policy, which answers count, the redirects VIS follows, and how it
reports a slow receiver, a refused connection and a redirect loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.serving import serving
from vbc_sandbox.launch import LOOPBACK, free_port
from vbc_sandbox.phone.webhook_rules import Parcel
from vbc_sandbox.web.delivery_sender import (
    MAX_REDIRECTS,
    DeliverySender,
    Outcome,
    Timeouts,
)
from vbc_sandbox.web.hosts import delivers_to

SIGNATURE = "signature of 5a85d86f253bcd10897f3189 with s3cret-key"
EVENT = {"id": "5a85d86f253bcd10897f3189", "type": "CALL", "state": "RINGING", "duration": 0}
#: Short enough that a receiver which never answers costs the test a fifth of a second.
QUICK = Timeouts(connect=3.0, answer=0.2)


def sign(event: Mapping[str, Any], key: str) -> str:
    """A stand-in for `vbc_telephony.webhooks.sign` (tested with the vendor's vector there)."""
    return f"signature of {event['id']} with {key}"


class Receiver:
    """A receiver that notes every request it gets (method, path, headers, body)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route(f"/{name}", self.endpoint, methods=["GET", "POST"])
                for name in (
                    *("ok", "fail", "slow", "drip", "found", "temporary", "loop", "endless"),
                    "away",
                )
            ]
        )

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        name = request.url.path.strip("/")
        self.seen.append(
            {"method": request.method, "path": name, "headers": request.headers, "body": body}
        )
        if name == "fail":
            return Response("no thanks", status_code=500)
        if name == "slow":
            with anyio.move_on_after(10):  # until the sender gives up and hangs up
                while not await request.is_disconnected():
                    await anyio.sleep(0.05)
            return Response("too late")
        if name == "found":
            return RedirectResponse("/ok", status_code=302)
        if name == "temporary":
            return RedirectResponse("/ok", status_code=307)
        if name == "away":  # into the network the sandbox runs in
            return RedirectResponse("http://10.0.0.1/admin", status_code=307)
        if name == "loop":
            return RedirectResponse("/loop", status_code=302)
        if name == "endless":
            return StreamingResponse(endless())
        if name == "drip":
            return StreamingResponse(dripping())
        return Response("thanks")


async def dripping() -> Any:
    """A byte at a time, each well within a read timeout, for ten seconds."""
    for _ in range(200):
        yield b"x"
        await anyio.sleep(0.05)


async def endless() -> Any:
    while True:
        yield b"x" * 65536
        await anyio.sleep(0)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiving = Receiver()
    with serving(receiving.app) as origin:
        yield receiving, origin


def deliver(
    url: str,
    policy: str = "HEADER",
    timeouts: Timeouts = QUICK,
    webhook_hosts: tuple[str, ...] = ("*",),
) -> Outcome:
    parcel = Parcel(EVENT, "webhook-1", "delivery-1", 2, policy, "HMAC_SHA256", "s3cret-key")

    async def main() -> Outcome:
        sender = DeliverySender(timeouts, may_reach=lambda host: delivers_to(webhook_hosts, host))
        try:
            return await sender.deliver(url, parcel, sign)
        finally:
            await sender.aclose()

    return asyncio.run(main())


def test_a_200_is_accepted_and_the_header_policy_sends_the_metadata_as_headers(
    receiver: tuple[Receiver, str],
) -> None:
    receiving, origin = receiver
    assert deliver(f"{origin}/ok") == Outcome("accepted", 200)
    [request] = receiving.seen
    assert request["method"] == "POST"
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == {"event": EVENT}
    assert request["headers"]["x-von-signature"] == SIGNATURE
    assert request["headers"]["x-von-webhook-id"] == "webhook-1"
    assert request["headers"]["x-von-delivery-id"] == "delivery-1"
    assert request["headers"]["x-von-attempt"] == "2"


def test_the_body_policy_sends_the_metadata_in_the_body(receiver: tuple[Receiver, str]) -> None:
    receiving, origin = receiver
    assert deliver(f"{origin}/ok", policy="BODY").accepted
    [request] = receiving.seen
    assert "x-von-signature" not in request["headers"]
    assert json.loads(request["body"])["metadata"] == {
        "signature": SIGNATURE,
        "webhookId": "webhook-1",
        "deliveryId": "delivery-1",
        "attempt": 2,
    }


def test_a_500_is_refused_with_its_status(receiver: tuple[Receiver, str]) -> None:
    assert deliver(f"{receiver[1]}/fail") == Outcome("refused", 500)


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(
    receiver: tuple[Receiver, str],
) -> None:
    outcome = deliver(f"{receiver[1]}/slow")
    assert (outcome.kind, outcome.detail) == ("timeout", "no answer within 0.2 s")


def test_an_answer_that_trickles_past_the_deadline_is_a_timeout(
    receiver: tuple[Receiver, str],
) -> None:
    outcome = deliver(f"{receiver[1]}/drip")
    assert (outcome.kind, outcome.detail) == ("timeout", "no answer within 0.2 s")


def test_a_302_is_followed_as_a_get(receiver: tuple[Receiver, str]) -> None:
    receiving, origin = receiver
    assert deliver(f"{origin}/found") == Outcome("accepted", 200)
    assert [(r["method"], r["path"], r["body"]) for r in receiving.seen] == [
        ("POST", "found", receiving.seen[0]["body"]),
        ("GET", "ok", b""),
    ]


def test_a_307_is_followed_as_the_same_post(receiver: tuple[Receiver, str]) -> None:
    receiving, origin = receiver
    assert deliver(f"{origin}/temporary") == Outcome("accepted", 200)
    first, again = receiving.seen
    assert (again["method"], again["path"], again["body"]) == ("POST", "ok", first["body"])
    assert again["headers"]["x-von-delivery-id"] == "delivery-1"


def test_redirects_are_followed_only_so_far(receiver: tuple[Receiver, str]) -> None:
    receiving, origin = receiver
    assert deliver(f"{origin}/loop") == Outcome(
        "failed", detail=f"more than {MAX_REDIRECTS} redirects"
    )
    assert len(receiving.seen) == MAX_REDIRECTS + 1


def test_a_redirect_to_a_host_deliveries_may_not_reach_is_not_followed(
    receiver: tuple[Receiver, str],
) -> None:
    """A shared sandbox delivers to loopback and the --webhook-host names only: a receiver
    cannot redirect it into the network it runs in."""
    receiving, origin = receiver
    outcome = deliver(f"{origin}/away", webhook_hosts=())
    assert outcome == Outcome("failed", detail="redirected to a host deliveries may not go to")
    assert [r["path"] for r in receiving.seen] == ["away"]


def test_an_endless_answer_is_read_only_so_far(receiver: tuple[Receiver, str]) -> None:
    assert deliver(f"{receiver[1]}/endless", timeouts=Timeouts(answer=30)).accepted


def test_nobody_listening_is_a_refused_connection_without_the_urls_credentials() -> None:
    outcome = deliver(f"http://user:pa55word@{LOOPBACK}:{free_port()}/hook")
    assert outcome.kind == "connection_refused"
    assert "pa55word" not in repr(outcome)


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "not a url", "http://"])
def test_a_url_that_cannot_be_posted_to_fails_cleanly(url: str) -> None:
    assert deliver(url).kind == "failed"
