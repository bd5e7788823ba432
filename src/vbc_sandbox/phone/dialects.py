"""How the sandbox speaks: the forms Vonage documents, or those live traffic showed.

The PBX keeps one state; a dialect only renders it (see `Call` in openapi.yaml), from rows
whose first columns are store.CALL_SHOWN and store.LEG_SHOWN, read by position.

* documented: `from`, `to`, `legs`; ids, numbers and epoch seconds as JSON integers;
  statuses ringing, on-call, busy, failed, unanswered; a new call's id in a 200.
* observed (resuldeger/crmnewpanel2, Vacademy-io/vacademy_platform): `from_number`,
  `from_name`, `to_number`, `to_name`, `flags`, `leg_map`; strings throughout, times in
  microseconds with "0" for unset; a call being set up is `initializing` and one whose party
  has gone is `disconnected`; click2dial answers 202 text/plain with no id; the last page
  of a list still names a next page.
"""

from __future__ import annotations

import functools
from typing import Any

from vbc_sandbox.storage.store import Row, Store
from vbc_spec import DIALECTS as DIALECTS  # re-exported: the sandbox speaks these

#: Leg outcomes that end a call (busy, failed, unanswered): internal and documented states.
OUTCOMES = ("busy", "failed", "unanswered")
Reply = tuple[Any, int, dict[str, str]]


@functools.lru_cache(maxsize=65536)
def as_json_number(value: str) -> int | str:
    """Digits go out as integers, as in the documented examples; anything else as a string."""
    if value.isdigit() and len(value) < 16 and str(int(value)) == value:
        return int(value)
    return value


def status_of(statuses: list[str]) -> str:
    """A call is busy/failed/unanswered if a leg is, on-call once every leg is."""
    for status in statuses:
        if status in OUTCOMES:
            return status
    if statuses and all(status == "on-call" for status in statuses):
        return "on-call"
    return "ringing"


def micros(seconds: float | None) -> str:
    """A time as the live service sends it: microseconds since the epoch, "0" for unset."""
    return "0" if seconds is None else str(int(seconds * 1_000_000))


class Documented:
    name = "documented"
    #: Whether the last page of a list names a next page anyway.
    last_page_names_next = False

    def leg(self, leg: Row, status: str, now: float) -> dict[str, Any]:
        leg_id, call_id, account_id, direction, from_number, to_number, start_time = leg[:7]
        return {
            "account_id": as_json_number(account_id),
            "call_id": call_id,
            "leg_id": leg_id,
            "direction": direction,
            "from": as_json_number(from_number),
            "to": as_json_number(to_number),
            "start_time": start_time,
            "status": status,
        }

    def call(self, call: Row, legs: list[Row], statuses: list[str], now: float) -> dict[str, Any]:
        call_id, account_id, direction, from_number, to_number, start_time = call[:6]
        return {
            "account_id": as_json_number(account_id),
            "call_id": call_id,
            "direction": direction,
            "from": as_json_number(from_number),
            "to": as_json_number(to_number),
            "start_time": start_time,
            "status": status_of(statuses),
            "legs": [
                self.leg(leg, status, now) for leg, status in zip(legs, statuses, strict=True)
            ],
        }

    def created(self, call_id: str) -> Reply:
        # The documented body is the bare id; connexion serializes it as a JSON string.
        return call_id, 200, {"Content-Type": "application/json"}


class Observed(Documented):
    name = "observed"
    last_page_names_next = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def directory(self, account_id: str) -> dict[str, tuple[str, str | None]]:
        """extension -> (display name, device id), from the seed's users and devices."""
        return self.directory_as_of(account_id, self.store.directory_version())

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (one instance per process)
    def directory_as_of(self, account_id: str, _version: int) -> dict[str, tuple[str, str | None]]:
        return {
            ext: (user.capitalize() if user else ext, device)
            for ext, (user, device) in self.store.extensions(account_id).items()
        }

    @staticmethod
    def name_in(names: dict[str, tuple[str, str | None]], number: str, placeholder: str) -> str:
        known = names.get(number)
        return known[0] if known else placeholder

    def leg(
        self,
        leg: Row,
        status: str,
        now: float,
        names: dict[str, tuple[str, str | None]] | None = None,
    ) -> dict[str, Any]:
        """`names`: the account's directory, when the caller has already read it."""
        (
            leg_id, call_id, account_id, direction, from_number, to_number, start_time,
            answer_at, _outcome, outcome_at,
        ) = leg[:10]  # fmt: skip
        if names is None:
            names = self.directory(account_id)
        # A leg reaches the party in to_number; one that is not ours is the outside world.
        ours = names.get(to_number)
        answered = answer_at if answer_at is not None and answer_at <= now else None
        ended = outcome_at if status in OUTCOMES else None
        return {
            "leg_id": leg_id,
            "call_id": call_id,
            "device_id": (ours[1] or to_number) if ours else "pstn",
            "direction": direction,
            "extension": to_number,
            "from_name": self.name_in(names, from_number, from_number),
            "from_number": from_number,
            "to_name": self.name_in(names, to_number, "Outbound Call"),
            "to_number": to_number,
            "status": "disconnected" if status in OUTCOMES else status,
            "start_time": micros(start_time),
            "answer_time": micros(answered),
            "end_time": micros(ended),
        }

    def call(self, call: Row, legs: list[Row], statuses: list[str], now: float) -> dict[str, Any]:
        call_id, account, direction, from_number, to_number, start_time = call[:6]
        # Read once for the call and its legs (each read checks the directory's version).
        names = self.directory(account)
        status = status_of(statuses)
        if status in OUTCOMES:
            status = "disconnected"
        elif direction == "outbound" and statuses and statuses[0] == "ringing":
            status = "initializing"  # click2dial: still ringing the caller's own phone
        return {
            "account_id": account,
            "call_id": call_id,
            "direction": direction,
            "status": status,
            "from_name": self.name_in(names, from_number, from_number),
            "from_number": from_number,
            "to_name": self.name_in(names, to_number, "Outbound Call"),
            "to_number": to_number,
            "start_time": micros(start_time),
            "end_time": "0",
            "flags": [],
            "leg_map": {
                leg[0]: self.leg(leg, leg_status, now, names)  # leg[0]: its leg_id
                for leg, leg_status in zip(legs, statuses, strict=True)
            },
        }

    def created(self, call_id: str) -> Reply:
        # Observed on a live tenant: 202, text/plain, no id and no Location header.
        return "", 202, {"Content-Type": "text/plain"}


def dialect_for(name: str, store: Store) -> Documented:
    if name == "observed":
        return Observed(store)
    if name == "documented":
        return Documented()
    raise ValueError(f"the dialect must be one of {', '.join(DIALECTS)}, not {name!r}")
