"""Scripted outcomes: per party (a PSTN number, an extension or a device's VH id) of an
account, a queue of what happens the next times a leg rings it. The magic numbers of `pbx`
still apply to parties with nothing queued.

Build the queue's entries with the functions below (a test passes them to
`vbc_sandbox.script(...)`), or write the same dicts to POST /sandbox/accounts/{id}/outcomes.
"""

from __future__ import annotations

from typing import Any

import attrs

from vbc_sandbox.errors import BadRequest
from vbc_sandbox.storage.store import Row, Store

#: The test kit's public names: the builders of a script's entries.
__all__ = [
    "NO_ANSWER_AFTER",
    "answer_after",
    "busy",
    "device_offline",
    "fail",
    "far_end_hangup_after",
    "no_answer",
    "transfer_after",
    "transfer_fails",
]

NO_ANSWER_AFTER = 30.0
"""Seconds a `no_answer` leg rings before it gives up, unless the entry says."""
#: Entries queued per account at most, so a runaway script cannot fill the store.
MAX_QUEUED = 1000

OUTCOMES = (
    "answer_after",
    "busy",
    "no_answer",
    "far_end_hangup_after",
    "fail",
    "transfer_fails",
    "device_offline",
    "transfer_after",
)


def answer_after(seconds: float) -> dict[str, Any]:
    """Ring for `seconds`, then answer."""
    return {"outcome": "answer_after", "seconds": seconds}


def busy() -> dict[str, Any]:
    """Answer busy at once (SIP 486): the call ends as busy."""
    return {"outcome": "busy"}


def no_answer(after: float = NO_ANSWER_AFTER) -> dict[str, Any]:
    """Ring for `after` seconds, then give up (the call becomes unanswered)."""
    return {"outcome": "no_answer", "seconds": after}


def far_end_hangup_after(seconds: float) -> dict[str, Any]:
    """Answer as usual, then hang up `seconds` after answering: the call ends."""
    return {"outcome": "far_end_hangup_after", "seconds": seconds}


def fail(status: int = 503) -> dict[str, Any]:
    """Fail at once with this SIP status (shown in the call's timeline)."""
    return {"outcome": "fail", "status": status}


def transfer_fails() -> dict[str, Any]:
    """A transfer to this party fails and the transferring party stays on the call; dialled
    directly, the leg fails."""
    return {"outcome": "transfer_fails"}


def device_offline() -> dict[str, Any]:
    """The phone is not registered: the leg is unanswered at once (SIP 480)."""
    return {"outcome": "device_offline"}


def transfer_after(seconds: float, to: str) -> dict[str, Any]:
    """Answer as usual, then `seconds` after answering pass the call on to `to` (an
    extension, a VH id or a number) by a blind transfer: this party's leg leaves and a leg
    to `to` rings, as `to`'s own script or number says. A receptionist, by the clock."""
    return {"outcome": "transfer_after", "seconds": seconds, "to": to}


@attrs.frozen
class Timing:
    """When a leg answers, or how it ends, if it starts ringing at some moment."""

    answer_at: float | None
    outcome: str | None = None
    """busy, failed or unanswered, from `outcome_at` on."""
    outcome_at: float | None = None
    hangup_at: float | None = None
    """When the far end hangs up, ending the call."""
    transfer_at: float | None = None
    """When this party passes the call on to `transfer_to`."""
    transfer_to: str | None = None
    reason: str | None = None
    """Why, in words, for the call's timeline."""


def timing(entry: Row, starts: float, ring_delay: float) -> Timing:
    """What a queued entry does to a leg that rings from `starts`."""
    name, seconds = entry["outcome"], entry["seconds"]
    if name == "answer_after":
        return Timing(starts + seconds, reason=f"scripted: answers after {seconds:g} s")
    if name == "busy":
        return Timing(None, "busy", starts, reason="scripted: busy, SIP 486")
    if name == "no_answer":
        return Timing(None, "unanswered", starts + seconds, reason="scripted: no answer")
    if name == "far_end_hangup_after":
        answered = starts + ring_delay
        return Timing(
            answered, hangup_at=answered + seconds, reason="scripted: the far end hung up"
        )
    if name == "transfer_after":
        answered, to = starts + ring_delay, entry["destination"]
        return Timing(
            answered,
            transfer_at=answered + seconds,
            transfer_to=to,
            reason=f"scripted: answers, then transfers to {to} after {seconds:g} s",
        )
    if name == "device_offline":
        return Timing(None, "unanswered", starts, reason="scripted: device offline, SIP 480")
    status = entry["status"] or 503
    return Timing(None, "failed", starts, reason=f"scripted: failed, SIP {status}")


QueuedRow = tuple[str, float | None, int | None, str | None]


def validated(entries: list[dict[str, Any]]) -> list[QueuedRow]:
    """(outcome, seconds, status, destination) rows for entries the control API's schema let
    through; what a schema cannot say is checked here."""
    rows = []
    for entry in entries:
        name, seconds, status = entry["outcome"], entry.get("seconds"), entry.get("status")
        if name in ("answer_after", "far_end_hangup_after", "transfer_after") and seconds is None:
            raise BadRequest(f"outcome {name} needs seconds")
        if (name == "transfer_after") != ("to" in entry):
            raise BadRequest("outcome transfer_after needs 'to', and only it takes one")
        if name == "no_answer" and seconds is None:
            seconds = NO_ANSWER_AFTER
        rows.append((name, seconds, status, entry.get("to")))
    return rows


class Scripts:
    """The queues, in the store, so every worker process takes from the same one."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, account_id: str, target: str, entries: list[dict[str, Any]]) -> None:
        if not self.store.queue_outcomes(account_id, target, validated(entries), MAX_QUEUED):
            raise BadRequest(f"at most {MAX_QUEUED} outcomes may be queued per account")

    def pending(self, account_id: str) -> list[dict[str, Any]]:
        return [
            {
                "target": row["target"],
                "outcome": row["outcome"],
                **({"seconds": row["seconds"]} if row["seconds"] is not None else {}),
                **({"status": row["status"]} if row["status"] is not None else {}),
                **({"to": row["destination"]} if row["destination"] is not None else {}),
            }
            for row in self.store.queued_outcomes(account_id)
        ]
