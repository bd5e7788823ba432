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
        self._nodes: dict[int, Node] = {}

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
        node = self.node(schema)
        json_type = JSON_TYPES.get(type(value))
        if json_type in node.by_type and node.name is not None:
            found.forms.add(Form(node.by_type[json_type], "value", f"{node.name} as {json_type}"))
        if isinstance(value, dict):
            self.walk_object(node, value, where, operation, found)
        elif isinstance(value, list):
            if node.items is not None:
                for item in value:
                    self.walk(node.items, item, f"{where}[]", operation, found)
        elif json_type is not None:
            for alt in node.alternatives:
                if alt.get("type") == json_type or (
                    json_type == "integer" and alt.get("type") == "number"
                ):
                    for keyword in alt.get("x-vbc-assumption", ()):
                        if breaks(keyword, alt.get(keyword), value):
                            found.advisories.add(Advisory(operation, where, keyword, repr(value)))
            if node.enums is not None and all(value not in e for e in node.enums):
                found.drift.add(Drift("enum value", operation, where, repr(value)))

    def walk_object(
        self, node: Node, value: dict[str, Any], where: str, operation: str, found: Findings
    ) -> None:
        if not node.is_object:
            return
        for key, item in value.items():
            if key in node.dialects:
                found.forms.add(Form(node.dialects[key], "field", f"{node.name}.{key}"))
            if key in node.properties:
                self.walk(node.properties[key], item, f"{where}.{key}", operation, found)
            elif node.map_values is not None:
                # A map (leg_map): its keys are ids, not fields.
                self.walk(node.map_values, item, f"{where}{{}}", operation, found)
            else:
                found.drift.add(Drift("field", operation, where, key))

    def node(self, schema: dict[str, Any]) -> Node:
        """What a walk needs of one schema, worked out once per schema (every answer of an
        operation walks the same ones)."""
        known = self._nodes.get(id(schema))
        if known is None:
            known = self._nodes[id(schema)] = Node.of(self, schema)
        return known


@attrs.frozen
class Node:
    """One schema as a walk reads it: its name, its alternatives (oneOf, anyOf, allOf
    flattened), and what they say together of objects, arrays and enums."""

    name: str | None
    by_type: dict[str, str]
    alternatives: list[dict[str, Any]]
    is_object: bool
    properties: dict[str, Any]
    dialects: dict[str, str]
    """A field only one dialect has -> that dialect."""
    map_values: dict[str, Any] | None
    items: dict[str, Any] | None
    enums: list[list[Any]] | None
    """The enums, where every alternative has one (else any value may be documented)."""

    @classmethod
    def of(cls, finder: DriftFinder, schema: dict[str, Any]) -> Node:
        name, resolved = finder.named(schema)
        alternatives = finder.alternatives(schema)
        objects = [
            alt for alt in alternatives if alt.get("type") == "object" or "properties" in alt
        ]
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
        enums = [alt["enum"] for alt in alternatives if "enum" in alt]
        return cls(
            name=name,
            by_type=resolved.get("x-vbc-dialect-by-type", {}),
            alternatives=alternatives,
            is_object=bool(objects),
            properties=properties,
            dialects=dialects,
            map_values=map_values,
            items=next((alt["items"] for alt in alternatives if "items" in alt), None),
            enums=enums if enums and len(enums) == len(alternatives) else None,
        )


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
