"""The test kit's layer in front of the API: faults a test asked for, injected into the next
requests of an operation, and the request journal (what was asked of the sandbox, per
account, with the status it got and the call it touched). Secrets never enter the journal:
no header is kept, and a body and a query only as `redaction` shows them."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vbc_sandbox import routes
from vbc_sandbox.errors import BadRequest, documented_body
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.redaction import BODY_KEPT, shown_body, shown_query
from vbc_sandbox.storage.engines import StoreUnavailable
from vbc_sandbox.storage.store import Store

#: Entries kept at most; older ones are dropped as new ones come.
JOURNAL_LIMIT = 10_000
#: Characters kept of a path, a query or another text of a request (its head may be 64 KiB;
#: a body is kept as `redaction` shows it, within a few times BODY_KEPT).
TEXT_KEPT = 1024
#: Characters of the entries' texts one listing holds at most, the most recent first.
LISTING_TEXT = 16 * 1024 * 1024
FAULTS = ("429", "503", "drop")
#: Fault entries queued at most, so a runaway script cannot fill the store.
MAX_FAULTS = 100


def stored(entry: dict[str, Any], at: float) -> dict[str, Any]:
    """An entry as the store keeps it: the body as JSON text; a NUL (in a path, a query, an
    id) as its escape, which PostgreSQL text can hold; each text within its bound."""
    return {
        "at": at,
        "body": json.dumps(entry["body"]),
        **{
            name: value[:TEXT_KEPT].replace("\x00", "\\x00") if isinstance(value, str) else value
            for name, value in entry.items()
            if name != "body"
        },
    }


class Faults:
    """The queue of faults to inject, in the store so every worker takes from the same one."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, operation: str, fault: str, times: int, retry_after: int) -> None:
        if operation not in routes.api_operations():
            # The control API's requests pass the test kit's layer by: a fault queued for
            # one would never fire, yet count toward the cap.
            raise BadRequest(
                f"no operation {operation!r} of the Telephony, VIS or token API; faults go to"
                f" {', '.join(routes.api_operations())}"
            )
        with self.store.transaction():
            if self.store.fault_count() >= MAX_FAULTS:
                raise BadRequest(f"at most {MAX_FAULTS} faults may be queued")
            self.store.add_fault(operation, fault, times, retry_after)

    def pending(self) -> list[dict[str, Any]]:
        return [
            {
                "operation": row["operation"],
                "fault": row["fault"],
                "times": row["remaining"],
                "retry_after": row["retry_after"],
            }
            for row in self.store.faults()
        ]

    def take(self, operation: str) -> tuple[str, int] | None:
        row = self.store.take_fault(operation)
        return (str(row["fault"]), int(row["retry_after"])) if row else None


#: A worker drops the entries beyond JOURNAL_LIMIT after every this many of its own.
TRIM_EVERY = 100
#: An entry waiting for its batch's commit, and what its request awaits.
Pending = tuple[dict[str, Any], "asyncio.Future[None]"]


class Journal:
    """The entries of the requests answered in one event-loop turn are written together,
    in one commit (a commit costs several inserts), stamped with one reading of the clock.
    Each answer is held until its entry is committed, so a request is in the journal, on
    every worker, before its client has the answer."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.batches: dict[asyncio.AbstractEventLoop, list[Pending]] = {}
        self.untrimmed = 0

    async def record(self, entry: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        batch = self.batches.get(loop)
        if batch is None:
            batch = self.batches[loop] = []
            loop.call_soon(self.commit, loop)
        written = loop.create_future()
        batch.append((entry, written))
        await written

    def commit(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self.batches.pop(loop)
        try:
            at = self.clock.now()
            self.store.add_journal_entries([stored(entry, at) for entry, _ in batch])
            self.untrimmed += len(batch)
            if self.untrimmed >= TRIM_EVERY:
                self.untrimmed = 0
                self.store.trim_journal(JOURNAL_LIMIT)
        except Exception as error:  # for each request's own task to handle
            outcome: BaseException | None = error
        else:
            outcome = None
        for _, written in batch:
            if written.done():
                continue
            if outcome is None:
                written.set_result(None)
            else:
                written.set_exception(outcome)

    def entries(
        self,
        *,
        account_id: str | None = None,
        operation: str | None = None,
        call_id: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        filters = {"account_id": account_id, "operation": operation, "call_id": call_id}
        return [
            {
                "at": row["at"],
                "account_id": row["account_id"],
                "operation": row["operation"],
                "method": row["method"],
                "path": row["path"],
                "query": row["query"],
                "body": json.loads(row["body"]),
                "status": row["status"],
                "call_id": row["call_id"],
            }
            for row in self.store.journal(filters, limit, LISTING_TEXT)
        ]


class TestKitLayer:
    """Injects queued faults and journals every request to the API and the token endpoint."""

    def __init__(self, app: ASGIApp, faults: Faults, journal: Journal | None) -> None:
        self.app = app
        self.faults = faults
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(routes.CONTROL_BASE_PATH + "/"):
            await self.app(scope, receive, send)
            return
        found = routes.match(scope["method"], scope["path"])
        scope["vbc.route"] = found  # for the fast path, so it need not match again
        operation = found.operation if found else None
        params = found.params if found else {}
        touched: dict[str, str] = scope.setdefault("vbc.touched", {})
        received = bytearray()
        size = 0
        status = 0
        kept = self.journal is None

        async def receiving() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                if len(received) < BODY_KEPT:
                    received.extend(chunk[: BODY_KEPT - len(received)])
            return message

        async def sending(message: Message) -> None:
            nonlocal status, kept
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif not kept and not message.get("more_body", False):
                kept = True
                await self.keep(scope, status, bytes(received), size, operation, params, touched)
            await send(message)

        fault = self.faults.take(operation) if operation else None
        try:
            if fault is not None:
                status = await inject(fault, scope, receive, sending)
            else:
                await self.app(scope, receiving, sending)
        finally:
            if not kept:  # no answer (a dropped connection, an error): journaled all the same
                await self.keep(scope, status, bytes(received), size, operation, params, touched)

    async def keep(
        self,
        scope: Scope,
        status: int,
        received: bytes,
        size: int,
        operation: str | None,
        params: dict[str, str],
        touched: dict[str, str],
    ) -> None:
        """Journal a request, unless the database is gone (its answer, a 503, is sent)."""
        assert self.journal is not None
        content_type = dict(scope.get("headers", [])).get(b"content-type")
        path = scope["path"]
        with contextlib.suppress(StoreUnavailable):
            await self.journal.record(
                {
                    "account_id": touched.get("account_id", params.get("account_id")),
                    "operation": operation,
                    "method": scope["method"],
                    "path": path,
                    "query": shown_query(scope.get("query_string", b"").decode("latin-1"), path),
                    "body": shown_body(
                        received,
                        size,
                        None if content_type is None else content_type.decode("latin-1"),
                        path,
                    ),
                    "status": status,
                    "call_id": touched.get("call_id", params.get("call_id")),
                }
            )


async def inject(fault: tuple[str, int], scope: Scope, receive: Receive, send: Send) -> int:
    """Answer with the fault instead of the sandbox; 0 for a dropped connection."""
    kind, retry_after = fault
    if kind == "drop":
        abort = scope.get("extensions", {}).get("vbc.abort")
        if abort is None:
            # In process (httpx's ASGI transport) there is no connection: fail as one would.
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        abort()
        # Let the server see the connection lost, so it does not try to answer on it.
        for _ in range(3):
            await asyncio.sleep(0)
        return 0
    status = int(kind)
    if scope["path"] in routes.TOKEN_PATHS:
        body = {"error": "temporarily_unavailable", "error_description": "Injected by the sandbox"}
    else:
        body = documented_body(status, f"Injected by the sandbox ({status})")
    headers = [(b"content-type", b"application/json")]
    if status == 429 or retry_after:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
    return status
