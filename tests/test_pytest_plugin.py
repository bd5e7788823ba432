"""The sandbox in a user's own test suite: the pytest plugin the wheel installs, used by a
suite with no conftest.py at all (run by pytester in its own process)."""

from __future__ import annotations

import pytest

USERS_SUITE = """
import httpx
import pytest


def test_click_to_dial(vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")
    assert vbc_client.calls.get(call_id).status == "on-call"


def test_each_test_starts_from_the_seed(vbc_client):
    assert list(vbc_client.calls.list()) == []
    vbc_client.calls.dial("15551234567", from_="1002")


def test_another_account_sees_nothing_of_this_one(vbc_sandbox, vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")
    other = httpx.get(
        f"{vbc_sandbox.base_url}/cc/accounts/{vbc_sandbox.account_id}/calls/{call_id}",
        headers={"Authorization": f"Bearer {vbc_sandbox.other_token}"},
    )
    assert other.status_code == 404


@pytest.mark.vbc_sandbox(dialect="observed")
def test_the_observed_dialect_by_marker(vbc_sandbox, vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")  # found without an id
    raw = httpx.get(
        f"{vbc_sandbox.base_url}/cc/accounts/self/calls/{call_id}",
        headers={"Authorization": f"Bearer {vbc_sandbox.token}"},
    ).json()
    assert vbc_sandbox.dialect == "observed" and "leg_map" in raw


async def use(client):
    async with client:
        return [call async for call in client.calls.list()]


def test_the_async_client(vbc_async_client):
    import asyncio

    assert asyncio.run(use(vbc_async_client)) == []
"""


def test_a_users_suite_uses_the_sandbox_with_no_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crm=USERS_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_the_dialect_option_applies_to_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_dialect="""
def test_observed(vbc_sandbox):
    assert vbc_sandbox.dialect == "observed"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--vbc-dialect", "observed")
    result.assert_outcomes(passed=1)


def test_reset_goes_back_to_the_seed_and_keeps_the_connection_usable() -> None:
    import httpx

    from tests.conftest import STATIC_TOKENS, TOKEN
    from vbc_sandbox.launch import SandboxProcess

    dial = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15551234567", "type": "pstn"},
    }
    login = {
        "grant_type": "password",
        "username": "alice@vbc.prod",
        "password": "alice-sandbox-password",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    with (
        SandboxProcess(STATIC_TOKENS) as sandbox,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
    ):
        calls = f"{sandbox.base_url}/cc/accounts/1234/calls"
        http.post(calls, json=dial)
        issued = httpx.post(sandbox.origin + "/token", data=login).json()["access_token"]
        assert http.post(sandbox.origin + "/sandbox/reset").status_code == 204
        # The same keep-alive connection goes on; the calls and the issued token are gone,
        # the static token and the seed stay.
        assert http.get(calls).json()["calls"] == []
        gone = httpx.get(calls, headers={"Authorization": f"Bearer {issued}"})
        assert gone.status_code == 401
        assert http.post(calls, json=dial).status_code == 200
