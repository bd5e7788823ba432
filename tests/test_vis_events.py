"""VIS call events from the sandbox's calls: a real sandbox (in process, its clock frozen) is
driven through each call's life, looked at after every step, and the events each subscribing
user would receive are compared with VIS's state machine and time rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vbc_sandbox import outcomes
from vbc_sandbox.phone.call_looks import CallLook, look_at
from vbc_sandbox.phone.vis_events import Subscriber, VisEvent, vis_events, vis_time, vis_user_id
from vbc_sandbox.pytest_plugin import RunningSandbox
from vbc_telephony import Telephony

pytestmark = pytest.mark.vbc_sandbox(mode="in_process")

CUSTOMER, CALLER = "15551234567", "15557654321"
#: 2024-01-02T03:04:05.000Z: a whole second, so the expected times read plainly.
START = 1704164645.0
ALICE = Subscriber("1234", vis_user_id("1234", "alice"), "1001")
BOB = Subscriber("1234", vis_user_id("1234", "bob"), "1002")
CAROL = Subscriber("1234", vis_user_id("1234", "carol"), "1003")
#: A user of the other account whose extension is not on any of these calls.
DAVE = Subscriber("5678", vis_user_id("5678", "dave"), "1001")
SUBSCRIBERS = (ALICE, BOB, CAROL, DAVE)


class Looker:
    """Looks at a call after each step, as the sandbox's delivery will, and keeps the events."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        assert sandbox.app is not None
        self.running, self.sandbox = sandbox, sandbox.app.sandbox
        self.looks: dict[str, CallLook] = {}
        self.events: list[VisEvent] = []

    def look(self, call_id: str) -> list[VisEvent]:
        now = self.sandbox.clock.now()
        self.sandbox.pbx.catch_up(self.sandbox.store.due_calls(now), now)
        after = look_at(self.sandbox.pbx, self.running.account_id, call_id, now)
        assert after is not None
        found = vis_events(self.looks.get(call_id), after, SUBSCRIBERS)
        self.looks[call_id] = after
        self.events += found
        return found

    def of(self, subscriber: Subscriber) -> list[dict[str, Any]]:
        return [e.event for e in self.events if e.subscriber == subscriber]

    def states(self, subscriber: Subscriber) -> list[str]:
        return [event["state"] for event in self.of(subscriber)]


@pytest.fixture
def looker(vbc_sandbox: RunningSandbox) -> Iterator[Looker]:
    vbc_sandbox.freeze()
    vbc_sandbox.set_time(START)
    yield Looker(vbc_sandbox)


def at(seconds: float) -> str:
    """The VIS time `seconds` after START."""
    return vis_time(START + seconds)


def test_vis_times_are_written_as_the_vendor_writes_them() -> None:
    assert vis_time(1518721136.194) == "2018-02-15T18:58:56.194+0000"
    assert vis_time(1518721136.0) == "2018-02-15T18:58:56.000+0000"
    assert vis_time(1518721136.9996) == "2018-02-15T18:58:57.000+0000"


def test_a_dialled_call_rings_is_answered_held_and_hung_up(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony, looker: Looker
) -> None:
    vbc_sandbox.script(CUSTOMER, outcomes.answer_after(5))
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    looker.look(call_id)
    assert looker.look(call_id) == []  # nothing moved: nothing sent again
    vbc_sandbox.advance(5)
    looker.look(call_id)
    customer_leg = next(leg for leg in vbc_client.calls.legs.list(call_id) if leg.to == CUSTOMER)
    vbc_sandbox.advance(1.5)
    vbc_client.calls.legs.hold(call_id, customer_leg.leg_id)
    looker.look(call_id)
    vbc_sandbox.advance(1)
    vbc_client.calls.legs.unhold(call_id, customer_leg.leg_id)
    looker.look(call_id)
    vbc_sandbox.advance(0.75)
    vbc_client.calls.hangup(call_id)
    looker.look(call_id)

    assert looker.states(ALICE) == ["RINGING", "ACTIVE", "HELD", "ACTIVE", "ANSWERED"]
    assert looker.of(BOB) == looker.of(CAROL) == looker.of(DAVE) == []
    ringing, active, held, _, answered = looker.of(ALICE)
    assert ringing == {
        "id": ringing["id"],
        "externalId": f"{call_id}_0",
        "userId": ALICE.user_id,
        "accountId": "1234",
        "type": "CALL",
        "direction": "OUTBOUND",
        "phoneNumber": CUSTOMER,
        "duration": 0,
        "state": "RINGING",
        "startTime": at(0),
    }
    assert len(ringing["id"]) == 24 and {e["id"] for e in looker.of(ALICE)} == {ringing["id"]}
    assert (active["answerTime"], active["duration"]) == (at(5), 0)
    assert "endTime" not in active and "endTime" not in held
    assert answered["answerTime"] == at(5)
    assert answered["endTime"] == at(8.25)
    assert answered["duration"] == 3250  # milliseconds, not seconds


def test_an_unanswered_inbound_call_is_missed(vbc_sandbox: RunningSandbox, looker: Looker) -> None:
    vbc_sandbox.script("1002", outcomes.no_answer(after=20))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1002")["call_id"]
    looker.look(call_id)
    vbc_sandbox.advance(20)
    looker.look(call_id)
    vbc_sandbox.advance(60)  # the call's linger ends: nothing more to say
    looker.look(call_id)
    ringing, missed = looker.of(BOB)
    assert (ringing["state"], ringing["direction"], ringing["phoneNumber"]) == (
        "RINGING",
        "INBOUND",
        CALLER,
    )
    assert missed["state"] == "MISSED" and missed["endTime"] == at(20)
    assert "answerTime" not in missed and missed["duration"] == 0
    assert looker.of(ALICE) == []


def test_an_internal_call_the_callee_refuses(vbc_sandbox: RunningSandbox, looker: Looker) -> None:
    """Both users subscribe: the caller's half is cancelled, the callee's rejected, and each
    names the other (`callerId` is the remote party's name)."""
    vbc_sandbox.script("1002", outcomes.busy())
    client = vbc_sandbox.client()
    call_id = client.calls.dial("1002", from_="1001", to_type="extension")
    looker.look(call_id)
    assert looker.states(ALICE) == ["RINGING", "CANCELLED"]
    assert looker.states(BOB) == ["RINGING", "REJECTED"]
    alice, bob = looker.of(ALICE)[-1], looker.of(BOB)[-1]
    assert (alice["direction"], alice["phoneNumber"], alice["callerId"]) == (
        "OUTBOUND",
        "1002",
        "Bob",
    )
    assert (bob["direction"], bob["phoneNumber"], bob["callerId"]) == ("INBOUND", "1001", "Alice")
    assert alice["id"] != bob["id"] and alice["userId"] != bob["userId"]


def test_an_outbound_call_hung_up_while_ringing_is_cancelled(
    vbc_client: Telephony, vbc_sandbox: RunningSandbox, looker: Looker
) -> None:
    call_id = vbc_client.calls.dial("15550000180", from_="1001")  # rings until hung up
    looker.look(call_id)
    vbc_sandbox.advance(12)
    vbc_client.calls.hangup(call_id)
    looker.look(call_id)
    assert looker.states(ALICE) == ["RINGING", "CANCELLED"]
    assert looker.of(ALICE)[-1]["endTime"] == at(12)


def test_a_transfer_ends_one_users_call_and_starts_anothers(
    vbc_client: Telephony, vbc_sandbox: RunningSandbox, looker: Looker
) -> None:
    """A receptionist on 1001 answers, passes the caller on to 1002 after 10 s; 1002 answers
    after 3 s and the call is hung up 4 s later. VIS has no transfer state."""
    vbc_sandbox.script("1001", outcomes.transfer_after(10, to="1002"))
    vbc_sandbox.script("1002", outcomes.answer_after(3))
    call_id = vbc_sandbox.ring_inbound(CALLER, "1001")["call_id"]
    looker.look(call_id)
    vbc_sandbox.advance(10)
    looker.look(call_id)
    vbc_sandbox.advance(3)
    looker.look(call_id)
    vbc_sandbox.advance(4)
    vbc_client.calls.hangup(call_id)
    looker.look(call_id)
    assert looker.states(ALICE) == ["RINGING", "ACTIVE", "ANSWERED"]
    assert looker.states(BOB) == ["RINGING", "ACTIVE", "ANSWERED"]
    alice, bob = looker.of(ALICE)[-1], looker.of(BOB)[-1]
    assert (alice["endTime"], alice["duration"]) == (at(10), 10000)
    assert (bob["startTime"], bob["answerTime"], bob["endTime"]) == (at(10), at(13), at(17))
    assert bob["direction"] == "INBOUND" and bob["phoneNumber"] == CALLER
    assert alice["id"] != bob["id"]


def test_a_look_after_the_whole_call_reports_the_states_it_passed_through(
    vbc_client: Telephony, vbc_sandbox: RunningSandbox, looker: Looker
) -> None:
    vbc_sandbox.script(CUSTOMER, outcomes.far_end_hangup_after(7))
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    vbc_sandbox.advance(60)
    looker.look(call_id)
    ringing, active, answered = looker.of(ALICE)
    assert [ringing["state"], active["state"], answered["state"]] == [
        "RINGING",
        "ACTIVE",
        "ANSWERED",
    ]
    assert "answerTime" not in ringing and "endTime" not in active
    assert active["answerTime"] == answered["answerTime"] == at(0)
    assert (answered["endTime"], answered["duration"]) == (at(7), 7000)


def test_a_call_from_a_users_desk_phone_is_that_users(
    vbc_client: Telephony, vbc_sandbox: RunningSandbox, looker: Looker
) -> None:
    """A desk phone rings its extension: a call placed from alice's (VH1111111) is hers."""
    call_id = vbc_client.calls.dial(CUSTOMER, from_="VH1111111", from_type="device")
    vbc_sandbox.advance(2)
    vbc_client.calls.hangup(call_id)
    looker.look(call_id)
    assert looker.states(ALICE) == ["RINGING", "ACTIVE", "ANSWERED"]
    assert looker.of(ALICE)[-1]["direction"] == "OUTBOUND"
    assert looker.of(BOB) == []
