"""What the test kit makes the next VIS deliveries do, so a receiver meets on demand what
Vonage may send it (`/work/shared/reference/vis-call-events.md` §5: duplicates share a
`deliveryId` with a higher `attempt`; no ordering promise):

- `duplicate`: the delivery is sent twice at once, the second time as the next attempt
  (as when Vonage did not get the receiver's first answer); the second answer decides;
- `late`: held back until its call's final event has been delivered to the same webhook
  (a RINGING after ANSWERED); a final event itself is never held;
- `delay`: sent `seconds` later on the sandbox's clock.

Each outcome is taken by the next deliveries (of one webhook, or of any) at their first
attempt. Queued in the store, so every worker and instance takes from the same queue.
"""

from __future__ import annotations

from typing import Any

import attrs

from vbc_sandbox.errors import BadRequest
from vbc_sandbox.storage.store import Row, Store

OUTCOMES = ("duplicate", "late", "delay")
#: Outcome entries queued at most, so a runaway script cannot fill the store.
MAX_QUEUED = 100
#: The longest delay, in seconds of the sandbox's clock (a day, as control.yaml says).
MAX_DELAY = 86400.0


@attrs.frozen
class DeliveryOutcome:
    kind: str
    seconds: float = 0.0

    @classmethod
    def of(cls, row: Row) -> DeliveryOutcome:
        return cls(str(row["outcome"]), float(row["seconds"]))


class DeliveryOutcomes:
    """The queue of delivery outcomes, in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self, outcome: str, times: int = 1, seconds: float = 0.0, webhook_id: str | None = None
    ) -> None:
        if outcome not in OUTCOMES:
            raise BadRequest(f"outcome must be one of {', '.join(OUTCOMES)}")
        if outcome == "delay" and not 0 < seconds <= MAX_DELAY:
            # Also refuses NaN: no comparison with it holds.
            raise BadRequest(f"a delay needs seconds, more than 0 and at most {MAX_DELAY:g}")
        with self.store.transaction():
            if len(self.store.delivery_outcomes()) >= MAX_QUEUED:
                raise BadRequest(f"at most {MAX_QUEUED} delivery outcomes may be queued")
            self.store.add_delivery_outcome(
                outcome, times, seconds if outcome == "delay" else 0.0, webhook_id
            )

    def pending(self) -> list[dict[str, Any]]:
        return [
            {
                "outcome": row["outcome"],
                "times": row["remaining"],
                "seconds": row["seconds"],
                "webhook_id": row["webhook_id"],
            }
            for row in self.store.delivery_outcomes()
        ]

    def take(self, webhook_id: str) -> DeliveryOutcome | None:
        """The outcome the next delivery of this webhook takes, if any is queued."""
        row = self.store.take_delivery_outcome(webhook_id)
        return DeliveryOutcome.of(row) if row else None
