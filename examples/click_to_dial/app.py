"""A click-to-dial service for a CRM: an agent clicks a customer's number, the agent's desk
phone rings, and once the agent picks up, the customer's phone rings. The agent can then
hand the customer on to a colleague.

It uses only the SDK; its tests (test_app.py) use only the vbc-sandbox pytest plugin.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

from vbc_telephony import NotFoundError, Telephony

#: What the CRM shows for each way a call can end up.
SHOWN = {
    "on-call": "connected",
    "busy": "busy",
    "unanswered": "no answer",
    "failed": "failed",
    "disconnected": "failed",
}


@attrs.frozen
class Dialled:
    call_id: str
    result: str
    """connected, busy, no answer, failed, hung up, or still ringing (gave up waiting)."""


def click_to_dial(
    client: Telephony,
    agent_extension: str,
    customer_number: str,
    *,
    polls: int = 60,
    interval: float = 0.5,
    sleep: Callable[[float], object] = time.sleep,
) -> Dialled:
    """Dial, then watch the call until it connects or fails (at most `polls` looks)."""
    call_id = client.calls.dial(customer_number, from_=agent_extension)
    for _ in range(polls):
        status = status_of(client, call_id)
        if status == "hung up" or status in SHOWN:
            return Dialled(call_id, SHOWN.get(status, status))
        sleep(interval)
    return Dialled(call_id, "still ringing")


def hand_over(client: Telephony, call_id: str, agent_extension: str, colleague: str) -> str:
    """The agent leaves and the customer is put through to a colleague's extension."""
    client.calls.transfer(call_id, from_=agent_extension, to=colleague)
    return status_of(client, call_id)


def status_of(client: Telephony, call_id: str) -> str:
    """The call's status, or "hung up" once it is gone."""
    try:
        return str(client.calls.get(call_id).status)
    except NotFoundError:
        return "hung up"
