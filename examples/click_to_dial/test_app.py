"""The click-to-dial service against the sandbox, through the vbc-sandbox pytest plugin only:
no conftest.py, no sleeping (the app's `sleep` moves the sandbox's clock instead)."""

from __future__ import annotations

import pytest
from app import click_to_dial, hand_over, status_of

from vbc_sandbox import outcomes

CUSTOMER = "15551234567"


def test_a_dial_that_is_answered(vbc_sandbox, vbc_client):
    dialled = click_to_dial(vbc_client, "1001", CUSTOMER)
    assert dialled.result == "connected"
    [request] = vbc_sandbox.requests(operation="create_call")
    assert request["body"]["to"] == {"destination": CUSTOMER, "type": "pstn"}


def test_a_customer_who_answers_after_ringing_a_while(vbc_sandbox, vbc_client):
    vbc_sandbox.freeze()
    vbc_sandbox.script(CUSTOMER, outcomes.answer_after(12))
    dialled = click_to_dial(vbc_client, "1001", CUSTOMER, sleep=vbc_sandbox.advance)
    assert dialled.result == "connected"
    assert len(vbc_sandbox.requests(operation="get_call")) == 1 + 12 / 0.5


def test_a_busy_customer(vbc_sandbox, vbc_client):
    vbc_sandbox.script(CUSTOMER, outcomes.busy())
    assert click_to_dial(vbc_client, "1001", CUSTOMER).result == "busy"


def test_a_customer_who_never_answers(vbc_sandbox, vbc_client):
    vbc_sandbox.freeze()
    vbc_sandbox.script(CUSTOMER, outcomes.no_answer(after=25))
    dialled = click_to_dial(vbc_client, "1001", CUSTOMER, sleep=vbc_sandbox.advance)
    assert dialled.result == "no answer"


def test_the_far_end_hangs_up_mid_transfer(vbc_sandbox, vbc_client):
    vbc_sandbox.freeze()
    vbc_sandbox.script("1003", outcomes.far_end_hangup_after(5))
    dialled = click_to_dial(vbc_client, "1001", CUSTOMER)
    assert hand_over(vbc_client, dialled.call_id, "1001", "1003") == "on-call"
    vbc_sandbox.advance(5)
    assert status_of(vbc_client, dialled.call_id) == "hung up"
    events = [event["event"] for event in vbc_sandbox.timeline(dialled.call_id)]
    assert events[-3:] == ["ringing", "answered", "ended"]
    assert "transferred" in events


def test_a_429_that_the_sdk_waits_out(vbc_sandbox, vbc_client):
    vbc_sandbox.fault("create_call", "429", times=1, retry_after=1)
    assert click_to_dial(vbc_client, "1001", CUSTOMER).result == "connected"
    statuses = [r["status"] for r in vbc_sandbox.requests(operation="create_call")]
    assert statuses == [429, 200]  # one call placed, not two


def test_a_token_that_expires_is_renewed(vbc_sandbox):
    vbc_sandbox.freeze()
    grant = vbc_sandbox.password_grant("alice", "alice-sandbox-password")
    with vbc_sandbox.client(auth=grant) as client:
        first = click_to_dial(client, "1001", CUSTOMER)
        vbc_sandbox.advance(2 * 86400)  # past the access token's lifetime
        second = click_to_dial(client, "1001", CUSTOMER)
    assert (first.result, second.result) == ("connected", "connected")
    grants = [r["body"]["grant_type"] for r in vbc_sandbox.requests(operation="create_token")]
    assert grants == ["password", "refresh_token"]


@pytest.mark.vbc_sandbox(dialect="observed")
def test_the_live_services_dialect_changes_nothing_for_the_app(vbc_client):
    assert click_to_dial(vbc_client, "1001", CUSTOMER).result == "connected"
