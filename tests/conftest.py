"""Sandboxes the tests talk to: real `vbc-sandbox` processes on loopback ports, on SQLite or
(with `--sandbox-db postgresql`) each on a fresh database of a throwaway PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres_server import PostgresServer
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.settings import LOOPBACK_CONTROL_TOKEN
from vbc_sandbox.storage.engines import is_postgres
from vbc_sandbox.storage.store import Store
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
#: The fault catalogue's score (tests/test_conformance.py), for the end of the run.
CATALOGUE_SCORE = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sandbox-db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where every sandbox of this run keeps its state: SQLite (memory, or the file a"
        " test names) or PostgreSQL (a fresh database of a throwaway server per sandbox, one"
        " per file a test names)",
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on loopback."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def sandbox_storage(request: pytest.FixtureRequest) -> Iterator[str]:
    """Puts every sandbox of a `--sandbox-db postgresql` run on PostgreSQL: those started as
    processes and those built in this one. A SQLite file a test names (to restart on it, or
    to share it between workers) becomes one database, so the test means the same there."""
    backend: str = request.config.getoption("--sandbox-db")
    if backend == "sqlite":
        yield backend
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    databases: dict[str, str] = {}

    def database_for(location: str | None) -> str:
        if location is None:
            return server.new_database()
        if is_postgres(location):
            return location
        if location not in databases:
            databases[location] = server.new_database()
        return databases[location]

    start_process = SandboxProcess.__init__
    open_store = Store.__init__

    def on_postgres(self: SandboxProcess, args: Any = (), **options: Any) -> None:
        args = list(args)
        if options.get("module", "vbc_sandbox.cli") == "vbc_sandbox.cli":
            if "--db" in args:
                at = args.index("--db") + 1
                args[at] = database_for(args[at])
            else:
                args += ["--db", database_for(None)]
        start_process(self, args, **options)

    def store_on_postgres(self: Store, location: str | None, **options: Any) -> None:
        open_store(self, database_for(location), **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SandboxProcess, "__init__", on_postgres)
        patch.setattr(Store, "__init__", store_on_postgres)
        yield backend


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


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The fault catalogue's score, when this run tested it: the suite's proof of strength."""
    lines = config.stash.get(CATALOGUE_SCORE, None)
    if lines:
        terminalreporter.section("vbc-conformance fault catalogue")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives, once on a SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "sandbox.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()
