"""The SDK against a real sandbox over loopback: resources, paging, token refresh, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ACCOUNT, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import (
    AsyncTelephony,
    ConflictError,
    NotFoundError,
    PasswordGrant,
    Telephony,
)
from vbc_telephony_api.api.call import get_call
from vbc_telephony_api.models import Call, CallStatus

ALICE = {"username": "alice", "password": "alice-sandbox-password"}
CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}


@pytest.fixture(scope="module")
def paging_sandbox() -> Iterator[SandboxProcess]:
    """A sandbox of its own: the paging test counts every call in the account."""
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}"]) as running:
        yield running


def test_click_to_dial_and_every_leg_action_through_resources(sandbox: SandboxProcess) -> None:
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        call_id = client.calls.dial("15551234567", from_="1001")
        call = client.calls.get(call_id)
        assert call.status is CallStatus.ON_CALL
        caller, callee = client.calls.legs.list(call_id)
        legs = client.calls.legs
        assert legs.get(call_id, caller.leg_id).to == "1001"
        assert legs.hold(call_id, caller.leg_id).call_state == "held"
        assert legs.unhold(call_id, caller.leg_id).call_state == "on-call"
        assert legs.send_dtmf(call_id, caller.leg_id, "*9#").destination == "*9#"
        assert (
            legs.play(call_id, caller.leg_id, "https://example.com/a.wav").call_state == "playing"
        )
        assert legs.stop_playing(call_id, caller.leg_id).call_state == "on-call"
        assert legs.start_recording(call_id, caller.leg_id, "ocr").call_state == "recording"
        assert legs.stop_recording(call_id, caller.leg_id, "ocr").call_state == "on-call"
        assert legs.transfer(call_id, callee.leg_id, "1003").destination == "1003"
        assert client.calls.park(call_id, by="1001").call_state == "parked"
        assert client.calls.answer(call_id, "VH1111112").call_state == "on-call"
        # The generated low-level functions work with client.api, raw response included.
        detailed = get_call.sync_detailed(ACCOUNT, call_id, client=client.api)
        assert detailed.status_code == 200 and isinstance(detailed.parsed, Call)
        assert detailed.headers["content-type"] == "application/json"
        assert client.calls.hangup(call_id).call_state == "ended"
        with pytest.raises(NotFoundError) as gone:
            client.calls.get(call_id)
        assert gone.value.method == "GET" and call_id in (gone.value.url or "")


def test_impossible_actions_raise_conflict(sandbox: SandboxProcess) -> None:
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        call_id = client.calls.dial("15550000180", from_="1001")  # rings until answered
        ringing = client.calls.legs.list(call_id)[1]
        with pytest.raises(ConflictError) as conflict:
            client.calls.legs.hold(call_id, ringing.leg_id)
        assert conflict.value.code == "409" and "ringing" in conflict.value.detail
        client.calls.legs.answer(call_id, ringing.leg_id)
        assert client.calls.legs.hold(call_id, ringing.leg_id).call_state == "held"
        client.calls.hangup(call_id)


def test_paging_yields_all_250_calls_once_each_in_order(paging_sandbox: SandboxProcess) -> None:
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=paging_sandbox.base_url) as client:
        placed = [client.calls.dial("15551230000", from_="1001") for _ in range(250)]
        pages = list(client.calls.list(page_size=100, order="asc").pages())
        assert [len(page.calls) for page in pages] == [100, 100, 50]
        walked = [call.call_id for call in client.calls.list(page_size=100, order="asc")]
        assert walked == placed
        newest_first = [call.call_id for call in client.calls.list(page_size=100)]
        assert newest_first == placed[::-1]


def test_paging_is_lazy(paging_sandbox: SandboxProcess) -> None:
    requests: list[str] = []

    def count(request: httpx.Request) -> None:
        requests.append(str(request.url))

    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=paging_sandbox.base_url) as client:
        client.http.event_hooks["request"].append(count)
        pager = client.calls.list(page_size=10)
        assert requests == []
        first_three = [call for _, call in zip(range(3), pager, strict=False)]
        assert len(first_three) == 3 and len(requests) == 1


def test_async_paging_and_actions(paging_sandbox: SandboxProcess) -> None:
    async def main() -> tuple[int, str]:
        async with AsyncTelephony(
            account_id=ACCOUNT, token=TOKEN, base_url=paging_sandbox.base_url
        ) as client:
            seen = [call.call_id async for call in client.calls.list(page_size=100)]
            call_id = await client.calls.dial("15551234567", from_="1002")
            leg = (await client.calls.legs.list(call_id))[0]
            state = (await client.calls.legs.hold(call_id, leg.leg_id)).call_state
            await client.calls.hangup(call_id)
            return len(set(seen)), str(state)

    count, state = asyncio.run(main())
    assert count >= 250 and state == "held"


def test_devices_list_and_get(sandbox: SandboxProcess) -> None:
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        macs = [device.mac_address for device in client.devices.list(page_size=1, order="asc")]
        assert macs == ["79-5C-7D-28-1B-B3", "38-99-62-93-E2-A9", "00-0A-95-9D-68-16"]
        assert client.devices.get("79:5c:7d:28:1b:b3").device_ip == "150.24.83.17"


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.grants: list[str] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.grants.append(dict(httpx.QueryParams(request.content.decode()))["grant_type"])
        return super().handle_request(request)


@pytest.fixture(scope="module")
def short_token_sandbox() -> Iterator[SandboxProcess]:
    """Access tokens live 62 s: with the SDK's 60 s margin they are stale after 2 s."""
    with SandboxProcess(["--token-ttl", "62"]) as running:
        yield running


def test_twenty_threads_with_an_expired_token_cause_exactly_one_refresh(
    short_token_sandbox: SandboxProcess,
) -> None:
    counting = CountingTransport()
    grant = PasswordGrant(
        **ALICE, **CLIENT, token_url=short_token_sandbox.origin + "/token", transport=counting
    )
    with Telephony(account_id=ACCOUNT, auth=grant, base_url=short_token_sandbox.base_url) as client:
        client.devices.get("79-5C-7D-28-1B-B3")
        assert counting.grants == ["password"]
        time.sleep(2.5)
        barrier = threading.Barrier(20)
        errors: list[BaseException] = []

        def fetch() -> None:
            barrier.wait()
            try:
                client.devices.get("79-5C-7D-28-1B-B3")
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=fetch) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert counting.grants == ["password", "refresh_token"]


def test_twenty_tasks_with_an_expired_token_cause_exactly_one_refresh(
    short_token_sandbox: SandboxProcess,
) -> None:
    grants: list[str] = []

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            grants.append(dict(httpx.QueryParams(request.content.decode()))["grant_type"])
            return await super().handle_async_request(request)

    grant = PasswordGrant(
        **ALICE,
        **CLIENT,
        token_url=short_token_sandbox.origin + "/token",
        async_transport=Counting(),
    )

    async def main() -> None:
        async with AsyncTelephony(
            account_id=ACCOUNT, auth=grant, base_url=short_token_sandbox.base_url
        ) as client:
            await client.devices.get("79-5C-7D-28-1B-B3")
            await asyncio.sleep(2.5)
            await asyncio.gather(*(client.devices.get("79-5C-7D-28-1B-B3") for _ in range(20)))

    asyncio.run(main())
    assert grants == ["password", "refresh_token"]


def vbc(
    sandbox: SandboxProcess, *args: str, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VBC_BASE_URL": sandbox.base_url,
        "VBC_TOKEN": token,
        "VBC_ACCOUNT_ID": ACCOUNT,
    }
    return subprocess.run(
        [sys.executable, "-m", "vbc_telephony.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_vbc_command_dials_lists_holds_and_hangs_up(sandbox: SandboxProcess) -> None:
    dialled = vbc(sandbox, "--json", "calls", "dial", "--from", "1001", "--to", "15551234567")
    assert dialled.returncode == 0, dialled.stderr
    call_id = json.loads(dialled.stdout)["call_id"]
    listed = vbc(sandbox, "calls", "list", "--limit", "1000")
    assert listed.stdout.startswith("CALL_ID") and call_id in listed.stdout
    legs = json.loads(vbc(sandbox, "--json", "legs", "list", call_id).stdout)
    held = vbc(sandbox, "legs", "hold", call_id, legs[0]["leg_id"])
    assert held.returncode == 0 and "call_state: held" in held.stdout
    assert vbc(sandbox, "calls", "hangup", call_id).returncode == 0
    devices = vbc(sandbox, "devices", "list")
    assert "79-5C-7D-28-1B-B3" in devices.stdout


@pytest.mark.parametrize(
    ("args", "token", "code", "message"),
    [
        (("calls", "hangup", "no-such-call"), TOKEN, 1, "vbc: 404 No matching resource"),
        (("calls", "list"), "", 2, "vbc: set VBC_TOKEN"),
        (("calls", "list"), "wrong-token", 1, "vbc: 401"),
        (("legs", "hold", "x"), TOKEN, 2, "the following arguments are required: leg_id"),
    ],
)
def test_vbc_command_mistakes_get_one_line_not_a_traceback(
    sandbox: SandboxProcess, args: tuple[str, ...], token: str, code: int, message: str
) -> None:
    result = vbc(sandbox, *args, token=token)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "wrong-token" not in result.stderr
