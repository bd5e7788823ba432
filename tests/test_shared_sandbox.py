"""A shared sandbox: several `vbc-sandbox` instances on one PostgreSQL database behave as one
sandbox, and survive an instance killed mid-write and the database restarting."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from starlette.types import Message, Receive, Scope, Send

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, STATIC_TOKENS, TOKEN
from tests.postgres_server import PostgresServer
from vbc_sandbox.cli import parser, settings_from
from vbc_sandbox.launch import LOOPBACK, SandboxProcess, free_port
from vbc_sandbox.storage.store import MIGRATIONS, Store
from vbc_sandbox.testkit.journal import LISTING_TEXT
from vbc_sandbox.testkit.sandbox_app import create_app
from vbc_spec import API_BASE_PATH

ROOT = Path(__file__).resolve().parents[1]

AUTH = {"Authorization": f"Bearer {TOKEN}"}
Instances = list[SandboxProcess]


def dial_body(to: str, frm: str = "1001") -> dict[str, Any]:
    return {
        "from": {"destination": frm, "type": "extension"},
        "to": {"destination": to, "type": "pstn"},
    }


def calls_url(instance: SandboxProcess) -> str:
    return f"{instance.base_url}/cc/accounts/{ACCOUNT}/calls"


def place(instance: SandboxProcess, to: str) -> str:
    """Dial through an instance; the new call's id (the API answers it as a JSON string)."""
    response = httpx.post(calls_url(instance), json=dial_body(to), headers=AUTH)
    assert response.status_code == 200, response.text
    call_id: str = response.json()
    return call_id


def listed(instance: SandboxProcess) -> list[str]:
    page = httpx.get(calls_url(instance), params={"page_size": 100}, headers=AUTH).json()
    assert page["pages"] <= 1
    return [call["call_id"] for call in page["calls"]]


def at_once(count: int, action: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """Run `action(i)` for each i on its own thread, released together."""
    barrier = threading.Barrier(count)

    def run(index: int) -> httpx.Response:
        barrier.wait()
        return action(index)

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def start_together(url: str, count: int, *extra: str) -> Instances:
    """`count` instances on one database, started at once (their migrations race)."""
    instances = [SandboxProcess([*STATIC_TOKENS, "--db", url, *extra]) for _ in range(count)]
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        list(pool.map(SandboxProcess.start, instances))
    return instances


@contextlib.contextmanager
def instances_on(url: str, count: int = 3, *extra: str) -> Iterator[Instances]:
    instances = start_together(url, count, *extra)
    try:
        yield instances
    finally:
        for instance in instances:
            instance.stop()
        for instance in instances:
            assert "Traceback" not in instance.log, instance.log


def consistency(url: str) -> dict[str, Any]:
    """What must hold of a store whatever happened to the instances writing it."""
    with psycopg.connect(url) as conn:
        counted = dict(
            conn.execute(
                "SELECT account_id, count(*) FROM calls WHERE ended = 0 GROUP BY account_id"
            ).fetchall()
        )
        kept = dict(conn.execute("SELECT account_id, n FROM active_counts").fetchall())
        legless = conn.execute(
            "SELECT count(*) FROM calls WHERE NOT EXISTS"
            " (SELECT 1 FROM legs WHERE legs.call_id = calls.call_id)"
        ).fetchone()
        unplaced = conn.execute(
            "SELECT count(*) FROM calls WHERE NOT EXISTS (SELECT 1 FROM events"
            " WHERE events.call_id = calls.call_id AND events.event = 'placed')"
        ).fetchone()
        ids = {row[0] for row in conn.execute("SELECT call_id FROM calls")}
    return {
        "counters_match": {k: v for k, v in kept.items() if v} == counted,
        "calls_without_legs": legless[0] if legless else None,
        "calls_without_placed_event": unplaced[0] if unplaced else None,
        "call_ids": ids,
    }


@pytest.fixture
def database(postgres: PostgresServer) -> str:
    return postgres.new_database()


def test_instances_starting_together_migrate_the_schema_once(database: str) -> None:
    with instances_on(database) as instances:
        health = [httpx.get(i.origin + "/sandbox/health").json() for i in instances]
    assert {h["database"]["engine"] for h in health} == {"postgresql"}
    with psycopg.connect(database) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version")]
    assert sorted(versions) == [version for version, _what, _step in MIGRATIONS]


def test_twenty_hangups_of_one_call_through_three_instances_succeed_once(database: str) -> None:
    with instances_on(database) as instances:
        call_id = place(instances[0], "15550000181")
        responses = at_once(
            20,
            lambda i: httpx.delete(f"{calls_url(instances[i % 3])}/{call_id}", headers=AUTH),
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses[0] in (200, 204) and set(statuses[1:]) <= {404, 409}, statuses
        for instance in instances:
            gone = httpx.get(f"{calls_url(instance)}/{call_id}", headers=AUTH)
            assert gone.status_code == 404
    assert consistency(database)["counters_match"]


def test_fifty_dials_from_one_extension_through_three_instances_leave_one_story(
    database: str,
) -> None:
    with instances_on(database) as instances:
        responses = at_once(
            50,
            lambda i: httpx.post(
                calls_url(instances[i % 3]), json=dial_body(f"1555000{i:04d}"), headers=AUTH
            ),
        )
        assert [r.status_code for r in responses] == [200] * 50
        placed = {r.json() for r in responses}
        assert len(placed) == 50
        # Every instance lists the same calls: the ones placed, each once.
        for instance in instances:
            assert sorted(listed(instance)) == sorted(placed)
    state = consistency(database)
    assert state["counters_match"] and state["call_ids"] == placed
    assert state["calls_without_legs"] == 0 and state["calls_without_placed_event"] == 0


def test_a_refresh_token_rotates_once_across_instances(database: str) -> None:
    with instances_on(database) as instances:
        tokens = httpx.post(instances[0].origin + "/token", data=ALICE_LOGIN).json()
        refresh = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": ALICE_LOGIN["client_id"],
            "client_secret": ALICE_LOGIN["client_secret"],
        }
        responses = at_once(
            9, lambda i: httpx.post(instances[i % 3].origin + "/token", data=refresh)
        )
        assert sorted(r.status_code for r in responses) == [200] + [400] * 8
        # The access token issued by one instance is good on every other.
        fresh = next(r for r in responses if r.status_code == 200).json()["access_token"]
        for instance in instances:
            mine = httpx.get(calls_url(instance), headers={"Authorization": f"Bearer {fresh}"})
            assert mine.status_code == 200


def test_a_token_quota_is_counted_across_instances(database: str) -> None:
    with instances_on(database, 3, "--rate-limit", "7/min") as instances:
        responses = at_once(12, lambda i: httpx.get(calls_url(instances[i % 3]), headers=AUTH))
        assert sorted(r.status_code for r in responses) == [200] * 7 + [429] * 5


def test_the_clock_outcomes_and_journal_are_shared(database: str) -> None:
    with instances_on(database) as (first, second, third):
        control = first.origin + "/sandbox"
        frozen = httpx.post(control + "/clock", json={"freeze": True}, headers=ADMIN).json()
        httpx.post(control + "/clock", json={"advance": 600}, headers=ADMIN)
        seen = httpx.get(second.origin + "/sandbox/clock", headers=ADMIN).json()
        assert seen["frozen"] and seen["now"] == pytest.approx(frozen["now"] + 600)

        scripted = httpx.post(
            f"{control}/accounts/{ACCOUNT}/outcomes",
            json={"target": "15550000182", "outcomes": [{"outcome": "busy"}]},
            headers=ADMIN,
        )
        assert scripted.status_code == 204, scripted.text
        call_id = place(second, "15550000182")
        call = httpx.get(f"{calls_url(third)}/{call_id}", headers=AUTH).json()
        assert call["status"] == "busy"

        journal = httpx.get(
            third.origin + "/sandbox/requests", params={"call_id": call_id}, headers=ADMIN
        ).json()["requests"]
        assert [e["operation"] for e in journal] == ["create_call", "get_call"]


def shared_url(storage: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if storage == "sqlite":
        return str(tmp_path / "shared.db")
    url: str = request.getfixturevalue("database")
    return url


@pytest.mark.parametrize("storage", ["sqlite", "postgresql"])
def test_an_answer_leaves_only_once_its_request_is_in_the_shared_journal(
    storage: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Answers given in one event-loop turn share a commit of their entries; none may leave
    # before that commit, or a test reading the journal right after its request misses it.
    url = shared_url(storage, tmp_path, request)
    app = create_app(settings_from(parser().parse_args([*STATIC_TOKENS, "--db", url])))
    another_instance = Store(url)
    journaled_when_answered: dict[str, bool] = {}

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                call_id = json.loads(message["body"])
                entries = another_instance.journal({"call_id": call_id}, 10, LISTING_TEXT)
                journaled_when_answered[call_id] = [e["status"] for e in entries] == [200]
            await send(message)

        await app(scope, receive, sending)

    async def dial_at_once(count: int) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=watched)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            url = f"{API_BASE_PATH}/cc/accounts/{ACCOUNT}/calls"
            return await asyncio.gather(
                *(
                    client.post(url, json=dial_body(f"1555000{i:04d}"), headers=AUTH)
                    for i in range(count)
                )
            )

    try:
        responses = asyncio.run(dial_at_once(16))
    finally:
        another_instance.close()
    assert [r.status_code for r in responses] == [200] * 16
    assert journaled_when_answered == {r.json(): True for r in responses}


@pytest.mark.parametrize("storage", ["sqlite", "postgresql"])
def test_requests_at_once_are_each_in_another_instances_journal(
    storage: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with instances_on(shared_url(storage, tmp_path, request), 2) as (dialled, asked):

        def dial_then_read_the_journal(index: int) -> httpx.Response:
            dial = dial_body(f"1555000{index:04d}")
            placed = httpx.post(calls_url(dialled), json=dial, headers=AUTH)
            assert placed.status_code == 200, placed.text
            return httpx.get(
                asked.origin + "/sandbox/requests",
                params={"call_id": placed.json()},
                headers=ADMIN,
            )

        journals = [r.json()["requests"] for r in at_once(16, dial_then_read_the_journal)]
        assert [[(e["operation"], e["status"]) for e in j] for j in journals] == [
            [("create_call", 200)]
        ] * 16


def test_an_instance_killed_mid_write_loses_nothing_committed(database: str) -> None:
    with instances_on(database, 2) as (doomed, survivor):
        placed: list[str] = []
        stop = threading.Event()

        def keep_dialling(worker: int) -> None:
            with httpx.Client(timeout=5) as client:
                for n in range(200):
                    if stop.is_set():
                        return
                    try:
                        response = client.post(
                            calls_url(doomed), json=dial_body(f"155{worker}{n:07d}"), headers=AUTH
                        )
                    except httpx.HTTPError:
                        return  # the instance is gone
                    if response.status_code == 200:
                        placed.append(response.json())
                    if len(placed) >= 40 and doomed.process is not None:
                        stop.set()

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(keep_dialling, w) for w in range(6)]
            stop.wait(timeout=30)
            assert doomed.process is not None
            # Mid-write: six clients are dialling through it as it dies.
            os.killpg(doomed.process.pid, signal.SIGKILL)
            concurrent.futures.wait(futures)
        doomed.process.wait()

        state = consistency(database)
        assert set(placed) <= state["call_ids"]  # every 201 was committed
        assert state["counters_match"]
        assert state["calls_without_legs"] == 0 and state["calls_without_placed_event"] == 0
        assert set(listed(survivor)) == state["call_ids"] and len(placed) >= 40


def test_a_database_restart_gives_clean_503s_then_the_instances_recover() -> None:
    # A server of its own: the others' sandboxes must not see it go down.
    with PostgresServer() as server, instances_on(server.new_database(), 2) as instances:
        call_id = place(instances[0], "15550000183")
        server.stop()
        for instance in instances:
            down = httpx.get(f"{calls_url(instance)}/{call_id}", headers=AUTH)
            assert down.status_code == 503 and down.headers["Retry-After"] == "2"
            assert "database" in down.json()["message"]
            health = httpx.get(instance.origin + "/sandbox/health")
            assert health.status_code == 503
        server.start_again()
        for instance in instances:
            # The first request after the restart connects again.
            up = httpx.get(f"{calls_url(instance)}/{call_id}", headers=AUTH)
            assert up.status_code == 200 and up.json()["call_id"] == call_id
            health = httpx.get(instance.origin + "/sandbox/health").json()
            assert health["database"]["engine"] == "postgresql"


def test_an_unreachable_database_at_start_is_one_line_without_the_password() -> None:
    url = f"postgresql://sandbox:s3cret-pw@{LOOPBACK}:{free_port()}/sandbox"
    result = subprocess.run(
        [sys.executable, "-m", "vbc_sandbox.cli", "--port", "0"],
        env={**os.environ, "VBC_SANDBOX_DB": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "vbc-sandbox: cannot reach the database at postgresql://sandbox:***@"
    )
    assert "s3cret-pw" not in result.stderr and "Traceback" not in result.stderr


@contextlib.contextmanager
def compose_proxy(instances: Instances) -> Iterator[str]:
    """Debian's nginx with compose.yaml's proxy configuration (deploy/nginx.conf), its two
    upstream hosts and its port moved to loopback; the proxy's origin."""
    root = Path(tempfile.mkdtemp(prefix="vbc-nginx-"))
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for old, new in [
        ("sandbox-1:8080", f"{LOOPBACK}:{instances[0].port}"),
        ("sandbox-2:8080", f"{LOOPBACK}:{instances[1].port}"),
        ("listen 8080;", f"listen {LOOPBACK}:{port};"),
    ]:
        assert old in site
        site = site.replace(old, new)
    temp = " ".join(
        f"{kind}_temp_path {root}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off; worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log;\n"
        + f"events {{}}\nhttp {{ access_log off; {temp}\n{site}\n}}\n",
        encoding="utf-8",
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    # Its output goes to a file, not a pipe nobody would read while it runs.
    with (root / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(  # our own configuration
            [nginx, "-p", str(root), "-c", str(root / "nginx.conf")], stderr=stderr
        )
    origin = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(origin + "/sandbox/health").status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                logs = [root / "stderr.log", root / "error.log"]
                said = "".join(log.read_text(errors="replace") for log in logs if log.exists())
                raise AssertionError(f"nginx did not start: {said}")
            time.sleep(0.05)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def test_two_instances_behind_the_compose_proxy_serve_one_state_and_outlive_one(
    database: str,
) -> None:
    with instances_on(database, 2) as instances, compose_proxy(instances) as origin:
        calls = f"{origin}{API_BASE_PATH}/cc/accounts/{ACCOUNT}/calls"
        placed = set()
        for n in range(6):
            response = httpx.post(calls, json=dial_body(f"1555000019{n}"), headers=AUTH)
            assert response.status_code == 200
            placed.add(response.json())
        workers = {httpx.get(origin + "/sandbox/health").json()["worker"] for _ in range(10)}
        assert len(workers) == 2  # the proxy spreads requests over both instances

        instances[0].stop()
        for _ in range(10):
            # The proxy retries a GET on the instance that is left; each sees every call.
            page = httpx.get(calls, params={"page_size": 100}, headers=AUTH)
            assert page.status_code == 200
            assert {call["call_id"] for call in page.json()["calls"]} == placed


@pytest.mark.parametrize(
    ("where", "shown"),
    [("user", "postgres:***@"), ("query", "?password=[redacted]")],
    ids=["in the user part", "in the query"],
)
def test_a_database_password_stays_out_of_the_log_and_the_settings(
    postgres: PostgresServer, where: str, shown: str
) -> None:
    # The throwaway server trusts every local login, so any password connects.
    url = postgres.new_database()
    if where == "user":
        url = url.replace("postgres@", "postgres:pw-s3cret@")
    else:
        url += "?password=pw-s3cret"
    with SandboxProcess(["--db", url]) as instance:
        assert httpx.get(instance.origin + "/sandbox/health").status_code == 200
    assert shown in instance.log and "pw-s3cret" not in instance.log
    assert "pw-s3cret" not in repr(settings_from(parser().parse_args(["--db", url])))
