"""Issue 29's user story, end to end on a served sandbox (its VIS loop running from the
lifespan): a user registers a webhook with the SDK, a real receiver on loopback gets a
signed delivery for each change of a call rung, answered and hung up, and checks each with
`webhooks.verify`; a receiver that answers 500 sees Vonage's retries, 10 s apart on the
sandbox's clock, until the webhook is failed; renewing it resumes deliveries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import anyio.to_thread
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.serving import serving
from tests.test_sandbox_vis import answered_inbound_call
from vbc_sandbox.testkit.plugin import RunningSandbox, Sandboxes
from vbc_telephony import Telephony, webhooks

KEY = "a-long-random-secret"
CUSTOMER = "15551234567"


class Receiver:
    """A user's receiver: verifies each delivery and answers `status` (200 once healthy)."""

    def __init__(self) -> None:
        self.status = 200
        self.deliveries: list[webhooks.Delivery] = []
        self.refused = 0
        self.arrived = threading.Condition()

    async def receive(self, request: Request) -> Response:
        try:
            delivery = webhooks.verify(await request.body(), request.headers, KEY)
        except webhooks.InvalidDeliveryError:
            with self.arrived:
                self.refused += 1
                self.arrived.notify_all()
            return Response(status_code=400)
        with self.arrived:
            self.deliveries.append(delivery)
            self.arrived.notify_all()
        return Response(status_code=self.status)

    def wait_for(self, count: int) -> list[webhooks.Delivery]:
        """The first `count` deliveries, once they came (the loop sends them within ms)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.deliveries) >= count, timeout=30), (
                f"{len(self.deliveries)} deliveries of {count}"
            )
            return self.deliveries[:count]


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiving = Receiver()
    app = Starlette(routes=[Route("/vis", receiving.receive, methods=["POST"])])
    with serving(app) as origin:
        yield receiving, origin + "/vis"


@pytest.fixture
def sandbox(vbc_sandboxes: Sandboxes) -> RunningSandbox:
    running = vbc_sandboxes.get("documented", "process")
    running.reset()
    return running


@pytest.fixture
def alice(sandbox: RunningSandbox) -> Iterator[Telephony]:
    grant = sandbox.password_grant("alice", "alice-sandbox-password")
    with sandbox.client(auth=grant) as client:
        yield client


def eventually(settled: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 30
    while not settled():
        assert time.monotonic() < deadline, "never settled"
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("policy", ["HEADER", "BODY"])
def test_a_registered_webhook_receives_each_change_of_a_call_signed(
    sandbox: RunningSandbox, alice: Telephony, receiver: tuple[Receiver, str], policy: str
) -> None:
    receiving, url = receiver
    webhook = alice.webhooks.create(url=url, signing_key=KEY, metadata_policy=policy)
    answered_inbound_call(sandbox, alice)

    delivered = receiving.wait_for(3)
    # No ordering promise: the receiver orders by the state machine, as VIS says to.
    assert sorted(d.event.state for d in delivered) == ["ACTIVE", "ANSWERED", "RINGING"]
    assert {(d.webhook_id, d.attempt) for d in delivered} == {(webhook.id, 1)}
    assert len({d.delivery_id for d in delivered}) == 3
    ended = next(d.event for d in delivered if d.event.state == "ANSWERED")
    assert ended.ended and ended.answered and ended.end_time is not None
    assert ended.phone_number == CUSTOMER and ended.direction == "INBOUND"
    assert receiving.refused == 0
    # The sandbox settles each attempt once its answer is read: just after the receiver saw it.
    eventually(lambda: alice.webhooks.get(webhook.id).statistics.total_successes == 3)
    statistics = alice.webhooks.get(webhook.id).statistics
    assert (statistics.total_successes, statistics.total_failures) == (3, 0)


def test_a_receiver_answering_500_gets_five_retries_then_the_webhook_fails(
    sandbox: RunningSandbox, alice: Telephony, receiver: tuple[Receiver, str]
) -> None:
    receiving, url = receiver
    receiving.status = 500
    sandbox.freeze()
    webhook = alice.webhooks.create(url=url, signing_key=KEY)
    # Bob's webhook, answered 200, marks the loop's passes: once his delivery for a call
    # rung later has come, a pass that would have sent anything due earlier has run.
    marks = Receiver()
    marking = Starlette(routes=[Route("/vis", marks.receive, methods=["POST"])])
    grant = sandbox.password_grant("bob", "bob-sandbox-password")
    with serving(marking) as origin, sandbox.client(auth=grant) as bob:
        bob.webhooks.create(url=origin + "/vis", signing_key=KEY)
        call_id = str(sandbox.ring_inbound(CUSTOMER, "1001")["call_id"])  # RINGING only

        assert [d.attempt for d in receiving.wait_for(1)] == [1]
        sandbox.ring_inbound(CUSTOMER, "1002")
        marks.wait_for(1)
        assert len(receiving.deliveries) == 1, "retried before the clock moved 10 s"
        for attempt in range(2, 7):
            sandbox.advance(10)
            assert receiving.wait_for(attempt)[-1].attempt == attempt
        assert len({d.delivery_id for d in receiving.deliveries}) == 1

        eventually(lambda: alice.webhooks.get(webhook.id).failed)
        failed = alice.webhooks.get(webhook.id)
        assert (failed.statistics.total_failures, failed.statistics.total_successes) == (1, 0)
        alice.calls.answer(call_id, device="VH1111111")
        sandbox.advance(10)
        marked = len(marks.deliveries)
        sandbox.ring_inbound(CUSTOMER, "1002")
        marks.wait_for(marked + 1)
        assert len(receiving.deliveries) == 6, "a failed webhook still received"

    receiving.status = 200
    assert not alice.webhooks.renew(webhook.id).failed
    alice.calls.hangup(call_id)
    arrived = receiving.wait_for(7)[-1]
    assert (arrived.event.state, arrived.attempt) == ("ANSWERED", 1)


def test_a_slow_receiver_holds_back_no_other_webhooks_deliveries(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    """Bob's receiver takes its time (within VIS's 2 s); alice's delivery, due meanwhile,
    is sent while bob's is still being answered, not after it."""
    bob_waiting, alice_arrived = threading.Event(), threading.Event()
    seen_while_bob_waited: list[bool] = []

    async def bob_receives(request: Request) -> Response:
        await request.body()
        bob_waiting.set()
        arrived = await anyio.to_thread.run_sync(alice_arrived.wait, 1.5)
        seen_while_bob_waited.append(arrived)
        return Response(status_code=200)

    async def alice_receives(request: Request) -> Response:
        await request.body()
        alice_arrived.set()
        return Response(status_code=200)

    app = Starlette(
        routes=[
            Route("/bob", bob_receives, methods=["POST"]),
            Route("/alice", alice_receives, methods=["POST"]),
        ]
    )
    grant = sandbox.password_grant("bob", "bob-sandbox-password")
    with serving(app) as origin, sandbox.client(auth=grant) as bob:
        bob.webhooks.create(url=origin + "/bob", signing_key=KEY)
        alice.webhooks.create(url=origin + "/alice", signing_key=KEY)
        sandbox.ring_inbound(CUSTOMER, "1002")
        assert bob_waiting.wait(30)
        sandbox.ring_inbound(CUSTOMER, "1001")
        eventually(lambda: bool(seen_while_bob_waited))
    assert seen_while_bob_waited[0], "alice's delivery waited for bob's receiver"
