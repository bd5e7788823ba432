"""Test-only: the real sandbox behind an ASGI layer that injects one fault, or records every
request it forwards, or gzips its answers. Started like vbc-sandbox (same flags) plus
--fault, --record and --gzip."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode

import uvicorn
from starlette.types import Message, Receive, Scope, Send

from vbc_sandbox.cli import parser as sandbox_parser
from vbc_sandbox.cli import settings_from
from vbc_sandbox.testkit.sandbox_app import create_app

API = "/t/vbc.prod/telephony/v3"
CALL = {
    "account_id": 1234,
    "call_id": "",
    "direction": "outbound",
    "from": 1001,
    "to": 1002,
    "start_time": 1595959736,
    "status": "on-call",
}


class Exchange:
    """One request and the sandbox's response, which a fault may rewrite."""

    def __init__(self, scope: Scope, body: bytes) -> None:
        self.method: str = scope["method"]
        self.path: str = scope["path"].removeprefix(API)
        self.query: str = scope["query_string"].decode()
        self.request_body = body
        self.owner = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, value: Any, status: int | None = None) -> None:
        self.body = json.dumps(value).encode()
        self.status = status or self.status
        self.set_header(b"content-type", b"application/json")

    def set_header(self, name: bytes, value: bytes) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name] + [(name, value)]

    def is_op(self, method: str, pattern: str) -> bool:
        parts, wanted = self.path.strip("/").split("/"), pattern.strip("/").split("/")
        return (
            self.method == method
            and len(parts) == len(wanted)
            and all(w.startswith("{") or w == p for p, w in zip(parts, wanted, strict=True))
        )


def calls_in(exchange: Exchange) -> list[dict[str, Any]]:
    if exchange.status != 200:
        return []
    if exchange.is_op("GET", "/cc/accounts/{a}/calls/{c}"):
        return [exchange.json()]
    if exchange.is_op("GET", "/cc/accounts/{a}/calls"):
        return list(exchange.json()["calls"])
    return []


def rewrite_calls(exchange: Exchange, change: Callable[[dict[str, Any]], None]) -> None:
    if not calls_in(exchange):
        return
    data = exchange.json()
    for call in data["calls"] if "calls" in data else [data]:
        change(call)
    exchange.set_json(data)


def legs_in(call: dict[str, Any]) -> list[dict[str, Any]]:
    """A call's legs in either dialect (documented `legs`, observed `leg_map`)."""
    return list(call.get("legs") or []) + list((call.get("leg_map") or {}).values())


def rewrite_legs(exchange: Exchange, change: Callable[[dict[str, Any]], None]) -> None:
    """Change every leg an answer carries: in its calls, in a list of legs, or a leg alone."""
    if exchange.status != 200:
        return
    if exchange.is_op("GET", "/cc/accounts/{a}/calls/{c}/legs"):
        legs = exchange.json()
        for leg in legs:
            change(leg)
        exchange.set_json(legs)
    elif exchange.is_op("GET", "/cc/accounts/{a}/calls/{c}/legs/{l}"):
        leg = exchange.json()
        change(leg)
        exchange.set_json(leg)
    else:
        rewrite_calls(exchange, lambda call: [change(leg) for leg in legs_in(call)])


def call_status_dropped(exchange: Exchange) -> None:
    """Calls lose a field every known form carries (a board colours calls by it)."""
    rewrite_calls(exchange, lambda call: call.pop("status"))


def leg_status_dropped(exchange: Exchange) -> None:
    """Legs, wherever they appear, lose a field every known form carries."""
    rewrite_legs(exchange, lambda leg: leg.pop("status"))


def undocumented_enum(exchange: Exchange) -> None:
    rewrite_calls(exchange, lambda call: call.update(status="sleeping"))


def wrong_type(exchange: Exchange) -> None:
    rewrite_calls(exchange, lambda call: call.update(start_time=True))


def hide_a_leg(call: dict[str, Any]) -> None:
    if len(call.get("legs") or []) > 1:
        call["legs"].pop()
    elif len(call.get("leg_map") or {}) > 1:
        call["leg_map"].pop(sorted(call["leg_map"])[-1])


def leg_hidden_from_call(exchange: Exchange) -> None:
    """A call with two or more legs lists one leg fewer than `GET .../legs` does."""
    rewrite_calls(exchange, hide_a_leg)


def id_changes(exchange: Exchange) -> None:
    """A call read by its id answers with another id (not the one its creation gave)."""
    if exchange.is_op("GET", "/cc/accounts/{a}/calls/{c}") and exchange.status == 200:
        call = exchange.json()
        call["call_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, call["call_id"]))
        exchange.set_json(call)


class ClockBackwards:
    """Each answer moves every call's and leg's start a minute further back."""

    def __init__(self) -> None:
        self.answers = 0

    def earlier(self, record: dict[str, Any]) -> None:
        start = record.get("start_time")
        if isinstance(start, int):
            record["start_time"] = start - 60 * self.answers
        elif isinstance(start, str) and start.isdigit() and start != "0":
            record["start_time"] = str(int(start) - 60_000_000 * self.answers)

    def __call__(self, exchange: Exchange) -> None:
        self.answers += 1
        rewrite_calls(exchange, self.earlier)
        rewrite_legs(exchange, self.earlier)


class ThrottledWithoutRetryAfter:
    """Every third device listing the token would get is a 429 that does not say when to
    come back (a quota counts requests it lets through)."""

    def __init__(self) -> None:
        self.listings = 0

    def __call__(self, exchange: Exchange) -> None:
        if exchange.is_op("GET", "/registration/accounts/{a}/devices") and exchange.status == 200:
            self.listings += 1
            if self.listings % 3 == 0:
                exchange.set_json({"code": "900800", "message": "Message throttled out"}, 429)
                exchange.headers = [h for h in exchange.headers if h[0].lower() != b"retry-after"]


def server_error(exchange: Exchange) -> None:
    if (
        exchange.is_op("GET", "/registration/accounts/{a}/devices")
        and "order=asc" in exchange.query
    ):
        exchange.set_json({"code": "500", "message": "boom"}, 500)


def undocumented_status(exchange: Exchange) -> None:
    if exchange.is_op("GET", "/registration/accounts/{a}/devices/{d}") and exchange.status == 200:
        exchange.status = 418


def wrong_content_type(exchange: Exchange) -> None:
    if exchange.is_op("GET", "/registration/accounts/{a}/devices"):
        exchange.set_header(b"content-type", b"text/html; charset=utf-8")


def invalid_input_accepted(exchange: Exchange) -> None:
    if exchange.is_op("PUT", "/cc/accounts/{a}/calls/{c}/legs/{l}") and exchange.status == 400:
        ids = exchange.path.strip("/").split("/")
        exchange.set_json({"account_id": 1234, "call_id": ids[3], "leg_id": ids[5]}, 200)


class BeyondAssumedLimits:
    """Departs only from this project's assumptions, never from the vendor's documentation,
    in each place a request has, and in a response (a stock mock of the vendor's file does
    the first three): in the query, accepts an extension longer than the assumed 32
    characters and times past the assumed last second (see `within_assumed_epoch`); in the
    path, answers a device id that is no MAC address with a device; sends call times in the
    Reports API's zoneless form, outside the assumed pattern; and throttles without saying
    when to come back."""

    def __init__(self) -> None:
        self.throttle = ThrottledWithoutRetryAfter()

    def __call__(self, exchange: Exchange) -> None:
        extension = parse_qs(exchange.query).get("extension", [""])[0]
        if (
            exchange.is_op("GET", "/cc/accounts/{a}/calls")
            and exchange.status == 400
            and len(extension) > ASSUMED_EXTENSION_LENGTH
        ):
            exchange.set_json({"calls": []}, 200)
        device_id = unquote(exchange.path.strip("/").split("/")[-1])
        if (
            exchange.is_op("GET", "/registration/accounts/{a}/devices/{d}")
            and exchange.status == 400
            and not ASSUMED_MAC.fullmatch(device_id)
        ):
            exchange.set_json({"account_id": 1234, "mac_address": device_id}, 200)
        rewrite_calls(exchange, lambda call: call.update(start_time="2026-09-24 22:33:18"))
        self.throttle(exchange)


def within_assumed_epoch(query: str) -> str:
    """The query with times past the assumed last second read as that second (the request
    side of `BeyondAssumedLimits`: the server takes them, as one without the bound would)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [
            (k, str(ASSUMED_LAST_SECOND))
            if k in ("start_time", "end_time")
            and v.isascii()
            and v.isdigit()
            and int(v) > ASSUMED_LAST_SECOND
            else (k, v)
            for k, v in pairs
        ]
    )


class DeletedCallStaysReadable:
    """A hung-up call still answers its owner (and only its owner) with 200, as it was last
    read."""

    def __init__(self) -> None:
        self.deleted: set[str] = set()
        self.last_read: dict[str, dict[str, Any]] = {}

    def __call__(self, exchange: Exchange) -> None:
        call_id = exchange.path.strip("/").split("/")[-1]
        for call in calls_in(exchange):
            self.last_read[call["call_id"]] = call
        if exchange.is_op("DELETE", "/cc/accounts/{a}/calls/{c}") and exchange.status == 200:
            self.deleted.add(call_id)
        elif (
            exchange.is_op("GET", "/cc/accounts/{a}/calls/{c}")
            and call_id in self.deleted
            and exchange.status == 404
            and exchange.owner
        ):
            exchange.set_json(self.last_read.get(call_id, {**CALL, "call_id": call_id}), 200)


FAULTS: dict[str, Callable[[Exchange], None]] = {
    "call_status_dropped": call_status_dropped,
    "leg_status_dropped": leg_status_dropped,
    "leg_hidden_from_call": leg_hidden_from_call,
    "id_changes": id_changes,
    "clock_backwards": ClockBackwards(),
    "throttled_without_retry_after": ThrottledWithoutRetryAfter(),
    "undocumented_enum": undocumented_enum,
    "wrong_type": wrong_type,
    "server_error": server_error,
    "undocumented_status": undocumented_status,
    "wrong_content_type": wrong_content_type,
    "invalid_input_accepted": invalid_input_accepted,
    "beyond_assumed_limits": BeyondAssumedLimits(),
    "deleted_call_readable": DeletedCallStaysReadable(),
}
#: Faults in the request rather than the response.
REQUEST_FAULTS = {"auth_not_enforced", "cross_account_leak", "slow_devices", "page_ignored"}
#: Limits openapi.yaml assumes (x-vbc-assumption), not the vendor: the extension's length, the
#: last epoch second, a MAC address's spelling.
ASSUMED_EXTENSION_LENGTH = 32
ASSUMED_LAST_SECOND = 253402300799
ASSUMED_MAC = re.compile("[0-9A-Fa-f]{2}([-:]?[0-9A-Fa-f]{2}){5}")
#: How long "slow_devices" keeps a device listing waiting.
SLOW_SECONDS = 2.0


class FaultLayer:
    def __init__(
        self,
        app: Any,
        fault: str | None,
        token: str,
        other: str,
        record: str | None,
        gzip: bool = False,
    ) -> None:
        self.app, self.fault, self.token, self.other, self.record = app, fault, token, other, record
        self.gzip = gzip
        """Answer in gzip whoever asks for it (as the live service's gateway does)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode()
        if self.fault == "auth_not_enforced" and authorization != f"Bearer {self.other}":
            headers[b"authorization"] = f"Bearer {self.token}".encode()
        if self.fault == "cross_account_leak" and authorization == f"Bearer {self.other}":
            headers[b"authorization"] = f"Bearer {self.token}".encode()
        scope = {**scope, "headers": list(headers.items())}
        if self.fault == "beyond_assumed_limits":
            scope["query_string"] = within_assumed_epoch(scope["query_string"].decode()).encode()
        if self.fault == "page_ignored" and scope["path"].endswith("/calls"):
            # A valid page number is ignored: every page of calls is the first, so a walk
            # over the pages meets its calls again (an invalid one is still refused).
            query = parse_qsl(scope["query_string"].decode())
            kept = [(k, v) for k, v in query if k != "page" or not re.fullmatch("[0-9]{1,9}", v)]
            scope["query_string"] = urlencode(kept).encode()
        exchange = Exchange(scope, body)
        exchange.owner = authorization == f"Bearer {self.token}"
        if self.record and scope["path"].startswith(API):
            with open(self.record, "a", encoding="utf-8") as stream:
                stream.write(
                    json.dumps(
                        {
                            "method": exchange.method,
                            "path": exchange.path,
                            "body": body.decode("utf-8", "replace"),
                            "client_port": (scope.get("client") or ("", 0))[1],
                        }
                    )
                    + "\n"
                )

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")

        if self.fault == "slow_devices" and exchange.is_op(
            "GET", "/registration/accounts/{a}/devices"
        ):
            await asyncio.sleep(SLOW_SECONDS)  # longer than the run's --request-timeout
        await self.app(scope, replay, capture)
        if self.fault in FAULTS:
            FAULTS[self.fault](exchange)
        if self.gzip and b"gzip" in headers.get(b"accept-encoding", b"") and exchange.body:
            exchange.body = gzip.compress(exchange.body, mtime=0)
            exchange.set_header(b"content-encoding", b"gzip")
        exchange.headers = [(k, v) for k, v in exchange.headers if k.lower() != b"content-length"]
        exchange.headers.append((b"content-length", str(len(exchange.body)).encode()))
        await send(
            {"type": "http.response.start", "status": exchange.status, "headers": exchange.headers}
        )
        await send({"type": "http.response.body", "body": exchange.body})


def main() -> None:
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--fault", choices=[*FAULTS, *REQUEST_FAULTS])
    extra.add_argument("--record")
    extra.add_argument("--gzip", action="store_true")
    known, rest = extra.parse_known_args()
    args = sandbox_parser().parse_args(rest)
    settings = settings_from(args)
    token, other = (t.token for t in settings.static_tokens[:2])
    app = FaultLayer(create_app(settings), known.fault, token, other, known.record, known.gzip)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
