"""The sandbox behaves like a phone system, driven through the generated client over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony_api import AuthenticatedClient
from vbc_telephony_api.api.call import create_call, delete_call, get_call, list_calls, update_call
from vbc_telephony_api.api.call_leg import (
    delete_call_leg,
    get_call_leg,
    list_call_legs,
    update_call_leg,
)
from vbc_telephony_api.models import (
    AnswerCall,
    AnswerCallState,
    Call,
    CalledParty,
    CalledPartyType,
    CallingParty,
    CallingPartyType,
    CallLeg,
    CallStatus,
    Contact,
    ContactType,
    CreateCallRequest,
    CreateCallRequestType,
    ErrorMessage,
    HoldLeg,
    HoldLegState,
    LegActionResult,
    ParkCall,
    ParkCallState,
    PlaySound,
    SendDtmf,
    StartCompanyRecording,
    StartCompanyRecordingRecording,
    StartCompanyRecordingService,
    StopSound,
    TransferLeg,
    TransferLegState,
    UnholdOrAnswerLeg,
    UnholdOrAnswerLegState,
)

ClientFor = Callable[[SandboxProcess, str], AuthenticatedClient]


def dial(
    api: AuthenticatedClient,
    to: str,
    to_type: CalledPartyType = CalledPartyType.PSTN,
    frm: str = "1001",
    kind: CreateCallRequestType = CreateCallRequestType.CLICK2DIAL,
) -> str:
    body = CreateCallRequest(
        from_=CallingParty(destination=frm, type_=CallingPartyType.EXTENSION),
        to=CalledParty(destination=to, type_=to_type),
        type_=kind,
    )
    call_id = create_call.sync(ACCOUNT, client=api, body=body)
    assert isinstance(call_id, str), call_id
    return call_id


def fetch(api: AuthenticatedClient, call_id: str) -> Call:
    call = get_call.sync(ACCOUNT, call_id, client=api)
    assert isinstance(call, Call), call
    return call


def legs_of(api: AuthenticatedClient, call_id: str) -> list[CallLeg]:
    legs = list_call_legs.sync(ACCOUNT, call_id, client=api)
    assert isinstance(legs, list), legs
    return legs


def act(api: AuthenticatedClient, call_id: str, leg_id: str, body: Any) -> Any:
    return update_call_leg.sync_detailed(ACCOUNT, call_id, leg_id, client=api, body=body)


def status_and_code(response: Any) -> tuple[int, str | int | None]:
    parsed = response.parsed
    return response.status_code, parsed.code if isinstance(parsed, ErrorMessage) else None


def device(vh_id: str = "VH1111112") -> Contact:
    return Contact(destination=vh_id, type_=ContactType.DEVICE)


def test_click2dial_through_hold_dtmf_transfer_and_hangup(
    ringing_sandbox: SandboxProcess, client_for: ClientFor
) -> None:
    api = client_for(ringing_sandbox, TOKEN)
    call_id = dial(api, "15551234567")

    call = fetch(api, call_id)
    assert call.status is CallStatus.RINGING
    assert call.from_ == 1001 and call.to == 15551234567
    caller_leg = legs_of(api, call_id)[0]
    # Holding a ringing phone is impossible.
    held = act(api, call_id, caller_leg.leg_id, HoldLeg(state=HoldLegState.HELD))
    assert status_and_code(held) == (409, "409")

    answered = update_call.sync(
        ACCOUNT, call_id, client=api, body=AnswerCall(state=AnswerCallState.ACTIVE, to=device())
    )
    assert answered is not None and answered.call_state == "on-call"
    assert fetch(api, call_id).status is CallStatus.ON_CALL
    assert {leg.status for leg in legs_of(api, call_id)} == {CallStatus.ON_CALL}

    leg_id = caller_leg.leg_id
    hold = act(api, call_id, leg_id, HoldLeg(state=HoldLegState.HELD))
    assert hold.status_code == 200 and hold.parsed.call_state == "held"
    # PUT is idempotent: holding a held leg succeeds and changes nothing.
    assert act(api, call_id, leg_id, HoldLeg(state=HoldLegState.HELD)).status_code == 200
    unhold = act(api, call_id, leg_id, UnholdOrAnswerLeg(state=UnholdOrAnswerLegState.ACTIVE))
    assert unhold.status_code == 200 and unhold.parsed.call_state == "on-call"
    assert act(api, call_id, leg_id, SendDtmf(dtmf="*123#")).parsed.destination == "*123#"
    playing = act(
        api, call_id, leg_id, PlaySound(stream=True, stream_url="https://example.com/a.wav")
    )
    assert playing.parsed.call_state == "playing"
    assert act(api, call_id, leg_id, StopSound(stream=False)).parsed.call_state == "on-call"
    recording = act(
        api,
        call_id,
        leg_id,
        StartCompanyRecording(
            recording=StartCompanyRecordingRecording.START,
            service=StartCompanyRecordingService.CCR,
        ),
    )
    assert recording.parsed.call_state == "recording"

    transfer = act(
        api,
        call_id,
        leg_id,
        TransferLeg(
            state=TransferLegState.ACTIVE,
            to=Contact(destination="1003", type_=ContactType.EXTENSION),
        ),
    )
    assert isinstance(transfer.parsed, LegActionResult) and transfer.parsed.destination == "1003"
    legs = legs_of(api, call_id)
    assert leg_id not in {leg.leg_id for leg in legs}
    assert any(leg.to == 1003 and leg.status is CallStatus.RINGING for leg in legs)
    assert get_call_leg.sync_detailed(ACCOUNT, call_id, leg_id, client=api).status_code == 404

    hung_up = delete_call.sync(ACCOUNT, call_id, client=api)
    assert hung_up is not None and hung_up.call_state == "ended"
    assert get_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 404
    assert list_call_legs.sync_detailed(ACCOUNT, call_id, client=api).status_code == 404
    assert delete_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 404
    page = list_calls.sync(ACCOUNT, client=api, page_size=1000)
    assert call_id not in {call.call_id for call in page.calls}


def test_with_no_ring_delay_calls_connect_at_once(api: AuthenticatedClient) -> None:
    call_id = dial(api, "15551234567")
    call = fetch(api, call_id)
    assert call.status is CallStatus.ON_CALL
    assert [(leg.to, leg.status) for leg in call.legs] == [
        (1001, CallStatus.ON_CALL),
        (15551234567, CallStatus.ON_CALL),
    ]


@pytest.mark.parametrize(
    ("number", "outcome"),
    [
        ("15550000486", CallStatus.BUSY),
        ("15550000480", CallStatus.UNANSWERED),
        ("15550000503", CallStatus.FAILED),
        ("not-a-number", CallStatus.FAILED),
    ],
)
def test_magic_numbers_end_busy_unanswered_or_failed(
    api: AuthenticatedClient, number: str, outcome: CallStatus
) -> None:
    call_id = dial(api, number)
    call = fetch(api, call_id)
    assert call.status is outcome
    # A call that has ended this way takes no more actions.
    park = update_call.sync_detailed(
        ACCOUNT,
        call_id,
        client=api,
        body=ParkCall(state=ParkCallState.PARKED, from_=Contact("1001", ContactType.EXTENSION)),
    )
    assert status_and_code(park) == (409, "409")
    assert delete_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 200


def test_the_ringing_number_rings_until_hung_up(api: AuthenticatedClient) -> None:
    call_id = dial(api, "15550000180")
    assert fetch(api, call_id).status is CallStatus.RINGING
    assert delete_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 200
    assert get_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 404


def test_inbound_call_is_answered_then_parked_then_picked_up(
    sandbox: SandboxProcess, api: AuthenticatedClient
) -> None:
    response = httpx.post(
        f"{sandbox.origin}/sandbox/accounts/{ACCOUNT}/inbound-calls",
        json={"from": "15557654321", "to": "1002"},
        headers=ADMIN,
    )
    assert response.status_code == 201
    call_id = response.json()["call_id"]
    call = fetch(api, call_id)
    assert call.direction.value == "inbound" and call.status is CallStatus.RINGING

    park_while_ringing = update_call.sync_detailed(
        ACCOUNT,
        call_id,
        client=api,
        body=ParkCall(state=ParkCallState.PARKED, from_=Contact("1002", ContactType.EXTENSION)),
    )
    assert status_and_code(park_while_ringing) == (409, "409")

    answered = update_call.sync(
        ACCOUNT, call_id, client=api, body=AnswerCall(state=AnswerCallState.ACTIVE, to=device())
    )
    assert answered is not None and answered.destination == "1002"
    assert fetch(api, call_id).status is CallStatus.ON_CALL
    # Answering an answered call is a conflict.
    again = update_call.sync_detailed(
        ACCOUNT, call_id, client=api, body=AnswerCall(state=AnswerCallState.ACTIVE, to=device())
    )
    assert again.status_code == 409

    parked = update_call.sync(
        ACCOUNT,
        call_id,
        client=api,
        body=ParkCall(state=ParkCallState.PARKED, from_=Contact("1002", ContactType.EXTENSION)),
    )
    assert parked is not None and parked.call_state == "parked"
    picked_up = update_call.sync(
        ACCOUNT,
        call_id,
        client=api,
        body=AnswerCall(state=AnswerCallState.ACTIVE, to=device("VH1111113")),
    )
    assert picked_up is not None and picked_up.call_state == "on-call"


def test_inbound_call_to_an_unknown_extension_is_404(sandbox: SandboxProcess) -> None:
    response = httpx.post(
        f"{sandbox.origin}/sandbox/accounts/{ACCOUNT}/inbound-calls",
        json={"from": "15557654321", "to": "9999"},
        headers=ADMIN,
    )
    assert response.status_code == 404


def test_dropping_a_leg_ends_the_call_when_one_party_is_left(api: AuthenticatedClient) -> None:
    call_id = dial(api, "15551234567")
    first, second = legs_of(api, call_id)
    assert (
        delete_call_leg.sync_detailed(ACCOUNT, call_id, first.leg_id, client=api).status_code == 204
    )
    assert get_call_leg.sync_detailed(ACCOUNT, call_id, first.leg_id, client=api).status_code == 404
    assert get_call.sync_detailed(ACCOUNT, call_id, client=api).status_code == 404
    assert (
        get_call_leg.sync_detailed(ACCOUNT, call_id, second.leg_id, client=api).status_code == 404
    )


def test_calling_an_unknown_extension_is_404(api: AuthenticatedClient) -> None:
    body = CreateCallRequest(
        from_=CallingParty(destination="9999", type_=CallingPartyType.EXTENSION),
        to=CalledParty(destination="15551234567", type_=CalledPartyType.PSTN),
    )
    response = create_call.sync_detailed(ACCOUNT, client=api, body=body)
    assert status_and_code(response) == (404, "404")


def test_click2dialme_rings_the_called_party_first(
    ringing_sandbox: SandboxProcess, client_for: ClientFor
) -> None:
    api = client_for(ringing_sandbox, TOKEN)
    call_id = dial(api, "1002", CalledPartyType.EXTENSION, kind=CreateCallRequestType.CLICK2DIALME)
    legs = legs_of(api, call_id)
    # The called extension's phone is the first leg; the caller is dialled once it answers.
    assert [leg.to for leg in legs] == [1002, 1001]
    assert legs[0].start_time <= legs[1].start_time
    delete_call.sync(ACCOUNT, call_id, client=api)


def test_attended_transfer_joins_the_other_leg_and_ends_its_call(api: AuthenticatedClient) -> None:
    first_call = dial(api, "15551230001")
    second_call = dial(api, "15551230002", frm="1002")
    transferring = legs_of(api, first_call)[0]
    target = legs_of(api, second_call)[1]
    body = {"state": "active", "to": {"destination": target.leg_id, "type": "leg"}}
    response = api.get_httpx_client().put(
        f"/cc/accounts/{ACCOUNT}/calls/{first_call}/legs/{transferring.leg_id}", json=body
    )
    assert response.status_code == 200, response.text
    assert target.leg_id in {leg.leg_id for leg in legs_of(api, first_call)}
    assert transferring.leg_id not in {leg.leg_id for leg in legs_of(api, first_call)}
    # The second call kept one party only, so it ended.
    assert get_call.sync_detailed(ACCOUNT, second_call, client=api).status_code == 404


def test_a_chunked_request_body_is_read_like_a_sized_one(sandbox: SandboxProcess) -> None:
    """HTTP/1.1 clients stream bodies without a Content-Length (httpx from a generator);
    connexion alone took a missing length for no body (400 "RequestBody is required")."""
    body = json.dumps(
        {
            "from": {"type": "extension", "destination": "1001"},
            "to": {"type": "extension", "destination": "1002"},
        }
    ).encode()

    def chunks() -> Any:
        yield body[:17]
        yield body[17:]

    response = httpx.post(
        f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls",
        content=chunks(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 200, response.text
    call_id = response.json()
    listed = httpx.get(
        f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls/{call_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert listed.status_code == 200
