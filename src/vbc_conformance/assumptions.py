"""Limits in openapi.yaml that are only this project's assumptions (`x-vbc-assumption`: id
lengths, the largest epoch, the shape of a time string), not the vendor's documentation or
anything observed. A live target is never failed on them: a failure that only they cause is
dropped, and the value is reported as an advisory instead.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

import vbc_spec as spec

#: schemathesis failures an assumption can cause: a response outside an assumed limit, and a
#: target accepting a request that is outside an assumed limit but inside the documented ones.
JUDGED_ON_SCHEMA = {"JsonSchemaError", "AcceptedNegativeData"}


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
def documented_spec() -> dict[str, Any]:
    """openapi.yaml as it judges a live target: without our assumptions, as JSON Schema."""
    judged: dict[str, Any] = json_schema(strip_assumptions(spec.load()))
    return judged


def is_valid(schema: dict[str, Any], value: Any) -> bool:
    # The components travel with the schema, so its "#/components/..." references resolve.
    root = {**schema, "components": documented_spec()["components"]}
    return bool(jsonschema.Draft7Validator(root).is_valid(value))


def resolved(node: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec.resolve(documented_spec(), node)
    return found


def request_is_documented(path: str, method: str, case: Any) -> bool:
    """Whether a request is valid once our assumptions are set aside."""
    item = documented_spec()["paths"][path]
    operation = item[method.lower()]
    sent = {
        "path": case.path_parameters or {},
        "query": case.query or {},
        "header": case.headers or {},
    }
    for parameter in map(resolved, [*item.get("parameters", []), *operation.get("parameters", [])]):
        values = sent.get(parameter["in"], {})
        if parameter["name"] not in values:
            if parameter.get("required"):
                return False
            continue
        if not is_valid(parameter["schema"], values[parameter["name"]]):
            return False
    body = resolved(operation["requestBody"]) if "requestBody" in operation else None
    if body is None:
        return True
    media = (case.media_type or "application/json").split(";")[0]
    content = body["content"].get(media)
    if content is None:
        return False
    if type(case.body).__name__ == "NotSet":
        return not body.get("required")
    return is_valid(content["schema"], case.body)


def response_is_documented(path: str, method: str, status: int, body: Any) -> bool:
    """Whether a JSON response body is valid once our assumptions are set aside."""
    responses = documented_spec()["paths"][path][method.lower()]["responses"]
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if declared is None:
        return False
    content = resolved(declared).get("content", {}).get("application/json")
    return content is not None and is_valid(content["schema"], body)
