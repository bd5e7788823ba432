"""The generated client parses what the service documents and what it was seen to send."""

from __future__ import annotations

import json
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

import vbc_spec as spec
from vbc_telephony_api import models
from vbc_telephony_api.models import (
    AnswerCall,
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
    TransferLeg,
    UnholdOrAnswerLeg,
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

MODEL_CLASSES = [
    value
    for value in vars(models).values()
    if isinstance(value, type) and hasattr(value, "from_dict")
]

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


STRING_ENUMS = sorted(
    (
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, StrEnum)
    ),
    key=lambda enum: enum.__name__,
)


@pytest.mark.parametrize("enum", STRING_ENUMS, ids=lambda enum: enum.__name__)
def test_models_read_enums_exactly_as_calling_the_enum_does(enum: type[Any]) -> None:
    # Models parse with from_value (templates/str_enum.py.jinja), a faster path than
    # calling the class; it must give the same answer for every input.
    for member in enum:
        assert enum.from_value(member.value) is member is enum(member.value)
    assert enum.from_value("sideways").value == "sideways" == enum("sideways").value
    for wrong in (7, None, ["on-call"]):
        with pytest.raises(ValueError):
            enum.from_value(wrong)


def test_parsing_leaves_the_callers_payload_untouched() -> None:
    payload = json.loads(json.dumps(SEED["list_calls_response"]))
    CallPage.from_dict(payload)
    assert payload == SEED["list_calls_response"]


def test_each_model_module_works_when_imported_first() -> None:
    # Models import the models they refer to at the bottom of their module
    # (templates/model.py.jinja); this holds whichever module an application imports first.
    script = """
import importlib, json, pkgutil, sys
import vbc_telephony_api.models as models
names = [info.name for info in pkgutil.iter_modules(models.__path__)]
seed = json.loads(sys.argv[1])
for name in names:
    for loaded in [key for key in sys.modules if key.startswith("vbc_telephony_api")]:
        del sys.modules[loaded]
    importlib.import_module("vbc_telephony_api.models." + name)
    page = importlib.import_module("vbc_telephony_api.models").CallPage.from_dict(seed)
    assert page.calls[0].legs[0].leg_id, name
print(len(names))
"""
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(SEED["list_calls_response"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(STRING_ENUMS) + len(MODEL_CLASSES)


def test_unknown_fields_are_kept() -> None:
    payload = {**SEED["get_call_response"], "queue_position": 3}
    call = Call.from_dict(payload)
    assert call.additional_properties["queue_position"] == 3
    assert call.to_dict() == payload


REQUEST_MODELS: dict[tuple[str, str], Any] = {
    ("create_call", "click2dial"): CreateCallRequest,
    ("update_call", "answer"): AnswerCall,
    ("update_call", "answerOnDevice"): AnswerCall,
    ("update_call", "park"): ParkCall,
    ("update_call", "transfer"): TransferCall,
    ("update_call_leg", "hold"): HoldLeg,
    ("update_call_leg", "unhold"): UnholdOrAnswerLeg,
    ("update_call_leg", "dtmf"): SendDtmf,
    ("update_call_leg", "playSound"): PlaySound,
    ("update_call_leg", "stopSound"): StopSound,
    ("update_call_leg", "blindTransfer"): TransferLeg,
    ("update_call_leg", "attendedTransfer"): TransferLeg,
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
