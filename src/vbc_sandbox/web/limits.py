"""What the sandbox reads of a request, at most: a body of `max_body_bytes` (a larger one is
refused with 413 before it is read, or as soon as it passes the limit), and JSON whose
nesting, numbers and strings it can hold; and how: as its media type says, whichever way
that is spelled. Bad input gets a clear 4xx, never a 5xx."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from vbc_sandbox.errors import documented_body
from vbc_sandbox.media_types import canonicalize_content_type

if TYPE_CHECKING:  # the plugin imports this module (read_json) where the sandbox's extra is missing
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


#: How a JSON text spells a UTF-16 surrogate, the one way JSON decoded from valid UTF-8 can
#: hold a string that is not valid Unicode (a lone one).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class NotANumber(ValueError):
    """A number JSON cannot hold: NaN and the infinities (which Python's parser takes), or
    one too large for a float (which it reads as an infinity)."""


def no_constant(name: str) -> float:
    raise NotANumber(f"{name}, which is not a JSON number")


def finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotANumber(f"a number too large to use: {text[:20]}")
    return value


#: Built once: json.loads with these hooks would build a decoder per call.
DECODER = json.JSONDecoder(parse_constant=no_constant, parse_float=finite_float)


def read_json(text: str, what: str = "the body") -> Any:
    """The JSON of a request body (or of what `what` names, for the messages), or
    ValueError saying in a sentence why it cannot be used."""
    try:
        value = DECODER.decode(text)
    except NotANumber as error:
        raise ValueError(f"{what} holds {error}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not JSON: {error.msg} at character {error.pos}") from None
    except ValueError:  # an integer of thousands of digits
        raise ValueError(f"{what} holds a number with too many digits") from None
    if SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{what} holds a string that is not valid Unicode") from None
        except RecursionError:
            raise ValueError(f"{what} is nested too deeply") from None
    return value


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives the messages already read again, then reads on."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class BodyLimit:
    """ASGI layer: reads a request body up to the limit, then replays it to the app (its
    Content-Type in canonical form); a larger one is answered 413 without reading the rest."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        canonicalize_content_type(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self.refuse(send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: let the app see it
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await self.refuse(send)
                return
        whole: Message = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, replaying([whole], receive), send)

    async def refuse(self, send: Send) -> None:
        body = json.dumps(
            documented_body(
                413, f"The request body is larger than {self.max_body_bytes} bytes; not read"
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
