"""What a response shows beyond pass or fail: what openapi.yaml does not describe (drift:
fields, enum values, status codes, content types), which of the two known forms of the API
it is in (dialect: documented or observed), and where it departs from a limit that is only
this project's assumption (advisory). Schema checks say a response is wrong; these say how
the live API has moved away from its documentation."""

from __future__ import annotations

import re
from typing import Any

import attrs

import vbc_spec as spec

#: The dialect a JSON type stands for, where a schema says (`x-vbc-dialect-by-type`).
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


@attrs.frozen
class Drift:
    kind: str
    """`field`, `enum value`, `status code` or `content type`."""
    operation: str
    where: str
    value: str

    def describe(self) -> str:
        return f"{self.kind} {self.value} at {self.where} ({self.operation})"


@attrs.frozen
class Form:
    """Evidence of a dialect: `documented` or `observed`, and what showed it: a `field`
    only that dialect has, an `answer` (a status code) only it gives, or a `value` encoded
    as it encodes them (which alone does not tell the dialect: both send some integers)."""

    dialect: str
    kind: str
    what: str


@attrs.frozen
class Advisory:
    """A value outside a limit that is only this project's assumption (`x-vbc-assumption`)."""

    operation: str
    where: str
    keyword: str
    value: str

    def describe(self) -> str:
        return (
            f"{self.where} in {self.operation}: {self.value} is outside this project's"
            f" assumed {self.keyword}"
        )


@attrs.define
class Findings:
    drift: set[Drift] = attrs.field(factory=set)
    forms: set[Form] = attrs.field(factory=set)
    advisories: set[Advisory] = attrs.field(factory=set)


def media_type_of(content_type: str | None) -> str:
    """A Content-Type's media type, without parameters, in lowercase (RFC 9110 compares it
    case-insensitively); "" where there is none."""
    return (content_type or "").split(";")[0].strip().lower()


def breaks(keyword: str, limit: Any, value: Any) -> bool:
    """Whether `value` is outside one JSON Schema limit (the keywords assumptions use)."""
    if keyword == "maxLength":
        return isinstance(value, str) and len(value) > limit
    if keyword == "minLength":
        return isinstance(value, str) and len(value) < limit
    if keyword == "maximum":
        return isinstance(value, int | float) and value > limit
    if keyword == "minimum":
        return isinstance(value, int | float) and value < limit
    if keyword == "pattern":
        return isinstance(value, str) and re.search(limit, value) is None
    return False


class DriftFinder:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = spec.resolve(self.document, node)
        return found

    def named(self, node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        return spec.named(self.document, node)

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
    ) -> Findings:
        operation = f"{method.upper()} {path}"
        found = Findings()
        response = self.response_of(method, path, status)
        if response is None:
            found.drift.add(Drift("status code", operation, "responses", str(status)))
            return found
        if "x-vbc-dialect" in response:
            found.forms.add(
                Form(response["x-vbc-dialect"], "answer", f"{operation} answers {status}")
            )
        documented = response.get("content", {})
        media_type = media_type_of(content_type)
        if has_body and media_type not in documented:
            found.drift.add(
                Drift("content type", operation, f"{status} response", media_type or "(none)")
            )
        schema = (documented.get(media_type) or documented.get("application/json") or {}).get(
            "schema"
        )
        if schema is not None and body is not None:
            self.walk(schema, body, "$", operation, found)
        return found

    def walk(
        self, schema: dict[str, Any], value: Any, where: str, operation: str, found: Findings
    ) -> None:
        name, resolved = self.named(schema)
        by_type = resolved.get("x-vbc-dialect-by-type", {})
        json_type = JSON_TYPES.get(type(value))
        if json_type in by_type and name is not None:
            found.forms.add(Form(by_type[json_type], "value", f"{name} as {json_type}"))
        alternatives = self.alternatives(schema)
        if isinstance(value, dict):
            self.walk_object(name, alternatives, value, where, operation, found)
        elif isinstance(value, list):
            for alt in alternatives:
                if "items" in alt:
                    for item in value:
                        self.walk(alt["items"], item, f"{where}[]", operation, found)
                    return
        elif json_type is not None:
            for alt in alternatives:
                if alt.get("type") == json_type or (
                    json_type == "integer" and alt.get("type") == "number"
                ):
                    for keyword in alt.get("x-vbc-assumption", ()):
                        if breaks(keyword, alt.get(keyword), value):
                            found.advisories.add(Advisory(operation, where, keyword, repr(value)))
            enums = [alt["enum"] for alt in alternatives if "enum" in alt]
            if enums and len(enums) == len(alternatives) and all(value not in e for e in enums):
                found.drift.add(Drift("enum value", operation, where, repr(value)))

    def walk_object(
        self,
        name: str | None,
        alternatives: list[dict[str, Any]],
        value: dict[str, Any],
        where: str,
        operation: str,
        found: Findings,
    ) -> None:
        objects = [
            alt for alt in alternatives if alt.get("type") == "object" or "properties" in alt
        ]
        if not objects:
            return
        properties: dict[str, Any] = {}
        dialects: dict[str, str] = {}
        map_values = None
        for alt in objects:
            properties = {**alt.get("properties", {}), **properties}
            forms = alt.get("x-vbc-dialects", {})
            for dialect in spec.DIALECTS:  # not the notes beside them (evidence, if-applicable)
                dialects.update(dict.fromkeys(forms.get(dialect, ()), dialect))
            if isinstance(alt.get("additionalProperties"), dict):
                map_values = alt["additionalProperties"]
        for key, item in value.items():
            if key in dialects:
                found.forms.add(Form(dialects[key], "field", f"{name}.{key}"))
            if key in properties:
                self.walk(properties[key], item, f"{where}.{key}", operation, found)
            elif map_values is not None:
                # A map (leg_map): its keys are ids, not fields.
                self.walk(map_values, item, f"{where}{{}}", operation, found)
            else:
                found.drift.add(Drift("field", operation, where, key))


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
