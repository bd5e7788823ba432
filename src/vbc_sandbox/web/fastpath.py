"""Valid requests to the Telephony API's call and device operations, served without
connexion's per-request machinery (five middleware layers, a signature inspection and a
validator built per parameter and per body: most of each operation's time, profiled). The
request is still checked against openapi.yaml: its path and query parameters and its JSON
body by validators compiled once from the spec, its bearer token by the same hook connexion
calls. Whatever this path does not fully accept (a missing or malformed token, a parameter
connexion would coerce differently or refuse, a repeated or empty one, a body that is not
exactly valid JSON of the documented shape) goes on to connexion, the body replayed, so
every 400 and 401 stays connexion's own, in the documented body. With
`--validate-responses` everything goes through connexion, which checks the answers.
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import vbc_spec as spec
from vbc_sandbox import routes
from vbc_sandbox.errors import SandboxError
from vbc_sandbox.json_reading import read_json
from vbc_sandbox.web import connexion_glue, handlers
from vbc_sandbox.web.connexion_glue import parameter_validator
from vbc_sandbox.web.failures import error_answer
from vbc_sandbox.web.limits import replaying
from vbc_spec import API_BASE_PATH

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox

#: The operations served here. Left to connexion: delete_call_leg, whose empty 204 carries
#: connexion's own headers, and the token and control APIs (not the hot paths).
OPERATIONS = (
    "get_call",
    "list_calls",
    "create_call",
    "update_call",
    "delete_call",
    "list_call_legs",
    "get_call_leg",
    "update_call_leg",
    "get_device",
    "list_devices",
)
JSON = "application/json"
INTEGER = re.compile(r"-?\d{1,18}")
log = logging.getLogger("vbc_sandbox")


@attrs.frozen
class Operation:
    handler: Callable[..., Any]
    path: tuple[Parameter, ...]
    query: tuple[Parameter, ...]
    #: Whether a request body (application/json) is valid; None: the operation takes none.
    body: Callable[[Any], bool] | None


@attrs.frozen
class Parameter:
    """A parameter of the spec and its check, compiled once."""

    spec: dict[str, Any]
    valid: Callable[[str | int], bool]

    @classmethod
    def of(cls, param: dict[str, Any]) -> Parameter:
        # jsonschema takes some 20 us a value; the same ids and numbers come back (a
        # dashboard polling its calls), and whether a value is valid never changes.
        check = functools.lru_cache(maxsize=4096)(parameter_validator(param).is_valid)
        return cls(param, check)


def body_check(operation: dict[str, Any]) -> Callable[[Any], bool] | None:
    """The JSON body's check, as connexion's body validator builds it."""
    schema = operation.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema")
    if schema is None:
        return None
    return connexion_glue.body_check(schema)


@functools.cache
def operations() -> dict[str, Operation]:
    # connexion's own $ref resolution: the very schemas its validators check against.
    document = connexion_glue.resolved(spec.load())
    found = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in routes.HTTP_METHODS or operation["operationId"] not in OPERATIONS:
                continue
            params = [
                Parameter.of(param)
                for param in [*item.get("parameters", []), *operation.get("parameters", [])]
            ]
            found[operation["operationId"]] = Operation(
                getattr(handlers, operation["operationId"]),
                tuple(p for p in params if p.spec["in"] == "path"),
                tuple(p for p in params if p.spec["in"] == "query"),
                body_check(operation),
            )
    return found


def coerced(param: dict[str, Any], value: str) -> Any:
    """A query value as connexion coerces it; None where it would not (connexion decides)."""
    kind = param.get("schema", {}).get("type", "string")
    if kind == "integer":
        return int(value) if INTEGER.fullmatch(value) else None
    return value if kind == "string" else None


@attrs.frozen
class Accepted:
    """A request this path serves: its operation, the handler's arguments, its bearer token,
    and the length of the JSON body it declares (0 for none)."""

    operation: Operation
    arguments: dict[str, Any]
    token: str
    body_length: int


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
            return
        if accepted.operation.body is not None:
            messages, body = await read_body(receive, accepted.body_length)
            receive = replaying(messages, receive)
            if body is None or not self.take_body(accepted, body):
                await self.app(scope, receive, send)
                return
        await self.serve(accepted, scope, receive, send)

    def accepted(self, scope: Scope) -> Accepted | None:
        """A request this path may serve (its body still to check); None for connexion."""
        if not scope["path"].startswith(API_BASE_PATH):
            return None
        found = (
            scope["vbc.route"]
            if "vbc.route" in scope
            else routes.match(scope["method"], scope["path"])
        )
        operation = self.operations.get(found.operation or "") if found else None
        if found is None or operation is None:
            return None
        arguments = self.arguments(operation, found.params, scope)
        head = request_head(scope)
        if arguments is None or head is None:
            return None
        token, content_type, length = head
        if operation.body is None:
            acceptable = length == 0
        else:
            acceptable = content_type == JSON and 0 < length <= self.sandbox.settings.max_body_bytes
        return Accepted(operation, arguments, token, length) if acceptable else None

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

    @staticmethod
    def take_body(accepted: Accepted, raw: bytes) -> bool:
        """Add the body to the handler's arguments if it is JSON of the documented shape,
        read as connexion reads it; False: connexion answers."""
        try:
            body = read_json(raw.decode("utf-8"))
        except ValueError:  # not UTF-8 or not JSON
            return False
        assert accepted.operation.body is not None
        if not accepted.operation.body(body):
            return False
        accepted.arguments["body"] = body
        return True

    async def serve(self, accepted: Accepted, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            # The hook connexion's security calls (it also counts the token's quota).
            token_info = handlers.token_info(self.sandbox, accepted.token)
            connexion_glue.enter_request(scope, receive, token_info)
            body, status, headers = await accepted.operation.handler(**accepted.arguments)
        except SandboxError as error:
            await error_answer(error)(scope, receive, send)
            return
        except Exception:
            # As connexion's catch-all handler answers (failures.on_unexpected).
            log.exception("unexpected error")
            await error_answer(SandboxError("Internal server error"))(scope, receive, send)
            return
        # As connexion serializes a handler's reply: JSON, or the text the handler gave.
        content_type = headers.get("Content-Type", JSON)
        payload = orjson.dumps(body) if content_type == JSON else str(body).encode()
        # Freed now, not after the answer's wait for the journal: with the pages of a whole
        # turn's answers held, list_calls measured ~20% slower (more garbage collection).
        del body
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def request_head(scope: Scope) -> tuple[str, str, int] | None:
    """The bearer token (split as connexion splits it), the content type and the declared
    body length (0 without one); None for no token, another scheme, or a body of undeclared
    length (connexion decides those)."""
    token = content_type = length = None
    for name, value in scope["headers"]:
        if name == b"authorization" and token is None:
            parts = value.decode("latin-1").split(maxsplit=1)
            if len(parts) != 2 or parts[0].lower() != "bearer":
                return None
            token = parts[1]
        elif name == b"content-type":
            if content_type is not None:
                return None
            content_type = value.decode("latin-1")
        elif name == b"content-length":
            if length is not None or not value.isdigit():
                return None
            length = int(value)
        elif name == b"transfer-encoding":
            return None
    return None if token is None else (token, content_type or "", length or 0)


async def read_body(receive: Receive, length: int) -> tuple[list[Message], bytes | None]:
    """The messages received and the body they carry; None unless it is exactly `length`
    bytes (more, less or a disconnect: connexion and the body limit answer those)."""
    messages = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        body += message.get("body", b"")
        if len(body) > length:
            return messages, None
        if not message.get("more_body", False):
            return messages, body if len(body) == length else None
