"""The call board against the sandbox, through the vbc-sandbox pytest plugin only: every
test in both dialects, the sandbox's clock frozen, and the watcher's waits moving it on
(so phones ring out, answer and hang up by the clock, and nothing sleeps)."""

from __future__ import annotations

import pytest
from board import FREE, ON_A_CALL, RINGING, CallBoard

from vbc_sandbox import outcomes

CUSTOMER, CALLER = "15551234567", "15557654321"


@pytest.fixture(
    params=[
        pytest.param(dialect, marks=pytest.mark.vbc_sandbox(dialect=dialect))
        for dialect in ("documented", "observed")
    ]
)
def client(request, vbc_sandbox):
    vbc_sandbox.freeze()
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        assert len(waits) < 1000, "the board waited for something that never came"
        vbc_sandbox.advance(seconds)

    with vbc_sandbox.client(sleep=sleep) as client:
        yield client


@pytest.fixture
def board(client):
    return CallBoard(client.calls.watch(interval=2))


def test_an_agent_on_a_call_then_free_again(vbc_sandbox, client, board):
    vbc_sandbox.script(CUSTOMER, outcomes.answer_after(8))
    call_id = client.calls.dial(CUSTOMER, from_="1001")
    board.run(until=lambda b: b.badge("1001") == ON_A_CALL)
    assert board.badges(["1001", "1002"]) == {"1001": ON_A_CALL, "1002": FREE}
    client.calls.hangup(call_id)
    board.run(until=lambda b: b.badge("1001") == FREE)
    assert board.calls == {}


def test_a_missed_call(vbc_sandbox, board):
    vbc_sandbox.script("1002", outcomes.no_answer(after=20))
    vbc_sandbox.ring_inbound(CALLER, "1002")
    board.run(until=lambda b: b.badge("1002") == RINGING)
    board.run(until=lambda b: b.missed["1002"] == 1)
    assert board.badge("1002") == FREE


def test_an_answered_inbound_call_is_not_missed(vbc_sandbox, board):
    vbc_sandbox.script("1002", outcomes.far_end_hangup_after(30))
    vbc_sandbox.ring_inbound(CALLER, "1002")
    board.run(until=lambda b: b.badge("1002") == ON_A_CALL)
    board.run(until=lambda b: not b.calls)  # the caller hangs up after 30 s
    assert board.missed["1002"] == 0 and board.badge("1002") == FREE


def test_a_receptionist_passes_a_caller_on(vbc_sandbox, board):
    vbc_sandbox.script("1002", outcomes.transfer_after(10, to="1003"))
    vbc_sandbox.script("1003", outcomes.answer_after(6))
    vbc_sandbox.ring_inbound(CALLER, "1002")
    board.run(until=lambda b: b.badge("1002") == ON_A_CALL)
    board.run(until=lambda b: b.badge("1003") == RINGING)
    assert board.badge("1002") == FREE
    board.run(until=lambda b: b.badge("1003") == ON_A_CALL)


def test_a_restarted_board_keeps_its_badges(vbc_sandbox, client, board):
    vbc_sandbox.script(CUSTOMER, outcomes.far_end_hangup_after(60))
    client.calls.dial(CUSTOMER, from_="1001")
    board.run(until=lambda b: b.badge("1001") == ON_A_CALL)
    saved = board.watcher.state  # what a service writes to disk on the way out
    restarted = CallBoard(client.calls.watch(interval=2, state=saved))
    assert restarted.badge("1001") == ON_A_CALL
    restarted.run(until=lambda b: b.badge("1001") == FREE)
    assert vbc_sandbox.requests(operation="list_calls")  # it looked, it never slept
