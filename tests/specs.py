"""Walk an OpenAPI document of this project (openapi.yaml, vis.yaml) and validate JSON values
against its schemas, resolving its local $refs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

import vbc_spec as spec

METHODS = {"get", "put", "post", "delete", "patch"}


def validator(schema: dict[str, Any], document: dict[str, Any] | None = None) -> OAS30Validator:
    """A validator for `schema` (inline or a $ref) inside the document's component scope
    (openapi.yaml's unless another is given)."""
    document = document if document is not None else spec.load()
    return OAS30Validator({**schema, "components": document["components"]})


def component(name: str, document: dict[str, Any] | None = None) -> OAS30Validator:
    return validator({"$ref": f"#/components/schemas/{name}"}, document)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for each operation of the document's paths."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def callbacks(operation: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The operations of an operation's callbacks (what the API sends, such as a delivery)."""
    for callback in operation.get("callbacks", {}).values():
        for item in callback.values():
            yield from (sent for method, sent in item.items() if method in METHODS)


def media_examples(document: dict[str, Any]) -> Iterator[Any]:
    """(schema, value) for every example attached to a request or response body, callbacks'
    too, as pytest params named after where they are."""
    for _, _, top in operations(document):
        for operation in [top, *callbacks(top)]:
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [
                (status, spec.resolve(document, r)) for status, r in operation["responses"].items()
            ]
            for where, body in bodies:
                for media_type, media in body.get("content", {}).items():
                    for name, example in media.get("examples", {}).items():
                        yield pytest.param(
                            media["schema"],
                            spec.resolve(document, example)["value"],
                            id=f"{operation['operationId']}-{where}-{media_type}-{name}",
                        )


def schema_examples(node: Any, trail: str = "") -> Iterator[Any]:
    """Every `example` given inside a schema or parameter, with the schema it belongs to."""
    if isinstance(node, dict):
        if "example" in node and ("type" in node or "oneOf" in node or "schema" in node):
            schema = node.get("schema", node)
            yield pytest.param(schema, node["example"], id=trail)
        for key, value in node.items():
            yield from schema_examples(value, f"{trail}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schema_examples(value, f"{trail}/{index}")
