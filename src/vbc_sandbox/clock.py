"""The sandbox's clock: real time unless a test froze, set or advanced it. Every time the API
shows (call and leg times, ringing, linger, token expiry, quotas, lockouts) reads it, and it
lives in the store, so every worker process tells the same time."""

from __future__ import annotations

import time
from typing import Any

from vbc_sandbox.store import Store


class Clock:
    def __init__(self, store: Store) -> None:
        self.store = store

    def now(self) -> float:
        row = self.store.one("SELECT offset, frozen_at FROM clock")
        if row is None:
            return time.time()
        if row["frozen_at"] is not None:
            return float(row["frozen_at"])
        return time.time() + float(row["offset"])

    def state(self) -> dict[str, Any]:
        row = self.store.one("SELECT frozen_at FROM clock")
        return {"now": self.now(), "frozen": bool(row and row["frozen_at"] is not None)}

    def change(
        self, *, freeze: bool | None = None, advance: float = 0.0, at: float | None = None
    ) -> dict[str, Any]:
        """Freeze or thaw the clock, set it to `at`, and move it on by `advance` seconds, in
        that order and in one transaction. A thawed clock runs on from where it stood."""
        with self.store.transaction() as db:
            real = time.time()
            row = db.execute("SELECT offset, frozen_at FROM clock").fetchone()
            frozen = row is not None and row["frozen_at"] is not None
            shown = (
                float(row["frozen_at"]) if frozen else real + (float(row["offset"]) if row else 0.0)
            )
            if at is not None:
                shown = at
            shown += advance
            frozen = frozen if freeze is None else freeze
            db.execute(
                "INSERT OR REPLACE INTO clock VALUES (1, ?, ?)",
                (shown - real, shown if frozen else None),
            )
        return self.state()
