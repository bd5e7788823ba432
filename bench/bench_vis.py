"""What VIS costs the API: get_call's latency on a served sandbox (its VIS loop producing
events and sending deliveries) with 100 active calls, unwatched, then watched by a webhook
of their user whose receiver (a uvicorn process on loopback) answers 200; and both again
while the 100 calls change in turn, each every 5 s and then every second (each change an
event, a delivery sent and settled; the changes' own requests load the server alike in
both). Median and 95th
percentile of sequential requests, on SQLite (the VIS work on the event loop) and on
PostgreSQL (in worker threads). Goal: each watched median within 10% of the unwatched one
under the same load, idle and with each call changing every 5 s."""

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

from bench_deliveries import receiving
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
def changing(running: SandboxProcess, call_ids: list[str], pace: float) -> Iterator[None]:
    """The calls held and taken off hold in turn, a change every `pace` seconds, until the
    block ends."""
    stop = threading.Event()

    def churn() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=running.base_url, headers=headers) as raw:
            paths = []
            for call_id in call_ids:
                legs = raw.get(f"/cc/accounts/{ACCOUNT}/calls/{call_id}/legs").json()
                paths.append(f"/cc/accounts/{ACCOUNT}/calls/{call_id}/legs/{legs[0]['leg_id']}")
            changes = 0
            while not stop.wait(pace):
                path = paths[changes % len(paths)]
                held = (changes // len(paths)) % 2 == 0
                raw.put(path, json={"state": "held" if held else "active"}).raise_for_status()
                changes += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


#: Seconds between two changes of the 100 calls: each call changing every 5 s (a busy
#: contact centre), then every second (a stress far past it, for information).
PACES = {"every 5 s": 0.05, "every 1 s": 0.01}


def run(engine: str, args: list[str], receiver_url: str) -> None:
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

            def measure() -> dict[str, tuple[float, float]]:
                taken = {"idle": latencies(raw, measured)}
                for name, pace in PACES.items():
                    with changing(running, calls[1:], pace):
                        taken[f"each call changing {name}"] = latencies(raw, measured)
                return taken

            unwatched = measure()
            form = {
                "grant_type": "password",
                "username": "alice@vbc.prod",
                "password": "alice-sandbox-password",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
            }
            alice = raw.post(running.origin + "/token", data=form).json()["access_token"]
            vis = {"Authorization": f"Bearer {alice}"}
            webhooks = running.origin + VIS_BASE_PATH + "/self/webhooks"
            webhook = raw.post(
                webhooks,
                headers=vis,
                json={"url": receiver_url, "events": ["CALL"], "signingKey": "bench-key"},
            ).json()
            time.sleep(0.5)  # the first looks at the 100 calls are taken
            watched = measure()
            answer = raw.get(f"{webhooks}/{webhook['id']}", headers=vis).json()
            delivered = answer["statistics"]["totalSuccesses"]
    print(
        f"{engine}: get_call ms, median / p95, {REQUESTS} sequential requests, {CALLS} calls;"
        f" unwatched, then watched ({delivered} deliveries received)"
    )
    for name, (median, p95) in unwatched.items():
        watched_median, watched_p95 = watched[name]
        ratio = watched_median / median
        verdict = "" if ratio <= GOAL or "1 s" in name else ", OVER GOAL"
        print(
            f"  {name:30} {median:6.3f} / {p95:6.3f}   {watched_median:6.3f} / {watched_p95:6.3f}"
            f"  ({ratio:.2f}x{verdict})"
        )


def main() -> None:
    with receiving() as url:
        run("SQLite (memory)", [], url)
        with PostgresServer() as server:
            run("PostgreSQL", ["--db", server.new_database()], url)


if __name__ == "__main__":
    main()
