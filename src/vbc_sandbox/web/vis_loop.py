"""VIS's background work, a tick about every 100 ms of real time: its steps run in order, each
on its own (one that fails is logged and the next still runs).

Served (`vbc-sandbox`, uvicorn), the loop starts and stops with the app's ASGI lifespan. In
process (the pytest plugin's transports) there is no lifespan, and the async transport runs
the app on the test's own event loop: there the web app runs a tick before a request, at most
one per interval (`WebApp`). Either way the API never waits for a tick it did not ask for:
the producer's database work runs in a worker thread where the engine gives each thread its
own connection (PostgreSQL); SQLite has one connection a process, which a thread would share
mid-transaction with requests, so there the producer runs on the event loop, a pass at a
time (a pass with nothing to do is three small reads).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable

import anyio
import anyio.to_thread

from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.phone.vis_producer import Seen, record_changes
from vbc_sandbox.storage.engines import StoreUnavailable

#: Seconds of real time between ticks.
INTERVAL = 0.1
#: Seconds between two log lines of failing steps (a lost database fails every tick).
LOG_EVERY = 30.0

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
        self.steps: list[Step] = [
            self.produce,
            # MERGE: the consumer goes here, after the producer, e.g.
            # lambda: deliver_due(self.sandbox, self.sender, claimer=..., limit=...)
        ]

    async def produce(self) -> int:
        """Record every change made so far (`vis_producer.record_changes`); the number of
        events recorded."""
        if self.sandbox.store.db.connection_per_thread:
            return await anyio.to_thread.run_sync(self.produce_now)
        return self.produce_now()

    def produce_now(self) -> int:
        with self.producing:
            return record_changes(self.sandbox, self.sandbox.clock.now(), self.seen)

    async def tick(self) -> None:
        self.last_tick = time.monotonic()
        for step in self.steps:
            try:
                await step()
            except Exception as error:  # one step's failure must not stop the rest
                if self.last_tick - self.logged_at >= LOG_EVERY:
                    self.logged_at = self.last_tick
                    lost = isinstance(error, StoreUnavailable)  # no traceback: it says it all
                    log.warning("VIS background step failed: %r", error, exc_info=not lost)

    async def tick_if_due(self) -> None:
        """A tick, unless one ran within the interval (in process: before a request)."""
        if time.monotonic() - self.last_tick >= INTERVAL:
            await self.tick()

    async def run(self) -> None:
        """Tick until cancelled."""
        while True:
            await self.tick()
            await anyio.sleep(INTERVAL)
