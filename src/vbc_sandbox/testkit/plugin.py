"""A pytest plugin (installed with the `sandbox` extra; pytest finds it by itself): the
sandbox inside your own test suite, with no conftest.py lines.

    from vbc_sandbox import outcomes

    def test_a_busy_callee(vbc_sandbox, vbc_client):
        vbc_sandbox.script("15551234567", outcomes.busy())
        call_id = vbc_client.calls.dial("15551234567", from_="1001")
        assert vbc_client.calls.get(call_id).status == "busy"

Fixtures: `vbc_sandbox` (a running sandbox: where it is, its tokens and accounts, and the
test kit: `reset`, `load_seed`, `snapshot`/`restore`, the clock, `script`, `fault`,
`delivery_outcome`, `requests`, `timeline`, `ring_inbound`, `deliveries`), `vbc_client` and
`vbc_async_client` (SDK clients pointed at it). One sandbox per dialect and mode per test
session, so per pytest-xdist worker; its state goes back to the seed before every test.

Options: `pytest --vbc-dialect observed`, `pytest --vbc-mode in_process` (no port: the
fastest), or per test `@pytest.mark.vbc_sandbox(dialect="observed", mode="in_process",
seed={...} or a path)`. The default mode is a `vbc-sandbox` process on a loopback port, for
apps that need a real URL.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import pytest

from vbc_sandbox.phone.dialects import DIALECTS
from vbc_sandbox.routes import CONTROL_BASE_PATH
from vbc_sandbox.settings import CONTROL_TOKEN_VARIABLE, TOKENS_VARIABLE, Settings, StaticToken
from vbc_sandbox.testkit.launch import SandboxProcess
from vbc_spec import API_BASE_PATH
from vbc_telephony import AsyncTelephony, PasswordGrant, Telephony
from vbc_telephony.webhooks import Delivery, verify

if TYPE_CHECKING:
    # The server's parts come with the `sandbox` extra: imported when a sandbox starts,
    # so pytest runs with this plugin loaded in environments without them.
    from vbc_sandbox.testkit.sandbox_app import SandboxApp

#: What a test suite uses: the fixtures, and what `vbc_sandbox` gives and raises.
__all__ = [
    "ControlError",
    "QueuedDelivery",
    "RunningSandbox",
    "vbc_async_client",
    "vbc_client",
    "vbc_sandbox",
]

ACCOUNT, OTHER_ACCOUNT = "1234", "5678"
MODES = ("process", "in_process")
#: The host in-process clients name; nothing resolves it, the transport never leaves.
IN_PROCESS_ORIGIN = "http://vbc-sandbox.invalid"


class ControlError(Exception):
    """The sandbox's control API refused a request (the message says why)."""


@attrs.frozen
class QueuedDelivery:
    """A VIS delivery the sandbox queued for a webhook (`vbc_sandbox.deliveries()`): the
    call it comes from, where it stands (`pending`, then `delivered`, `failed` or
    `dropped`), its attempt and the last one's outcome, and what an attempt sends."""

    delivery_id: str
    webhook_id: str
    call_id: str | None
    state: str
    attempt: int
    outcome: str | None
    status: int | None
    body: dict[str, Any]
    headers: dict[str, str]
    created_at: float
    due_at: float
    settled_at: float | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> QueuedDelivery:
        values: dict[str, Any] = {field.name: data.get(field.name) for field in attrs.fields(cls)}
        return cls(**values)

    @property
    def content(self) -> bytes:
        """The body as an attempt sends it, as bytes."""
        return json.dumps(self.body).encode()

    def verify(self, signing_key: str) -> Delivery:
        """`vbc_telephony.webhooks.verify` on what an attempt sends, as a receiver would."""
        return verify(self.content, self.headers, signing_key)


@attrs.define
class RunningSandbox:
    """A sandbox a test may use: where it is, who may call it, and its test kit."""

    dialect: str
    mode: str
    origin: str
    token: str = attrs.field(repr=False)
    other_token: str = attrs.field(repr=False)
    control: httpx.Client = attrs.field(repr=False)
    app: SandboxApp | None = attrs.field(default=None, repr=False)
    """The app itself, in process mode."""
    process: SandboxProcess | None = attrs.field(default=None, repr=False)
    account_id: str = ACCOUNT
    other_account_id: str = OTHER_ACCOUNT

    @property
    def base_url(self) -> str:
        return self.origin + API_BASE_PATH

    # ----------------------------------------------------------------- clients

    def client(self, **options: Any) -> Telephony:
        """A Telephony client for this sandbox (account and token as the fixture's unless
        given); close it, or use it in a `with` block."""
        return Telephony(**self.client_options(options), transport=self.transport())

    def async_client(self, **options: Any) -> AsyncTelephony:
        return AsyncTelephony(**self.client_options(options), transport=self.async_transport())

    def transport(self) -> httpx.BaseTransport | None:
        """What reaches the app in process mode; None: a real connection to `origin`."""
        if self.app is None:
            return None
        from vbc_sandbox.testkit.inprocess import SyncASGITransport

        return SyncASGITransport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        return httpx.ASGITransport(app=self.app) if self.app is not None else None

    def password_grant(
        self,
        username: str,
        password: str,
        client_id: str = "sandbox-client",
        client_secret: str = "sandbox-secret",  # noqa: S107 (the seed's own)
    ) -> PasswordGrant:
        """A PasswordGrant that logs in to this sandbox as a seed user (`client(auth=...)`)."""
        return PasswordGrant(
            username=username,
            password=password,
            client_id=client_id,
            client_secret=client_secret,
            token_url=self.origin + "/token",
            transport=self.transport(),
            async_transport=self.async_transport(),
        )

    def client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        defaults = {"account_id": self.account_id, "base_url": self.base_url}
        if "auth" not in options:
            defaults["token"] = self.token
        return {**defaults, **options}

    # ----------------------------------------------------------------- state

    def reset(self) -> None:
        """Back to the seed (the fixture does it before each test)."""
        self.call("POST", "/reset")

    def load_seed(self, seed: dict[str, Any] | str | Path) -> None:
        """Add accounts, users, devices and clients (as the seed file's form) until reset."""
        if not isinstance(seed, dict):
            seed = json.loads(Path(seed).read_text(encoding="utf-8"))
        self.call("POST", "/seed", seed)

    def snapshot(self) -> str:
        """Keep the whole state; `restore` with the id returned puts it back."""
        return str(self.call("POST", "/snapshots")["snapshot_id"])

    def restore(self, snapshot_id: str) -> None:
        self.call("POST", f"/snapshots/{snapshot_id}/restore")

    # ----------------------------------------------------------------- the clock

    def now(self) -> float:
        return float(self.call("GET", "/clock")["now"])

    def freeze(self) -> float:
        """Stop the sandbox's clock; returns the time it shows."""
        return float(self.call("POST", "/clock", {"freeze": True})["now"])

    def thaw(self) -> float:
        return float(self.call("POST", "/clock", {"freeze": False})["now"])

    def advance(self, seconds: float) -> float:
        """Move the sandbox's time on (frozen or not): phones ring out, tokens expire."""
        return float(self.call("POST", "/clock", {"advance": seconds})["now"])

    def set_time(self, epoch_seconds: float) -> float:
        return float(self.call("POST", "/clock", {"at": epoch_seconds})["now"])

    # ----------------------------------------------------------------- outcomes and faults

    def script(
        self, target: str, *outcomes: dict[str, Any] | str, account_id: str | None = None
    ) -> None:
        """Queue what happens the next times a leg rings `target` (a number, an extension or
        a VH id): entries from `vbc_sandbox.outcomes`, or plain names such as "busy"."""
        entries = [{"outcome": o} if isinstance(o, str) else o for o in outcomes]
        account = account_id or self.account_id
        self.call("POST", f"/accounts/{account}/outcomes", {"target": target, "outcomes": entries})

    def fault(self, operation: str, fault: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` requests of an operation (its operationId) with "429"
        (and Retry-After), "503", or "drop" (the connection closes unanswered)."""
        body = {"operation": operation, "fault": fault, "times": times, "retry_after": retry_after}
        self.call("POST", "/faults", body)

    def delivery_outcome(
        self,
        outcome: str,
        *,
        times: int = 1,
        seconds: float | None = None,
        webhook_id: str | None = None,
    ) -> None:
        """Make the next `times` VIS deliveries (of `webhook_id`, or of any) arrive as a
        receiver must survive: "duplicate" (twice, the same deliveryId and a higher
        attempt), "late" (after the call's final event: a RINGING after ANSWERED), or
        "delay" (`seconds` later on the sandbox's clock)."""
        body: dict[str, Any] = {"outcome": outcome, "times": times, "webhook_id": webhook_id}
        if seconds is not None:
            body["seconds"] = seconds
        self.call("POST", "/delivery-outcomes", body)

    def delivery_outcomes(self) -> list[dict[str, Any]]:
        """The delivery outcomes still queued, oldest first."""
        return list(self.call("GET", "/delivery-outcomes")["delivery_outcomes"])

    # ----------------------------------------------------------------- what happened

    def requests(
        self,
        *,
        operation: str | None = None,
        account_id: str | None = None,
        call_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """The requests the sandbox received since the last reset, oldest first."""
        query = {"operation": operation, "account_id": account_id, "call_id": call_id}
        found = self.call("GET", "/requests", params={k: v for k, v in query.items() if v})
        return list(found["requests"])

    def timeline(self, call_id: str, account_id: str | None = None) -> list[dict[str, Any]]:
        """What happened to a call, in order: ringing, answered, held, transferred, ended."""
        account = account_id or self.account_id
        return list(self.call("GET", f"/accounts/{account}/calls/{call_id}/timeline")["events"])

    def deliveries(
        self,
        *,
        call_id: str | None = None,
        webhook_id: str | None = None,
        state: str | None = None,
    ) -> list[QueuedDelivery]:
        """VIS deliveries queued for webhooks (every change made so far), newest first."""
        query = {"call_id": call_id, "webhook_id": webhook_id, "state": state}
        found = self.call("GET", "/deliveries", params={k: v for k, v in query.items() if v})
        return [QueuedDelivery.of(item) for item in found["deliveries"]]

    def ring_inbound(self, caller: str, extension: str, account_id: str | None = None) -> Any:
        """An outside caller rings an extension; returns the ringing call as GET shows it."""
        account = account_id or self.account_id
        body = {"from": caller, "to": extension}
        return self.call("POST", f"/accounts/{account}/inbound-calls", body)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        try:
            answer = self.control.request(
                method, CONTROL_BASE_PATH + path, json=body, params=params
            )
        except httpx.HTTPError as error:
            # No answer at all: the sandbox's own log says why (it stopped, or it hangs).
            log = self.process.log[-3000:] if self.process else ""
            raise ControlError(
                f"{method} {path}: {error!r}" + (f"\nthe sandbox's log ends:\n{log}" if log else "")
            ) from error
        if answer.is_error:
            try:
                message = answer.json().get("message") or answer.text
            except ValueError:
                message = answer.text
            raise ControlError(f"{method} {path}: {answer.status_code} {message[:300]}")
        return answer.json() if answer.content else None


class Sandboxes:
    """The session's sandboxes, one per dialect and mode, started when first asked for."""

    def __init__(self) -> None:
        self.running: dict[tuple[str, str], RunningSandbox] = {}

    def get(self, dialect: str, mode: str) -> RunningSandbox:
        if importlib.util.find_spec("connexion") is None:
            pytest.fail(
                "the vbc_sandbox fixture needs the sandbox: pip install 'vbc-telephony[sandbox]'",
                pytrace=False,
            )
        if (dialect, mode) not in self.running:
            self.running[dialect, mode] = (
                self.in_process(dialect) if mode == "in_process" else self.process(dialect)
            )
        return self.running[dialect, mode]

    @staticmethod
    def secrets() -> tuple[str, str, str]:
        return secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(24)

    def process(self, dialect: str) -> RunningSandbox:
        token, other, admin = self.secrets()
        tokens = f"{token}:{ACCOUNT} {other}:{OTHER_ACCOUNT}"
        process = SandboxProcess(
            ["--dialect", dialect], env={CONTROL_TOKEN_VARIABLE: admin, TOKENS_VARIABLE: tokens}
        ).start()
        control = httpx.Client(
            base_url=process.origin, headers={"Authorization": f"Bearer {admin}"}, timeout=30
        )
        return RunningSandbox(
            dialect, "process", process.origin, token, other, control, process=process
        )

    def in_process(self, dialect: str) -> RunningSandbox:
        from vbc_sandbox.testkit.inprocess import SyncASGITransport
        from vbc_sandbox.testkit.sandbox_app import SandboxApp

        token, other, admin = self.secrets()
        app = SandboxApp(
            Settings(
                static_tokens=(StaticToken(token, ACCOUNT), StaticToken(other, OTHER_ACCOUNT)),
                control_token=admin,
                dialect=dialect,
            )
        )
        control = httpx.Client(
            transport=SyncASGITransport(app),
            base_url=IN_PROCESS_ORIGIN,
            headers={"Authorization": f"Bearer {admin}"},
        )
        return RunningSandbox(dialect, "in_process", IN_PROCESS_ORIGIN, token, other, control, app)

    def stop(self) -> None:
        for sandbox in self.running.values():
            sandbox.control.close()
            if sandbox.process is not None:
                sandbox.process.stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vbc", "the VBC Telephony sandbox (vbc_sandbox fixture)")
    group.addoption(
        "--vbc-dialect",
        choices=DIALECTS,
        default="documented",
        help="the dialect the vbc_sandbox fixture speaks unless a test's marker says",
    )
    group.addoption(
        "--vbc-mode",
        choices=MODES,
        default="process",
        help="a sandbox process on a loopback port (default), or the app in the test process",
    )


#: Warnings connexion's own imports raise, which are not the user's to act on.
SERVER_IMPORT_WARNINGS = (
    "ignore:Using `httpx` with `starlette.testclient`",
    "ignore:jsonschema.RefResolver is deprecated:DeprecationWarning",
    "ignore:jsonschema.exceptions.RefResolutionError is deprecated:DeprecationWarning",
)


def pytest_configure(config: pytest.Config) -> None:
    for line in SERVER_IMPORT_WARNINGS:
        config.addinivalue_line("filterwarnings", line)
    config.addinivalue_line(
        "markers",
        "vbc_sandbox(dialect, mode, seed): the dialect this test's vbc sandbox speaks, whether"
        " it runs in process, and a seed (dict or JSON file) loaded after the reset",
    )


@pytest.fixture(scope="session")
def vbc_sandboxes() -> Iterator[Sandboxes]:
    sandboxes = Sandboxes()
    yield sandboxes
    sandboxes.stop()


@pytest.fixture
def vbc_sandbox(request: pytest.FixtureRequest, vbc_sandboxes: Sandboxes) -> RunningSandbox:
    """A running sandbox, back at its seed: the test kit (`script`, `fault`, the clock...) and
    where it is; `@pytest.mark.vbc_sandbox(...)` picks its dialect, mode and seed."""
    marker = request.node.get_closest_marker("vbc_sandbox")
    wanted = dict(marker.kwargs) if marker else {}
    dialect = wanted.pop("dialect", None) or request.config.getoption("--vbc-dialect")
    mode = wanted.pop("mode", None) or request.config.getoption("--vbc-mode")
    seed = wanted.pop("seed", None)
    if dialect not in DIALECTS or mode not in MODES or wanted:
        raise pytest.UsageError(
            f"vbc_sandbox marker: dialect one of {DIALECTS}, mode one of {MODES}, and a seed;"
            f" got dialect={dialect!r}, mode={mode!r}, other={sorted(wanted)}"
        )
    sandbox = vbc_sandboxes.get(dialect, mode)
    sandbox.reset()
    if seed is not None:
        sandbox.load_seed(seed)
    return sandbox


@pytest.fixture
def vbc_client(vbc_sandbox: RunningSandbox) -> Iterator[Telephony]:
    """A Telephony client pointed at `vbc_sandbox`, closed after the test."""
    with vbc_sandbox.client() as client:
        yield client


@pytest.fixture
def vbc_async_client(vbc_sandbox: RunningSandbox) -> AsyncTelephony:
    """An AsyncTelephony for the sandbox; use it as `async with vbc_async_client:` in an async
    test (under the async plugin your suite uses)."""
    return vbc_sandbox.async_client()
