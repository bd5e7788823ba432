"""DNS rebinding: a web page that points a name of its own at 127.0.0.1 must not drive a
sandbox whose control API has the well-known token. Over real HTTP, with the Host header a
browser would send."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.settings import CONTROL_TOKEN_VARIABLE, Settings
from vbc_sandbox.testkit.inprocess import SyncASGITransport
from vbc_sandbox.testkit.plugin import IN_PROCESS_ORIGIN
from vbc_sandbox.testkit.sandbox_app import SandboxApp
from vbc_spec import API_BASE_PATH

BEARER = {"Authorization": f"Bearer {TOKEN}"}
CALLS = f"{API_BASE_PATH}/cc/accounts/{ACCOUNT}/calls"
DIAL = {
    "from": {"destination": "1001", "type": "extension"},
    "to": {"destination": "15551234567", "type": "pstn"},
}
#: What a rebinding page could try, each with the credentials it would need.
REQUESTS: list[Request] = [
    ("GET", "/sandbox/requests", ADMIN, {}),
    ("POST", "/sandbox/reset", ADMIN, {}),
    (
        "POST",
        f"/sandbox/accounts/{ACCOUNT}/inbound-calls",
        ADMIN,
        {"json": {"from": "15557654321", "to": "1002"}},
    ),
    ("POST", "/token", {}, {"data": ALICE_LOGIN}),
    ("GET", CALLS, BEARER, {}),
    ("GET", "/console/", {}, {}),
    ("GET", "/console/api/state", BEARER, {}),
    ("GET", "/console/api/events", BEARER, {}),
    ("POST", "/console/api/inbound-calls", BEARER, {"json": {"from": "15557654321", "to": "1002"}}),
    ("GET", "/docs", {}, {}),
]


@pytest.fixture(scope="module")
def loopback() -> Iterator[SandboxProcess]:
    """On loopback without --admin-token: the control API has the well-known token."""
    with SandboxProcess(STATIC_TOKENS) as running:
        yield running


Request = tuple[str, str, dict[str, str], dict[str, Any]]


def send(target: SandboxProcess, host: str, request: Request) -> int:
    method, path, headers, options = request
    # A stream (the feed) is only opened, to see its status.
    with httpx.stream(
        method, target.origin + path, headers={**headers, "Host": host}, timeout=10, **options
    ) as answer:
        return answer.status_code


@pytest.mark.parametrize("host", ["rebind.attacker.example", "rebind.attacker.example:{port}"])
def test_a_page_rebound_to_loopback_can_do_nothing_with_the_well_known_token(
    loopback: SandboxProcess, host: str
) -> None:
    host = host.format(port=loopback.port)
    placed = httpx.post(loopback.origin + CALLS, json=DIAL, headers=BEARER).json()
    statuses = {request[:2]: send(loopback, host, request) for request in REQUESTS}
    assert set(statuses.values()) == {403}, statuses
    refused = httpx.post(loopback.origin + "/token", data=ALICE_LOGIN, headers={"Host": host})
    assert "--allowed-host" in refused.json()["message"]
    # Nothing was reset: the call placed before is still there.
    still = httpx.get(f"{loopback.origin}{CALLS}/{placed}", headers=BEARER)
    assert still.status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST:{port}",
        "localhost.",
        "console.localhost:{port}",
        "127.0.0.1:{port}",
        "127.8.9.10",
        "[::1]:{port}",
        "[::ffff:127.0.0.1]",
    ],
)
def test_every_loopback_name_is_answered(loopback: SandboxProcess, host: str) -> None:
    host = host.format(port=loopback.port)
    statuses = {request[:2]: send(loopback, host, request) for request in REQUESTS}
    assert 403 not in statuses.values() and max(statuses.values()) < 500, statuses


@pytest.mark.parametrize(
    "host",
    [
        "localhost.attacker.example",
        "127.0.0.1.nip.io",
        "0.0.0.0",  # noqa: S104 (a Host header, not an address to listen on)
        "[::]:{port}",
        "10.0.0.1",
    ],
)
def test_names_that_only_look_local_are_refused(loopback: SandboxProcess, host: str) -> None:
    host = host.format(port=loopback.port)
    assert send(loopback, host, ("GET", "/sandbox/requests", ADMIN, {})) == 403


def test_a_name_given_with_allowed_host_is_answered_and_others_still_refused() -> None:
    # A container reached by its service name: docker run ... --allowed-host sandbox
    with SandboxProcess([*STATIC_TOKENS, "--allowed-host", "Sandbox:8080"]) as named:
        journal = ("GET", "/sandbox/requests", ADMIN, {})
        assert send(named, f"sandbox:{named.port}", journal) == 200
        assert send(named, "SANDBOX", ("GET", CALLS, BEARER, {})) == 200
        assert send(named, "rebind.attacker.example", journal) == 403


def test_a_sandbox_with_its_own_admin_token_answers_any_name() -> None:
    # The shared sandbox behind nginx (compose.yaml) is reached by the team's name for it,
    # and its control API has a secret token no web page holds.
    secret = {"Authorization": "Bearer a-long-random-token"}
    env = {CONTROL_TOKEN_VARIABLE: "a-long-random-token"}
    with SandboxProcess(STATIC_TOKENS, env=env) as shared:
        assert send(shared, "sandbox.team.example", ("GET", "/sandbox/requests", secret, {})) == 200
        assert send(shared, "sandbox.team.example", ("GET", CALLS, BEARER, {})) == 200


def test_the_sandbox_in_the_test_process_needs_no_loopback_name() -> None:
    # No connection, so no browser can reach it: the in-process origin's name is fine.
    app = SandboxApp(Settings())
    with httpx.Client(transport=SyncASGITransport(app), base_url=IN_PROCESS_ORIGIN) as http:
        assert http.post("/sandbox/reset", headers=ADMIN).status_code == 204
        assert http.get("/console/").status_code == 200
