"""VIS events produced: the calls of watched accounts (those with a webhook) looked at again
when they may have changed, each new look compared with the one kept, and what moved kept as
events for their users and queued for their receiving webhooks. No HTTP.

A call may have changed when its account's change counter moved (an action on it, a call
placed; `Store.change_marks`, as the console's feeds read it) or when its last look said it
would change by itself by now (a phone answering after its ring delay, a call's end); of an
account's calls, only those whose rows moved are looked at again (a digest of them is kept
with the look). The look kept decides what is new: it is read again, and the new one taken,
inside the write transaction that records the events, so two instances on one PostgreSQL
never record (or queue) one change twice.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import attrs

from vbc_sandbox.phone.call_looks import CallLook, LegLook, look_at
from vbc_sandbox.phone.vis_events import Subscriber, VisEvent, vis_events
from vbc_sandbox.storage.store import Row

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox

#: Calls whose rows are read together to tell which moved.
MARKS_AT_ONCE = 500


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


def record_changes(sandbox: Sandbox, now: float, seen: Seen) -> int:
    """Look at every call of a watched account that may have changed by `now` and record
    what moved; the number of events recorded. `seen` moves on only once all is recorded
    (a failure, a lost database say, leaves it to the next run)."""
    store = sandbox.store
    sandbox.pbx.catch_up(store.due_calls(now), now)  # a transfer by the clock, say
    directory = store.directory_version()
    known = seen.accounts if directory == seen.directory else {}
    candidates = {row["call_id"]: row["account_id"] for row in store.looks_due(now)}
    looked: dict[str, int | None] = {}
    passed: dict[str, int] = {}  # accounts whose newest call looked at moved on
    for row in store.watched_accounts():
        account_id, version = row["account_id"], row["version"]
        if account_id in known and known[account_id] == version:
            continue
        looked[account_id] = version
        newest = int(row["call_seq"])
        for call in store.calls_to_look_at(account_id, newest):
            candidates[call["call_id"]] = account_id
            if int(call["seq"]) > newest:
                newest = passed[account_id] = int(call["seq"])
    recorded = 0
    ids = list(candidates)
    for start in range(0, len(ids), MARKS_AT_ONCE):
        marks = store.call_rows_marks(ids[start : start + MARKS_AT_ONCE])
        recorded += sum(
            record_call(sandbox, candidates[call_id], call_id, now, mark)
            for call_id, mark in marks.items()
        )
    if passed:
        with store.transaction():
            for account_id, newest in passed.items():
                store.looked_past(account_id, newest)
    seen.directory = directory
    seen.accounts = {**known, **looked}
    return recorded


def record_call(sandbox: Sandbox, account_id: str, call_id: str, now: float, mark: str) -> int:
    """Look at one call whose rows now hold `mark` (`Store.call_rows_marks`); unless they
    held it at the look kept and nothing falls due, keep the new look, its events and their
    deliveries in one write transaction. The number of events recorded."""
    store, pbx = sandbox.store, sandbox.pbx
    kept = store.call_look(call_id)
    if kept is not None and (
        kept["settled"]
        or (kept["rows_mark"] == mark and (kept["next_at"] is None or kept["next_at"] > now))
    ):
        return 0  # most candidates: their account moved, not they
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
        settled = after.ended_at is not None
        store.save_look(
            {
                "call_id": call_id,
                "account_id": account_id,
                "at": after.at,
                "look": look_to_json(after),
                "next_at": None if settled else store.next_change(call_id, after.at),
                "settled": int(settled),
                "rows_mark": store.call_rows_marks([call_id])[call_id],
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
