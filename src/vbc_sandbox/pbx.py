"""A small phone system: calls, their legs, and what each action does to them.

Nothing runs in the background. Each leg stores when it starts ringing, when it answers and
when (for the magic numbers) it fails, and its status is read off the clock. So behaviour is
deterministic, survives a restart, and is the same in every worker process.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Any

import attrs

from vbc_sandbox import paging
from vbc_sandbox.clock import Clock
from vbc_sandbox.dialects import OUTCOMES, as_json_number, dialect_for, status_of
from vbc_sandbox.errors import Conflict, NotFound, SandboxError
from vbc_sandbox.outcomes import Scripts, Timing, timing
from vbc_sandbox.settings import Settings
from vbc_sandbox.store import Store

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

    # ----------------------------------------------------------------- reading

    def leg_status(self, leg: sqlite3.Row, now: float) -> str:
        if leg["outcome"] and now >= leg["outcome_at"]:
            return str(leg["outcome"])
        if leg["answer_at"] is not None and now >= leg["answer_at"]:
            return "on-call"
        return "ringing"

    def call_status(self, legs: list[sqlite3.Row], now: float) -> str:
        return status_of([self.leg_status(leg, now) for leg in legs])

    def leg_json(self, leg: sqlite3.Row, now: float) -> dict[str, Any]:
        return self.dialect.leg(leg, self.leg_status(leg, now), now)

    def call_json(self, call: sqlite3.Row, legs: list[sqlite3.Row], now: float) -> dict[str, Any]:
        statuses = [self.leg_status(leg, now) for leg in legs]
        return self.dialect.call(call, legs, statuses, now)

    def active_call(self, account_id: str, call_id: str, now: float) -> sqlite3.Row:
        call = self.store.one(
            "SELECT * FROM calls WHERE call_id = ? AND account_id = ? AND ended = 0"
            " AND (ends_at IS NULL OR ends_at > ?)",
            call_id,
            account_id,
            now,
        )
        if call is None:
            raise NotFound()
        return call

    def live_legs(self, call_id: str) -> list[sqlite3.Row]:
        return self.store.all(
            "SELECT * FROM legs WHERE call_id = ? AND dropped = 0 ORDER BY seq", call_id
        )

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

    def live_leg(self, call_id: str, leg_id: str) -> sqlite3.Row:
        leg = self.store.one(
            "SELECT * FROM legs WHERE leg_id = ? AND call_id = ? AND dropped = 0", leg_id, call_id
        )
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
        self.sweep(now)
        if as_of is None:
            row = self.store.one("SELECT coalesce(max(seq), 0) AS top FROM calls")
            as_of = int(row["top"]) if row else 0
        where = ["account_id = ?", "ended = 0", "seq <= ?"]
        args: list[Any] = [account_id, as_of]
        window, window_args = query.window("start_time")
        where += window
        args += window_args
        if extension is not None:
            where.append(
                "(from_number = ? OR to_number = ? OR call_id IN (SELECT call_id FROM legs"
                " WHERE account_id = ? AND (from_number = ? OR to_number = ?)))"
            )
            args += [extension, extension, account_id, extension, extension]
        total = None
        if query.start_time is None and query.end_time is None and extension is None:
            total = self.active_count(account_id, as_of)
        page_items, pages = paging.page_of(
            self.store,
            "calls",
            " AND ".join(where),
            args,
            query,
            "start_time",
            total,
        )
        legs_by_call: dict[str, list[sqlite3.Row]] = {call["call_id"]: [] for call in page_items}
        if page_items:
            marks = ",".join("?" * len(page_items))
            for leg in self.store.all(
                f"SELECT * FROM legs WHERE call_id IN ({marks}) AND dropped = 0 ORDER BY seq",  # noqa: S608
                *legs_by_call,
            ):
                legs_by_call[leg["call_id"]].append(leg)
        return {
            "calls": [self.call_json(c, legs_by_call[c["call_id"]], now) for c in page_items],
            **paging.page_fields(
                f"/cc/accounts/{account_id}/calls",
                query,
                pages,
                {"extension": extension, "as_of": as_of},
                last_names_next=self.dialect.last_page_names_next,
            ),
        }

    def active_count(self, account_id: str, as_of: int) -> int:
        """Active calls up to the snapshot, without counting them all: the account's counter
        less the (few) active calls placed after the snapshot."""
        row = self.store.one("SELECT n FROM active_counts WHERE account_id = ?", account_id)
        later = self.store.one(
            # The unary + keeps SQLite on the rowid range (a handful of rows) rather than
            # the account's index (every active call).
            "SELECT count(*) AS n FROM calls WHERE seq > ? AND +account_id = ? AND +ended = 0",
            as_of,
            account_id,
        )
        return (int(row["n"]) if row else 0) - (int(later["n"]) if later else 0)

    def sweep(self, now: float) -> None:
        """Mark calls whose linger is over as ended, keeping the counters true."""
        due = "FROM calls WHERE ended = 0 AND ends_at IS NOT NULL AND ends_at <= ?"
        if self.store.one(f"SELECT 1 {due} LIMIT 1", now) is None:
            return
        with self.store.transaction() as db:
            for row in db.execute(
                f"SELECT account_id, count(*) AS n {due} GROUP BY account_id", (now,)
            ):
                db.execute(
                    "UPDATE active_counts SET n = n - ? WHERE account_id = ?",
                    (row["n"], row["account_id"]),
                )
            db.execute(f"UPDATE calls SET ended = 1 {due.removeprefix('FROM calls ')}", (now,))  # noqa: S608

    def end_call(self, db: sqlite3.Connection, call_id: str, now: float, reason: str) -> None:
        """Hang a call up now (every caller holds the write transaction)."""
        updated = db.execute(
            "UPDATE calls SET ends_at = ?, ended = 1, end_reason = ? WHERE call_id = ?"
            " AND ended = 0",
            (now, reason, call_id),
        )
        if updated.rowcount:
            db.execute(
                "UPDATE active_counts SET n = n - 1 WHERE account_id ="
                " (SELECT account_id FROM calls WHERE call_id = ?)",
                (call_id,),
            )

    # ----------------------------------------------------------------- placing calls

    def resolve(
        self, account_id: str, party: dict[str, Any], missing: type[SandboxError] = NotFound
    ) -> Party:
        """A party of a request. One the account does not have raises `missing`: 404 when
        placing a call, 409 when acting on a call that exists (a 404 there would say the call
        itself is gone)."""
        destination, kind = str(party["destination"]), party["type"]
        if kind == "extension":
            if not self.store.one(
                "SELECT 1 FROM users WHERE account_id = ? AND extension = ?"
                " UNION SELECT 1 FROM devices WHERE account_id = ? AND extension = ?",
                account_id,
                destination,
                account_id,
                destination,
            ):
                raise missing(f"Extension {destination} does not exist in this account")
        elif kind == "device":
            row = self.store.one(
                "SELECT extension FROM devices WHERE account_id = ? AND upper(vh_id) = upper(?)",
                account_id,
                destination,
            )
            if row is None:
                raise missing(f"Device {destination} does not exist in this account")
            return Party(str(row["extension"]), kind, destination)
        elif kind == "pstn" and PSTN_NUMBER.fullmatch(destination):
            return Party(destination.lstrip("+"), kind, destination)
        return Party(destination, kind, destination)

    def ring(self, db: sqlite3.Connection, account_id: str, party: Party, starts: float) -> Timing:
        """When a leg toward this party answers or how it ends, if it rings from `starts`:
        as a scripted outcome says, else as the magic numbers say, else it answers."""
        delay = 0.0 if party.kind == "feature_code" else self.settings.ring_delay
        scripted = self.scripts.take(db, account_id, party.names)
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
        db: sqlite3.Connection,
        call: dict[str, Any],
        direction: str,
        from_number: str,
        to: Party,
        starts: float,
        timed: Timing | None = None,
    ) -> dict[str, Any]:
        """Insert a leg toward `to`; it rings as `ring` says unless `timed` is given."""
        timed = timed or self.ring(db, call["account_id"], to, starts)
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
        db.execute(
            "INSERT INTO legs (leg_id, call_id, account_id, direction, from_number, to_number,"
            " start_time, answer_at, outcome, outcome_at) VALUES (:leg_id, :call_id,"
            " :account_id, :direction, :from_number, :to_number, :start_time, :answer_at,"
            " :outcome, :outcome_at)",
            leg,
        )
        detail = f"{to.number} ({timed.reason})" if timed.reason else to.number
        self.event(db, call["call_id"], starts, "ringing", detail, leg["leg_id"])
        ends = None
        if timed.outcome_at is not None:
            ends = timed.outcome_at + self.settings.linger
        elif timed.hangup_at is not None:
            ends = timed.hangup_at
        if ends is not None:
            db.execute(
                "UPDATE calls SET ends_at = min(coalesce(ends_at, ?), ?), end_reason ="
                " coalesce(end_reason, ?) WHERE call_id = ?",
                (ends, ends, timed.reason, call["call_id"]),
            )
        return leg

    @staticmethod
    def event(
        db: sqlite3.Connection,
        call_id: str,
        at: float,
        event: str,
        detail: str | None = None,
        leg_id: str | None = None,
    ) -> None:
        """Note a state change in the call's timeline (`timeline.py` adds the timed ones)."""
        db.execute(
            "INSERT INTO events (call_id, leg_id, at, event, detail) VALUES (?, ?, ?, ?, ?)",
            (call_id, leg_id, at, event, detail),
        )

    def insert_call(
        self, db: sqlite3.Connection, account_id: str, direction: str, frm: str, to: str, now: float
    ) -> dict[str, Any]:
        call = {
            "call_id": str(uuid.uuid4()),
            "account_id": account_id,
            "direction": direction,
            "from_number": frm,
            "to_number": to,
            "start_time": int(now),
        }
        db.execute(
            "INSERT INTO calls (call_id, account_id, direction, from_number, to_number,"
            " start_time) VALUES (:call_id, :account_id, :direction, :from_number, :to_number,"
            " :start_time)",
            call,
        )
        db.execute(
            "INSERT INTO active_counts VALUES (?, 1)"
            " ON CONFLICT (account_id) DO UPDATE SET n = n + 1",
            (account_id,),
        )
        return call

    def dial(self, account_id: str, body: dict[str, Any]) -> str:
        """Place a call; see README "How the sandbox places calls" for the four types."""
        caller = self.resolve(account_id, body["from"])
        callee = self.resolve(account_id, body["to"])
        kind = body.get("type", "click2dial")
        now = self.clock.now()
        with self.store.transaction() as db:
            call = self.insert_call(db, account_id, "outbound", caller.number, callee.number, now)
            self.event(
                db, call["call_id"], now, "placed", f"{kind} {caller.number} -> {callee.number}"
            )
            # click2dial and default ring the caller first; click2dialme rings the callee
            # first (a call-me-back); odr rings both at once.
            first, second = (callee, caller) if kind == "click2dialme" else (caller, callee)
            first_leg = self.add_leg(db, call, "outbound", second.number, first, now)
            if first_leg["outcome"] is None:
                answered = first_leg["answer_at"]
                starts = now if kind == "odr" or answered is None else answered
                if answered is not None or kind == "odr":
                    self.add_leg(db, call, "outbound", first.number, second, starts)
        return str(call["call_id"])

    def inbound(self, account_id: str, caller: str, extension: str) -> dict[str, Any]:
        """An outside caller rings an extension; it rings until answered or hung up."""
        callee = self.resolve(account_id, {"destination": extension, "type": "extension"})
        now = self.clock.now()
        with self.store.transaction() as db:
            call = self.insert_call(db, account_id, "inbound", caller, callee.number, now)
            self.event(db, call["call_id"], now, "placed", f"inbound {caller} -> {callee.number}")
            self.add_leg(
                db, call, "inbound", caller, Party(caller, "pstn", caller), now, Timing(now)
            )
            self.add_leg(db, call, "inbound", caller, callee, now, Timing(None))
        return self.get_call(account_id, str(call["call_id"]))

    def transfer(
        self,
        db: sqlite3.Connection,
        call: dict[str, Any],
        leg: sqlite3.Row,
        keeping: str,
        target: Party,
        now: float,
    ) -> bool:
        """Blind transfer: `leg` drops out and a new leg from `keeping` rings `target`. A
        target scripted to fail a transfer leaves the call as it was (False)."""
        scripted = self.scripts.take(db, call["account_id"], target.names)
        if scripted is not None and scripted["outcome"] == "transfer_fails":
            self.event(db, call["call_id"], now, "transfer failed", target.number, leg["leg_id"])
            return False
        db.execute("UPDATE legs SET dropped = 1 WHERE leg_id = ?", (leg["leg_id"],))
        self.event(
            db,
            call["call_id"],
            now,
            "transferred",
            f"{leg['to_number']} -> {target.number}",
            leg["leg_id"],
        )
        timed = timing(scripted, now, self.settings.ring_delay) if scripted is not None else None
        self.add_leg(db, call, "outbound", keeping, target, now, timed)
        return True

    # ----------------------------------------------------------------- call actions

    def acting_on(self, account_id: str, call_id: str) -> tuple[sqlite3.Row, str, float]:
        now = self.clock.now()
        call = self.active_call(account_id, call_id, now)
        status = self.call_status(self.live_legs(call_id), now)
        if status in OUTCOMES:
            raise Conflict(f"The call has ended ({status}); no action is possible")
        return call, status, now

    def update_call(self, account_id: str, call_id: str, body: dict[str, Any]) -> dict[str, Any]:
        # Checks and writes in one write transaction: no other worker acts in between.
        with self.store.transaction() as db:
            call, status, now = self.acting_on(account_id, call_id)
            state = body.get("state")
            result = {"account_id": as_json_number(account_id), "call_id": call_id}
            if state == "active":
                answering = self.resolve(account_id, body["to"], Conflict)
                if call["parked"]:
                    db.execute("UPDATE calls SET parked = 0 WHERE call_id = ?", (call_id,))
                    self.event(db, call_id, now, "picked up", answering.number)
                elif status == "ringing":
                    db.execute(
                        "UPDATE legs SET answer_at = ? WHERE call_id = ? AND dropped = 0"
                        " AND outcome IS NULL AND (answer_at IS NULL OR answer_at > ?)",
                        (now, call_id, now),
                    )
                else:
                    raise Conflict("The call is already answered")
                return {**result, "call_state": "on-call", "destination": answering.number}
            if status != "on-call":
                raise Conflict(
                    f"Cannot {'park' if state else 'transfer'} a call that is still ringing"
                )
            if state == "parked":
                db.execute("UPDATE calls SET parked = 1 WHERE call_id = ?", (call_id,))
                self.event(db, call_id, now, "parked", str(body["from"]["destination"]))
                return {
                    **result,
                    "call_state": "parked",
                    "destination": str(body["from"]["destination"]),
                }
            leaving = str(body["from"]["destination"])
            target = self.resolve(account_id, body["to"], Conflict)
            party = db.execute(
                "SELECT * FROM legs WHERE call_id = ? AND dropped = 0"
                " AND (to_number = ? OR from_number = ?) ORDER BY seq DESC LIMIT 1",
                (call_id, leaving, leaving),
            ).fetchone()
            if party is None:
                raise Conflict(f"{leaving} is not a party of this call")
            other = party["from_number"] if party["to_number"] == leaving else party["to_number"]
            if not self.transfer(db, dict(call), party, other, target, now):
                return {**result, "call_state": "on-call", "destination": leaving}
            return {**result, "call_state": "transferring", "destination": target.number}

    def hang_up(self, account_id: str, call_id: str) -> dict[str, Any]:
        with self.store.transaction() as db:
            now = self.clock.now()
            self.active_call(account_id, call_id, now)
            self.end_call(db, call_id, now, "hung up through the API")
            return {
                "account_id": as_json_number(account_id),
                "call_id": call_id,
                "call_state": "ended",
            }

    # ----------------------------------------------------------------- leg actions

    def update_leg(
        self, account_id: str, call_id: str, leg_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.transaction() as db:
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
                db.execute("UPDATE legs SET held = 1 WHERE leg_id = ?", (leg_id,))
                self.event(db, call_id, now, "held", leg["to_number"], leg_id)
                return {**result, "call_state": "held"}
            if "dtmf" in body:
                require_on_call("send DTMF on")
                db.execute(
                    "UPDATE legs SET dtmf = dtmf || ? WHERE leg_id = ?", (body["dtmf"], leg_id)
                )
                self.event(db, call_id, now, "dtmf sent", body["dtmf"], leg_id)
                return {**result, "call_state": "on-call", "destination": body["dtmf"]}
            if "stream" in body:
                if body["stream"]:
                    require_on_call("play sound to")
                sound = body.get("stream_url") if body["stream"] else None
                db.execute("UPDATE legs SET sound = ? WHERE leg_id = ?", (sound, leg_id))
                self.event(
                    db, call_id, now, "sound playing" if sound else "sound stopped", sound, leg_id
                )
                return {**result, "call_state": "playing" if sound else "on-call"}
            if "recording" in body:
                service, start = body["service"], body["recording"] == "start"
                if start:
                    require_on_call("record")
                db.execute(f"UPDATE legs SET {service} = ? WHERE leg_id = ?", (int(start), leg_id))  # noqa: S608
                what = "recording started" if start else "recording stopped"
                self.event(db, call_id, now, what, service, leg_id)
                return {**result, "call_state": "recording" if start else "on-call"}
            if "to" in body and body["to"]["type"] == "leg":
                require_on_call("transfer")
                return {**result, **self.join(db, call, leg, str(body["to"]["destination"]), now)}
            if "to" in body:
                require_on_call("transfer")
                target = self.resolve(account_id, body["to"], Conflict)
                if not self.transfer(db, dict(call), leg, leg["from_number"], target, now):
                    return {**result, "call_state": "on-call"}
                return {**result, "call_state": "transferring", "destination": target.number}
            # {"state": "active"}: take a held leg off hold, or answer a ringing one.
            if status == "ringing":
                if leg["outcome"] is not None:
                    raise Conflict("The leg cannot be answered")
                db.execute("UPDATE legs SET answer_at = ? WHERE leg_id = ?", (now, leg_id))
            elif leg["held"]:
                self.event(db, call_id, now, "taken off hold", leg["to_number"], leg_id)
            db.execute("UPDATE legs SET held = 0 WHERE leg_id = ?", (leg_id,))
            return {**result, "call_state": "on-call"}

    def join(
        self, db: sqlite3.Connection, call: sqlite3.Row, leg: sqlite3.Row, other_id: str, now: float
    ) -> dict[str, Any]:
        """Attended transfer: the other leg joins this call and this leg drops out."""
        other = db.execute(
            "SELECT legs.* FROM legs JOIN calls USING (call_id) WHERE legs.leg_id = ?"
            " AND legs.account_id = ? AND legs.dropped = 0 AND calls.ended = 0"
            " AND (calls.ends_at IS NULL OR calls.ends_at > ?)",
            (other_id, call["account_id"], now),
        ).fetchone()
        if (
            other is None
            or other["leg_id"] == leg["leg_id"]
            or self.leg_status(other, now) != "on-call"
        ):
            raise Conflict("The leg to transfer to is not an active leg of this account")
        db.execute("UPDATE legs SET dropped = 1 WHERE leg_id = ?", (leg["leg_id"],))
        db.execute("UPDATE legs SET call_id = ? WHERE leg_id = ?", (call["call_id"], other_id))
        self.event(db, call["call_id"], now, "joined", other["to_number"], other_id)
        self.end_if_alone(db, other["call_id"], now, "its leg joined another call")
        return {"call_state": "on-call", "destination": other_id}

    def end_if_alone(self, db: sqlite3.Connection, call_id: str, now: float, reason: str) -> None:
        row = db.execute(
            "SELECT count(*) AS n FROM legs WHERE call_id = ? AND dropped = 0", (call_id,)
        ).fetchone()
        if row["n"] < 2:
            self.end_call(db, call_id, now, reason)

    def drop_leg(self, account_id: str, call_id: str, leg_id: str) -> None:
        with self.store.transaction() as db:
            now = self.clock.now()
            self.active_call(account_id, call_id, now)
            self.live_leg(call_id, leg_id)
            db.execute("UPDATE legs SET dropped = 1 WHERE leg_id = ?", (leg_id,))
            self.event(db, call_id, now, "leg hung up", None, leg_id)
            self.end_if_alone(db, call_id, now, "one party was left")
