"""The sandbox's clock: real time unless a test froze, set or advanced it. Every time the API
shows (call and leg times, ringing, linger, token expiry, quotas, lockouts) reads it, and it
lives in the store, so every worker process tells the same time."""

from __future__ import annotations

import time
from typing import Any

from vbc_sandbox.errors import BadRequest
from vbc_sandbox.storage.store import Row, Store

#: The latest time the clock may show: the start of year 3000 (control.yaml's bound on `at`),
#: so every time derived from it (ringing, expiry, linger) still renders as a date.
LATEST = 32503680000.0


class Clock:
    def __init__(self, store: Store) -> None:
        self.store = store

    def now(self) -> float:
        return self.reading(self.store.clock())

    @staticmethod
    def reading(row: Row | None) -> float:
        """The time a clock row (store.clock()) tells now."""
        if row is None:
            return time.time()
        if row["frozen_at"] is not None:
            return float(row["frozen_at"])
        return time.time() + float(row["offset"])

    def state(self) -> dict[str, Any]:
        row = self.store.clock()
        return {"now": self.now(), "frozen": bool(row and row["frozen_at"] is not None)}

    def change(
        self, *, freeze: bool | None = None, advance: float = 0.0, at: float | None = None
    ) -> dict[str, Any]:
        """Freeze or thaw the clock, set it to `at`, and move it on by `advance` seconds, in
        that order and in one transaction. A thawed clock runs on from where it stood."""
        with self.store.transaction():
            real = time.time()
            row = self.store.clock()
            frozen = row is not None and row["frozen_at"] is not None
            if row is None:
                shown = real
            elif frozen:
                shown = float(row["frozen_at"])
            else:
                shown = real + float(row["offset"])
            if at is not None:
                shown = at
            shown += advance
            if shown > LATEST:
                raise BadRequest("the clock cannot pass the start of year 3000 (32503680000)")
            frozen = frozen if freeze is None else freeze
            self.store.set_clock(shown - real, shown if frozen else None)
        return self.state()
