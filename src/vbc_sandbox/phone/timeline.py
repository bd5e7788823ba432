"""A call's timeline: what happened to it, in order. Actions are noted as they happen (the
`events` table); what the clock brings about (a leg answering, going busy, the far end
hanging up, the call ending) is read off the legs as of now, as their statuses are."""

from __future__ import annotations

from typing import Any

from vbc_sandbox.errors import NotFound
from vbc_sandbox.storage.store import Row, Store

LEG_OUTCOMES = {"busy": "busy", "failed": "failed", "unanswered": "no answer"}


def entry(at: float, event: str, detail: Any = None, leg_id: Any = None) -> dict[str, Any]:
    return {"at": at, "event": event, "detail": detail, "leg_id": leg_id}


def timeline(store: Store, account_id: str, call_id: str, now: float) -> list[dict[str, Any]]:
    call = store.call(account_id, call_id)
    if call is None:
        raise NotFound()
    events = store.events(call_id)
    # Sorted by time; at the same moment, in the order things were noted, with what a leg
    # did (answered, busy) right after its ringing.
    keyed = [
        ((e["at"], e["seq"]), entry(e["at"], e["event"], e["detail"], e["leg_id"])) for e in events
    ]
    ended_at = call["ends_at"] if call["ends_at"] is not None and call["ends_at"] <= now else None
    rang = {e["leg_id"]: e["seq"] for e in events if e["event"] == "ringing"}
    # A leg stops mattering once it is dropped (hung up, transferred away) or the call ends.
    left_at = {e["leg_id"]: e["at"] for e in events if e["leg_id"] and e["event"] in LEFT}
    for leg in store.legs(call_id):
        until = min(now, left_at.get(leg["leg_id"], now), ended_at if ended_at else now)
        after = rang.get(leg["leg_id"], 0) + 0.5
        keyed += [((item["at"], after), item) for item in leg_events(leg, until)]
    if ended_at is not None:
        ended = entry(ended_at, "ended", call["end_reason"] or "its legs ended")
        keyed.append(((ended_at, float("inf")), ended))
    return [item for _, item in sorted(keyed, key=lambda pair: pair[0])]


#: Events after which a leg is no longer part of the call.
LEFT = ("transferred", "leg hung up")


def leg_events(leg: Row, until: float) -> list[dict[str, Any]]:
    found = []
    if leg["answer_at"] is not None and leg["answer_at"] <= until:
        found.append(entry(leg["answer_at"], "answered", leg["to_number"], leg["leg_id"]))
    if leg["outcome"] and leg["outcome_at"] <= until:
        found.append(
            entry(leg["outcome_at"], LEG_OUTCOMES[leg["outcome"]], leg["to_number"], leg["leg_id"])
        )
    return found
