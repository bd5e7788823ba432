"""Sandboxes the tests talk to: real `vbc-sandbox` processes on loopback ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.settings import LOOPBACK_CONTROL_TOKEN
from vbc_telephony_api import AuthenticatedClient

TOKEN = "token-for-1234"
OTHER_TOKEN = "token-for-5678"
ACCOUNT = "1234"
OTHER_ACCOUNT = "5678"
#: The seed's sandbox client, and a password-grant form for its user alice.
SEED_CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
ALICE_LOGIN = {
    "grant_type": "password",
    "username": "alice@vbc.prod",
    "password": "alice-sandbox-password",
    **SEED_CLIENT,
}
#: The control API's token of a sandbox on loopback started without --admin-token.
ADMIN = {"Authorization": f"Bearer {LOOPBACK_CONTROL_TOKEN}"}
STATIC_TOKENS = ["--token", f"{TOKEN}:{ACCOUNT}", "--token", f"{OTHER_TOKEN}:{OTHER_ACCOUNT}"]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """Phones answer at once; every response is checked against openapi.yaml by the sandbox."""
    with SandboxProcess([*STATIC_TOKENS, "--validate-responses"]) as running:
        yield running


@pytest.fixture(scope="session")
def ringing_sandbox() -> Iterator[SandboxProcess]:
    """Phones ring for 30 s, so a test sees calls ringing until it answers them."""
    with SandboxProcess([*STATIC_TOKENS, "--validate-responses", "--ring-delay", "30"]) as running:
        yield running


@pytest.fixture
def api(sandbox: SandboxProcess) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(
        base_url=sandbox.base_url, token=TOKEN, raise_on_unexpected_status=True
    ) as client:
        yield client


@pytest.fixture
def client_for() -> Iterator[Callable[[SandboxProcess, str], AuthenticatedClient]]:
    opened: list[AuthenticatedClient] = []

    def make(target: SandboxProcess, token: str = TOKEN) -> AuthenticatedClient:
        client = AuthenticatedClient(
            base_url=target.base_url, token=token, raise_on_unexpected_status=True
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.get_httpx_client().close()
