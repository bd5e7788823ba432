"""connexion's request validators, with the messages of `messages` in their 400s."""

from __future__ import annotations

import copy
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from connexion.validators.parameter import draft4_format_checker, is_null, is_nullable
from jsonschema import Draft4Validator

from vbc_sandbox.messages import explain


class ExplainedBody(JSONRequestBodyValidator):  # type: ignore[misc]
    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="body: the request body is missing")
        errors = sorted(self._validator.iter_errors(body), key=lambda e: len(e.absolute_path))
        if errors:
            raise BadRequestProblem(detail=explain(errors[0]))
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
        schema = copy.deepcopy(param.get("schema", param))
        errors = list(
            Draft4Validator(schema, format_checker=draft4_format_checker).iter_errors(value)
        )
        return explain(errors[0], f"{parameter_type} parameter {name}") if errors else None


def validator_map() -> dict[str, Any]:
    """connexion's validators, ours for JSON bodies and parameters."""
    validators = dict(VALIDATOR_MAP)
    body = copy.copy(VALIDATOR_MAP["body"])
    body["*/*json"] = ExplainedBody
    validators["body"] = body
    validators["parameter"] = ExplainedParameters
    return validators
