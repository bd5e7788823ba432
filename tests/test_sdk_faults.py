"""What the SDK does when the service misbehaves: retries, typed errors, token refresh,
forward compatibility, secrets. Faults come from an httpx MockTransport on loopback URLs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import vbc_telephony
from vbc_telephony import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncTelephony,
    AuthenticationError,
    BadRequestError,
    CallNotConfirmedError,
    ConflictError,
    NotFoundError,
    PasswordGrant,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Telephony,
)
from vbc_telephony_api.models import CallStatus, Direction

BASE = "http://127.0.0.1:9/t/vbc.prod/telephony/v3"
TOKEN_URL = "http://127.0.0.1:9/token"
CALL_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
CALL = {
    "account_id": 1234,
    "call_id": CALL_ID,
    "direction": "outbound",
    "from": 1001,
    "to": 15551234567,
    "start_time": 1595959736,
    "status": "on-call",
    "legs": [],
}
SECRET_PASSWORD = "pw-do-not-leak-7f3a"
SECRET_CLIENT = "client-secret-do-not-leak-91b2"
SECRET_TOKEN = "static-token-do-not-leak-55c1"

Handler = Callable[[httpx.Request], httpx.Response]


def client_with(handler: Handler, **options: Any) -> tuple[Telephony, list[float]]:
    """A client whose requests go to `handler`; the second value records retry waits."""
    waits: list[float] = []
    client = Telephony(
        account_id=1234,
        token=options.pop("token", SECRET_TOKEN),
        base_url=BASE,
        transport=httpx.MockTransport(handler),
        sleep=waits.append,
        **options,
    )
    return client, waits


def replies(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    return handler, seen


def ok(body: Any = CALL) -> httpx.Response:
    return httpx.Response(200, json=body)


def test_429_with_retry_after_is_waited_out() -> None:
    handler, seen = replies(
        httpx.Response(
            429,
            headers={"Retry-After": "2"},
            json={"code": "900800", "message": "Message throttled out"},
        ),
        ok(),
    )
    client, waits = client_with(handler)
    assert client.calls.get(CALL_ID).call_id == CALL_ID
    assert len(seen) == 2 and waits == [2.0]


def test_503_is_retried_with_growing_backoff_then_succeeds() -> None:
    handler, seen = replies(httpx.Response(503), httpx.Response(503), ok())
    client, waits = client_with(handler, retry=RetryPolicy(max_attempts=4, initial_backoff=0.5))
    assert client.calls.get(CALL_ID).status is CallStatus.ON_CALL
    assert len(seen) == 3 and len(waits) == 2
    assert 0 < waits[0] <= waits[1] + 1.0  # exponential with jitter


def test_attempts_are_bounded_and_the_last_answer_raises_typed() -> None:
    handler, seen = replies(httpx.Response(502, text="<html>Bad Gateway</html>"))
    client, waits = client_with(handler, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ServerError) as raised:
        client.calls.get(CALL_ID)
    assert len(seen) == 3 and len(waits) == 2
    assert raised.value.status_code == 502 and "Bad Gateway" in raised.value.detail


def test_a_retry_after_longer_than_allowed_is_not_waited() -> None:
    handler, seen = replies(
        httpx.Response(
            429, headers={"Retry-After": "3600"}, json={"code": "900800", "message": "x"}
        )
    )
    client, waits = client_with(handler)
    with pytest.raises(RateLimitError) as raised:
        client.calls.get(CALL_ID)
    assert len(seen) == 1 and waits == []
    assert raised.value.retry_after == 3600.0


def test_placing_a_call_is_not_retried_after_a_read_timeout() -> None:
    handler, seen = replies(httpx.ReadTimeout("slow"))
    client, _ = client_with(handler)
    with pytest.raises(APITimeoutError) as raised:
        client.calls.dial("15551234567", from_="1001")
    assert len(seen) == 1
    assert raised.value.method == "POST" and raised.value.url.endswith("/cc/accounts/1234/calls")


def test_placing_a_call_is_not_retried_after_a_503_but_is_when_the_user_opts_in() -> None:
    handler, seen = replies(httpx.Response(503), httpx.Response(200, json=CALL_ID))
    client, _ = client_with(handler)
    with pytest.raises(ServerError):
        client.calls.dial("15551234567", from_="1001")
    assert len(seen) == 1
    handler, seen = replies(httpx.Response(503), httpx.Response(200, json=CALL_ID))
    client, _ = client_with(handler)
    assert client.calls.dial("15551234567", from_="1001", retry_create=True) == CALL_ID
    assert len(seen) == 2


def test_placing_a_call_is_retried_when_the_connection_never_opened() -> None:
    handler, seen = replies(httpx.ConnectError("refused"), httpx.Response(200, json=CALL_ID))
    client, _ = client_with(handler)
    assert client.calls.dial("15551234567", from_="1001") == CALL_ID
    assert len(seen) == 2


def test_dtmf_is_not_repeated_but_hold_is_retried() -> None:
    leg = {"account_id": 1234, "call_id": CALL_ID, "leg_id": "l1", "call_state": "held"}
    handler, seen = replies(httpx.Response(503), ok(leg))
    client, _ = client_with(handler)
    with pytest.raises(ServerError):
        client.calls.legs.send_dtmf(CALL_ID, "l1", "123")
    assert len(seen) == 1
    handler, seen = replies(httpx.Response(503), ok(leg))
    client, _ = client_with(handler)
    assert client.calls.legs.hold(CALL_ID, "l1").call_state == "held"
    assert len(seen) == 2


def test_retries_are_configurable_per_call() -> None:
    handler, seen = replies(httpx.Response(503), ok())
    client, _ = client_with(handler)
    with pytest.raises(ServerError):
        client.with_options(retry=RetryPolicy(max_attempts=1)).calls.get(CALL_ID)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (400, {"code": "400", "message": "Invalid request parameters"}, BadRequestError, "400"),
        (401, {"code": 401, "message": "User is not permitted"}, AuthenticationError, 401),
        (
            403,
            {"fault": {"code": 900908, "message": "Resource forbidden"}},
            PermissionDeniedError,
            900908,
        ),
        (404, {"code": "404", "message": "No matching resource found"}, NotFoundError, "404"),
        (
            409,
            {"code": "409", "message": "Cannot hold a leg that is ringing"},
            ConflictError,
            "409",
        ),
        (429, {"code": "900800", "message": "Message throttled out"}, RateLimitError, "900800"),
        (500, {"code": "500", "message": "Internal server error"}, ServerError, "500"),
    ],
)
def test_error_statuses_raise_typed_errors_with_the_documented_body(
    status: int, body: dict[str, Any], error: type[APIError], code: Any
) -> None:
    handler, _ = replies(httpx.Response(status, json=body))
    client, _ = client_with(handler, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(error) as raised:
        client.calls.legs.hold(CALL_ID, "leg-1")
    failure = raised.value
    assert failure.status_code == status and failure.code == code  # type: ignore[attr-defined]
    assert failure.method == "PUT"
    assert failure.url == f"{BASE}/cc/accounts/1234/calls/{CALL_ID}/legs/leg-1"
    message = body.get("message") or body["fault"]["message"]
    assert failure.detail == message and message in str(failure)  # type: ignore[attr-defined]


def test_connection_failures_raise_api_connection_error() -> None:
    handler, _ = replies(httpx.ConnectError("refused"))
    client, _ = client_with(handler, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(APIConnectionError) as raised:
        client.devices.get("79-5C-7D-28-1B-B3")
    assert not isinstance(raised.value, APITimeoutError)
    assert raised.value.method == "GET"


def test_unknown_enum_values_and_fields_parse_and_keep_their_values() -> None:
    body = {**CALL, "status": "sleeping", "direction": "internal", "call_colour": "blue"}
    handler, _ = replies(ok(body))
    client, _ = client_with(handler)
    call = client.calls.get(CALL_ID)
    assert call.status.value == "sleeping" and call.status == "sleeping"
    assert call.direction.value == "internal"
    assert call.additional_properties == {"call_colour": "blue"}
    assert CallStatus("ringing") is CallStatus.RINGING and Direction("inbound") is Direction.INBOUND


WIDE = 2**70 + 1  # wider than orjson's 64-bit integers


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(CALL).encode(),
        json.dumps({**CALL, "to": WIDE, "start_time": float("nan")}).encode(),
        json.dumps({**CALL, "from": "Zoë"}, ensure_ascii=False).encode("utf-16"),
    ],
    ids=["plain", "NaN and a 71-bit integer", "UTF-16"],
)
def test_any_body_stdlib_json_reads_parses_the_same(body: bytes) -> None:
    # Bodies decode with orjson, and with the standard library when orjson refuses them.
    expected = json.loads(body)
    handler, _ = replies(
        httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
    )
    client, _ = client_with(handler)
    call = client.calls.get(CALL_ID).model
    assert (call.from_, call.to, str(call.start_time)) == (
        expected["from"],
        expected["to"],
        str(expected["start_time"]),
    )

    async def main() -> Any:
        async_client = AsyncTelephony(
            account_id=1234,
            token=SECRET_TOKEN,
            base_url=BASE,
            transport=httpx.MockTransport(handler),
        )
        async with async_client:
            return await async_client.calls.get(CALL_ID)

    assert asyncio.run(main()).model.to == expected["to"]


def test_a_plain_text_create_answer_gives_the_id_and_an_unconfirmed_202_never_redials() -> None:
    handler, _ = replies(httpx.Response(200, text=CALL_ID, headers={"Content-Type": "text/plain"}))
    client, _ = client_with(handler)
    assert client.calls.dial("15551234567", from_="1001") == CALL_ID
    handler, seen = replies(httpx.Response(202, text="", headers={"Content-Type": "text/plain"}))
    client, _ = client_with(handler)
    with pytest.raises(CallNotConfirmedError, match="may have been placed"):
        client.calls.dial("15551234567", from_="1001", confirm_timeout=0)
    assert [request.method for request in seen] == ["POST"]


def token_endpoint(counter: list[str]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        counter.append(form["grant_type"])
        if form.get("password") not in (None, SECRET_PASSWORD):
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "bad credentials"}
            )
        number = len(counter)
        return httpx.Response(
            200,
            json={
                "access_token": f"access-{number}",
                "refresh_token": f"refresh-{number}",
                "token_type": "Bearer",
                "expires_in": 86400,
            },
        )

    return handle


def grant(counter: list[str], password: str = SECRET_PASSWORD) -> PasswordGrant:
    endpoint = token_endpoint(counter)

    async def async_endpoint(request: httpx.Request) -> httpx.Response:
        return endpoint(request)

    return PasswordGrant(
        username="alice",
        password=password,
        client_id="sandbox-client",
        client_secret=SECRET_CLIENT,
        token_url=TOKEN_URL,
        transport=httpx.MockTransport(endpoint),
        async_transport=httpx.MockTransport(async_endpoint),
    )


def test_a_401_refreshes_the_token_once_and_retries() -> None:
    grants: list[str] = []
    provider = grant(grants)
    tokens: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer access-1":
            return httpx.Response(401, json={"code": 401, "message": "Invalid Credentials"})
        return ok()

    client = Telephony(
        account_id=1234, auth=provider, base_url=BASE, transport=httpx.MockTransport(api)
    )
    assert client.calls.get(CALL_ID).call_id == CALL_ID
    assert grants == ["password", "refresh_token"]
    assert tokens == ["Bearer access-1", "Bearer access-2"]


def test_a_second_401_is_final() -> None:
    grants: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 401, "message": "Invalid Credentials"})

    client = Telephony(
        account_id=1234, auth=grant(grants), base_url=BASE, transport=httpx.MockTransport(api)
    )
    with pytest.raises(AuthenticationError):
        client.calls.get(CALL_ID)
    assert grants == ["password", "refresh_token"]


def test_no_secret_in_reprs_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    grants: list[str] = []
    provider = grant(grants, password="wrong-" + SECRET_PASSWORD)
    texts = [repr(provider)]
    with pytest.raises(AuthenticationError) as refused:
        Telephony(
            account_id=1234,
            auth=provider,
            base_url=BASE,
            transport=httpx.MockTransport(lambda r: ok()),
        ).calls.get(CALL_ID)
    texts += [str(refused.value), repr(refused.value), json.dumps(refused.value.body)]
    handler, _ = replies(httpx.Response(401, json={"code": 401, "message": "Invalid Credentials"}))
    client, _ = client_with(handler)
    texts.append(repr(client))
    with pytest.raises(AuthenticationError) as rejected:
        client.calls.get(CALL_ID)
    texts += [str(rejected.value), repr(rejected.value)]
    logged = [record for record in caplog.records if record.name == "vbc_telephony"]
    # The SDK did log the requests, the 401 and the token renewals: none with a secret.
    assert any("renewing" in record.getMessage() for record in logged)
    assert any(f"/calls/{CALL_ID} -> 401" in record.getMessage() for record in logged)
    texts += [record.getMessage() for record in caplog.records]
    everything = "\n".join(texts)
    for secret in (SECRET_PASSWORD, SECRET_CLIENT, SECRET_TOKEN, "access-1", "refresh-1"):
        assert secret not in everything


def test_async_client_retries_and_raises_the_same_way() -> None:
    seen: list[str] = []
    waits: list[float] = []

    async def api(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) == 1:
            return httpx.Response(503)
        if request.url.path.endswith("/missing"):
            return httpx.Response(
                404, json={"code": "404", "message": "No matching resource found"}
            )
        return ok()

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> None:
        client = AsyncTelephony(
            account_id=1234,
            token=SECRET_TOKEN,
            base_url=BASE,
            transport=httpx.MockTransport(api),
            sleep=record,
        )
        assert (await client.calls.get(CALL_ID)).call_id == CALL_ID
        with pytest.raises(NotFoundError):
            await client.calls.get("missing")
        await client.aclose()

    asyncio.run(main())
    assert seen == ["GET", "GET", "GET"] and len(waits) == 1


def test_vbc_log_turns_the_sdk_log_on_for_a_user_debugging_a_401() -> None:
    script = (
        "import httpx, vbc_telephony\n"
        "client = vbc_telephony.Telephony(account_id=1234, token='T0KEN-secret', "
        "base_url='http://127.0.0.1:9/t/vbc.prod/telephony/v3', "
        "transport=httpx.MockTransport(lambda r: httpx.Response(401, json={'code': 401, "
        "'message': 'Invalid Credentials'})))\n"
        "try:\n    client.calls.get('3fa85f64')\n"
        "except vbc_telephony.AuthenticationError:\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "VBC_LOG": "debug"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = "vbc_telephony DEBUG] GET http://127.0.0.1:9/t/vbc.prod/telephony/v3/cc/accounts"
    assert f"{line}/1234/calls/3fa85f64 -> 401" in result.stderr
    assert "T0KEN-secret" not in result.stderr


def test_every_request_says_it_comes_from_this_sdk_and_its_version() -> None:
    version = vbc_telephony.__version__
    handler, seen = replies(ok(), ok({"calls": []}))
    client, _ = client_with(handler)
    client.calls.get(CALL_ID)
    list(client.calls.list())
    token_requests: list[httpx.Request] = []
    endpoint = token_endpoint([])

    def recording(request: httpx.Request) -> httpx.Response:
        token_requests.append(request)
        return endpoint(request)

    PasswordGrant(
        username="alice",
        password=SECRET_PASSWORD,
        client_id="sandbox-client",
        client_secret=SECRET_CLIENT,
        token_url=TOKEN_URL,
        transport=httpx.MockTransport(recording),
    ).token()
    agents = {request.headers["user-agent"] for request in [*seen, *token_requests]}
    assert agents == {f"vbc-telephony/{version}"} and version != "0+unknown"
