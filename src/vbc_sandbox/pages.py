"""The sandbox's pages: `/` (links), `/docs` (the API reference of the very openapi.yaml it
serves, Swagger UI shipped in the wheel), and `/console`, where a developer sees the account's
phones and calls change live and acts on them.

The console's page only reads here: a snapshot of the account (its phones, its calls with
their legs) streamed as server-sent events whenever it changes. Every action it takes is a
request to the API itself (or to the inbound-call control endpoint), with the user's token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from vbc_sandbox.dialects import status_of
from vbc_sandbox.errors import BadRequest, SandboxError
from vbc_sandbox.limits import read_json
from vbc_sandbox.pbx import PSTN_NUMBER
from vbc_spec import API_BASE_PATH
from vbc_telephony._watching import Follower

if TYPE_CHECKING:
    from vbc_sandbox.app import Sandbox

#: How often the live feed looks for a change: well within the 500 ms a page should show it.
FEED_INTERVAL = 0.2
CONSOLE = files("vbc_sandbox") / "console"

HOME = """<!doctype html><html lang="en"><meta charset="utf-8"><title>vbc-sandbox</title>
<style>body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:40rem}</style>
<h1>vbc-sandbox</h1>
<p>A stateful sandbox of the VBC Telephony API v3.</p>
<ul>
<li><a href="/console/">Console</a>: the account's phones and calls, live</li>
<li><a href="/docs">API reference</a>: try every operation against this sandbox</li>
<li>API base: <code>{api}</code>; token endpoint: <code>/token</code></li>
</ul></html>"""


def account_of(request: Request) -> tuple[Sandbox, str]:
    """The sandbox and the account the request's bearer token reaches. Only from the header:
    a token in a URL would end up in access logs."""
    sandbox: Sandbox = request.scope["vbc.sandbox"]
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    return sandbox, sandbox.authority.account_of(token)


def phones(sandbox: Sandbox, account: str) -> list[dict[str, Any]]:
    """The account's extensions, with the user and the desk phone on each."""
    return [
        {"extension": ext, "user": user, "device": device}
        for ext, (user, device) in sandbox.store.extensions(account).items()
    ]


def snapshot(sandbox: Sandbox, account: str) -> dict[str, Any]:
    """What the console draws: phones, and live calls with each leg's state (held included,
    which the API does not show)."""
    now = sandbox.clock.now()
    pbx = sandbox.pbx
    pbx.catch_up(sandbox.store.due_calls(now), now)  # a transfer by the clock, say
    calls = []
    for call in sandbox.store.active_calls_now(account, now):
        legs = pbx.live_legs(call["call_id"])
        statuses = [pbx.leg_status(leg, now) for leg in legs]
        calls.append(
            {
                "call_id": call["call_id"],
                "direction": call["direction"],
                "from": call["from_number"],
                "to": call["to_number"],
                "start_time": call["start_time"],
                "parked": bool(call["parked"]),
                "status": status_of(statuses),
                "legs": [
                    {
                        "leg_id": leg["leg_id"],
                        "from": leg["from_number"],
                        "to": leg["to_number"],
                        "status": status,
                        "held": bool(leg["held"]),
                        "answered_at": leg["answer_at"] if status == "on-call" else None,
                    }
                    for leg, status in zip(legs, statuses, strict=True)
                ],
            }
        )
    return {"account_id": account, "phones": phones(sandbox, account), "calls": calls}


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(HOME.format(api=API_BASE_PATH))


async def docs(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{API_BASE_PATH}/ui/", status_code=307)


async def state(request: Request) -> JSONResponse:
    try:
        sandbox, account = account_of(request)
    except SandboxError as error:
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(snapshot(sandbox, account))


async def inbound(request: Request) -> JSONResponse:
    """The console's "an outside caller rings" button, for the signed-in account only (the
    control API's inbound-calls needs the admin token, which a page never holds)."""
    try:
        sandbox, account = account_of(request)
        try:
            body = read_json((await request.body()).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest(f"The request cannot be read: {error}") from None
        caller, extension = (body.get("from"), body.get("to")) if isinstance(body, dict) else (0, 0)
        if not isinstance(caller, str) or not PSTN_NUMBER.fullmatch(caller):
            raise BadRequest("body: 'from' must be a phone number of 3 to 20 digits")
        if not isinstance(extension, str) or not 0 < len(extension) <= 32:
            raise BadRequest("body: 'to' must be an extension of this account")
        return JSONResponse(sandbox.pbx.inbound(account, caller, extension), status_code=201)
    except SandboxError as error:
        return JSONResponse(error.body(), status_code=error.status)


async def events(request: Request) -> StreamingResponse | JSONResponse:
    try:
        sandbox, account = account_of(request)
    except SandboxError as error:
        return JSONResponse(error.body(), status_code=error.status)

    async def feed() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            current = json.dumps(snapshot(sandbox, account), sort_keys=True)
            if current != last:
                last = current
                yield f"data: {current}\n\n"
            await asyncio.sleep(FEED_INTERVAL)

    return StreamingResponse(
        feed(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def api_calls(sandbox: Sandbox, account: str) -> list[dict[str, Any]]:
    """The account's active calls as the API shows them, in the sandbox's dialect."""
    now = sandbox.clock.now()
    pbx = sandbox.pbx
    pbx.catch_up(sandbox.store.due_calls(now), now)
    return [
        pbx.call_json(call, pbx.live_legs(call["call_id"]), now)
        for call in sandbox.store.active_calls_now(account, now)
    ]


async def watch_events(request: Request) -> StreamingResponse | JSONResponse:
    """Each call's events as `calls.watch()` reports them (the SDK's own diff, on the
    sandbox's state seen whole), one server-sent event each."""
    try:
        sandbox, account = account_of(request)
    except SandboxError as error:
        return JSONResponse(error.body(), status_code=error.status)

    async def feed() -> AsyncIterator[str]:
        follower = Follower(account, None)
        while not await request.is_disconnected():
            for event in follower.whole(api_calls(sandbox, account), datetime.now(UTC)):
                yield f"data: {json.dumps(event.to_dict())}\n\n"
            await asyncio.sleep(FEED_INTERVAL)

    return StreamingResponse(
        feed(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


ROUTER = Router(
    routes=[
        Route("/", home),
        Route("/docs", docs),
        Route("/console/api/state", state),
        Route("/console/api/events", events),
        Route("/console/api/watch", watch_events),
        Route("/console/api/inbound-calls", inbound, methods=["POST"]),
        Mount("/console", StaticFiles(directory=str(CONSOLE), html=True)),
    ]
)
PAGE_PATHS = ("/console", "/docs")


def is_page(path: str) -> bool:
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGE_PATHS)
