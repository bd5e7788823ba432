"""Following calls as they change, without I/O: what a sighting of a call means (`started`,
`changed` and what moved, nothing), when a call has ended, what a watcher keeps to resume,
and the pace between looks. `_async/watch.py` (and its sync twin) does the requests; the
sandbox's console reuses this module to show a call's events as a watcher reports them.

The Telephony API has no push: a watcher looks at the calls list again and again. A call it
knew has ended only when a complete, successful walk of the list no longer shows it and,
when the list came in several pages (calls shift between pages as others end) or filtered
(a call can leave the filter and go on), its own GET answers 404.
"""

from __future__ import annotations

import collections
import math
import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from vbc_telephony._errors import (
    UNUSABLE,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    retry_after_seconds,
    translate,
)
from vbc_telephony._logs import logger
from vbc_telephony._views import Call
from vbc_telephony_api.models import Call as CallModel

EventType = Literal["started", "changed", "ended"]
#: The version of `watcher.state`'s form; a watcher refuses a state of another.
STATE_VERSION = 1
#: Ids of calls that ended, kept so that a late sighting (a list that lags a 404) cannot
#: start a call again after its `ended`; the most recent ones only.
ENDED_MEMORY = 1000
#: The call fields a `changed` reports by name, beyond status, legs and hold.
FIELDS = ("direction", "from", "to", "from_name", "to_name", "start_time", "end_time", "flags")
#: A leg status or call flag that says "on hold" (the API documents none; VIS says HELD and
#: REMOTE_HELD, so a service that shows hold is read whichever way it spells it).
HOLD_WORDS = ("hold", "held")
#: Statuses after which waiting and asking again can help; other 4xx answers are raised.
PASSING_STATUSES = frozenset({408, 425, 429})
#: The longest Retry-After honoured, in seconds; a longer one is read as this.
MAX_RETRY_AFTER = 3600.0


@attrs.frozen(hash=False)
class Change:
    """One thing that moved in a call between two sightings.

    `what` is `status`, `leg_added`, `leg_removed`, `leg_status`, `hold` (with `leg_id`,
    or without for the call's flags), `transfer` (the parties that left and those that
    came, seen in one look), or the name of another call field (`to_name`, `flags`, ...).
    `before` and `after` are plain data: a status, a leg as `Leg.to_dict()`, a bool, a list.
    """

    what: str
    before: Any
    after: Any
    leg_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "leg_id": self.leg_id,
            "before": self.before,
            "after": self.after,
        }


@attrs.frozen(hash=False)
class CallEvent:
    """A call started (was first seen), changed, or ended, as observed at `at` (aware UTC,
    by this machine's clock when the answer that showed it arrived). `call` is the SDK's
    view of the call as seen then; for `ended`, the last state seen."""

    type: EventType
    call_id: str
    call: Call
    at: datetime
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data: what `vbc calls watch` prints, one per line."""
        return {
            "type": self.type,
            "call_id": self.call_id,
            "at": self.at.isoformat(),
            "call": self.call.to_dict(),
            "changes": [change.to_dict() for change in self.changes],
        }


def on_hold(status: Any) -> bool:
    text = str(status or "").lower()
    return any(word in text for word in HOLD_WORDS)


def party(leg: Mapping[str, Any]) -> Any:
    """Who a leg reaches: its extension where the service says, else its `to`."""
    return leg["extension"] or leg["to"]


def changes_between(before: Call, after: Call) -> tuple[Change, ...]:
    """What moved from one sighting of a call to the next, in a fixed order: status, legs
    (removed, added, new status, hold), the call's hold, a transfer, then other fields."""
    old, new = before.to_dict(), after.to_dict()
    changes: list[Change] = []
    if old["status"] != new["status"]:
        changes.append(Change("status", old["status"], new["status"]))
    old_legs = {leg["leg_id"]: leg for leg in old["legs"]}
    new_legs = {leg["leg_id"]: leg for leg in new["legs"]}
    removed = [leg for leg_id, leg in old_legs.items() if leg_id not in new_legs]
    added = [leg for leg_id, leg in new_legs.items() if leg_id not in old_legs]
    changes += [Change("leg_removed", leg, None, leg["leg_id"]) for leg in removed]
    changes += [Change("leg_added", None, leg, leg["leg_id"]) for leg in added]
    for leg_id, leg in new_legs.items():
        was = old_legs.get(leg_id)
        if was is None or was["status"] == leg["status"]:
            continue
        changes.append(Change("leg_status", was["status"], leg["status"], leg_id))
        if on_hold(was["status"]) != on_hold(leg["status"]):
            changes.append(Change("hold", on_hold(was["status"]), on_hold(leg["status"]), leg_id))
    held_before, held_after = any(map(on_hold, old["flags"])), any(map(on_hold, new["flags"]))
    if held_before != held_after:
        changes.append(Change("hold", held_before, held_after))
    if removed and added:
        changes.append(
            Change("transfer", [party(leg) for leg in removed], [party(leg) for leg in added])
        )
    changes += [Change(name, old[name], new[name]) for name in FIELDS if old[name] != new[name]]
    return tuple(changes)


class StateError(ValueError):
    """A `state=` that is not one a watcher of this account and filter wrote."""


Raw = dict[str, Any]
"""A call as the service sent it (JSON-ready): what a watcher keeps and compares."""


def call_id_of(raw: Any) -> str:
    """The id of a call as the service sent it; a listing whose item has none cannot be
    followed (an error that may pass, like any malformed answer)."""
    call_id = raw.get("call_id") if isinstance(raw, dict) else None
    if isinstance(call_id, int) and not isinstance(call_id, bool):
        call_id = str(call_id)
    if not isinstance(call_id, str) or not call_id:
        raise APIResponseValidationError(f"a call in the list has no call_id: {str(raw)[:100]}")
    return call_id


def view_of(raw: Raw) -> Call:
    """The SDK's view of a call as the service sent it."""
    try:
        return Call(CallModel.from_dict(raw))
    except UNUSABLE as error:
        raise translate(error) from error


class Follower:
    """What a watcher knows: each call it follows (only the active ones) as last sent, the
    calls seen in the current look, and the most recent ended ids. Calls are kept and
    compared as the service sent them: only a new or changed one is parsed."""

    def __init__(
        self, account_id: str, extension: str | None, state: Mapping[str, Any] | None = None
    ) -> None:
        self.account_id, self.extension = account_id, extension
        self.known: dict[str, Raw] = {}
        self.ended: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.seen: set[str] = set()
        self.last_at: datetime | None = None
        # The latest event and what was known of its call before it, to take it back.
        self.latest: tuple[CallEvent, Raw | None] | None = None
        if state is not None:
            self.load(state)

    def begin_look(self) -> None:
        self.seen = set()

    def sighted(self, raw: Raw, at: datetime) -> CallEvent | None:
        """A call as a list page or its GET shows it: `started` the first time, `changed`
        when something moved, else nothing. A call that ended stays ended."""
        call_id = call_id_of(raw)
        if call_id in self.ended:
            return None
        self.seen.add(call_id)
        before = self.known.get(call_id)
        if before == raw:
            return None
        call = view_of(raw)
        self.known[call_id] = raw  # the last state seen, for `ended`
        if before is None:
            return self.event(CallEvent("started", call_id, call, self.moment(at)), None)
        changes = changes_between(view_of(before), call)
        if not changes:
            return None
        return self.event(CallEvent("changed", call_id, call, self.moment(at), changes), before)

    def event(self, event: CallEvent, before: Raw | None) -> CallEvent:
        self.latest = (event, before)
        return event

    def take_back(self, event: CallEvent) -> None:
        """Forget the latest event, as if it had not happened yet: a watcher resumed from the
        state reports it again (its consumer could not handle it)."""
        if self.latest is None or self.latest[0] is not event:
            raise ValueError("only the latest event can be taken back, once")
        before, call_id = self.latest[1], event.call_id
        self.latest = None
        if event.type == "ended":
            self.ended.pop(call_id, None)
        if before is None:
            self.known.pop(call_id, None)
        else:
            self.known[call_id] = before

    def whole(self, calls: list[Raw], at: datetime) -> list[CallEvent]:
        """The events of one look at a complete listing in a single answer (the sandbox's
        console sees its own state whole): a call not in it has ended."""
        self.begin_look()
        events = [event for raw in calls if (event := self.sighted(raw, at)) is not None]
        return events + [self.gone(call_id, at) for call_id in self.unseen()]

    def unseen(self) -> list[str]:
        """Calls followed but not seen in this look, in the order they were first seen."""
        return [call_id for call_id in self.known if call_id not in self.seen]

    def gone(self, call_id: str, at: datetime) -> CallEvent:
        """The call has ended: its `ended` event, with the last state seen."""
        raw = self.known.pop(call_id)
        self.ended[call_id] = None
        while len(self.ended) > ENDED_MEMORY:
            self.ended.popitem(last=False)
        return self.event(CallEvent("ended", call_id, view_of(raw), self.moment(at)), raw)

    def calls(self) -> list[Call]:
        return [view_of(raw) for raw in self.known.values()]

    def moment(self, at: datetime) -> datetime:
        """`at`, never earlier than an event already reported."""
        if self.last_at is not None and at < self.last_at:
            at = self.last_at
        self.last_at = at
        return at

    def state(self) -> dict[str, Any]:
        """What a watcher needs to resume: JSON-ready, each call it follows as the service
        last sent it (the same objects: save them, do not edit them)."""
        return {
            "version": STATE_VERSION,
            "account_id": self.account_id,
            "extension": self.extension,
            "calls": list(self.known.values()),
            "ended": list(self.ended),
        }

    def load(self, state: Mapping[str, Any]) -> None:
        if not isinstance(state, Mapping) or state.get("version") != STATE_VERSION:
            raise StateError(f"not a calls.watch() state of version {STATE_VERSION}")
        if (state.get("account_id"), state.get("extension")) != (self.account_id, self.extension):
            raise StateError(
                f"the state was saved by a watcher of account {state.get('account_id')!r}"
                f" (extension {state.get('extension')!r}), not of account {self.account_id!r}"
                f" (extension {self.extension!r})"
            )
        calls, ended = state.get("calls"), state.get("ended")
        if not isinstance(calls, list) or not isinstance(ended, list):
            raise StateError("a calls.watch() state holds lists 'calls' and 'ended'")
        try:
            for raw in calls:
                view_of(raw)
                self.known[call_id_of(raw)] = raw
        except APIError as error:
            raise StateError(f"a call in the state cannot be read: {error.message}"[:300]) from None
        for call_id in ended[-ENDED_MEMORY:]:
            if isinstance(call_id, str):
                self.ended[call_id] = None


def passing(error: APIError) -> bool:
    """Whether looking again later can help: no answer, a malformed one, a 5xx, a 429, a
    408. Other errors (401 after a refresh, 403, 404 on the list, 400) are raised."""
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 or error.status_code in PASSING_STATUSES
    return isinstance(error, APIConnectionError | APIResponseValidationError)


def retry_after(error: APIError) -> float | None:
    """The seconds an error answer asks to wait (429, 503), within MAX_RETRY_AFTER."""
    if not isinstance(error, APIStatusError):
        return None
    seconds = retry_after_seconds(error.headers)
    if seconds is None or not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds, not {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be more than 0, not {value!r}")
    return float(value)


@attrs.define
class Pace:
    """How long to wait before the next look: `interval` after a look that worked (longer
    when `requests_per_minute` says the look's requests need it), exponential back-off with
    jitter after one that failed (from twice `interval`, up to `max_backoff`, never less than
    a Retry-After), `interval` again once a look works. Each change is logged at INFO."""

    interval: float
    max_backoff: float
    requests_per_minute: float | None = None
    failures: int = 0
    last_wait: float | None = None
    jitter: random.Random = attrs.field(factory=random.Random, repr=False)

    def __attrs_post_init__(self) -> None:
        self.interval = positive("interval", self.interval)
        self.max_backoff = max(positive("max_backoff", self.max_backoff), self.interval)
        if self.requests_per_minute is not None:
            self.requests_per_minute = positive("requests_per_minute", self.requests_per_minute)

    def worked(self, requests: int) -> float:
        """The wait after a look that worked and sent `requests` requests."""
        wait = self.interval
        if self.requests_per_minute is not None:
            wait = max(wait, requests * 60.0 / self.requests_per_minute)
        if self.failures:
            logger.info(
                "calls.watch: a look worked after %d that failed; looking every %.3g s again",
                self.failures,
                wait,
            )
        elif wait != self.last_wait:
            logger.info("calls.watch: looking every %.3g s (%d request(s) a look)", wait, requests)
        self.failures, self.last_wait = 0, wait
        return wait

    def failed(self, error: APIError) -> float:
        """The wait after a look that failed with `error` (one that may pass)."""
        self.failures += 1
        flat = min(self.max_backoff, self.interval * 2.0 ** min(self.failures, 64))
        wait = max(self.interval, flat / 2 + self.jitter.uniform(0, flat / 2))
        asked = retry_after(error)
        if asked is not None:
            wait = max(wait, asked)
        logger.info(
            "calls.watch: look %d in a row failed (%s); next look in %.1f s%s",
            self.failures,
            summary(error),
            wait,
            f" (Retry-After: {asked:g} s)" if asked is not None else "",
        )
        self.last_wait = wait
        return wait


def summary(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        return f"{error.status_code} from {error.method} {error.url}"
    return f"{type(error).__name__}: {error.message}"[:300]


def log_cut_short(pages: int) -> None:
    logger.info(
        "calls.watch: the list's walk was cut short after %d page(s) (the service's paging"
        " repeated itself); no call is taken as ended from it",
        pages,
    )
