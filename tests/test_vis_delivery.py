"""The sandbox delivering VIS events (web/vis_delivery.py) to real receivers on loopback, on
a frozen sandbox clock, on SQLite and on PostgreSQL: each of Vonage's delivery rules, both
signed metadata policies as a receiver verifies them, the test kit's delivery outcomes, and
two instances on one PostgreSQL delivering each delivery once."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tests.postgres_server import PostgresServer
from tests.serving import serving
from vbc_sandbox.phone.delivery_outcomes import MAX_QUEUED, DeliveryOutcomes
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.phone.webhook_rules import LIFETIME, MAX_RETRIES, expires_at
from vbc_sandbox.settings import Settings
from vbc_sandbox.testkit.plugin import ControlError, RunningSandbox
from vbc_sandbox.web.delivery_sender import DeliverySender, Timeouts
from vbc_sandbox.web.vis_delivery import deliver_due, lease_for
from vbc_telephony import webhooks

NOW = 1_800_000_000.0
ACCOUNT = "1234"
KEY = "s3cret signing key"
#: A receiver that never answers costs a test a fifth of a second.
QUICK = Timeouts(connect=3.0, answer=0.2)
#: VIS's own bounds, for receivers that answer at once: a loaded machine stays well within.
VIS_BOUNDS = Timeouts()
delivery_ids = itertools.count()


class Receiver:
    """Notes every request (method, path, headers, body) and answers as its path says:
    /ok 200, /fail 500, /created 201, /slow never in time, /found a 302 and /temporary a
    307 to /ok."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route(f"/{name}", self.endpoint, methods=["GET", "POST"])
                for name in ("ok", "fail", "created", "slow", "found", "temporary")
            ]
        )

    async def endpoint(self, request: Request) -> Response:
        name = request.url.path.strip("/")
        self.seen.append(
            {
                "method": request.method,
                "path": name,
                "headers": dict(request.headers),
                "body": await request.body(),
            }
        )
        if name == "slow":
            with anyio.move_on_after(10):  # until the sandbox gives up and hangs up
                while not await request.is_disconnected():
                    await anyio.sleep(0.05)
        redirects = {"found": 302, "temporary": 307}
        if name in redirects:
            return RedirectResponse("/ok", status_code=redirects[name])
        return Response("", status_code={"fail": 500, "created": 201}.get(name, 200))

    def deliveries(self) -> list[webhooks.Delivery]:
        """What arrived by POST, each verified as a receiver would."""
        return [
            webhooks.verify(seen["body"], seen["headers"], KEY)
            for seen in self.seen
            if seen["method"] == "POST"
        ]


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiving = Receiver()
    with serving(receiving.app) as origin:
        yield receiving, origin


@pytest.fixture
def sandbox(location: str, receiver: tuple[Receiver, str]) -> Iterator[Sandbox]:
    receiver[0].seen.clear()
    built = Sandbox.build(Settings(db=location))
    built.clock.change(freeze=True, at=NOW)
    yield built
    built.store.close()


def add_webhook(sandbox: Sandbox, url: str, webhook_id: str = "w", policy: str = "HEADER") -> None:
    sandbox.store.add_webhook(
        {
            "webhook_id": webhook_id,
            "account_id": ACCOUNT,
            "username": "alice",
            "user_id": "id-of-alice",
            "url": url,
            "events": json.dumps(["CALL"]),
            "signing_algo": "HMAC_SHA256",
            "signing_key": KEY,
            "metadata_policy": policy,
            "created_at": NOW,
            "expire_at": expires_at(NOW),
        }
    )


def event(state: str, call: str = "c") -> dict[str, Any]:
    return {
        "id": f"{call}-{state}",
        "externalId": call,
        "type": "CALL",
        "accountId": ACCOUNT,
        "userId": "id-of-alice",
        "direction": "INBOUND",
        "state": state,
        "duration": 0,
        "startTime": "2027-01-15T08:00:00.000+0000",
    }


def enqueue(sandbox: Sandbox, *states: str, webhook_id: str = "w", call: str = "c") -> list[str]:
    """Deliveries of these events of a call, due now; their ids."""
    rows = [
        {
            "delivery_id": f"d{next(delivery_ids)}",
            "webhook_id": webhook_id,
            "account_id": ACCOUNT,
            "call_id": call,
            "event": json.dumps(event(state, call)),
            "created_at": sandbox.clock.now(),
            "due_at": sandbox.clock.now(),
        }
        for state in states
    ]
    sandbox.store.enqueue_deliveries(rows)
    return [row["delivery_id"] for row in rows]


def deliver(sandbox: Sandbox, claimer: str = "instance-1", timeouts: Timeouts = VIS_BOUNDS) -> int:
    async def main() -> int:
        sender = DeliverySender(timeouts)
        try:
            return await deliver_due(sandbox, sender, claimer=claimer, limit=50)
        finally:
            await sender.aclose()

    return asyncio.run(main())


def advance(sandbox: Sandbox, seconds: float) -> None:
    sandbox.clock.change(advance=seconds)


def delivery_row(sandbox: Sandbox, delivery_id: str) -> Any:
    [row] = [r for r in sandbox.store.deliveries({}, 1000) if r["delivery_id"] == delivery_id]
    return row


def statistics(sandbox: Sandbox, webhook_id: str = "w") -> tuple[int, int, int, int]:
    webhook = sandbox.store.webhook(ACCOUNT, "alice", webhook_id)
    return (
        webhook["total_attempts"],
        webhook["total_successes"],
        webhook["total_failures"],
        webhook["failed"],
    )


@pytest.mark.parametrize("policy", ["HEADER", "BODY"])
def test_a_due_delivery_goes_at_once_signed_as_its_webhook_says(
    sandbox: Sandbox, receiver: tuple[Receiver, str], policy: str
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/ok", policy=policy)
    [delivery_id] = enqueue(sandbox, "RINGING")
    assert deliver(sandbox) == 1
    [delivery] = receiving.deliveries()
    assert (delivery.delivery_id, delivery.attempt, delivery.webhook_id) == (delivery_id, 1, "w")
    assert delivery.event.state == "RINGING"
    assert (policy == "HEADER") == ("x-von-signature" in receiving.seen[0]["headers"])
    assert delivery_row(sandbox, delivery_id)["state"] == "delivered"
    assert statistics(sandbox) == (1, 1, 0, 0)
    assert deliver(sandbox) == 0  # delivered once


def test_a_refused_delivery_is_retried_only_once_the_clock_moved_10_seconds(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/fail")
    [delivery_id] = enqueue(sandbox, "RINGING")
    deliver(sandbox)
    assert deliver(sandbox) == 0
    advance(sandbox, 9.9)
    assert deliver(sandbox) == 0
    advance(sandbox, 0.1)
    assert deliver(sandbox) == 1
    assert [(d.delivery_id, d.attempt) for d in receiving.deliveries()] == [
        (delivery_id, 1),
        (delivery_id, 2),
    ]
    row = delivery_row(sandbox, delivery_id)
    assert (row["state"], row["attempt"], row["outcome"]) == ("pending", 3, "refused 500")
    assert statistics(sandbox) == (0, 0, 0, 0)  # counted once settled


def test_only_a_200_counts(sandbox: Sandbox, receiver: tuple[Receiver, str]) -> None:
    add_webhook(sandbox, f"{receiver[1]}/created")
    [delivery_id] = enqueue(sandbox, "RINGING")
    deliver(sandbox)
    assert delivery_row(sandbox, delivery_id)["outcome"] == "refused 201"


def test_five_retries_then_the_webhook_fails_until_renewed(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/fail")
    [refused] = enqueue(sandbox, "RINGING")
    for _ in range(MAX_RETRIES):
        deliver(sandbox)
        advance(sandbox, 10)
    [waiting] = enqueue(sandbox, "ACTIVE")
    deliver(sandbox)  # the fifth retry of the first, and the second's first attempt
    assert [d.attempt for d in receiving.deliveries() if d.delivery_id == refused] == [
        1, 2, 3, 4, 5, 6,
    ]  # fmt: skip
    assert delivery_row(sandbox, refused)["state"] == "failed"
    assert statistics(sandbox) == (1, 0, 1, 1)
    # The second was refused once, and then dropped when its webhook failed.
    assert delivery_row(sandbox, waiting)["state"] == "dropped"
    sent = len(receiving.seen)
    [after_failure] = enqueue(sandbox, "HELD")
    advance(sandbox, 10)
    deliver(sandbox)
    assert len(receiving.seen) == sent
    assert delivery_row(sandbox, after_failure)["state"] == "dropped"

    sandbox.store.db.execute("UPDATE webhooks SET url = ?", (f"{origin}/ok",))
    now = sandbox.clock.now()
    assert sandbox.store.renew_webhook(ACCOUNT, "alice", "w", now, expires_at(now))
    [renewed] = enqueue(sandbox, "ANSWERED")
    deliver(sandbox)
    assert receiving.deliveries()[-1].delivery_id == renewed
    assert statistics(sandbox) == (2, 1, 1, 0)


def test_an_expired_webhook_gets_nothing(sandbox: Sandbox, receiver: tuple[Receiver, str]) -> None:
    add_webhook(sandbox, f"{receiver[1]}/ok")
    [delivery_id] = enqueue(sandbox, "RINGING")
    advance(sandbox, LIFETIME)
    assert deliver(sandbox) == 1
    assert receiver[0].seen == []
    assert delivery_row(sandbox, delivery_id)["state"] == "dropped"
    assert statistics(sandbox) == (0, 0, 0, 0)


@pytest.mark.parametrize(("path", "method"), [("found", "GET"), ("temporary", "POST")])
def test_a_302_is_followed_as_a_get_and_a_307_as_a_post(
    sandbox: Sandbox, receiver: tuple[Receiver, str], path: str, method: str
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/{path}")
    [delivery_id] = enqueue(sandbox, "RINGING")
    deliver(sandbox)
    assert [(seen["method"], seen["path"]) for seen in receiving.seen] == [
        ("POST", path),
        (method, "ok"),
    ]
    assert delivery_row(sandbox, delivery_id)["state"] == "delivered"


def test_a_receiver_that_answers_too_late_has_failed_the_attempt(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    add_webhook(sandbox, f"{receiver[1]}/slow")
    [delivery_id] = enqueue(sandbox, "RINGING")
    deliver(sandbox, timeouts=QUICK)
    row = delivery_row(sandbox, delivery_id)
    assert (row["state"], row["attempt"]) == ("pending", 2)
    assert row["outcome"] == "timeout: no answer within 0.2 s"


def test_a_claim_whose_claimer_stopped_is_delivered_after_its_lease(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/ok")
    lease = lease_for(DeliverySender(VIS_BOUNDS))
    # Another instance claimed this one just now...
    [just_claimed] = enqueue(sandbox, "RINGING")
    sandbox.store.claim_deliveries("busy", NOW, time.time(), lease, 10)
    # ...and one claimed this one and stopped before settling it, a lease and a second ago.
    [stopped_long_ago] = enqueue(sandbox, "ACTIVE")
    sandbox.store.claim_deliveries("stopped", NOW, time.time() - lease - 1, lease, 10)
    assert deliver(sandbox) == 1
    assert [d.delivery_id for d in receiving.deliveries()] == [stopped_long_ago]
    assert delivery_row(sandbox, just_claimed)["state"] == "pending"


def test_a_duplicate_is_sent_twice_with_the_same_id_and_counted_once(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/ok")
    DeliveryOutcomes(sandbox.store).add("duplicate", webhook_id="w")
    [twice, once] = enqueue(sandbox, "RINGING", "ACTIVE")
    deliver(sandbox)
    sent = sorted((d.delivery_id, d.attempt) for d in receiving.deliveries())
    assert sent == [(twice, 1), (twice, 2), (once, 1)]
    assert statistics(sandbox) == (2, 2, 0, 0)


def test_a_late_delivery_arrives_after_its_calls_final_event(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/ok")
    DeliveryOutcomes(sandbox.store).add("late")
    enqueue(sandbox, "RINGING")
    deliver(sandbox)
    assert receiving.seen == []
    enqueue(sandbox, "ACTIVE", "ANSWERED")
    deliver(sandbox)
    deliver(sandbox)
    states = [d.event.state for d in receiving.deliveries()]
    assert sorted(states[:2]) == ["ACTIVE", "ANSWERED"]
    assert states[2:] == ["RINGING"]
    assert receiving.deliveries()[2].attempt == 1


def test_a_delayed_delivery_goes_that_much_later_on_the_sandbox_clock(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    add_webhook(sandbox, f"{origin}/ok")
    DeliveryOutcomes(sandbox.store).add("delay", seconds=30)
    [delayed] = enqueue(sandbox, "RINGING")
    deliver(sandbox)
    advance(sandbox, 29)
    deliver(sandbox)
    assert receiving.seen == []
    advance(sandbox, 1)
    deliver(sandbox)
    assert [(d.delivery_id, d.attempt) for d in receiving.deliveries()] == [(delayed, 1)]


def test_two_instances_on_one_postgresql_deliver_each_delivery_once(
    postgres: PostgresServer, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    receiving.seen.clear()
    url = postgres.new_database()
    one, two = Sandbox.build(Settings(db=url)), Sandbox.build(Settings(db=url))
    one.clock.change(freeze=True, at=NOW)
    add_webhook(one, f"{origin}/ok")
    ids = [
        delivery_id
        for call in range(60)
        for delivery_id in enqueue(one, "RINGING", "ACTIVE", "ANSWERED", call=f"call-{call}")
    ]

    async def instance(sandbox: Sandbox, claimer: str) -> None:
        sender = DeliverySender(VIS_BOUNDS)
        try:
            while await deliver_due(sandbox, sender, claimer=claimer, limit=7):
                pass
        finally:
            await sender.aclose()

    threads = [
        threading.Thread(target=asyncio.run, args=(instance(sandbox, claimer),))
        for sandbox, claimer in ((one, "instance-1"), (two, "instance-2"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    one.store.close()
    two.store.close()
    received = [d.delivery_id for d in receiving.deliveries()]
    assert sorted(received) == sorted(ids)


# ----------------------------------------------------------------- the test kit's control API


@pytest.mark.vbc_sandbox(mode="in_process")
def test_delivery_outcomes_are_queued_through_the_control_api_until_reset(
    vbc_sandbox: RunningSandbox, receiver: tuple[Receiver, str]
) -> None:
    receiving, origin = receiver
    receiving.seen.clear()
    vbc_sandbox.delivery_outcome("delay", seconds=30, webhook_id="another webhook")
    vbc_sandbox.delivery_outcome("duplicate", times=2)
    assert vbc_sandbox.delivery_outcomes() == [
        {"outcome": "delay", "times": 1, "seconds": 30, "webhook_id": "another webhook"},
        {"outcome": "duplicate", "times": 2, "seconds": 0, "webhook_id": None},
    ]
    assert vbc_sandbox.app is not None
    sandbox = vbc_sandbox.app.sandbox
    add_webhook(sandbox, f"{origin}/ok")
    [twice] = enqueue(sandbox, "RINGING")
    deliver(sandbox)
    assert [(d.delivery_id, d.attempt) for d in receiving.deliveries()] == [(twice, 1), (twice, 2)]
    assert [entry["times"] for entry in vbc_sandbox.delivery_outcomes()] == [1, 1]
    vbc_sandbox.reset()
    assert vbc_sandbox.delivery_outcomes() == []


@pytest.mark.vbc_sandbox(mode="in_process")
@pytest.mark.parametrize(
    ("outcome", "options", "message"),
    [
        ("delay", {}, "a delay needs seconds"),
        ("delay", {"seconds": 0}, "a delay needs seconds"),
        ("delay", {"seconds": 86401}, "86400"),
        ("early", {}, "early"),
        ("late", {"times": 0}, "minimum"),
    ],
)
def test_a_delivery_outcome_that_cannot_be_is_refused_in_a_sentence(
    vbc_sandbox: RunningSandbox, outcome: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ControlError, match=f"400 .*{message}"):
        vbc_sandbox.delivery_outcome(outcome, **options)
    assert vbc_sandbox.delivery_outcomes() == []


@pytest.mark.vbc_sandbox(mode="in_process")
def test_at_most_so_many_delivery_outcomes_are_queued(vbc_sandbox: RunningSandbox) -> None:
    for _ in range(MAX_QUEUED):
        vbc_sandbox.delivery_outcome("late")
    with pytest.raises(ControlError, match=f"at most {MAX_QUEUED}"):
        vbc_sandbox.delivery_outcome("late")
