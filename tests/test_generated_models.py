"""The generated client parses what the service documents and what it was seen to send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vbc_telephony import spec
from vbc_telephony_api.models import (
    AnswerCall,
    AttendedTransfer,
    BlindTransfer,
    Call,
    CallActionResult,
    CallLeg,
    CallPage,
    CallStatus,
    CreateCallRequest,
    Device,
    DevicePage,
    Direction,
    HoldLeg,
    LegActionResult,
    ParkCall,
    PlaySound,
    SendDtmf,
    StartCompanyRecording,
    StopOnDemandRecording,
    StopSound,
    TransferCall,
    UnholdLeg,
)

SEED = json.loads((Path(__file__).parent / "fixtures" / "seed_examples.json").read_text())[
    "examples"
]

MODELS: dict[str, Any] = {
    "list_calls_response": CallPage,
    "create_call_request": CreateCallRequest,
    "get_call_response": Call,
    "update_call_request": AnswerCall,
    "update_call_response": CallActionResult,
    "delete_call_response": CallActionResult,
    "get_call_leg_response": CallLeg,
    "update_call_leg_request": HoldLeg,
    "update_call_leg_response": LegActionResult,
    "list_devices_response": DevicePage,
    "get_device_response": Device,
}

ID_FIELDS = {"account_id", "from", "to", "destination", "current_page", "page_size", "pages"}
TIME_FIELDS = {"start_time", "end_time", "last_request", "last_success"}


def as_observed_live(value: Any) -> Any:
    """The same payload as the live service sends it: string ids, microsecond-epoch strings."""
    if isinstance(value, list):
        return [as_observed_live(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if key in TIME_FIELDS and isinstance(item, int):
            converted[key] = str(item * 1_000_000)
        elif key in ID_FIELDS and isinstance(item, int):
            converted[key] = str(item)
        else:
            converted[key] = as_observed_live(item)
    return converted


def test_every_seed_payload_is_covered() -> None:
    assert set(SEED) == set(MODELS) | {"list_call_legs_response"}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("form", ["documented", "observed"])
def test_seed_payload_parses_with_values_intact(name: str, form: str) -> None:
    payload = SEED[name] if form == "documented" else as_observed_live(SEED[name])
    parsed = MODELS[name].from_dict(payload)
    assert parsed.to_dict() == payload


@pytest.mark.parametrize("form", ["documented", "observed"])
def test_list_legs_payload_parses_leg_by_leg(form: str) -> None:
    payload = SEED["list_call_legs_response"]
    if form == "observed":
        payload = as_observed_live(payload)
    legs = [CallLeg.from_dict(item) for item in payload]
    assert [leg.to_dict() for leg in legs] == payload


def test_parsed_values_are_typed_not_just_echoed() -> None:
    page = CallPage.from_dict(SEED["list_calls_response"])
    call = page.calls[0]
    assert call.direction is Direction.INBOUND
    assert call.status is CallStatus.BUSY
    assert call.from_ == 1235551111
    assert isinstance(call.legs, list)
    assert call.legs[0].leg_id == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    observed = Call.from_dict(as_observed_live(SEED["get_call_response"]))
    assert observed.start_time == "1595959736000000"
    assert observed.account_id == "1234"


def test_a_state_the_spec_does_not_list_parses_and_keeps_its_value() -> None:
    payload = {**SEED["get_call_response"], "status": "disconnected", "direction": "internal"}
    call = Call.from_dict(payload)
    assert call.status == "disconnected"
    assert call.status.value == "disconnected"
    assert call.direction.value == "internal"
    assert call.to_dict() == payload
    assert CallStatus("on-call") is CallStatus.ON_CALL


def test_unknown_fields_are_kept() -> None:
    payload = {**SEED["get_call_response"], "actions_uri": "/v3/cc/accounts/1234/calls/x/actions"}
    call = Call.from_dict(payload)
    assert call.additional_properties["actions_uri"].endswith("/actions")
    assert call.to_dict() == payload


REQUEST_MODELS: dict[tuple[str, str], Any] = {
    ("create_call", "click2dial"): CreateCallRequest,
    ("create_call", "stringDestinations"): CreateCallRequest,
    ("update_call", "answer"): AnswerCall,
    ("update_call", "answerOnDevice"): AnswerCall,
    ("update_call", "park"): ParkCall,
    ("update_call", "transfer"): TransferCall,
    ("update_call_leg", "hold"): HoldLeg,
    ("update_call_leg", "unhold"): UnholdLeg,
    ("update_call_leg", "dtmf"): SendDtmf,
    ("update_call_leg", "playSound"): PlaySound,
    ("update_call_leg", "stopSound"): StopSound,
    ("update_call_leg", "blindTransfer"): BlindTransfer,
    ("update_call_leg", "attendedTransfer"): AttendedTransfer,
    ("update_call_leg", "startCompanyRecording"): StartCompanyRecording,
    ("update_call_leg", "stopOnDemandRecording"): StopOnDemandRecording,
}


def request_examples() -> dict[tuple[str, str], Any]:
    found = {}
    for item in spec.load()["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                media = operation["requestBody"]["content"]["application/json"]
                for name, example in media["examples"].items():
                    found[(operation["operationId"], name)] = example["value"]
    return found


def test_every_request_example_has_a_typed_model() -> None:
    assert set(request_examples()) == set(REQUEST_MODELS)


@pytest.mark.parametrize(("key", "model"), REQUEST_MODELS.items(), ids=lambda v: str(v))
def test_request_example_serializes_back_to_the_same_json(key: tuple[str, str], model: Any) -> None:
    example = request_examples()[key]
    built = model.from_dict(example)
    assert json.loads(json.dumps(built.to_dict())) == example
