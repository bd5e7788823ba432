"""A pytest plugin (installed with the `sandbox` extra; pytest finds it by itself): the
sandbox inside your own test suite, with no conftest.py lines.

    def test_click_to_dial(vbc_client):
        call_id = vbc_client.calls.dial("15551234567", from_="1001")
        assert vbc_client.calls.get(call_id).status == "on-call"

Fixtures: `vbc_sandbox` (a running sandbox: `base_url`, `origin`, `token`, `account_id`,
`other_token`, `other_account_id`, `dialect`, `reset()`), `vbc_client` and
`vbc_async_client` (SDK clients pointed at it). One sandbox process per dialect per test
session, so per pytest-xdist worker; its state goes back to the seed before every test.
Choose the dialect with `pytest --vbc-dialect observed`, or per test with
`@pytest.mark.vbc_sandbox(dialect="observed")`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import attrs
import httpx
import pytest

from vbc_sandbox.dialects import DIALECTS
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import AsyncTelephony, Telephony

ACCOUNT, OTHER_ACCOUNT = "1234", "5678"


@attrs.define
class RunningSandbox:
    """A sandbox a test may use: where it is, who may call it, and a way back to the seed."""

    process: SandboxProcess
    dialect: str
    token: str = attrs.field(repr=False)
    other_token: str = attrs.field(repr=False)
    account_id: str = ACCOUNT
    other_account_id: str = OTHER_ACCOUNT

    @property
    def base_url(self) -> str:
        return self.process.base_url

    @property
    def origin(self) -> str:
        return self.process.origin

    def reset(self) -> None:
        """Back to the seed: no call, no issued token (the fixture does it before each test)."""
        answer = httpx.post(
            f"{self.origin}/sandbox/reset",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        answer.raise_for_status()


class Sandboxes:
    """The session's sandbox processes, one per dialect, started when first asked for."""

    def __init__(self) -> None:
        self.running: dict[str, RunningSandbox] = {}

    def get(self, dialect: str) -> RunningSandbox:
        if dialect not in self.running:
            token, other = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            process = SandboxProcess(
                [
                    f"--token={token}:{ACCOUNT}",
                    f"--token={other}:{OTHER_ACCOUNT}",
                    "--dialect",
                    dialect,
                ]
            ).start()
            self.running[dialect] = RunningSandbox(process, dialect, token, other)
        return self.running[dialect]

    def stop(self) -> None:
        for sandbox in self.running.values():
            sandbox.process.stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--vbc-dialect",
        choices=DIALECTS,
        default="documented",
        help="the dialect the vbc_sandbox fixture speaks unless a test's marker says",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "vbc_sandbox(dialect): the dialect this test's vbc sandbox speaks"
    )


@pytest.fixture(scope="session")
def vbc_sandboxes() -> Iterator[Sandboxes]:
    sandboxes = Sandboxes()
    yield sandboxes
    sandboxes.stop()


@pytest.fixture
def vbc_sandbox(request: pytest.FixtureRequest, vbc_sandboxes: Sandboxes) -> RunningSandbox:
    marker = request.node.get_closest_marker("vbc_sandbox")
    dialect = (marker.kwargs.get("dialect") if marker else None) or request.config.getoption(
        "--vbc-dialect"
    )
    if dialect not in DIALECTS:
        raise pytest.UsageError(f"vbc_sandbox dialect must be one of {DIALECTS}, not {dialect!r}")
    sandbox = vbc_sandboxes.get(dialect)
    sandbox.reset()
    return sandbox


@pytest.fixture
def vbc_client(vbc_sandbox: RunningSandbox) -> Iterator[Telephony]:
    with Telephony(
        account_id=vbc_sandbox.account_id, token=vbc_sandbox.token, base_url=vbc_sandbox.base_url
    ) as client:
        yield client


@pytest.fixture
def vbc_async_client(vbc_sandbox: RunningSandbox) -> AsyncTelephony:
    """An AsyncTelephony for the sandbox; use it as `async with vbc_async_client:` in an async
    test (under the async plugin your suite uses)."""
    return AsyncTelephony(
        account_id=vbc_sandbox.account_id, token=vbc_sandbox.token, base_url=vbc_sandbox.base_url
    )
