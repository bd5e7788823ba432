"""calls.watch() against the sandbox, in both dialects, with its clock frozen: the watcher's
waits move the clock (`sleep=vbc_sandbox.advance`), so a call rings, is answered, missed,
transferred and hung up by the clock, and nothing sleeps. Also the test kit's parts a
watcher's tests need: a missed inbound call and a transfer by the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vbc_sandbox import outcomes
from vbc_sandbox.testkit.plugin import ControlError, RunningSandbox
from vbc_telephony import CallEvent, Telephony

CUSTOMER, CALLER = "15551234567", "15557654321"
both_dialects = pytest.mark.parametrize(
    "dialect",
    [
        pytest.param(name, marks=pytest.mark.vbc_sandbox(dialect=name, mode="in_process"))
        for name in ("documented", "observed")
    ],
)
#: What each dialect calls a call whose party did not answer.
MISSED = {"documented": "unanswered", "observed": "disconnected"}


#: Waits a test's watcher may take (two hours of the sandbox's time at 2 s each).
MAX_WAITS = 3600


@pytest.fixture
def watching(vbc_sandbox: RunningSandbox) -> Iterator[Telephony]:
    """A client whose waits advance the sandbox's frozen clock (a watcher waiting for what
    never comes fails the test rather than running on)."""
    vbc_sandbox.freeze()
    waits: list[float] = []

    def advance(seconds: float) -> None:
        waits.append(seconds)
        assert len(waits) < MAX_WAITS, "nothing happened in two hours of the sandbox's time"
        vbc_sandbox.advance(seconds)

    with vbc_sandbox.client(sleep=advance) as client:
        yield client


def follow(
    client: Telephony, until: Callable[[CallEvent], bool], looks: int = 60, **options: Any
) -> list[CallEvent]:
    """The events up to and including the first one `until` accepts."""
    events: list[CallEvent] = []
    for event in client.calls.watch(**options):
        events.append(event)
        if until(event):
            return events
        assert len(events) < looks, [e.to_dict() for e in events]
    raise AssertionError("the watcher stopped")


@both_dialects
def test_a_dialled_answered_and_hung_up_call_starts_changes_and_ends(
    dialect: str, vbc_sandbox: RunningSandbox, watching: Telephony
) -> None:
    vbc_sandbox.script(CUSTOMER, outcomes.answer_after(5))
    call_id = watching.calls.dial(CUSTOMER, from_="1001")
    watcher = watching.calls.watch()
    events: list[CallEvent] = []
    for event in watcher:
        events.append(event)
        if event.type == "changed" and event.call.status == "on-call":
            watching.calls.hangup(call_id)
        if event.type == "ended":
            break
    assert [(e.type, e.call_id) for e in events] == [
        ("started", call_id),
        ("changed", call_id),
        ("ended", call_id),
    ]
    assert events[0].call.status == "ringing"
    [status, leg] = [c.to_dict() for c in events[1].changes]
    assert status == {"what": "status", "leg_id": None, "before": "ringing", "after": "on-call"}
    assert (leg["what"], leg["before"], leg["after"]) == ("leg_status", "ringing", "on-call")
    assert watcher.state["calls"] == []


@both_dialects
def test_a_missed_inbound_call_by_the_clock(
    dialect: str, vbc_sandbox: RunningSandbox, watching: Telephony
) -> None:
    vbc_sandbox.script("1002", outcomes.no_answer(after=20))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    events = follow(watching, lambda e: e.type == "ended")
    assert [e.type for e in events] == ["started", "changed", "ended"]
    assert events[0].call.status == "ringing" and events[0].call.direction == "inbound"
    assert events[1].changes[0].to_dict()["after"] == MISSED[dialect]
    # Missed after 20 s, listed 30 s more (the sandbox's linger), seen every 2 s.
    assert [e["event"] for e in vbc_sandbox.timeline(call_id)][-2:] == ["no answer", "ended"]


@both_dialects
def test_a_far_end_hang_up_by_the_clock(
    dialect: str, vbc_sandbox: RunningSandbox, watching: Telephony
) -> None:
    vbc_sandbox.script(CUSTOMER, outcomes.far_end_hangup_after(10))
    started = vbc_sandbox.now()
    call_id = watching.calls.dial(CUSTOMER, from_="1001")
    events = follow(watching, lambda e: e.type == "ended")
    assert [(e.type, e.call_id) for e in events] == [("started", call_id), ("ended", call_id)]
    assert vbc_sandbox.now() - started == pytest.approx(10, abs=2.01)


@both_dialects
def test_a_transfer_by_the_clock(
    dialect: str, vbc_sandbox: RunningSandbox, watching: Telephony
) -> None:
    """A receptionist on 1002 answers, then passes the caller on to 1003 after 6 s."""
    vbc_sandbox.script("1002", outcomes.transfer_after(6, to="1003"))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    events = follow(watching, lambda e: e.type == "changed")
    started, changed = events
    assert started.call.status == "on-call"
    moved = {change.what: change.to_dict() for change in changed.changes}
    assert moved["transfer"]["before"] == ["1002"] and moved["transfer"]["after"] == ["1003"]
    assert moved["leg_removed"]["before"]["to"] == "1002"
    assert moved["leg_added"]["after"]["to"] == "1003"
    assert [leg.to for leg in changed.call.legs] == [CALLER, "1003"]
    timeline = [(e["event"], e["detail"]) for e in vbc_sandbox.timeline(call_id)]
    assert ("transferred", "1002 -> 1003") in timeline


@pytest.mark.vbc_sandbox(mode="in_process")
def test_a_transfer_by_the_clock_shows_in_the_timeline_as_of_its_time(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.freeze()
    # A time at which a single-precision column would be a minute off (PostgreSQL's REAL
    # holds 24 bits: 128 s apart here): the transfer is due at 6 s, not at 64 s.
    start = vbc_sandbox.set_time(1_800_000_064)
    vbc_sandbox.script("1002", outcomes.transfer_after(6, to="1003"))
    vbc_sandbox.script("1003", outcomes.answer_after(4))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    vbc_sandbox.advance(30)  # nobody reads the call meanwhile
    events = [(e["at"] - start, e["event"], e["detail"]) for e in vbc_sandbox.timeline(call_id)]
    assert (6, "transferred", "1002 -> 1003") in events
    assert (10, "answered", "1003") in events
    assert vbc_client.calls.get(call_id).status == "on-call"


@pytest.mark.vbc_sandbox(mode="in_process")
def test_a_transfer_by_the_clock_does_not_happen_after_the_call_ended(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.freeze()
    vbc_sandbox.script("1002", outcomes.transfer_after(6, to="1003"))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    vbc_sandbox.advance(3)
    vbc_client.calls.hangup(call_id)
    vbc_sandbox.advance(10)
    events = [e["event"] for e in vbc_sandbox.timeline(call_id)]
    assert "transferred" not in events and events[-1] == "ended"


@pytest.mark.vbc_sandbox(mode="in_process")
def test_transfer_after_needs_a_destination_and_lists_it(vbc_sandbox: RunningSandbox) -> None:
    vbc_sandbox.script("1002", outcomes.transfer_after(6, to="1003"))
    queued = vbc_sandbox.call("GET", f"/accounts/{vbc_sandbox.account_id}/outcomes")
    assert queued["outcomes"] == [
        {"target": "1002", "outcome": "transfer_after", "seconds": 6.0, "to": "1003"}
    ]
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.script("1002", {"outcome": "transfer_after", "seconds": 6})
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.script("1002", {"outcome": "busy", "to": "1003"})


@pytest.mark.vbc_sandbox(mode="in_process")
def test_an_inbound_call_without_a_script_still_rings_until_answered(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.freeze()
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    vbc_sandbox.advance(3600)
    assert vbc_client.calls.get(call_id).status == "ringing"


@pytest.mark.vbc_sandbox(mode="in_process")
def test_calls_ended_while_paging_are_confirmed_by_their_get(
    vbc_sandbox: RunningSandbox, watching: Telephony
) -> None:
    """250 calls are three pages a look; the calls that end are asked about, one GET each,
    and only they end."""
    placed = [watching.calls.dial(CUSTOMER, from_="1001") for _ in range(250)]
    watcher = watching.calls.watch()
    first = list(watcher.look())
    assert len(first) == 250 and {e.type for e in first} == {"started"}
    for call_id in placed[:5]:
        watching.calls.hangup(call_id)
    before = len(vbc_sandbox.requests(operation="get_call"))
    sent = watcher.requests
    ended = list(watcher.look())
    assert [(e.type, e.call_id) for e in ended] == [("ended", c) for c in placed[:5]]
    assert watcher.requests - sent == 3 + 5
    assert len(vbc_sandbox.requests(operation="get_call")) - before == 5
