"""Valid requests to the read operations, served without connexion's per-request machinery
(five middleware layers, a signature inspection and a validator built per parameter: most of
get_call's time, profiled). The request is still checked against openapi.yaml: its path and
query parameters by validators compiled once from the spec, its bearer token by the same
hook connexion calls. Whatever this path does not fully accept (a missing or malformed
token, a parameter connexion would coerce differently or refuse, a repeated or empty one)
goes on to connexion, so every 400 and 401 stays connexion's own, in the documented body.
With `--validate-responses` everything goes through connexion, which checks the answers.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import attrs
import orjson
from connexion.context import _context, _receive, _scope
from starlette.types import ASGIApp, Receive, Scope, Send

import vbc_spec as spec
from vbc_sandbox import handlers, routes
from vbc_sandbox.errors import SandboxError, error_answer
from vbc_sandbox.validation import parameter_validator
from vbc_spec import API_BASE_PATH

if TYPE_CHECKING:
    from vbc_sandbox.app import Sandbox

#: The operations served here: reads, whose handlers change nothing a retry would repeat.
OPERATIONS = (
    "get_call",
    "list_calls",
    "list_call_legs",
    "get_call_leg",
    "get_device",
    "list_devices",
)
INTEGER = re.compile(r"-?\d{1,18}")
JSON_HEADERS = [(b"content-type", b"application/json")]
log = logging.getLogger("vbc_sandbox")


@attrs.frozen
class Operation:
    handler: Callable[..., Any]
    path: tuple[Parameter, ...]
    query: tuple[Parameter, ...]


@attrs.frozen
class Parameter:
    """A parameter of the spec (its schema's $ref followed) and its check, compiled once."""

    spec: dict[str, Any]
    valid: Callable[[str | int], bool]

    @classmethod
    def of(cls, param: dict[str, Any]) -> Parameter:
        # jsonschema takes some 20 us a value; the same ids and numbers come back (a
        # dashboard polling its calls), and whether a value is valid never changes.
        check = functools.lru_cache(maxsize=4096)(parameter_validator(param).is_valid)
        return cls(param, check)


def operations() -> dict[str, Operation]:
    document = spec.load()
    found = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method != "get" or operation.get("operationId") not in OPERATIONS:
                continue
            params = []
            for node in [*item.get("parameters", []), *operation.get("parameters", [])]:
                param = spec.resolve(document, node)
                resolved = {**param, "schema": spec.resolve(document, param["schema"])}
                params.append(Parameter.of(resolved))
            found[operation["operationId"]] = Operation(
                getattr(handlers, operation["operationId"]),
                tuple(p for p in params if p.spec["in"] == "path"),
                tuple(p for p in params if p.spec["in"] == "query"),
            )
    return found


def coerced(param: dict[str, Any], value: str) -> Any:
    """A query value as connexion coerces it; None where it would not (connexion decides)."""
    kind = param.get("schema", {}).get("type", "string")
    if kind == "integer":
        return int(value) if INTEGER.fullmatch(value) else None
    return value if kind == "string" else None


class FastPath:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox
        self.operations = operations()
        self.enabled = not sandbox.settings.validate_responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = self.accepted(scope) if self.enabled and scope["type"] == "http" else None
        if accepted is None:
            await self.app(scope, receive, send)
        else:
            await self.serve(*accepted, scope, receive, send)

    def accepted(self, scope: Scope) -> tuple[Operation, dict[str, Any], str] | None:
        """The operation, its handler's arguments and the bearer token of a request this
        path serves; None for connexion to answer."""
        if scope["method"] != "GET" or not scope["path"].startswith(API_BASE_PATH):
            return None
        found = scope["vbc.route"] if "vbc.route" in scope else routes.match("GET", scope["path"])
        operation = self.operations.get(found.operation or "") if found else None
        if found is None or operation is None:
            return None
        arguments = self.arguments(operation, found.params, scope)
        token = bearer(scope)
        return None if arguments is None or token is None else (operation, arguments, token)

    @staticmethod
    def arguments(
        operation: Operation, path_params: dict[str, str], scope: Scope
    ) -> dict[str, Any] | None:
        """The handler's arguments, validated as connexion validates them; None: let
        connexion answer."""
        arguments: dict[str, Any] = {}
        for param in operation.path:
            value = path_params.get(param.spec["name"])
            if value is None or not param.valid(value):
                return None
            arguments[param.spec["name"]] = value
        query: dict[str, str] = {}
        for name, value in parse_qsl(
            scope["query_string"].decode("latin-1"), keep_blank_values=True
        ):
            if name in query or not value:
                return None
            query[name] = value
        for param in operation.query:
            name = param.spec["name"]
            if name in query:
                value = coerced(param.spec, query[name])
                if value is None or not param.valid(value):
                    return None
                arguments[name] = value
            elif "default" in param.spec["schema"]:
                arguments[name] = param.spec["schema"]["default"]
            elif param.spec.get("required"):
                return None
        return arguments

    async def serve(
        self,
        operation: Operation,
        arguments: dict[str, Any],
        token: str,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        _scope.set(scope)
        _receive.set(receive)
        try:
            # The hook connexion's security calls (it also counts the token's quota).
            _context.set({"token_info": handlers.token_info(self.sandbox, token)})
            body, status, _headers = await operation.handler(**arguments)
        except SandboxError as error:
            await error_answer(error)(scope, receive, send)
            return
        except Exception:
            # As connexion's catch-all handler answers (app.on_unexpected).
            log.exception("unexpected error")
            await error_answer(SandboxError("Internal server error"))(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": JSON_HEADERS})
        await send({"type": "http.response.body", "body": orjson.dumps(body)})


def bearer(scope: Scope) -> str | None:
    """The bearer token, split as connexion splits it; None for no token, another scheme, or
    a request with a body (connexion decides those)."""
    token = None
    for name, value in scope["headers"]:
        if name == b"authorization" and token is None:
            parts = value.decode("latin-1").split(maxsplit=1)
            if len(parts) != 2 or parts[0].lower() != "bearer":
                return None
            token = parts[1]
        elif name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return None
    return token
