"""VIS events produced: the calls of watched accounts (those with a webhook) looked at again
when they may have changed, each new look compared with the one kept, and what moved kept as
events for their users and queued for their receiving webhooks. No HTTP.

A call may have changed when its account's change counter moved (an action on it, a call
placed; `Store.change_marks`, as the console's feeds read it) or when its last look said it
would change by itself by now (a phone answering after its ring delay, a call's end). The
look kept decides what is new: it is read again, and the new one taken, inside the write
transaction that records the events, so two instances on one PostgreSQL never record (or
queue) one change twice.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import attrs

from vbc_sandbox.phone.call_looks import CallLook, LegLook, look_at
from vbc_sandbox.phone.vis_events import Subscriber, VisEvent, state_in, vis_events
from vbc_sandbox.storage.store import Row

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox


@attrs.define
class Seen:
    """What one process's producer last acted on: the directory's version (a reset, restore
    or seed makes every account look new) and each watched account's change counter."""

    directory: int | None = None
    accounts: dict[str, int | None] = attrs.field(factory=dict)


def look_to_json(look: CallLook) -> str:
    return json.dumps(attrs.asdict(look))


def look_from_json(text: str) -> CallLook:
    data = json.loads(text)
    legs = tuple(LegLook(**leg) for leg in data.pop("legs"))
    return CallLook(**data, legs=legs)


def states(look: CallLook | None) -> list[str | None]:
    """Each leg's VIS state in a look: what a new look must differ in to be kept."""
    return [] if look is None else [state_in(look, leg.leg_id) for leg in look.legs]


def record_changes(sandbox: Sandbox, now: float, seen: Seen) -> int:
    """Look at every call of a watched account that may have changed by `now` and record
    what moved; the number of events recorded. `seen` moves on only once all is recorded
    (a failure, a lost database say, leaves it to the next run)."""
    store = sandbox.store
    sandbox.pbx.catch_up(store.due_calls(now), now)  # a transfer by the clock, say
    directory = store.directory_version()
    known = seen.accounts if directory == seen.directory else {}
    candidates = {row["call_id"]: row["account_id"] for row in store.looks_due(now)}
    looked: dict[str, tuple[int | None, int]] = {}
    for row in store.watched_accounts():
        account_id, version = row["account_id"], row["version"]
        if account_id in known and known[account_id] == version:
            continue
        newest = int(row["call_seq"])
        for call in store.calls_to_look_at(account_id, newest):
            candidates[call["call_id"]] = account_id
            newest = max(newest, int(call["seq"]))
        looked[account_id] = (version, newest)
    recorded = sum(
        record_call(sandbox, account_id, call_id, now)
        for call_id, account_id in candidates.items()
    )
    if looked:
        with store.transaction():
            for account_id, (_, newest) in looked.items():
                store.looked_past(account_id, newest)
    seen.directory = directory
    seen.accounts = {**known, **{account: version for account, (version, _) in looked.items()}}
    return recorded


def record_call(sandbox: Sandbox, account_id: str, call_id: str, now: float) -> int:
    """Look at one call; if any leg's state moved since the look kept (or it changes by
    itself at another time), keep the new look, its events and their deliveries in one
    write transaction. The number of events recorded."""
    store, pbx = sandbox.store, sandbox.pbx
    kept = store.call_look(call_id)
    if kept is not None and kept["settled"]:
        return 0
    # A first look without the write lock: most candidates have not moved.
    before = look_from_json(kept["look"]) if kept is not None else None
    after = look_at(pbx, account_id, call_id, max(now, before.at if before else now))
    if after is None:
        return 0
    if kept is not None and states(before) == states(after):
        if store.next_change(call_id, after.at) == kept["next_at"]:
            return 0
    with store.transaction():
        kept = store.call_look(call_id)  # another instance may have recorded it meanwhile
        if kept is not None and kept["settled"]:
            return 0
        before = look_from_json(kept["look"]) if kept is not None else None
        # Never a look older than the one kept (another instance's clock read came later).
        after = look_at(pbx, account_id, call_id, max(now, before.at if before else now))
        if after is None:
            return 0
        subscribers = store.subscribers(account_id)
        events = vis_events(before, after, [subscriber(account_id, row) for row in subscribers])
        store.save_look(
            {
                "call_id": call_id,
                "account_id": account_id,
                "at": after.at,
                "look": look_to_json(after),
                "next_at": None if after.ended_at is not None else store.next_change(
                    call_id, after.at
                ),
                "settled": int(after.ended_at is not None),
            }
        )
        if events:
            users = {row["user_id"]: row["username"] for row in subscribers}
            store.add_vis_events([kept_event(event, users, after.at) for event in events])
            store.enqueue_deliveries(
                deliveries(events, users, store.receiving_webhooks(account_id, after.at), after.at)
            )
    return len(events)


def subscriber(account_id: str, row: Row) -> Subscriber:
    return Subscriber(account_id, row["user_id"], row["extension"])


def kept_event(event: VisEvent, users: dict[str, str], at: float) -> dict[str, Any]:
    body = event.event
    return {
        "account_id": event.subscriber.account_id,
        "username": users[event.subscriber.user_id],
        "record_id": body["id"],
        "call_id": event.call_id,
        "state": body["state"],
        "direction": body["direction"],
        "start_time": body["startTime"],
        "recorded_at": at,
        "event": json.dumps(body),
    }


def deliveries(
    events: list[VisEvent], users: dict[str, str], webhooks: list[Row], at: float
) -> list[dict[str, Any]]:
    """One delivery of each event to each receiving webhook of its user, due at once."""
    return [
        {
            "delivery_id": str(uuid.uuid4()),
            "webhook_id": webhook["webhook_id"],
            "account_id": event.subscriber.account_id,
            "call_id": event.call_id,
            "event": json.dumps(event.event),
            "created_at": at,
            "due_at": at,
        }
        for event in events
        for webhook in webhooks
        if webhook["username"] == users[event.subscriber.user_id]
    ]
