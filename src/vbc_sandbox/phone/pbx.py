"""A small phone system: calls, their legs, and what each action does to them.

Nothing runs in the background. Each leg stores when it starts ringing, when it answers and
when (for the magic numbers) it fails, and its status is read off the clock. So behaviour is
deterministic, survives a restart, and is the same in every worker process.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import attrs

from vbc_sandbox.errors import Conflict, NotFound, SandboxError
from vbc_sandbox.phone import paging
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.phone.dialects import OUTCOMES, as_json_number, dialect_for, status_of
from vbc_sandbox.phone.outcomes import Scripts, Timing, timing
from vbc_sandbox.settings import Settings
from vbc_sandbox.storage.store import Row, Store

#: PSTN numbers with a fixed outcome, as SIP would report it.
MAGIC_NUMBERS = {
    "15550000486": "busy",  # 486 Busy Here
    "15550000480": "unanswered",  # 480 Temporarily Unavailable: rings, nobody answers
    "15550000503": "failed",  # 503 Service Unavailable
    "15550000180": "ringing",  # 180 Ringing, for ever: answer or hang up yourself
}
PSTN_NUMBER = re.compile(r"\+?[0-9]{3,20}")
#: Why a call whose leg ended so ended, for its timeline.
OUTCOME_REASONS = {"busy": "busy", "failed": "failed", "unanswered": "no answer"}


@attrs.frozen
class Party:
    """A party of a call: the number its leg shows, its type, and the name a request gave it
    (a device's VH id, say), by which scripted outcomes may also name it."""

    number: str
    kind: str
    named: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.number, self.named)


class Pbx:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.scripts = Scripts(store)
        self.dialect = dialect_for(settings.dialect, store)

    @contextlib.contextmanager
    def changing(self, account_id: str) -> Iterator[None]:
        """A write transaction on an account's calls: the account's change counter moves
        with it, so the open console feeds of that account (on any instance) look again."""
        with self.store.transaction():
            yield
            self.store.account_changed(account_id)

    # ----------------------------------------------------------------- reading

    def leg_status(self, leg: Row, now: float) -> str:
        answer_at, outcome, outcome_at = leg[7:10]  # in store.LEG_SHOWN's order
        if outcome and now >= outcome_at:
            return str(outcome)
        if answer_at is not None and now >= answer_at:
            return "on-call"
        return "ringing"

    def call_status(self, legs: list[Row], now: float) -> str:
        return status_of([self.leg_status(leg, now) for leg in legs])

    def leg_json(self, leg: Row, now: float) -> dict[str, Any]:
        return self.dialect.leg(leg, self.leg_status(leg, now), now)

    def call_json(self, call: Row, legs: list[Row], now: float) -> dict[str, Any]:
        statuses = [self.leg_status(leg, now) for leg in legs]
        return self.dialect.call(call, legs, statuses, now)

    def active_call(
        self, account_id: str, call_id: str, now: float, *, locked: bool = False
    ) -> Row:
        """The call, once what its scripted outcomes made due by `now` has happened (`locked`:
        the caller holds the write transaction already)."""
        call = self.store.active_call(account_id, call_id, now)
        if call is not None and call["due_at"] is not None and call["due_at"] <= now:
            self.catch_up([call], now, locked)
            call = self.store.active_call(account_id, call_id, now)
        if call is None:
            raise NotFound()
        return call

    def catch_up(self, calls: list[Row], now: float, locked: bool = False) -> None:
        """Do what scripted outcomes made due by `now` (a transfer by the clock), each as of
        its own time, so the call reads as if it had happened then (`locked`: the caller
        holds the write transaction on the calls' account already)."""
        for call in calls:
            if locked:
                self.do_due(call, now)
                continue
            with self.changing(call["account_id"]):
                self.do_due(call, now)

    def do_due(self, call: Row, now: float) -> None:
        for action in self.store.take_due(call["call_id"], now):
            self.transfer_due(dict(call), action)

    def transfer_due(self, call: dict[str, Any], action: dict[str, Any]) -> None:
        """A scripted `transfer_after`: the leg, if it is still on the call, passes it on."""
        at = float(action["at"])
        leg = self.store.live_leg(call["call_id"], action["leg_id"])
        if leg is None or self.leg_status(leg, at) != "on-call":
            return
        target = self.party_named(call["account_id"], str(action["to"]))
        self.transfer(call, leg, leg["from_number"], target, at)

    def party_named(self, account_id: str, name: str) -> Party:
        """A transfer target a script names: an extension, a device's VH id, or a number."""
        if self.store.party_exists(account_id, name):
            return Party(name, "extension", name)
        if self.store.device_extension(account_id, name) is not None:
            return self.resolve(account_id, {"destination": name, "type": "device"})
        return self.resolve(account_id, {"destination": name, "type": "pstn"})

    def live_legs(self, call_id: str) -> list[Row]:
        return self.store.live_legs(call_id)

    def get_call(self, account_id: str, call_id: str) -> dict[str, Any]:
        now = self.clock.now()
        call = self.active_call(account_id, call_id, now)
        return self.call_json(call, self.live_legs(call_id), now)

    def list_legs(self, account_id: str, call_id: str) -> list[dict[str, Any]]:
        now = self.clock.now()
        self.active_call(account_id, call_id, now)
        return [self.leg_json(leg, now) for leg in self.live_legs(call_id)]

    def get_leg(self, account_id: str, call_id: str, leg_id: str) -> dict[str, Any]:
        now = self.clock.now()
        self.active_call(account_id, call_id, now)
        return self.leg_json(self.live_leg(call_id, leg_id), now)

    def live_leg(self, call_id: str, leg_id: str) -> Row:
        leg = self.store.live_leg(call_id, leg_id)
        if leg is None:
            raise NotFound()
        return leg

    def list_calls(
        self,
        account_id: str,
        query: paging.PageQuery,
        *,
        extension: str | None,
        as_of: int | None,
    ) -> dict[str, Any]:
        """One page of active calls, as of a snapshot: calls placed after the first page was
        read carry a higher sequence number and stay out, so paging neither repeats nor skips."""
        now = self.clock.now()
        self.catch_up(self.store.due_calls(now), now)
        self.store.end_lingering(now)
        if as_of is None:
            as_of = self.store.newest_call_seq()
        listing = self.store.active_calls(
            account_id, as_of, query.start_time, query.end_time, extension
        )
        total = None
        if query.start_time is None and query.end_time is None and extension is None:
            total = self.store.active_count(account_id, as_of)
        first = paging.first_page("list_calls")
        page_items, pages = paging.page_of(self.store, listing, query, first, total)
        # Call ids by position (store.CALL_SHOWN, LEG_SHOWN): 300 name lookups cost 2% here.
        legs_by_call: dict[str, list[Row]] = {call[0]: [] for call in page_items}
        for leg in self.store.live_legs_of(list(legs_by_call)):
            legs_by_call[leg[1]].append(leg)
        return {
            "calls": [self.call_json(c, legs_by_call[c[0]], now) for c in page_items],
            **paging.page_fields(
                f"/cc/accounts/{account_id}/calls",
                query,
                pages,
                {"extension": extension, "as_of": as_of},
                first,
                last_names_next=self.dialect.last_page_names_next,
            ),
        }

    # ----------------------------------------------------------------- placing calls

    def resolve(
        self, account_id: str, party: dict[str, Any], missing: type[SandboxError] = NotFound
    ) -> Party:
        """A party of a request. One the account does not have raises `missing`: 404 when
        placing a call, 409 when acting on a call that exists (a 404 there would say the call
        itself is gone)."""
        destination, kind = str(party["destination"]), party["type"]
        if kind == "extension":
            if not self.store.party_exists(account_id, destination):
                raise missing(f"Extension {destination} does not exist in this account")
        elif kind == "device":
            extension = self.store.device_extension(account_id, destination)
            if extension is None:
                raise missing(f"Device {destination} does not exist in this account")
            return Party(extension, kind, destination)
        elif kind == "pstn" and PSTN_NUMBER.fullmatch(destination):
            return Party(destination.lstrip("+"), kind, destination)
        return Party(destination, kind, destination)

    def ring(self, account_id: str, party: Party, starts: float) -> Timing:
        """When a leg toward this party answers or how it ends, if it rings from `starts`:
        as a scripted outcome says, else as the magic numbers say, else it answers."""
        delay = 0.0 if party.kind == "feature_code" else self.settings.ring_delay
        scripted = self.store.take_outcome(account_id, party.names)
        if scripted is not None:
            return timing(scripted, starts, delay)
        if party.kind == "pstn":
            number = party.number
            outcome = "failed" if not PSTN_NUMBER.fullmatch(number) else MAGIC_NUMBERS.get(number)
            if outcome == "ringing":
                return Timing(None)
            if outcome in OUTCOMES:
                after = delay if outcome == "unanswered" else 0.0
                return Timing(None, outcome, starts + after, reason=OUTCOME_REASONS[outcome])
        return Timing(starts + delay)

    def add_leg(
        self,
        call: dict[str, Any],
        direction: str,
        from_number: str,
        to: Party,
        starts: float,
        timed: Timing | None = None,
    ) -> dict[str, Any]:
        """Insert a leg toward `to`; it rings as `ring` says unless `timed` is given."""
        timed = timed or self.ring(call["account_id"], to, starts)
        leg = {
            "leg_id": str(uuid.uuid4()),
            "call_id": call["call_id"],
            "account_id": call["account_id"],
            "direction": direction,
            "from_number": from_number,
            "to_number": to.number,
            "start_time": int(starts),
            "answer_at": timed.answer_at,
            "outcome": timed.outcome,
            "outcome_at": timed.outcome_at,
        }
        self.store.insert_leg(leg)
        detail = f"{to.number} ({timed.reason})" if timed.reason else to.number
        self.event(call["call_id"], starts, "ringing", detail, leg["leg_id"])
        ends = None
        if timed.outcome_at is not None:
            ends = timed.outcome_at + self.settings.linger
        elif timed.hangup_at is not None:
            ends = timed.hangup_at
        if ends is not None:
            self.store.end_call_by(call["call_id"], ends, timed.reason)
        if timed.transfer_at is not None:
            self.store.schedule(
                call["call_id"],
                {"at": timed.transfer_at, "leg_id": leg["leg_id"], "to": timed.transfer_to},
            )
        return leg

    def event(
        self,
        call_id: str,
        at: float,
        event: str,
        detail: str | None = None,
        leg_id: str | None = None,
    ) -> None:
        """Note a state change in the call's timeline (`timeline.py` adds the timed ones)."""
        self.store.add_event(call_id, at, event, detail, leg_id)

    def insert_call(
        self, account_id: str, direction: str, frm: str, to: str, now: float
    ) -> dict[str, Any]:
        call = {
            "call_id": str(uuid.uuid4()),
            "account_id": account_id,
            "direction": direction,
            "from_number": frm,
            "to_number": to,
            "start_time": int(now),
        }
        self.store.insert_call(call)
        return call

    def dial(self, account_id: str, body: dict[str, Any]) -> str:
        """Place a call; the four types are in the spec (openapi.yaml)."""
        caller = self.resolve(account_id, body["from"])
        callee = self.resolve(account_id, body["to"])
        kind = body.get("type", "click2dial")
        now = self.clock.now()
        with self.changing(account_id):
            call = self.insert_call(account_id, "outbound", caller.number, callee.number, now)
            self.event(call["call_id"], now, "placed", f"{kind} {caller.number} -> {callee.number}")
            # click2dial and default ring the caller first; click2dialme rings the callee
            # first (a call-me-back); odr rings both at once.
            first, second = (callee, caller) if kind == "click2dialme" else (caller, callee)
            first_leg = self.add_leg(call, "outbound", second.number, first, now)
            if first_leg["outcome"] is None:
                answered = first_leg["answer_at"]
                starts = now if kind == "odr" or answered is None else answered
                if answered is not None or kind == "odr":
                    self.add_leg(call, "outbound", first.number, second, starts)
        return str(call["call_id"])

    def inbound(self, account_id: str, caller: str, extension: str) -> dict[str, Any]:
        """An outside caller rings an extension; it rings until answered or hung up."""
        callee = self.resolve(account_id, {"destination": extension, "type": "extension"})
        now = self.clock.now()
        with self.changing(account_id):
            call = self.insert_call(account_id, "inbound", caller, callee.number, now)
            self.event(call["call_id"], now, "placed", f"inbound {caller} -> {callee.number}")
            self.add_leg(call, "inbound", caller, Party(caller, "pstn", caller), now, Timing(now))
            # The extension rings until answered, unless a script says otherwise (a missed
            # call: no_answer(after=20)).
            scripted = self.store.take_outcome(account_id, callee.names)
            delay = self.settings.ring_delay
            timed = Timing(None) if scripted is None else timing(scripted, now, delay)
            self.add_leg(call, "inbound", caller, callee, now, timed)
        return self.get_call(account_id, str(call["call_id"]))

    def transfer(
        self,
        call: dict[str, Any],
        leg: Row,
        keeping: str,
        target: Party,
        now: float,
    ) -> bool:
        """Blind transfer: `leg` drops out and a new leg from `keeping` rings `target`. A
        target scripted to fail a transfer leaves the call as it was (False)."""
        scripted = self.store.take_outcome(call["account_id"], target.names)
        if scripted is not None and scripted["outcome"] == "transfer_fails":
            self.event(call["call_id"], now, "transfer failed", target.number, leg["leg_id"])
            return False
        self.store.update_leg(leg["leg_id"], dropped=1)
        self.event(
            call["call_id"],
            now,
            "transferred",
            f"{leg['to_number']} -> {target.number}",
            leg["leg_id"],
        )
        timed = timing(scripted, now, self.settings.ring_delay) if scripted is not None else None
        self.add_leg(call, "outbound", keeping, target, now, timed)
        return True

    # ----------------------------------------------------------------- call actions

    def acting_on(self, account_id: str, call_id: str) -> tuple[Row, str, float]:
        now = self.clock.now()
        call = self.active_call(account_id, call_id, now, locked=True)
        status = self.call_status(self.live_legs(call_id), now)
        if status in OUTCOMES:
            raise Conflict(f"The call has ended ({status}); no action is possible")
        return call, status, now

    def update_call(self, account_id: str, call_id: str, body: dict[str, Any]) -> dict[str, Any]:
        # Checks and writes in one write transaction: no other worker acts in between.
        with self.changing(account_id):
            call, status, now = self.acting_on(account_id, call_id)
            state = body.get("state")
            result = {"account_id": as_json_number(account_id), "call_id": call_id}
            if state == "active":
                answering = self.resolve(account_id, body["to"], Conflict)
                if call["parked"]:
                    self.store.set_parked(call_id, False)
                    self.event(call_id, now, "picked up", answering.number)
                elif status == "ringing":
                    self.store.answer_ringing_legs(call_id, now)
                else:
                    raise Conflict("The call is already answered")
                return {**result, "call_state": "on-call", "destination": answering.number}
            if status != "on-call":
                raise Conflict(
                    f"Cannot {'park' if state else 'transfer'} a call that is still ringing"
                )
            if state == "parked":
                self.store.set_parked(call_id, True)
                self.event(call_id, now, "parked", str(body["from"]["destination"]))
                return {
                    **result,
                    "call_state": "parked",
                    "destination": str(body["from"]["destination"]),
                }
            leaving = str(body["from"]["destination"])
            target = self.resolve(account_id, body["to"], Conflict)
            party = self.store.leg_of_party(call_id, leaving)
            if party is None:
                raise Conflict(f"{leaving} is not a party of this call")
            other = party["from_number"] if party["to_number"] == leaving else party["to_number"]
            if not self.transfer(dict(call), party, other, target, now):
                return {**result, "call_state": "on-call", "destination": leaving}
            return {**result, "call_state": "transferring", "destination": target.number}

    def hang_up(self, account_id: str, call_id: str) -> dict[str, Any]:
        with self.changing(account_id):
            now = self.clock.now()
            self.active_call(account_id, call_id, now, locked=True)
            self.store.end_call(call_id, now, "hung up through the API")
            return {
                "account_id": as_json_number(account_id),
                "call_id": call_id,
                "call_state": "ended",
            }

    # ----------------------------------------------------------------- leg actions

    def update_leg(
        self, account_id: str, call_id: str, leg_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.changing(account_id):
            call, _, now = self.acting_on(account_id, call_id)
            leg = self.live_leg(call_id, leg_id)
            status = self.leg_status(leg, now)
            result: dict[str, Any] = {
                "account_id": as_json_number(account_id),
                "call_id": call_id,
                "leg_id": leg_id,
            }

            def require_on_call(action: str) -> None:
                if status != "on-call":
                    raise Conflict(f"Cannot {action} a leg that is {status}")

            if body.get("state") == "held":
                require_on_call("hold")
                self.store.update_leg(leg_id, held=1)
                self.event(call_id, now, "held", leg["to_number"], leg_id)
                return {**result, "call_state": "held"}
            if "dtmf" in body:
                require_on_call("send DTMF on")
                self.store.add_dtmf(leg_id, body["dtmf"])
                self.event(call_id, now, "dtmf sent", body["dtmf"], leg_id)
                return {**result, "call_state": "on-call", "destination": body["dtmf"]}
            if "stream" in body:
                if body["stream"]:
                    require_on_call("play sound to")
                sound = body.get("stream_url") if body["stream"] else None
                self.store.update_leg(leg_id, sound=sound)
                self.event(
                    call_id, now, "sound playing" if sound else "sound stopped", sound, leg_id
                )
                return {**result, "call_state": "playing" if sound else "on-call"}
            if "recording" in body:
                service, start = body["service"], body["recording"] == "start"
                if start:
                    require_on_call("record")
                self.store.update_leg(leg_id, **{service: int(start)})
                what = "recording started" if start else "recording stopped"
                self.event(call_id, now, what, service, leg_id)
                return {**result, "call_state": "recording" if start else "on-call"}
            if "to" in body and body["to"]["type"] == "leg":
                require_on_call("transfer")
                return {**result, **self.join(call, leg, str(body["to"]["destination"]), now)}
            if "to" in body:
                require_on_call("transfer")
                target = self.resolve(account_id, body["to"], Conflict)
                if not self.transfer(dict(call), leg, leg["from_number"], target, now):
                    return {**result, "call_state": "on-call"}
                return {**result, "call_state": "transferring", "destination": target.number}
            # {"state": "active"}: take a held leg off hold, or answer a ringing one.
            if status == "ringing":
                if leg["outcome"] is not None:
                    raise Conflict("The leg cannot be answered")
                self.store.update_leg(leg_id, answer_at=now)
            elif leg["held"]:
                self.event(call_id, now, "taken off hold", leg["to_number"], leg_id)
            self.store.update_leg(leg_id, held=0)
            return {**result, "call_state": "on-call"}

    def join(self, call: Row, leg: Row, other_id: str, now: float) -> dict[str, Any]:
        """Attended transfer: the other leg joins this call and this leg drops out."""
        other = self.store.active_leg_of_account(call["account_id"], other_id, now)
        if (
            other is None
            or other["leg_id"] == leg["leg_id"]
            or self.leg_status(other, now) != "on-call"
        ):
            raise Conflict("The leg to transfer to is not an active leg of this account")
        self.store.update_leg(leg["leg_id"], dropped=1)
        self.store.update_leg(other_id, call_id=call["call_id"])
        self.event(call["call_id"], now, "joined", other["to_number"], other_id)
        self.end_if_alone(other["call_id"], now, "its leg joined another call")
        return {"call_state": "on-call", "destination": other_id}

    def end_if_alone(self, call_id: str, now: float, reason: str) -> None:
        if self.store.live_leg_count(call_id) < 2:
            self.store.end_call(call_id, now, reason)

    def drop_leg(self, account_id: str, call_id: str, leg_id: str) -> None:
        with self.changing(account_id):
            now = self.clock.now()
            self.active_call(account_id, call_id, now, locked=True)
            self.live_leg(call_id, leg_id)
            self.store.update_leg(leg_id, dropped=1)
            self.event(call_id, now, "leg hung up", None, leg_id)
            self.end_if_alone(call_id, now, "one party was left")
