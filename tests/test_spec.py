"""openapi.yaml says what the docs say, and its own examples obey it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

import vbc_spec as spec
from tests import specs
from tests.fixtures import live_evidence as evidence
from vbc_conformance.safety import legs_of

DOCUMENT = spec.load()
component = partial(specs.component, document=DOCUMENT)
validator = partial(specs.validator, document=DOCUMENT)

OPERATIONS = {
    ("get", "/cc/accounts/{account_id}/calls"): "list_calls",
    ("post", "/cc/accounts/{account_id}/calls"): "create_call",
    ("get", "/cc/accounts/{account_id}/calls/{call_id}"): "get_call",
    ("put", "/cc/accounts/{account_id}/calls/{call_id}"): "update_call",
    ("delete", "/cc/accounts/{account_id}/calls/{call_id}"): "delete_call",
    ("get", "/cc/accounts/{account_id}/calls/{call_id}/legs"): "list_call_legs",
    ("get", "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}"): "get_call_leg",
    ("put", "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}"): "update_call_leg",
    ("delete", "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}"): "delete_call_leg",
    ("get", "/registration/accounts/{account_id}/devices"): "list_devices",
    ("get", "/registration/accounts/{account_id}/devices/{device_id}"): "get_device",
}


def resolve(node: dict[str, Any]) -> Any:
    return spec.resolve(DOCUMENT, node)


def test_every_documented_operation_is_there_with_a_readable_operation_id() -> None:
    found = {(method, path): op["operationId"] for method, path, op in specs.operations(DOCUMENT)}
    assert found == OPERATIONS


def test_every_operation_declares_bearer_auth_itself() -> None:
    # openapi-python-client ignores top-level security (its issue #645).
    for _, _, operation in specs.operations(DOCUMENT):
        assert operation["security"] == [{"bearerAuth": []}], operation["operationId"]


def test_every_operation_documents_errors_and_no_catch_all() -> None:
    for _, _, operation in specs.operations(DOCUMENT):
        statuses = set(operation["responses"])
        assert {"401", "403", "404", "429", "5XX"} <= statuses, operation["operationId"]
        # A `default` response would make every undocumented status conforming.
        assert "default" not in statuses


@pytest.mark.parametrize(("schema", "value"), list(specs.media_examples(DOCUMENT)))
def test_every_body_example_is_valid_against_its_schema(schema: dict[str, Any], value: Any) -> None:
    validator(schema).validate(value)


@pytest.mark.parametrize(("schema", "value"), list(specs.schema_examples(DOCUMENT)))
def test_every_schema_and_parameter_example_is_valid(schema: dict[str, Any], value: Any) -> None:
    validator(schema).validate(value)


def test_examples_exist_for_every_operation_request_and_success_response() -> None:
    for _, _, operation in specs.operations(DOCUMENT):
        if "requestBody" in operation:
            assert operation["requestBody"]["content"]["application/json"]["examples"]
        success = [s for s in operation["responses"] if s.startswith("2")]
        for status in success:
            content = resolve(operation["responses"][status]).get("content", {})
            if content:
                assert any(media.get("examples") for media in content.values()), (
                    operation["operationId"],
                    status,
                )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"state": "held", "dtmf": "1"},
        {"state": "parked"},
        {"dtmf": "12x"},
        {"stream": True},
        {"recording": "start", "service": "xyz"},
        {"state": "active", "to": {"destination": "1002", "type": "leg", "extra": 1}},
    ],
)
def test_empty_or_mixed_up_leg_actions_are_invalid(body: dict[str, Any]) -> None:
    assert not component("LegAction").is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        {"state": "held"},
        {"state": "active"},
        {"dtmf": "*123#"},
        {"stream": True, "stream_url": "https://example.com/a.wav"},
        {"stream": False},
        {"state": "active", "to": {"destination": "1002", "type": "extension"}},
        {"state": "active", "to": {"destination": "0d0a16ab", "type": "leg"}},
        {"recording": "stop", "service": "ocr"},
    ],
)
def test_each_leg_action_is_valid_alone(body: dict[str, Any]) -> None:
    assert component("LegAction").is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"state": "parked", "to": {"destination": "1", "type": "pstn"}},
        {"state": "active"},
        {"state": "ringing", "from": {"destination": "1", "type": "pstn"}},
    ],
)
def test_call_updates_must_be_answer_park_or_transfer(body: dict[str, Any]) -> None:
    assert not component("UpdateCallRequest").is_valid(body)


#: Every form of a call the evidence shows: the vendor's example (its published file) and a
#: call from the live calls list of a live-tested client; and every leg in them.
CALL_FORMS = [evidence.VENDOR_CALL_PAGE["calls"][0], evidence.CRM_PANEL_CALL]
LEG_FORMS = [leg for call in CALL_FORMS for leg in legs_of(call)]


@pytest.mark.parametrize(("name", "forms"), [("Call", CALL_FORMS), ("CallLeg", LEG_FORMS)])
def test_what_every_known_form_carries_is_required(name: str, forms: list[Any]) -> None:
    schema = DOCUMENT["components"]["schemas"][name]
    carried = set.intersection(*(set(form) for form in forms))
    if_applicable = set(schema["x-vbc-dialects"]["if-applicable"])
    # The exception is a field every form carries, which the vendor says may not apply.
    assert if_applicable <= carried
    assert all("(if applicable)" in schema["description"] for _ in if_applicable)
    assert set(schema["required"]) == carried - if_applicable
    assert set(schema["x-vbc-dialects"]["evidence"]) == {"documented", "observed"}


def examples_of(name: str) -> Iterator[dict[str, Any]]:
    """Every example of a call or leg in openapi.yaml's responses, also inside calls and pages."""
    for _, _, operation in specs.operations(DOCUMENT):
        for response in operation["responses"].values():
            for media in resolve(response).get("content", {}).values():
                schema = media["schema"]
                found = spec.named(DOCUMENT, schema.get("items", schema))[0]
                for example in media.get("examples", {}).values():
                    value = resolve(example)["value"]
                    values = value if isinstance(value, list) else [value]
                    calls = value["calls"] if found == "CallPage" else values
                    calls = calls if found in ("CallPage", "Call") else []
                    legs = values if found == "CallLeg" else []
                    legs += [leg for call in calls for leg in legs_of(call)]
                    yield from calls if name == "Call" else legs


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        pytest.param(name, value, field, id=f"{name}-{index}-{field}")
        for name in ("Call", "CallLeg")
        for index, value in enumerate(examples_of(name))
        for field in DOCUMENT["components"]["schemas"][name]["required"]
    ],
)
def test_each_form_conforms_and_not_without_a_field_every_form_carries(
    name: str, value: dict[str, Any], field: str
) -> None:
    assert component(name).is_valid(value)
    assert not component(name).is_valid({k: v for k, v in value.items() if k != field})


def test_a_call_or_leg_without_its_status_does_not_conform() -> None:
    # Measured on 0.2.0: a deployment dropping `status` from every call and leg conformed.
    call = DOCUMENT["components"]["examples"]["CallObserved"]["value"]
    assert not component("Call").is_valid({k: v for k, v in call.items() if k != "status"})
    leg = DOCUMENT["components"]["examples"]["CallLegDocumented"]["value"]
    assert not component("CallLeg").is_valid({k: v for k, v in leg.items() if k != "status"})


@pytest.mark.parametrize("status", ["initializing", "disconnected", "ended", "on-call", "busy"])
def test_documented_and_observed_call_states_conform(status: str) -> None:
    call = {**DOCUMENT["components"]["examples"]["CallObserved"]["value"], "status": status}
    assert component("Call").is_valid(call)


def test_a_call_state_neither_documented_nor_observed_does_not_conform() -> None:
    # vbc-conformance fails a target on it (and reports it as drift); the SDK still reads it.
    call = {**DOCUMENT["components"]["examples"]["CallDocumented"]["value"], "status": "sleeping"}
    assert not component("Call").is_valid(call)


def test_every_observed_only_property_says_where_it_was_observed() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    for name in ("Call", "CallLeg"):
        observed = schemas[name]["x-vbc-dialects"]["observed"]
        for field in observed:
            description = " ".join(schemas[name]["properties"][field]["description"].split())
            assert "Observed in live traffic by third parties" in description, (name, field)
            assert "not in Vonage's documentation" in description, (name, field)


def test_requests_allow_only_what_the_vendor_documents() -> None:
    # The vendor types destinations as strings: a number must never be sent (or fuzzed) as one.
    assert not component("Destination").is_valid(1234)
    assert component("Destination").is_valid("1234")


def test_links_chain_create_to_get_and_legs_to_leg_operations() -> None:
    def link_targets(operation_id: str) -> set[str]:
        operation = next(
            op for _, _, op in specs.operations(DOCUMENT) if op["operationId"] == operation_id
        )
        links = resolve(next(iter(operation["responses"].values()))).get("links", {})
        return {link["operationId"] for link in links.values()}

    assert "get_call" in link_targets("create_call")
    assert "get_call" in link_targets("list_calls")
    assert {"get_call_leg", "update_call_leg", "delete_call_leg"} <= link_targets("list_call_legs")
    assert "get_device" in link_targets("list_devices")
