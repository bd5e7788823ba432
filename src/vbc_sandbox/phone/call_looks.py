"""One look at a call, as the PBX holds it at a moment: what VIS events are computed from.

The watcher's rule (`vbc_telephony._watching`): look, compare with the previous look, report
what moved. VIS needs more than the Telephony API shows, so the sandbox looks at its own
state rather than at an API rendering: which leg is on hold (no dialect shows it), when each
leg answered to the millisecond (the documented dialect shows no answer time), the legs that
left (transferred away, hung up), and when a call that no longer lists ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from vbc_sandbox.phone.timeline import LEFT

if TYPE_CHECKING:
    from vbc_sandbox.phone.pbx import Pbx


@attrs.frozen
class LegLook:
    """A leg: `to_number` is the party it reaches (an extension of ours, or a number),
    `from_number` the party on the other end. Times are the sandbox clock's epoch seconds,
    each set only once it has happened by the look's time."""

    leg_id: str
    from_number: str
    to_number: str
    started_at: float
    answered_at: float | None = None
    #: busy, failed or unanswered, once it has happened.
    outcome: str | None = None
    #: When the leg stopped: its outcome, or its leaving the call (dropped).
    ended_at: float | None = None
    dropped: bool = False
    held: bool = False


@attrs.frozen
class CallLook:
    """A call at `at`: its parties as placed, every leg it ever had (in the order they were
    added), the names of the account's users by extension, and when the call was over for
    everyone (it ended, or a leg's busy, failed or unanswered outcome ended it)."""

    call_id: str
    account_id: str
    direction: str
    from_number: str
    to_number: str
    at: float
    legs: tuple[LegLook, ...]
    names: dict[str, str] = attrs.field(factory=dict)
    ended_at: float | None = None


def look_at(pbx: Pbx, account_id: str, call_id: str, now: float) -> CallLook | None:
    """The call as the PBX holds it at `now` (None: no such call in the account). Reads
    only: what scripted outcomes made due by `now` is the caller's to do first
    (`Pbx.catch_up`), as every read of the API does."""
    store = pbx.store
    call = store.call(account_id, call_id)
    if call is None:
        return None
    events = store.events(call_id)
    left_at = {e["leg_id"]: e["at"] for e in events if e["leg_id"] and e["event"] in LEFT}
    legs = []
    for row in store.legs(call_id):
        status = pbx.leg_status(row, now)
        outcome = status if row["outcome"] and status == row["outcome"] else None
        ended_at = row["outcome_at"] if outcome else None
        if row["dropped"]:
            # Dropped without a note of its own (an attended transfer's leg): as of now.
            ended_at = left_at.get(row["leg_id"], now) if ended_at is None else ended_at
        answer_at = row["answer_at"]
        answered = answer_at is not None and answer_at <= min(now, ended_at or now)
        legs.append(
            LegLook(
                leg_id=row["leg_id"],
                from_number=row["from_number"],
                to_number=row["to_number"],
                started_at=float(row["start_time"]),
                answered_at=float(answer_at) if answered else None,
                outcome=outcome,
                ended_at=None if ended_at is None else float(ended_at),
                dropped=bool(row["dropped"]),
                held=bool(row["held"]),
            )
        )
    endings = [leg.ended_at for leg in legs if leg.outcome and not leg.dropped]
    if call["ends_at"] is not None and call["ends_at"] <= now:
        endings.append(float(call["ends_at"]))
    names = {
        extension: user.capitalize()
        for extension, (user, _device) in store.extensions(account_id).items()
        if user
    }
    return CallLook(
        call_id=call["call_id"],
        account_id=call["account_id"],
        direction=call["direction"],
        from_number=call["from_number"],
        to_number=call["to_number"],
        at=now,
        legs=tuple(legs),
        names={
            number: names[number]
            for leg in legs
            for number in (leg.from_number, leg.to_number)
            if number in names
        },
        ended_at=min((at for at in endings if at is not None), default=None),
    )
