"""What VIS's producer costs the API: get_call's latency on a served sandbox (its VIS loop
ticking every 100 ms) with 100 active calls, unwatched, then watched by a webhook of their
user; and both again while one of them changes every 50 ms (each change has the producer
look at the account's calls again; the changes' own requests load the server alike). Median
and 95th percentile of sequential requests, on SQLite (the producer on the event loop) and
on PostgreSQL (in a worker thread). Goal: each watched median within 10% of the unwatched
one under the same load."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres_server import PostgresServer

from vbc_sandbox.launch import SandboxProcess
from vbc_spec import VIS_BASE_PATH

TOKEN = "bench-token"
ACCOUNT = "1234"
CALLS = 100
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
GOAL = 1.10


def latencies(raw: httpx.Client, call_id: str) -> tuple[float, float]:
    """(median, p95) milliseconds of get_call."""
    path = f"/cc/accounts/{ACCOUNT}/calls/{call_id}"
    for _ in range(50):
        raw.get(path).raise_for_status()
    taken = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        raw.get(path).raise_for_status()
        taken.append((time.perf_counter() - started) * 1000)
    taken.sort()
    return statistics.median(taken), taken[int(len(taken) * 0.95)]


@contextmanager
def changing(running: SandboxProcess, call_id: str) -> Iterator[None]:
    """One call held and taken off hold, a change every 50 ms, until the block ends."""
    stop = threading.Event()

    def churn() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=running.base_url, headers=headers) as raw:
            leg = raw.get(f"/cc/accounts/{ACCOUNT}/calls/{call_id}/legs").json()[0]["leg_id"]
            path = f"/cc/accounts/{ACCOUNT}/calls/{call_id}/legs/{leg}"
            held = False
            while not stop.wait(0.05):
                held = not held
                raw.put(path, json={"state": "held" if held else "active"}).raise_for_status()

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


def run(engine: str, args: list[str]) -> None:
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}", *args]) as running:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=running.base_url, headers=headers) as raw:
            calls = [
                raw.post(
                    f"/cc/accounts/{ACCOUNT}/calls",
                    json={
                        "from": {"type": "extension", "destination": "1001"},
                        "to": {"type": "pstn", "destination": "15551234567"},
                    },
                ).json()
                for _ in range(CALLS)
            ]
            measured = calls[0]
            unwatched = latencies(raw, measured)
            with changing(running, calls[1]):
                unwatched_churning = latencies(raw, measured)
            form = {
                "grant_type": "password",
                "username": "alice@vbc.prod",
                "password": "alice-sandbox-password",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
            }
            alice = raw.post(running.origin + "/token", data=form).json()["access_token"]
            raw.post(
                running.origin + VIS_BASE_PATH + "/self/webhooks",
                headers={"Authorization": f"Bearer {alice}"},
                json={"url": "http://127.0.0.1:9/vis", "events": ["CALL"]},
            ).raise_for_status()
            time.sleep(0.5)  # the first looks at the 100 calls are taken
            watched = latencies(raw, measured)
            with changing(running, calls[1]):
                churning = latencies(raw, measured)
    print(f"{engine}: get_call ms, median / p95, {REQUESTS} sequential requests, {CALLS} calls")
    for name, (median, p95), base in [
        ("unwatched", unwatched, None),
        ("watched, idle", watched, unwatched),
        ("unwatched, a change every 50 ms", unwatched_churning, None),
        ("watched, a change every 50 ms", churning, unwatched_churning),
    ]:
        verdict = ""
        if base is not None:
            ratio = median / base[0]
            verdict = f"  ({ratio:.2f}x of the line above{'' if ratio <= GOAL else ', OVER GOAL'})"
        print(f"  {name:34} {median:6.3f} / {p95:6.3f}{verdict}")


def main() -> None:
    run("SQLite (memory)", [])
    with PostgresServer() as server:
        run("PostgreSQL", ["--db", server.new_database()])


if __name__ == "__main__":
    main()
