"""What a response shows that openapi.yaml does not describe: fields, enum values, status
codes and content types. Schema checks say a response is wrong; drift says how the live API
has moved away from its documentation, including what the spec merely tolerates."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Drift:
    kind: str
    """`field`, `enum value`, `status code` or `content type`."""
    operation: str
    where: str
    value: str

    def describe(self) -> str:
        return f"{self.kind} {self.value} at {self.where} ({self.operation})"


class DriftFinder:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        schema = self.resolve(schema)
        for key in ("oneOf", "anyOf", "allOf"):
            if key in schema:
                return [alt for part in schema[key] for alt in self.alternatives(part)]
        return [schema]

    def response_of(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        responses = self.document["paths"][path][method.lower()]["responses"]
        for key in (str(status), f"{str(status)[0]}XX"):
            if key in responses:
                return self.resolve(responses[key])
        return None

    def observe(
        self,
        method: str,
        path: str,
        status: int,
        content_type: str | None,
        body: Any,
        *,
        has_body: bool,
    ) -> set[Drift]:
        operation = f"{method.upper()} {path}"
        response = self.response_of(method, path, status)
        if response is None:
            return {Drift("status code", operation, "responses", str(status))}
        documented = response.get("content", {})
        media_type = (content_type or "").split(";")[0].strip().lower()
        found: set[Drift] = set()
        if has_body and media_type not in documented:
            found.add(
                Drift("content type", operation, f"{status} response", media_type or "(none)")
            )
        schema = (documented.get(media_type) or documented.get("application/json") or {}).get(
            "schema"
        )
        if schema is not None and body is not None:
            self.walk(schema, body, "$", operation, found)
        return found

    def walk(
        self, schema: dict[str, Any], value: Any, where: str, operation: str, found: set[Drift]
    ) -> None:
        alternatives = self.alternatives(schema)
        if isinstance(value, dict):
            properties: dict[str, Any] = {}
            objects = [
                alt for alt in alternatives if alt.get("type") == "object" or "properties" in alt
            ]
            for alt in objects:
                properties = {**alt.get("properties", {}), **properties}
            if not objects:
                return
            for key, item in value.items():
                if key in properties:
                    self.walk(properties[key], item, f"{where}.{key}", operation, found)
                else:
                    found.add(Drift("field", operation, where, key))
        elif isinstance(value, list):
            for alt in alternatives:
                if "items" in alt:
                    for item in value:
                        self.walk(alt["items"], item, f"{where}[]", operation, found)
                    return
        elif isinstance(value, str | int | float | bool):
            enums = [alt["enum"] for alt in alternatives if "enum" in alt]
            if enums and len(enums) == len(alternatives) and all(value not in e for e in enums):
                found.add(Drift("enum value", operation, where, repr(value)))


def path_template_of(document: dict[str, Any], label: str) -> tuple[str, str]:
    """('GET', '/cc/...') for a schemathesis label such as 'GET /cc/accounts/{account_id}/calls'."""
    method, _, path = label.partition(" ")
    if method.lower() not in document["paths"].get(path, {}):
        raise KeyError(label)
    return method, path


def operation_id_of(document: dict[str, Any], label: str) -> str:
    method, path = path_template_of(document, label)
    operation_id: str = document["paths"][path][method.lower()]["operationId"]
    return operation_id
