"""What the sandbox reads of a request, at most: a body of `max_body_bytes` (a larger one is
refused with 413 before it is read, or as soon as it passes the limit); and how: as its
media type says, whichever way that is spelled (the JSON in it as `json_reading` reads
it). Bad input gets a clear 4xx, never a 5xx."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from vbc_sandbox import routes
from vbc_sandbox.errors import documented_body, vis_body
from vbc_sandbox.media_types import canonicalize_content_type

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


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
            await self.refuse(scope, send)
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
                await self.refuse(scope, send)
                return
        if not declared:
            # A chunked body, now whole: connexion reads a missing length as no body at all.
            scope["headers"] = [*scope["headers"], (b"content-length", str(len(body)).encode())]
        whole: Message = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, replaying([whole], receive), send)

    async def refuse(self, scope: Scope, send: Send) -> None:
        # In the body of the API the path is under: VIS's errors have a shape of their own.
        shape = vis_body if routes.is_vis(scope["path"]) else documented_body
        message = f"The request body is larger than {self.max_body_bytes} bytes; not read"
        body = json.dumps(shape(413, message)).encode()
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
