"""Delivering the VIS deliveries that are due, by Vonage's rules (`phone/webhook_rules.py`),
on the sandbox's clock: a frozen clock sends a retry only once a test moves it on.

One call of `deliver_due` claims up to `limit` due deliveries (a claim is a lease in real
time: each is sent by one claimer across instances, and one whose claimer stopped between
claim and settle is due again once the lease passes), drops those whose webhook no longer
receives (deleted, failed, expired), applies the test kit's delivery outcomes, sends the
rest at once, signed under their webhook's key and policy, and settles each as its answer
comes: delivered, retried 10 s later, or failed with its webhook.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import attrs

from vbc_sandbox.phone.delivery_outcomes import DeliveryOutcomes
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.phone.vis_events import FINAL
from vbc_sandbox.phone.webhook_rules import Parcel, Statistics, after_attempt, receives
from vbc_sandbox.storage.store import Row, Store
from vbc_sandbox.web.delivery_sender import DeliverySender, Outcome
from vbc_telephony.webhooks import sign

T = TypeVar("T")

#: Real seconds a claim outlasts the longest a claimed delivery can take to send.
LEASE_MARGIN = 30.0
NOT_RECEIVING = "not sent: its webhook no longer receives (deleted, failed or expired)"
HELD = "held by the test kit until the call's final event is delivered"


def lease_for(sender: DeliverySender) -> float:
    """Real seconds a claim lasts: the longest a delivery can take (sent twice, each time
    through every redirect, each hop connecting and answering in full), and a margin."""
    hop = sender.timeouts.connect + sender.timeouts.answer
    return 2 * (sender.max_redirects + 1) * hop + LEASE_MARGIN


@attrs.frozen
class Claimed:
    """A claimed delivery to send: where, what, and how."""

    seq: int
    url: str = attrs.field(repr=False)  # it may carry credentials
    parcel: Parcel
    #: It carries its call's final event: deliveries held for after it are released.
    final: bool
    #: When it was claimed to be sent, on the sandbox's clock: its retry is due 10 s on from
    #: then, however long the answer or its settling took (a frozen clock's test knows when).
    sent_at: float = 0.0
    #: The test kit's duplicate outcome: sent again at once as the next attempt.
    twice: bool = False


async def deliver_due(sandbox: Sandbox, sender: DeliverySender, *, claimer: str, limit: int) -> int:
    """Deliver what is due on the sandbox's clock, up to `limit` deliveries at once, as
    `claimer` (unique to this process); how many were claimed (`limit`: more may be due)."""
    database = anyio.CapacityLimiter(1)
    claimed, sendable = await off_loop(
        sandbox.store, database, claim_due, sandbox, claimer, limit, lease_for(sender)
    )
    async with anyio.create_task_group() as group:
        for delivery in sendable:
            group.start_soon(send_and_settle, sandbox, sender, claimer, delivery, database)
    return claimed


async def off_loop(
    store: Store, database: anyio.CapacityLimiter | None, work: Callable[..., T], *args: Any
) -> T:
    """Run `work` on the store without making the event loop wait on the database: in a
    worker thread on PostgreSQL (a connection per thread). On SQLite in the loop's own
    thread, as every API request does: its one connection's transaction is shared by all
    threads, so a thread beside would join the API's transactions."""
    if not store.db.connection_per_thread:
        return work(*args)
    return await anyio.to_thread.run_sync(functools.partial(work, *args), limiter=database)


def claim_due(
    sandbox: Sandbox, claimer: str, limit: int, lease: float
) -> tuple[int, list[Claimed]]:
    """Claim what is due; settle or set aside those not to send now; the rest to send."""
    store, now = sandbox.store, sandbox.clock.now()
    rows = store.claim_deliveries(claimer, now, time.time(), lease, limit)
    webhooks = store.webhooks_by_id(sorted({row["webhook_id"] for row in rows}))
    outcomes = DeliveryOutcomes(store)
    sendable = []
    for row in rows:
        event = json.loads(row["event"])
        final = event.get("state") in FINAL
        webhook = webhooks.get(row["webhook_id"])
        if webhook is None or not receives(bool(webhook["failed"]), webhook["expire_at"], now):
            store.settle_delivery(
                row["seq"], claimer, state="dropped", outcome=NOT_RECEIVING, status=None,
                at=now, counted=None, release_held=final,
            )  # fmt: skip
            continue
        # The test kit's outcomes apply to a delivery before its first attempt only.
        untouched = row["attempt"] == 1 and row["outcome"] is None
        outcome = outcomes.take(row["webhook_id"]) if untouched else None
        kind = outcome.kind if outcome else None
        if outcome and kind == "delay":
            store.reschedule_delivery(
                row["seq"], claimer, row["attempt"], now + outcome.seconds,
                f"delayed {outcome.seconds:g} s by the test kit", None,
            )  # fmt: skip
            continue
        if (
            kind == "late"
            and not final
            and row["call_id"] is not None
            and store.hold_delivery(row["seq"], claimer, HELD, final_delivered)
        ):
            continue
        sendable.append(
            Claimed(
                row["seq"], webhook["url"], parcel(row, event, webhook), final,
                sent_at=now, twice=kind == "duplicate",
            )
        )  # fmt: skip
    return len(rows), sendable


def parcel(delivery: Row, event: dict[str, Any], webhook: Row) -> Parcel:
    return Parcel(
        event,
        webhook["webhook_id"],
        delivery["delivery_id"],
        int(delivery["attempt"]),
        webhook["metadata_policy"],
        webhook["signing_algo"],
        webhook["signing_key"],
    )


def final_delivered(events: list[str]) -> bool:
    return any(json.loads(event).get("state") in FINAL for event in events)


async def send_and_settle(
    sandbox: Sandbox,
    sender: DeliverySender,
    claimer: str,
    delivery: Claimed,
    database: anyio.CapacityLimiter,
) -> None:
    outcome = await sender.deliver(delivery.url, delivery.parcel, sign)
    attempt = delivery.parcel.attempt
    if delivery.twice:
        attempt += 1
        again = attrs.evolve(delivery.parcel, attempt=attempt)
        outcome = await sender.deliver(delivery.url, again, sign)
    await off_loop(sandbox.store, database, settle, sandbox, claimer, delivery, attempt, outcome)


def settle(
    sandbox: Sandbox, claimer: str, delivery: Claimed, attempt: int, outcome: Outcome
) -> None:
    """What follows the answer to `attempt`: delivered, a retry, or failed (and counted)."""
    now = sandbox.clock.now()
    step = after_attempt(attempt, outcome.status, delivery.sent_at)
    said = described(outcome)
    if step.kind == "retry":
        assert step.due_at is not None
        sandbox.store.reschedule_delivery(
            delivery.seq, claimer, step.attempt, step.due_at, said, outcome.status
        )
        return
    sandbox.store.settle_delivery(
        delivery.seq, claimer, state=step.kind, outcome=said, status=outcome.status, at=now,
        counted=attrs.astuple(Statistics().settled(step)), release_held=delivery.final,
    )  # fmt: skip


def described(outcome: Outcome) -> str:
    """An outcome in a few words, for the delivery and its webhook's last error."""
    if outcome.status is not None:
        return f"{outcome.kind} {outcome.status}"
    return f"{outcome.kind}: {outcome.detail}" if outcome.detail else outcome.kind
