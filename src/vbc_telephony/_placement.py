"""Finding the call that a create-call request placed when the answer carries no id.

Observed on a live tenant: click2dial answers 202 `text/plain` with no call id and no
Location header (Vacademy-io/vacademy_platform, docs/crm/AIRTEL_VBC_INTEGRATION_STATUS.md).
Integrators find their call by listing calls and matching the parties; so does the SDK,
within a bounded wait, and it never dials again.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs
import httpx

from vbc_telephony._errors import APIError, http_date
from vbc_telephony._views import Call
from vbc_telephony_api.models import CreateCallRequest

#: Seconds to wait before each look at the calls list: quick at first, then sparing a
#: quota of 10 requests a minute. About 10 s in all.
POLL_DELAYS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
#: How many call ids a client remembers having returned, so that two calls placed at once
#: between the same parties are not both taken for the first.
CLAIMED_MEMORY = 1000
NON_DIGITS = re.compile(r"\D")
#: How far behind our clock a server's `Date` is believed: further is a broken clock or a
#: hostile answer, and would take calls placed long before for the one just placed (a call
#: not found then raises CallNotConfirmedError, which says it may have been placed).
MAX_SKEW = timedelta(minutes=10)


class CallNotConfirmedError(APIError):
    """The service accepted the call request without saying the call's id, and no matching
    call appeared in the calls list in time. The call MAY have been placed: look before
    dialling again."""


def poll_delays(timeout: float) -> list[float]:
    """The waits before each look at the calls list, as many as fit in `timeout` seconds."""
    delays, total = [], 0.0
    for delay in POLL_DELAYS:
        if total + delay > timeout:
            break
        delays.append(delay)
        total += delay
    return delays


def digits(text: str) -> str:
    return NON_DIGITS.sub("", text)


def same_party(destination: str, value: str | None) -> bool:
    """Whether a number the service shows is the party a request named: the same text, or
    for phone numbers the same last ten digits (country prefixes and `+` come and go)."""
    if value is None:
        return False
    if value.strip().lower() == destination.strip().lower():
        return True
    wanted, shown = digits(destination), digits(value)
    return len(wanted) >= 7 and len(shown) >= 7 and wanted[-10:] == shown[-10:]


def parties_of(call: Call) -> list[str | None]:
    shown = [call.from_, call.to]
    for leg in call.legs:
        shown += [leg.from_, leg.to, leg.extension, leg.device]
    return shown


def server_time(response: httpx.Response, sent_at: datetime) -> datetime:
    """When the request was accepted, by the earlier of our clock and the server's `Date`
    (whole seconds), less one second: the call's start time is the server's. A `Date`
    further behind than MAX_SKEW is not believed."""
    accepted = sent_at
    stamped = http_date(response.headers.get("date", ""))
    if stamped is not None and sent_at - stamped < MAX_SKEW:
        accepted = min(accepted, stamped)
    return accepted - timedelta(seconds=1)


@attrs.frozen
class Placement:
    """The parties of a call just requested, and the earliest it can have started."""

    caller: str
    callee: str
    since: datetime

    @classmethod
    def of(cls, body: CreateCallRequest, response: httpx.Response, sent_at: datetime) -> Placement:
        return cls(
            caller=str(body.from_.destination),
            callee=str(body.to.destination),
            since=server_time(response, sent_at),
        )

    def matches(self, call: Call) -> bool:
        shown = parties_of(call)
        started = call.start_time
        return (
            any(same_party(self.caller, value) for value in shown)
            and any(same_party(self.callee, value) for value in shown)
            and (started is None or started >= self.since)
        )

    def pick(self, calls: Iterable[Call], claimed: Claimed) -> str | None:
        """The earliest matching call not already returned; None when there is none."""
        found = [call for call in calls if self.matches(call) and call.call_id not in claimed]
        if not found:
            return None
        far_future = datetime.max.replace(tzinfo=UTC)
        earliest = min(found, key=lambda call: call.start_time or far_future)
        claimed.add(earliest.call_id)
        return earliest.call_id

    def not_found(self, waited: float) -> CallNotConfirmedError:
        return CallNotConfirmedError(
            "the service accepted the call request but sent no call id, and no call from"
            f" {self.caller} to {self.callee} appeared in the calls list within {waited:.0f} s."
            " The call may have been placed: check before dialling again"
        )


class Claimed:
    """Call ids a client has already returned from dial(), the newest CLAIMED_MEMORY."""

    def __init__(self) -> None:
        self._ids: collections.OrderedDict[str, None] = collections.OrderedDict()

    def add(self, call_id: str) -> None:
        self._ids[call_id] = None
        while len(self._ids) > CLAIMED_MEMORY:
            self._ids.popitem(last=False)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._ids
