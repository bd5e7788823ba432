"""VIS's delivery rules, as pure logic on a given clock value (the sandbox's): what a webhook
receives, what follows an attempt, what the statistics count, and what a delivery carries.
From the vendor's webhooks page (`/work/shared/reference/vis-call-events.md` §1, §4, §5):

- the first attempt goes at once; only an HTTP 200 counts; after a refusal, at most 5 retries
  10 s apart, each with the same `deliveryId` and the next `attempt`; then the webhook is
  failed and receives nothing until it is renewed;
- a webhook expires 10 days after it was created or last renewed, and then receives nothing;
  a renewal clears `failed` and keeps the statistics;
- the statistics count a delivery once, when it is settled: an attempt and a success, or an
  attempt and a failure (after all its retries);
- the metadata (`webhookId`, `deliveryId`, `attempt`, and `signature` when the webhook signs)
  travel as X-VON-* headers (policy HEADER), in the body's `metadata` (BODY), or not at all
  (NONE); a webhook signs when its algorithm is HMAC_SHA256 and its key is not empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

#: Retries after the first attempt, at most.
MAX_RETRIES = 5
#: Seconds from a refused attempt to the next.
RETRY_INTERVAL = 10.0
#: Seconds a webhook lives after its creation or renewal (10 days).
LIFETIME = 10 * 86400.0
#: The one answer that counts as delivered: not any 2xx.
ACCEPTED_STATUS = 200
SIGNING_ALGORITHM = "HMAC_SHA256"
METADATA_POLICIES = ("NONE", "HEADER", "BODY")
#: The headers of policy HEADER.
SIGNATURE_HEADER = "X-VON-Signature"
WEBHOOK_ID_HEADER = "X-VON-Webhook-Id"
DELIVERY_ID_HEADER = "X-VON-Delivery-Id"
ATTEMPT_HEADER = "X-VON-Attempt"

#: `sign(event, key)`: the hex signature of an event (vbc_telephony.webhooks.sign).
Sign = Callable[[Mapping[str, Any], str], str]


def expires_at(created_or_renewed_at: float) -> float:
    return created_or_renewed_at + LIFETIME


def receives(failed: bool, expire_at: float, now: float) -> bool:
    """Whether a webhook gets deliveries at `now`: not failed, not expired."""
    return not failed and now < expire_at


def accepted(status: int | None) -> bool:
    return status == ACCEPTED_STATUS


@attrs.frozen
class Next:
    """What follows an attempt: `delivered`; `retry` as `attempt` at `due_at`; or `failed`,
    the delivery given up and its webhook failed."""

    kind: Literal["delivered", "retry", "failed"]
    attempt: int
    due_at: float | None = None

    @property
    def settled(self) -> bool:
        """Whether the delivery is done with (and counted in the statistics)."""
        return self.kind != "retry"


def after_attempt(attempt: int, status: int | None, now: float) -> Next:
    """What follows attempt number `attempt` (1 is the first) answered with `status` (None:
    no answer) at `now`."""
    if accepted(status):
        return Next("delivered", attempt)
    if attempt <= MAX_RETRIES:
        return Next("retry", attempt + 1, now + RETRY_INTERVAL)
    return Next("failed", attempt)


@attrs.frozen
class Statistics:
    """A webhook's `statistics`, as VIS shows them."""

    total_attempts: int = 0
    total_successes: int = 0
    total_failures: int = 0
    failed: bool = False

    def settled(self, next_step: Next) -> Statistics:
        """The statistics once a delivery settled as `next_step` says (a retry: unchanged)."""
        if not next_step.settled:
            return self
        delivered = next_step.kind == "delivered"
        return Statistics(
            self.total_attempts + 1,
            self.total_successes + delivered,
            self.total_failures + (not delivered),
            self.failed or not delivered,
        )

    def renewed(self) -> Statistics:
        return attrs.evolve(self, failed=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "totalAttempts": self.total_attempts,
            "totalSuccesses": self.total_successes,
            "totalFailures": self.total_failures,
            "failed": self.failed,
        }


@attrs.frozen
class Parcel:
    """One attempt's content: the event, and what its webhook says about metadata and
    signing. The key is the user's secret: never in a repr."""

    event: Mapping[str, Any]
    webhook_id: str
    delivery_id: str
    attempt: int
    metadata_policy: str = "NONE"
    signing_algo: str = SIGNING_ALGORITHM
    signing_key: str = attrs.field(default="", repr=False)

    def __attrs_post_init__(self) -> None:
        if self.metadata_policy not in METADATA_POLICIES:
            raise ValueError(f"metadataPolicy must be one of {', '.join(METADATA_POLICIES)}")

    @property
    def signed(self) -> bool:
        return self.signing_algo == SIGNING_ALGORITHM and bool(self.signing_key)


def envelope(parcel: Parcel, sign: Sign) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and the metadata headers of a delivery."""
    signature = sign(parcel.event, parcel.signing_key) if parcel.signed else None
    body: dict[str, Any] = {"event": dict(parcel.event)}
    if parcel.metadata_policy == "BODY":
        metadata: dict[str, Any] = {"signature": signature} if signature else {}
        body["metadata"] = metadata | {
            "webhookId": parcel.webhook_id,
            "deliveryId": parcel.delivery_id,
            "attempt": parcel.attempt,
        }
        return body, {}
    if parcel.metadata_policy == "HEADER":
        headers = {SIGNATURE_HEADER: signature} if signature else {}
        return body, headers | {
            WEBHOOK_ID_HEADER: parcel.webhook_id,
            DELIVERY_ID_HEADER: parcel.delivery_id,
            ATTEMPT_HEADER: str(parcel.attempt),
        }
    return body, {}
