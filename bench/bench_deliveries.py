"""VIS deliveries per second from one sandbox (web/vis_delivery.py's deliver_due, called
until nothing is due, as the sandbox's loop does) to a receiver on loopback: a bare
Starlette app under uvicorn in a process of its own, answering 200. Each delivery is signed
(policy HEADER), sent on a connection of its own (as VIS does), and settled in the store.
On a SQLite file and on PostgreSQL (a throwaway server), with 50 deliveries claimed at a
time; the median of ROUNDS rounds of N deliveries each."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[1]
NUMBER = int(os.environ.get("BENCH_DELIVERIES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LIMIT = 50
NOW = 1_800_000_000.0


async def hook(request: Request) -> Response:
    await request.body()
    return Response("")


#: The receiver, served by `python -m uvicorn bench_deliveries:receiver` in its own process.
receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@contextlib.contextmanager
def receiving() -> Iterator[str]:
    """The receiver's URL while its process answers."""
    from vbc_sandbox.launch import LOOPBACK, free_port

    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "bench_deliveries:receiver",
        "--app-dir", str(ROOT / "bench"), "--host", LOOPBACK, "--port", str(port),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://{LOOPBACK}:{port}/hook"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.post(url, content=b"{}")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait()


def one_round(location: str, url: str, round_number: int) -> float:
    """Deliveries per second for NUMBER deliveries due at once."""
    from vbc_sandbox.phone.state import Sandbox
    from vbc_sandbox.phone.webhook_rules import expires_at
    from vbc_sandbox.settings import Settings
    from vbc_sandbox.web.delivery_sender import DeliverySender
    from vbc_sandbox.web.vis_delivery import deliver_due

    sandbox = Sandbox.build(Settings(db=location))
    sandbox.clock.change(freeze=True, at=NOW)
    webhook_id = f"bench-{round_number}"
    sandbox.store.add_webhook(
        {
            "webhook_id": webhook_id, "account_id": "1234", "username": "alice",
            "user_id": "1", "url": url, "events": json.dumps(["CALL"]),
            "signing_algo": "HMAC_SHA256", "signing_key": "bench-signing-key",
            "metadata_policy": "HEADER", "created_at": NOW, "expire_at": expires_at(NOW),
        }
    )  # fmt: skip
    event = {"id": "e", "type": "CALL", "state": "RINGING", "duration": 0, "userId": "1"}
    sandbox.store.enqueue_deliveries(
        [
            {
                "delivery_id": f"{webhook_id}-{n}", "webhook_id": webhook_id,
                "account_id": "1234", "call_id": f"call-{n}", "event": json.dumps(event),
                "created_at": NOW, "due_at": NOW,
            }
            for n in range(NUMBER)
        ]
    )  # fmt: skip

    async def deliver_all() -> float:
        sender = DeliverySender()
        started = time.perf_counter()
        try:
            while await deliver_due(sandbox, sender, claimer="bench", limit=LIMIT):
                pass
        finally:
            await sender.aclose()
        return time.perf_counter() - started

    elapsed = asyncio.run(deliver_all())
    webhook = sandbox.store.webhook("1234", "alice", webhook_id)
    sandbox.store.close()
    assert webhook is not None and webhook["total_successes"] == NUMBER, dict(webhook or {})
    return NUMBER / elapsed


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import PostgresServer

    print(
        f"VIS deliveries per second, deliver_due to a uvicorn receiver on loopback,"
        f" {LIMIT} claimed at a time; median of {ROUNDS} rounds of {NUMBER}"
    )
    print(f"{'storage':<12}{'deliveries/s':>14}")
    with receiving() as url, tempfile.TemporaryDirectory() as folder:
        with PostgresServer() as postgres:
            locations = {
                "SQLite file": str(Path(folder) / "bench.db"),
                "PostgreSQL": postgres.new_database(),
            }
            for name, location in locations.items():
                rates = [one_round(location, url, n) for n in range(ROUNDS)]
                print(f"{name:<12}{statistics.median(rates):>14.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
