"""VIS's background work, about every 100 ms of real time: the producer (call changes to
events and queued deliveries) and the consumer (`deliver_due`: the deliveries due, sent);
one that fails is logged and tried again next time.

Served (`vbc-sandbox`, uvicorn), each runs as a task of its own from the app's ASGI lifespan
to its end, so a slow receiver (up to a minute through redirects and a duplicate) never holds
back the events of other calls. In process (the pytest plugin's transports) there is no
lifespan, and the async transport runs the app on the test's own event loop: there the web
app runs a tick, both in turn, before a request, at most one per interval (`WebApp`), and
that request waits for the deliveries then due, as a test that sends them itself would.
Served, the API never waits for a tick it did not ask for: the steps' database work runs in
a worker thread where the engine gives each thread its own connection (PostgreSQL); SQLite
has one connection a process, which a thread would share mid-transaction with requests, so
there it runs on the event loop, a pass at a time (a pass with nothing to do is three small
reads).
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable

import anyio

from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.phone.vis_producer import Seen, record_changes
from vbc_sandbox.storage.engines import StoreUnavailable
from vbc_sandbox.web.delivery_sender import DeliverySender
from vbc_sandbox.web.hosts import delivers_to
from vbc_sandbox.web.vis_delivery import (
    Claimed,
    claim_due,
    deliver_due,
    lease_for,
    off_loop,
    send_and_settle,
)

#: Seconds of real time between ticks.
INTERVAL = 0.1
#: Seconds between two log lines of failing steps (a lost database fails every tick).
LOG_EVERY = 30.0
#: Settled deliveries, and events kept, beyond which the oldest are dropped (VIS keeps events
#: for a while, not for ever; a sandbox left running must not grow without end).
VIS_KEPT = 100_000
#: Seconds of real time between two trims.
TRIM_EVERY = 10.0
#: Deliveries claimed and sent at once by one pass of the consumer (in process), and being
#: sent at once at most (served).
DELIVERY_BATCH = 50

log = logging.getLogger("vbc_sandbox")

Step = Callable[[], Awaitable[object]]


class VisLoop:
    """This process's VIS loop: `steps` run by each tick."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.seen = Seen()
        #: One producer pass at a time in this process (the loop, and reads catching up).
        self.producing = threading.Lock()
        self.last_tick = -math.inf
        self.logged_at = -math.inf
        hosts = sandbox.settings.webhook_hosts
        self.sender = DeliverySender(may_reach=lambda host: delivers_to(hosts, host))
        #: Who claims deliveries in the queue: this process, among every instance's.
        self.claimer = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self.trimmed_at = -math.inf
        self.steps: list[Step] = [self.produce, self.deliver, self.trim]
        #: Deliveries being sent now by this process (served).
        self.sending = 0

    async def produce(self) -> int:
        """Record every change made so far (`vis_producer.record_changes`); the number of
        events recorded."""
        return await off_loop(self.sandbox.store, None, self.produce_now)

    def produce_now(self) -> int:
        with self.producing:
            return record_changes(self.sandbox, self.sandbox.clock.now(), self.seen)

    async def trim(self) -> None:
        """Drop what is kept beyond VIS_KEPT, every TRIM_EVERY seconds."""
        if time.monotonic() - self.trimmed_at < TRIM_EVERY:
            return
        self.trimmed_at = time.monotonic()
        await off_loop(self.sandbox.store, None, self.sandbox.store.trim_vis, VIS_KEPT)

    async def deliver(self) -> int:
        """Send every delivery due now, a batch at a time; how many were claimed."""
        claimed = 0
        while True:
            batch = await deliver_due(
                self.sandbox, self.sender, claimer=self.claimer, limit=DELIVERY_BATCH
            )
            claimed += batch
            if batch < DELIVERY_BATCH:
                return claimed

    async def tick(self) -> None:
        self.last_tick = time.monotonic()
        for step in self.steps:
            await self.guarded(step)

    async def guarded(self, step: Step) -> None:
        try:
            await step()
        except Exception as error:  # one step's failure must not stop the rest
            now = time.monotonic()
            if now - self.logged_at >= LOG_EVERY:
                self.logged_at = now
                lost = isinstance(error, StoreUnavailable)  # no traceback: it says it all
                log.warning("VIS background step failed: %r", error, exc_info=not lost)

    async def tick_if_due(self) -> None:
        """A tick, unless one ran within the interval (in process: before a request)."""
        if time.monotonic() - self.last_tick >= INTERVAL:
            await self.tick()

    async def run(self) -> None:
        """Served: the producer every interval, and deliveries sent as slots free up, each
        in a task of its own, until cancelled."""
        try:
            async with anyio.create_task_group() as background:
                background.start_soon(self.repeat, self.produce)
                background.start_soon(self.repeat, self.trim)
                background.start_soon(self.deliver_continuously)
        finally:
            with anyio.CancelScope(shield=True):
                await self.sender.aclose()

    async def deliver_continuously(self) -> None:
        """Claim as many due deliveries as there are free sending slots, each sent and
        settled in a task of its own: a slow receiver (up to a minute through redirects)
        holds only its own slots, never the deliveries of other webhooks."""
        database = anyio.CapacityLimiter(1)
        async with anyio.create_task_group() as sends:

            async def claim() -> None:
                while (free := DELIVERY_BATCH - self.sending) > 0:
                    lease = lease_for(self.sender)
                    claimed, sendable = await off_loop(
                        self.sandbox.store, database, claim_due,
                        self.sandbox, self.claimer, free, lease,
                    )  # fmt: skip
                    for delivery in sendable:
                        self.sending += 1
                        sends.start_soon(self.send_one, delivery, database)
                    if claimed < free:
                        return

            await self.repeat(claim)

    async def send_one(self, delivery: Claimed, database: anyio.CapacityLimiter) -> None:
        try:
            await self.guarded(
                lambda: send_and_settle(self.sandbox, self.sender, self.claimer, delivery, database)
            )
        finally:
            self.sending -= 1

    async def repeat(self, step: Step) -> None:
        while True:
            await self.guarded(step)
            await anyio.sleep(INTERVAL)
