"""Limits in openapi.yaml that are only this project's assumptions (`x-vbc-assumption`: id
lengths, epoch bounds, the MAC and DTMF patterns, that a 429 says when to come back, ...), not
the vendor's documentation or anything observed. A live target is never failed on them: a
failure that only they cause is dropped, and the value is reported as an advisory instead.
Requests are judged the same way in every place: path, query, header and body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

import vbc_spec as spec

#: schemathesis failures an assumption can cause: a response outside an assumed limit (its
#: body or a header, or a header left out), and a target accepting a request that is outside
#: an assumed limit but inside the documented ones.
JUDGED_ON_SCHEMA = {"JsonSchemaError", "MissingHeaders", "AcceptedNegativeData"}
#: Text a server reads as a number, in a path, a query or a header.
INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def strip_assumptions(node: Any) -> Any:
    """A copy of a spec (or part of one) without the assumed limits."""
    if isinstance(node, list):
        return [strip_assumptions(item) for item in node]
    if not isinstance(node, dict):
        return node
    assumed = set(node.get("x-vbc-assumption", ()))
    return {key: strip_assumptions(value) for key, value in node.items() if key not in assumed}


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a null type."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in node:
        converted["type"] = [node["type"], "null"]
    return converted


@cache
def documented_spec(source: Path = spec.TELEPHONY_SPEC) -> dict[str, Any]:
    """A spec (openapi.yaml unless told) as it judges a live target: without our
    assumptions, as JSON Schema."""
    judged: dict[str, Any] = json_schema(strip_assumptions(spec.load(source)))
    return judged


def is_valid(schema: dict[str, Any], value: Any, source: Path) -> bool:
    # The components travel with the schema, so its "#/components/..." references resolve.
    root = {**schema, "components": documented_spec(source)["components"]}
    return bool(jsonschema.Draft7Validator(root).is_valid(value))


def resolved(node: dict[str, Any], source: Path) -> dict[str, Any]:
    found: dict[str, Any] = spec.resolve(documented_spec(source), node)
    return found


def types_of(schema: dict[str, Any], source: Path) -> set[str]:
    """The JSON types a schema allows, through its oneOf/anyOf branches."""
    schema = resolved(schema, source)
    declared = schema.get("type", ())
    found = set(declared if isinstance(declared, list) else [declared])
    for branch in (*schema.get("oneOf", ()), *schema.get("anyOf", ())):
        found |= types_of(branch, source)
    return found


def as_read(schema: dict[str, Any], value: Any, source: Path) -> Any:
    """A path, query or header value as a server reads it: text is a number where the
    schema takes one (schemathesis sends these as text as often as typed)."""
    if not isinstance(value, str):
        return value
    types = types_of(schema, source)
    if "integer" in types and INTEGER.fullmatch(value):
        return int(value)
    if "number" in types and NUMBER.fullmatch(value):
        return float(value)
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value


def request_is_documented(
    path: str, method: str, case: Any, source: Path = spec.TELEPHONY_SPEC
) -> bool:
    """Whether a request is valid once our assumptions are set aside (in `source`'s API)."""
    item = documented_spec(source)["paths"][path]
    operation = item[method.lower()]
    sent = {
        "path": case.path_parameters or {},
        "query": case.query or {},
        "header": case.headers or {},
    }
    declared = [*item.get("parameters", []), *operation.get("parameters", [])]
    for parameter in (resolved(node, source) for node in declared):
        values = sent.get(parameter["in"], {})
        if parameter["name"] not in values:
            if parameter.get("required"):
                return False
            continue
        value = as_read(parameter["schema"], values[parameter["name"]], source)
        if not is_valid(parameter["schema"], value, source):
            return False
    body = resolved(operation["requestBody"], source) if "requestBody" in operation else None
    if body is None:
        return True
    media = (case.media_type or "application/json").split(";")[0]
    content = body["content"].get(media)
    if content is None:
        return False
    if type(case.body).__name__ == "NotSet":
        return not body.get("required")
    return is_valid(content["schema"], case.body, source)


def response_is_documented(
    path: str,
    method: str,
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    source: Path = spec.TELEPHONY_SPEC,
) -> bool:
    """Whether a response is valid once our assumptions are set aside: its JSON body, and
    the headers declared for it (`headers` by lower-case name), in `source`'s API."""
    responses = documented_spec(source)["paths"][path][method.lower()]["responses"]
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if declared is None:
        return False
    declared = resolved(declared, source)
    for name, header in declared.get("headers", {}).items():
        header = resolved(header, source)
        value = (headers or {}).get(name.lower())
        if value is None:
            if header.get("required"):
                return False
        elif not is_valid(header["schema"], as_read(header["schema"], value, source), source):
            return False
    content = declared.get("content", {})
    if not content:
        return True
    json_content = content.get("application/json")
    return json_content is not None and is_valid(json_content["schema"], body, source)
