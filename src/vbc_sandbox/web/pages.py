"""The sandbox's pages: `/` (links), `/docs` (the API reference of the very openapi.yaml it
serves, Swagger UI shipped in the wheel), and `/console`, where a developer sees the account's
phones and calls change live and acts on them.

The console's page only reads here: a snapshot of the account (its phones, its calls with
their legs) streamed as server-sent events whenever it changes. Every action it takes is a
request to the API itself (or to the inbound-call control endpoint), with the user's token.

Every page answer says that only the sandbox's own files may run in it and that no other
site may frame it; an error is a 4xx in the documented `{code, message}` body.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from vbc_sandbox.errors import BadRequest, SandboxError, documented_body
from vbc_sandbox.json_reading import read_json
from vbc_sandbox.phone.dialects import status_of
from vbc_sandbox.phone.pbx import PSTN_NUMBER
from vbc_sandbox.storage.store import Row, digest
from vbc_sandbox.web.failures import error_answer
from vbc_sandbox.web.feeds import Drawing, Feed, Feeds
from vbc_spec import API_BASE_PATH
from vbc_telephony._watching import Follower

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox

#: The times at which a leg changes by itself (it answers; it ends busy or unanswered).
CHANGING = ("answer_at", "outcome_at")
CONSOLE = files("vbc_sandbox.web") / "console"
DOCS = Path(str(files("vbc_sandbox.web") / "docs"))
#: The Swagger UI files the reference page loads (`make docs` copies the same).
SWAGGER_UI_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
#: What /docs/NAME serves: the page's own files and those.
DOCS_FILES = {
    "": DOCS / "index.html",
    "docs.js": DOCS / "docs.js",
    **{name: Path(swagger_ui_path) / name for name in SWAGGER_UI_FILES},
}
#: Only the sandbox's own files run in its pages (no inline script, nothing from elsewhere),
#: and no other site may frame them (clickjacking the console's buttons).
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        b" connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self';"
        b" frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]

HOME = """<!doctype html><html lang="en"><meta charset="utf-8"><title>vbc-sandbox</title>
<link rel="stylesheet" href="/console/console.css">
<main>
<h1>vbc-sandbox</h1>
<p>A stateful sandbox of the VBC Telephony API v3.</p>
<ul>
<li><a href="/console/">Console</a>: the account's phones and calls, live</li>
<li><a href="/docs">API reference</a>: try every operation against this sandbox</li>
<li>API base: <code>{api}</code>; token endpoint: <code>/token</code></li>
</ul></main></html>"""


def bearer(request: Request) -> str:
    """The request's bearer token. Only from the header: a token in a URL would end up in
    access logs."""
    header = request.headers.get("authorization", "")
    return header[7:] if header.lower().startswith("bearer ") else ""


def account_of(request: Request) -> tuple[Sandbox, str]:
    """The sandbox and the account the request's bearer token reaches."""
    sandbox: Sandbox = request.scope["vbc.sandbox"]
    return sandbox, sandbox.authority.account_of(bearer(request))


def phones(sandbox: Sandbox, account: str) -> list[dict[str, Any]]:
    """The account's extensions, with the user and the desk phone on each."""
    return [
        {"extension": ext, "user": user, "device": device}
        for ext, (user, device) in sandbox.store.extensions(account).items()
    ]


def snapshot(sandbox: Sandbox, account: str) -> dict[str, Any]:
    return drawing(sandbox, account)[0]


def drawing(sandbox: Sandbox, account: str) -> tuple[dict[str, Any], float]:
    """What the console draws: phones, and live calls with each leg's state (held included,
    which the API does not show) and the call's latest VIS deliveries; and the time at which
    that changes by itself (a leg answers or ends, a call's linger ends), math.inf if not
    before someone acts."""
    now = sandbox.clock.now()
    pbx = sandbox.pbx
    pbx.catch_up(sandbox.store.due_calls(now), now)  # a transfer by the clock, say
    calls = []
    changes = []
    for call in sandbox.store.active_calls_now(account, now):
        legs = pbx.live_legs(call["call_id"])
        statuses = [pbx.leg_status(leg, now) for leg in legs]
        changes += changing(call, legs)
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
    deliveries = deliveries_by_call(sandbox, account)
    for shown in calls:
        shown["deliveries"] = deliveries.get(shown["call_id"], [])
    drawn = {"account_id": account, "phones": phones(sandbox, account), "calls": calls}
    return drawn, soonest(changes, now)


#: VIS deliveries the console reads per account, and shows per call, at most (newest).
CONSOLE_DELIVERIES = 200
DELIVERIES_PER_CALL = 10


def deliveries_by_call(sandbox: Sandbox, account: str) -> dict[str, list[dict[str, Any]]]:
    """The account's latest VIS deliveries by call, newest first: the event's state, the
    delivery's state, its attempt and the last attempt's outcome."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in reversed(sandbox.store.deliveries({"account_id": account}, CONSOLE_DELIVERIES)):
        shown = found.setdefault(row["call_id"], [])
        if len(shown) < DELIVERIES_PER_CALL:
            shown.append(
                {
                    "event": json.loads(row["event"]).get("state"),
                    "state": row["state"],
                    "attempt": row["attempt"],
                    "outcome": row["outcome"],
                }
            )
    return found


def changing(call: Row, legs: list[Row]) -> list[float | None]:
    """When what a call shows changes by itself: it ends (a linger, a hang-up to come), a
    scripted action falls due (a transfer by the clock), a leg answers or ends."""
    return [call["ends_at"], call["due_at"], *(leg[at] for leg in legs for at in CHANGING)]


def soonest(changes: list[float | None], now: float) -> float:
    return min((at for at in changes if at is not None and at > now), default=math.inf)


def watching(follower: Follower) -> Drawing:
    """A watch feed's drawing: the events since its last look, as `calls.watch()` reports
    them (the SDK's own diff, on the account's calls as the API shows them, seen whole)."""

    def draw(sandbox: Sandbox, account: str) -> tuple[list[dict[str, Any]], float]:
        now = sandbox.clock.now()
        pbx = sandbox.pbx
        pbx.catch_up(sandbox.store.due_calls(now), now)
        calls, changes = [], []
        for call in sandbox.store.active_calls_now(account, now):
            legs = pbx.live_legs(call["call_id"])
            calls.append(pbx.call_json(call, legs, now))
            changes += changing(call, legs)
        events = follower.whole(calls, datetime.now(UTC))
        return [event.to_dict() for event in events], soonest(changes, now)

    return draw


def opened(request: Request, sandbox: Sandbox, account: str, draw: Drawing) -> Feed:
    """A feed for the request's token, counted against its cap (TooManyFeeds past it)."""
    feeds: Feeds = request.scope["vbc.feeds"]
    key = digest(bearer(request))
    feeds.admit(key)
    return Feed(sandbox, feeds, key, account, draw)


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(HOME.format(api=API_BASE_PATH))


async def console(request: Request) -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


async def docs(request: Request) -> FileResponse:
    found = DOCS_FILES.get(request.path_params.get("name", ""))
    if found is None:
        raise HTTPException(404)
    return FileResponse(found)


async def state(request: Request) -> JSONResponse:
    sandbox, account = account_of(request)
    return JSONResponse(snapshot(sandbox, account))


async def inbound(request: Request) -> JSONResponse:
    """The console's "an outside caller rings" button, for the signed-in account only (the
    control API's inbound-calls needs the admin token, which a page never holds)."""
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


async def events(request: Request) -> Response:
    sandbox, account = account_of(request)
    if request.method == "HEAD":
        return Response(media_type=Feed.media_type, headers={"Cache-Control": "no-store"})
    return opened(request, sandbox, account, drawing)


async def watch_events(request: Request) -> Response:
    """Each call's events as `calls.watch()` reports them: a list of them per server-sent
    event, the first with every call in progress (a feed like /events: capped per token,
    ended with its token)."""
    sandbox, account = account_of(request)
    if request.method == "HEAD":
        return Response(media_type=Feed.media_type, headers={"Cache-Control": "no-store"})
    return opened(request, sandbox, account, watching(Follower(account, None)))


async def on_http_error(_request: Request, error: Exception) -> JSONResponse:
    """Starlette's own refusals (no such file, a method a page does not take)."""
    assert isinstance(error, HTTPException)
    return JSONResponse(
        documented_body(error.status_code, error.detail), error.status_code, error.headers
    )


async def on_sandbox_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SandboxError)
    return error_answer(error)


class SecurityHeaders:
    """ASGI layer: adds SECURITY_HEADERS to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, sending)


PAGES = Starlette(
    routes=[
        Route("/", home),
        Route("/docs", docs),
        Route("/docs/{name:path}", docs),
        # Its own mount: a method an endpoint does not take gets its own Allow, and an
        # unknown name a 404, not the page files' answers.
        Mount(
            "/console/api",
            routes=[
                Route("/state", state),
                Route("/events", events),
                Route("/watch", watch_events),
                Route("/inbound-calls", inbound, methods=["POST"]),
            ],
        ),
        Route("/console", console),
        Mount("/console", StaticFiles(directory=str(CONSOLE), html=True)),
    ],
    middleware=[Middleware(SecurityHeaders)],
    exception_handlers={HTTPException: on_http_error, SandboxError: on_sandbox_error},
)
PAGE_PATHS = ("/console", "/docs")


def is_page(path: str) -> bool:
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGE_PATHS)
