"""VIS call events from two looks at a call (`call_looks.py`): for each subscribing user whose
extension has a leg on the call (a desk phone rings its extension), the states that user's
half of the call moved through, as the `event` object VIS delivers. No I/O.

VIS reports a call per user, not per call: each leg reaching a user's extension is one VIS
call record (its `id`), with the user's direction and the remote party's number and name.
Its state, from the PBX's (`/work/shared/reference/vis-call-events.md` §3 for VIS's rules):

- RINGING: the user's leg rings, or is answered while the other party still rings
  (click2dial rings the caller's own phone first);
- ACTIVE: the user's leg and another party's are both answered; HELD: another party's leg
  is on hold (the user holds the call); REMOTE_HELD: the user's own leg is [inferred];
- final, once the user's leg ended (busy, failed, unanswered, transferred away, hung up) or
  the call did: ANSWERED if it had been answered; otherwise CANCELLED for the caller,
  REJECTED for a callee whose phone refused (busy), MISSED for any other callee.

A final state never changes. A look that comes after several changes reports the states in
between that every call passes through (RINGING first; ACTIVE before ANSWERED); a hold that
came and went between two looks is not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from vbc_sandbox.phone.call_looks import CallLook, LegLook

RINGING, ACTIVE, HELD, REMOTE_HELD = "RINGING", "ACTIVE", "HELD", "REMOTE_HELD"
ANSWERED, CANCELLED, MISSED, REJECTED = "ANSWERED", "CANCELLED", "MISSED", "REJECTED"
FINAL = frozenset({ANSWERED, CANCELLED, MISSED, REJECTED})
#: The states in which `answerTime` is set (DOC call-events.md: the time rules).
ANSWERED_STATES = frozenset({ACTIVE, HELD, REMOTE_HELD, ANSWERED})
INBOUND, OUTBOUND = "INBOUND", "OUTBOUND"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen
class Subscriber:
    """A user with a webhook: the VIS account and user ids events carry, and the extension
    whose legs are theirs."""

    account_id: str
    user_id: str
    extension: str


@attrs.frozen
class VisEvent:
    """One event for one user: the delivery's `event` object, and the Telephony call it
    comes from (the test kit lists deliveries per call)."""

    subscriber: Subscriber
    call_id: str
    event: dict[str, Any]


@attrs.frozen
class Half:
    """A user's half of a call as of one look."""

    leg: LegLook
    index: int
    direction: str
    state: str
    answered_at: float | None
    ended_at: float | None


def vis_time(seconds: float) -> str:
    """A VIS time: ISO 8601 in UTC with milliseconds and a colonless offset, as in the
    vendor's examples (2018-02-15T18:58:56.194+0000)."""
    millis = round(seconds * 1000)
    moment = EPOCH + timedelta(milliseconds=millis)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{millis % 1000:03d}+0000"


def vis_user_id(account_id: str, username: str) -> str:
    """The VIS user id of a sandbox user: digits, as VIS's own (a user id is not their
    extension, the trap a public client fell into), the same on every instance."""
    digest = hashlib.sha256(f"{account_id}\0{username}".encode()).digest()
    return str(1_000_000_000 + int.from_bytes(digest[:8], "big") % 9_000_000_000)


def record_id(leg_id: str) -> str:
    """The VIS call record's `id`: 24 hex digits, as the vendor's examples."""
    return hashlib.sha256(f"vis-call\0{leg_id}".encode()).hexdigest()[:24]


def caller_leg(look: CallLook) -> LegLook | None:
    """The leg of the caller of an outbound call: the first to reach the number it came from."""
    if look.direction != "outbound":
        return None
    return next((leg for leg in look.legs if leg.to_number == look.from_number), None)


def connected_at(look: CallLook, leg: LegLook) -> float | None:
    """When the user's leg and another party's were first both answered and on the call."""
    if leg.answered_at is None:
        return None
    others = [
        other.answered_at
        for other in look.legs
        if other is not leg
        and other.answered_at is not None
        and (other.ended_at is None or other.ended_at > max(other.answered_at, leg.answered_at))
    ]
    return max(leg.answered_at, min(others)) if others else None


def half_of(look: CallLook, index: int) -> Half:
    leg = look.legs[index]
    direction = OUTBOUND if caller_leg(look) is leg else INBOUND
    endings = [at for at in (leg.ended_at, look.ended_at) if at is not None]
    ended_at = min(endings) if endings else None
    answered_at = connected_at(look, leg)
    if answered_at is not None and ended_at is not None and answered_at > ended_at:
        answered_at = None
    if ended_at is not None:
        if answered_at is not None:
            state = ANSWERED
        elif direction == OUTBOUND:
            state = CANCELLED
        else:
            state = REJECTED if leg.outcome == "busy" else MISSED
    elif answered_at is None:
        state = RINGING
    elif leg.held:
        state = REMOTE_HELD
    elif any(other.held and not other.dropped for other in look.legs if other is not leg):
        state = HELD
    else:
        state = ACTIVE
    return Half(leg, index, direction, state, answered_at, ended_at)


def passed_through(before: str | None, after: str) -> list[str]:
    """The states to report going from `before` (None: not seen yet) to `after`."""
    if before == after or before in FINAL:
        return []
    states = []
    if before is None and after != RINGING:
        states.append(RINGING)
    if after == ANSWERED and before in (None, RINGING):
        states.append(ACTIVE)
    return [*states, after]


def state_in(look: CallLook | None, leg_id: str) -> str | None:
    """The state of a leg's half in a look; None: not in it (or no look yet)."""
    legs = [] if look is None else [leg.leg_id for leg in look.legs]
    return half_of(look, legs.index(leg_id)).state if look and leg_id in legs else None


def event_of(look: CallLook, half: Half, state: str, subscriber: Subscriber) -> dict[str, Any]:
    """The `event` object of a delivery: the half as it stood in `state` (one passed
    through carries only what was known then)."""
    leg = half.leg
    event: dict[str, Any] = {
        "id": record_id(leg.leg_id),
        "externalId": f"{look.call_id}_{half.index}",
        "userId": subscriber.user_id,
        "accountId": subscriber.account_id,
        "type": "CALL",
        "direction": half.direction,
        "phoneNumber": leg.from_number,
    }
    name = look.names.get(leg.from_number)
    if name is not None:
        event["callerId"] = name
    duration = 0
    if state == ANSWERED and half.answered_at is not None and half.ended_at is not None:
        duration = round((half.ended_at - half.answered_at) * 1000)
    event |= {"duration": duration, "state": state, "startTime": vis_time(leg.started_at)}
    if state in ANSWERED_STATES and half.answered_at is not None:
        event["answerTime"] = vis_time(half.answered_at)
    if state in FINAL and half.ended_at is not None:
        event["endTime"] = vis_time(half.ended_at)
    return event


def vis_events(
    before: CallLook | None, after: CallLook, subscribers: Iterable[Subscriber]
) -> list[VisEvent]:
    """The events from one look at a call to the next (`before` None: the first look), for
    each subscriber of the call's account with a leg on it, in the order of its legs."""
    found = []
    for subscriber in subscribers:
        if subscriber.account_id != after.account_id or not subscriber.extension:
            continue
        for index, leg in enumerate(after.legs):
            if leg.to_number != subscriber.extension:
                continue
            now = half_of(after, index)
            found += [
                VisEvent(subscriber, after.call_id, event_of(after, now, state, subscriber))
                for state in passed_through(state_in(before, leg.leg_id), now.state)
            ]
    return found
