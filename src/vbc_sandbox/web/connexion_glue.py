"""Every use of connexion's internals, each with why: what the sandbox needs of connexion
that its public API (AsyncApp, add_api, add_error_handler, the resolver, `validator_map`,
`connexion.context`) does not give. tests/test_connexion_glue.py fails if the pinned
connexion changes any of it.

- signatures inspected once, not on every request (a patch of two module globals);
- a log line per undeclared query parameter silenced (connexion's module logger);
- the fast path's request context (connexion's private context variables);
- the validators' 400 messages (subclasses overriding private hooks), `messages` wording them;
- the schemas and format checker the fast path validates with, connexion's own.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import connexion.decorators.parameter
import connexion.security
import connexion.utils
from connexion.context import _context, _receive, _scope
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator, resolve_refs
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

from vbc_sandbox.json_reading import read_json
from vbc_sandbox.web.messages import explain

# Why: connexion inspects the handler's and the security hook's signatures on every request
# (a sixth of get_call's time, profiled); a function's signature never changes.
connexion.decorators.parameter.inspect_function_arguments = functools.cache(
    connexion.utils.inspect_function_arguments
)
connexion.security.inspect_function_arguments = (
    connexion.decorators.parameter.inspect_function_arguments
)

# Why: connexion logs as an error each query parameter a handler taking **query does not
# declare, its name in full: a line per name a client makes up, up to a request head's
# 64 KiB. The parameter is ignored, as the spec allows; nothing for the sandbox's log.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)


def enter_request(scope: Scope, receive: Receive, token_info: dict[str, str]) -> None:
    """Set what `connexion.context` and `connexion.request` show a handler, as connexion's
    context middleware and security do (the fast path skips both)."""
    # Why: the fast path calls the handlers connexion would; they read the request where
    # connexion's proxies do, and connexion has no public way to set it.
    _scope.set(scope)
    _receive.set(receive)
    _context.set({"token_info": token_info})


# Why: the 400s say what is wrong in a line (messages.py); connexion's own repeat jsonschema's
# text and the whole value. Its validators have no public hook for the message.


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


def resolved(document: dict[str, Any]) -> dict[str, Any]:
    """A spec with its $refs resolved by connexion's own code: the very schemas its
    validators check against (why: the fast path must accept exactly what connexion does)."""
    found: dict[str, Any] = resolve_refs(document)
    return found


def body_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a JSON body is valid, as connexion's body validator builds the check."""
    validator = Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    check: Callable[[Any], bool] = validator.is_valid
    return check
