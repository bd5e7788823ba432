"""connexion's request validators, with the messages of `messages` in their 400s."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.validators import (
    VALIDATOR_MAP,
    FormDataValidator,
    JSONRequestBodyValidator,
    ParameterValidator,
)
from connexion.validators.parameter import draft4_format_checker, is_null, is_nullable
from jsonschema import Draft4Validator
from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from vbc_sandbox.limits import read_json
from vbc_sandbox.messages import explain


class TypedBody:
    """A body must say what it is. connexion validates one sent without a Content-Type as
    the operation's media type, then hands the handler its raw bytes: a 500."""

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        headers = Headers(scope=scope)
        has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
        if has_body and "content-type" not in headers:
            raise BadRequestProblem(detail="body: the request body has no Content-Type")
        found: tuple[Receive, Scope] = await super().wrap_receive(  # type: ignore[misc]
            receive, scope=scope
        )
        return found


class ExplainedBody(TypedBody, JSONRequestBodyValidator):  # type: ignore[misc]
    async def _parse(self, stream: AsyncIterator[bytes], scope: Scope) -> Any:
        raw = b"".join([message async for message in stream])
        try:
            text = raw.decode(self._encoding)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail="body: the request body is not valid UTF-8") from None
        if not text:
            return None
        try:
            return read_json(text)
        except ValueError as error:
            raise BadRequestProblem(detail=f"body: {error}") from None

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="body: the request body is missing")
        errors = sorted(self._validator.iter_errors(body), key=lambda e: len(e.absolute_path))
        if errors:
            raise BadRequestProblem(detail=explain(errors[0]))
        return None


class ExplainedForm(TypedBody, FormDataValidator):  # type: ignore[misc]
    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not isinstance(body, dict):
            raise BadRequestProblem(detail="body: the form cannot be read")
        errors = sorted(self._validator.iter_errors(body), key=lambda e: len(e.absolute_path))
        if errors:
            raise BadRequestProblem(detail=explain(errors[0], "form"))
        return None


class ExplainedParameters(ParameterValidator):  # type: ignore[misc]
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        name = param_name or param.get("name", "")
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return (
                f"{parameter_type} parameter {name!r} is missing" if param.get("required") else None
            )
        errors = list(parameter_validator(param).iter_errors(value))
        return explain(errors[0], f"{parameter_type} parameter {name}") if errors else None


#: A validator per parameter of the specs, compiled on its first request (connexion built one
#: per parameter per request). Keyed by the parameter's identity; the value keeps it alive.
COMPILED: dict[int, tuple[dict[str, Any], Draft4Validator]] = {}


def parameter_validator(param: dict[str, Any]) -> Draft4Validator:
    found = COMPILED.get(id(param))
    if found is None or found[0] is not param:
        if len(COMPILED) > 1000:  # the specs have far fewer: never let a surprise grow it
            COMPILED.clear()
        schema = copy.deepcopy(param.get("schema", param))
        found = (param, Draft4Validator(schema, format_checker=draft4_format_checker))
        COMPILED[id(param)] = found
    return found[1]


def validator_map() -> dict[str, Any]:
    """connexion's validators, ours for JSON bodies and parameters."""
    validators = dict(VALIDATOR_MAP)
    body = copy.copy(VALIDATOR_MAP["body"])
    body["*/*json"] = ExplainedBody
    body["application/x-www-form-urlencoded"] = ExplainedForm
    validators["body"] = body
    validators["parameter"] = ExplainedParameters
    return validators
