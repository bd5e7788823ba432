"""Validate JSON values against schemas of openapi.yaml, resolving its local $refs."""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

import vbc_spec as spec


def validator(schema: dict[str, Any]) -> OAS30Validator:
    """A validator for `schema` (inline or a $ref) inside openapi.yaml's component scope."""
    document = spec.load()
    return OAS30Validator({**schema, "components": document["components"]})


def component(name: str) -> OAS30Validator:
    return validator({"$ref": f"#/components/schemas/{name}"})
