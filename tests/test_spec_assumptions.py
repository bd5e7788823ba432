"""Every limit our specs set that the vendor's own file does not document is marked as this
project's assumption (`x-vbc-assumption`), and vbc-conformance sets those aside when it judges
a live target: in a request's path, query and body, and in a response's body and headers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

import vbc_spec as spec
from vbc_conformance.assumptions import request_is_documented, response_is_documented

ROOT = Path(__file__).resolve().parents[1]
#: JSON Schema keywords that bound a value.
LIMITS = {
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
}
#: Vonage's published Telephony file (Vonage/vbc-developer _open_api/definitions/telephony.yml
#: at 66f63b5, sha256 below), kept beside the project as ../shared/reference, not in it: the
#: limits it documents, as (the parameter, property or schema named, keyword, value). It has
#: none: no pattern, length or bound anywhere.
VENDOR_FILE = "vonage-published-telephony.yml"
VENDOR_LIMITS: set[tuple[str, str, Any]] = set()


def limits(node: Any, name: str = "", trail: str = "") -> Iterator[tuple[str, str, str, Any, bool]]:
    """(where, the name it is on, keyword, value, marked as an assumption) for every limit."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from limits(item, name, f"{trail}/{index}")
    elif isinstance(node, dict):
        if isinstance(node.get("name"), str) and "in" in node:
            name = node["name"]  # a parameter
        assumed = set(node.get("x-vbc-assumption", ()))
        for keyword in sorted(LIMITS & set(node)):
            yield trail, name, keyword, node[keyword], keyword in assumed
        for key, value in node.items():
            if key in ("example", "examples", "x-vbc-dialects"):
                continue
            inner = key if trail.endswith(("/properties", "/schemas", "/headers")) else name
            yield from limits(value, inner, f"{trail}/{key}")


def vendor_file() -> Path | None:
    for place in (os.environ.get("VBC_VENDOR_TELEPHONY_SPEC"), ROOT.parent / "shared/reference"):
        if place:
            path = Path(place)
            path = path / VENDOR_FILE if path.is_dir() else path
            if path.is_file():
                return path
    return None


def test_every_limit_the_vendor_does_not_document_is_an_assumption() -> None:
    documented = VENDOR_LIMITS
    found = vendor_file()
    if found is not None:  # where the vendor's file is at hand, the list above must match it
        vendor = yaml.safe_load(found.read_text(encoding="utf-8"))
        documented = {(name, keyword, value) for _, name, keyword, value, _ in limits(vendor)}
        assert documented == VENDOR_LIMITS
    unmarked = [
        f"{spec_name}{where}: {keyword} {value!r}"
        for spec_name, path in (
            ("openapi.yaml", spec.TELEPHONY_SPEC),
            ("oauth.yaml", spec.OAUTH_SPEC),
        )
        for where, name, keyword, value, marked in limits(yaml.safe_load(path.read_text()))
        if not marked and (name, keyword, value) not in documented
    ]
    assert unmarked == []


def test_the_walk_finds_the_limits_it_judges() -> None:
    """So the test above cannot pass by finding none."""
    found = {(name, keyword) for _, name, keyword, _, _ in limits(spec.load())}
    assert {("MacAddress", "pattern"), ("dtmf", "maxLength"), ("EpochSeconds", "maximum")} <= found
    assert {("page", "minimum"), ("extension", "maxLength")} <= found


def case(
    path: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
) -> SimpleNamespace:
    """A request as schemathesis hands it to the filter (a value may arrive typed or as text)."""
    return SimpleNamespace(
        path_parameters={"account_id": "1234", **(path or {})},
        query=query or {},
        headers={},
        media_type="application/json",
        body=body,
    )


DEVICE = "/registration/accounts/{account_id}/devices/{device_id}"
CALLS = "/cc/accounts/{account_id}/calls"
LEG = "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}"
LEG_IDS = {"call_id": "3fa85f64", "leg_id": "9b1c7a5e"}


@pytest.mark.parametrize(
    ("device_id", "documented"),
    [("\x84", True), ("79-5C-7D-28-1B-B3", True), ("not-a-mac", True)],
)
def test_in_a_path_only_the_documented_counts(device_id: str, documented: bool) -> None:
    # The MAC pattern is ours: a target answering 200 for another id gets an advisory.
    assert request_is_documented(DEVICE, "get", case({"device_id": device_id})) is documented


def test_in_a_path_a_missing_parameter_still_counts() -> None:
    assert not request_is_documented(DEVICE, "get", case())


@pytest.mark.parametrize(
    ("query", "documented"),
    [
        ({"start_time": "253402300800"}, True),  # past our last second, sent as text
        ({"start_time": 253402300800}, True),
        ({"start_time": "-1"}, True),  # our lower bound
        ({"page_size": "0"}, True),  # the vendor's own URIs carry page_size=0
        ({"extension": "1" * 40}, True),
        ({"start_time": "soon"}, False),  # not a number: the vendor says epoch seconds
        ({"order": "sideways"}, False),
    ],
)
def test_in_a_query_only_the_documented_counts(query: dict[str, Any], documented: bool) -> None:
    assert request_is_documented(CALLS, "get", case(query=query)) is documented


@pytest.mark.parametrize(
    ("body", "documented"),
    [
        ({"dtmf": "12x"}, True),  # the DTMF alphabet is ours
        ({"dtmf": "1" * 65}, True),  # so is its length
        ({"stream": True, "stream_url": "https://example.com/" + "a" * 3000}, True),
        ({"state": "active", "to": {"destination": "x" * 80, "type": "leg"}}, True),
        ({"dtmf": 12}, False),
        ({"dtmf": "1", "state": "held"}, False),  # two actions at once
    ],
)
def test_in_a_body_only_the_documented_counts(body: Any, documented: bool) -> None:
    assert request_is_documented(LEG, "put", case(LEG_IDS, body=body)) is documented


THROTTLED = {"code": "900800", "message": "Message throttled out"}


@pytest.mark.parametrize(
    ("headers", "documented"),
    [({}, True), ({"retry-after": "-5"}, True), ({"retry-after": "soon"}, False)],
)
def test_in_response_headers_only_the_documented_counts(
    headers: dict[str, str], documented: bool
) -> None:
    # That a 429 says when to come back, and in whole seconds from 0, are ours; a number is not.
    assert response_is_documented(CALLS, "get", 429, THROTTLED, headers) is documented
