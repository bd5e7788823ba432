"""vis.yaml says what Vonage's VIS pages say, reads every form they show, and its own examples
obey it."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

import vbc_spec as spec
from tests import specs
from tests.fixtures import vis_evidence as evidence
from vbc_vis_api.models import Delivery, Event

VIS = spec.load(spec.VIS_SPEC)
component = partial(specs.component, document=VIS)
validator = partial(specs.validator, document=VIS)

OPERATIONS = {
    ("post", "/self/webhooks"): "create_webhook",
    ("get", "/self/webhooks"): "list_webhooks",
    ("get", "/self/webhooks/{webhook_id}"): "get_webhook",
    ("delete", "/self/webhooks/{webhook_id}"): "delete_webhook",
    ("put", "/self/webhooks/{webhook_id}/renew"): "renew_webhook",
    ("get", "/self/events"): "list_events",
    ("get", "/self/events/count"): "count_events",
    ("get", "/self/events/{event_id}"): "get_event",
}


def examples(name: str) -> list[Any]:
    return [VIS["components"]["examples"][name]["value"]]


def test_every_vis_operation_is_there_under_the_vis_base() -> None:
    found = {(method, path): op["operationId"] for method, path, op in specs.operations(VIS)}
    assert found == OPERATIONS
    assert VIS["servers"][0]["url"] == "https://api.vonage.com" + spec.VIS_BASE_PATH
    assert all(server["url"].endswith(spec.VIS_BASE_PATH) for server in VIS["servers"])


def test_every_operation_takes_the_telephony_bearer_token_and_a_delivery_none() -> None:
    assert VIS["components"]["securitySchemes"] == spec.load()["components"]["securitySchemes"]
    for _, _, operation in specs.operations(VIS):
        assert operation["security"] == [{"bearerAuth": []}], operation["operationId"]
    (delivery,) = specs.callbacks(VIS["paths"]["/self/webhooks"]["post"])
    assert delivery["security"] == []


def test_every_operation_documents_errors_and_no_catch_all() -> None:
    for _, path, operation in specs.operations(VIS):
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "422", "429", "5XX"} <= statuses, operation["operationId"]
        assert ("404" in statuses) == ("{" in path), operation["operationId"]
        assert "default" not in statuses


@pytest.mark.parametrize(("schema", "value"), list(specs.media_examples(VIS)))
def test_every_body_example_is_valid_against_its_schema(schema: dict[str, Any], value: Any) -> None:
    validator(schema).validate(value)


@pytest.mark.parametrize(("schema", "value"), list(specs.schema_examples(VIS)))
def test_every_schema_and_parameter_example_is_valid(schema: dict[str, Any], value: Any) -> None:
    validator(schema).validate(value)


def test_the_vendors_deliveries_are_the_examples_and_conform() -> None:
    assert examples("DeliveryAnswered2018")[0]["event"] == evidence.EVENT_2018
    assert examples("DeliveryAnswered2018")[0]["metadata"]["signature"] == evidence.SIGNATURE_2018
    assert examples("DeliveryRinging2020")[0]["event"] == evidence.EVENT_2020
    for event in (evidence.EVENT_2018, evidence.EVENT_2020):
        assert component("Delivery").is_valid({"event": event})


def test_what_every_known_event_form_carries_is_required() -> None:
    carried = set(evidence.EVENT_2018) & set(evidence.EVENT_2020)
    assert set(component_schema("Event")["required"]) == evidence.VENDOR_EVENT_REQUIRED & carried


def test_what_every_known_webhook_form_carries_is_required() -> None:
    carried = set(evidence.TUTORIAL_WEBHOOK) & evidence.VENDOR_WEBHOOK_EXAMPLED
    assert set(component_schema("Webhook")["required"]) == carried
    assert component("Webhook").is_valid(evidence.TUTORIAL_WEBHOOK)


@pytest.mark.parametrize("field", sorted(evidence.VENDOR_EVENT_REQUIRED - {"uciId", "phoneNumber"}))
def test_an_event_without_a_field_every_form_carries_does_not_conform(field: str) -> None:
    event = {k: v for k, v in evidence.EVENT_2018.items() if k != field}
    assert not component("Event").is_valid(event)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 5678),  # the vendor's schema: int64
        ("accountId", 376),
        ("userId", "24785"),  # its examples: strings
        ("startTime", "2018-02-15T18:58:56.194Z"),
        ("startTime", "2018-02-15T18:58:56+00:00"),
        ("endTime", None),  # before a final state
        ("state", "DETACHED"),
        ("ucpType", "VBS"),
        ("somethingNew", {"any": "thing"}),  # responses are read tolerantly
    ],
)
def test_every_documented_form_of_an_event_field_conforms(field: str, value: Any) -> None:
    assert component("Event").is_valid({**evidence.EVENT_2018, field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "COMPLETED"),  # crmnewpanel2's rehearsal; no such VIS state
        ("state", "BUSY"),
        ("startTime", "2018-02-15 18:58:56"),  # Reports' zoneless form
        ("startTime", "1518721136194"),  # epoch milliseconds
        ("duration", -1),
        ("id", None),
    ],
)
def test_what_vis_never_sends_does_not_conform(field: str, value: Any) -> None:
    assert not component("Event").is_valid({**evidence.EVENT_2018, field: value})


def test_the_observed_401_is_described() -> None:
    unauthorized = VIS["components"]["responses"]["Unauthorized"]
    assert "failed to get claims" in unauthorized["description"]
    texts = unauthorized["content"]["text/plain"]["examples"].values()
    assert "failed to get claims" in [example["value"] for example in texts]


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://r.example.com", "events": ["CALL"], "signingAlgo": "NONE"},
        {"url": "https://r.example.com", "events": ["CALL"], "expiresAt": "x"},  # crmnewpanel2
        {"url": "https://r.example.com", "events": []},
        {"url": "https://r.example.com", "events": ["SMS"]},
        {"events": ["CALL"]},
        {"url": "https://r.example.com", "events": ["CALL"], "metadataPolicy": "header"},
    ],
)
def test_a_subscription_sends_only_what_the_vendor_documents(body: dict[str, Any]) -> None:
    assert not component("WebhookCreate").is_valid(body)


def component_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = VIS["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize("name", ["DeliveryAnswered2018", "DeliveryRinging2020"])
def test_the_generated_client_reads_each_vendor_delivery_and_writes_it_back(name: str) -> None:
    delivery = examples(name)[0]
    assert Delivery.from_dict(delivery).to_dict() == delivery


def test_the_generated_client_reads_int_ids_and_keeps_a_state_it_does_not_know() -> None:
    event = Event.from_dict({**evidence.EVENT_2018, "id": 5678, "state": "TRANSFERRED"})
    assert event.id == 5678 and event.state.value == "TRANSFERRED"
    assert event.to_dict()["state"] == "TRANSFERRED"
