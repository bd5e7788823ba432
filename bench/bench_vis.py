"""What VIS costs the API: get_call's latency on two served sandboxes side by side, each
with 100 active calls, one of them watched by a webhook of their user whose receiver (a
uvicorn process on loopback) answers 200 (its VIS loop producing events and sending
deliveries), measured in turn, round after round; idle, and while the 100 calls change in
turn, each every 5 s and then every second (each change an event, a delivery sent and
settled; the changes' own requests load both alike). Median and 95th percentile of
sequential requests, the median over ROUNDS rounds; on SQLite (the VIS work on the event
loop) and on PostgreSQL (in worker threads). Goal: the watched median within 10% of the
unwatched one, idle and with each call changing every 5 s."""

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
def changing(running: SandboxProcess, call_ids: list[str], pace: float | None) -> Iterator[None]:
    """The calls held and taken off hold in turn, a change every `pace` seconds (None: no
    change), until the block ends."""
    if pace is None:
        yield
        return
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
PACES = {"idle": None, "each call changing every 5 s": 0.05, "every 1 s": 0.01}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def user_token(raw: httpx.Client, origin: str) -> str:
    form = {
        "grant_type": "password",
        "username": "alice@vbc.prod",
        "password": "alice-sandbox-password",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    return str(raw.post(origin + "/token", data=form).json()["access_token"])


def placed_calls(raw: httpx.Client) -> list[str]:
    call = {
        "from": {"type": "extension", "destination": "1001"},
        "to": {"type": "pstn", "destination": "15551234567"},
    }
    return [raw.post(f"/cc/accounts/{ACCOUNT}/calls", json=call).json() for _ in range(CALLS)]


def run(engine: str, databases: list[list[str]], receiver_url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with (
        SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}", *databases[0]]) as plain,
        SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}", *databases[1]]) as watched,
        httpx.Client(base_url=plain.base_url, headers=headers) as plain_raw,
        httpx.Client(base_url=watched.base_url, headers=headers) as watched_raw,
    ):
        sides = {"unwatched": (plain, plain_raw), "watched": (watched, watched_raw)}
        calls = {name: placed_calls(raw) for name, (_, raw) in sides.items()}
        vis = {"Authorization": f"Bearer {user_token(watched_raw, watched.origin)}"}
        webhooks = watched.origin + VIS_BASE_PATH + "/self/webhooks"
        webhook = watched_raw.post(
            webhooks,
            headers=vis,
            json={"url": receiver_url, "events": ["CALL"], "signingKey": "bench-key"},
        ).json()
        time.sleep(0.5)  # the first looks at the 100 calls are taken
        taken: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(ROUNDS):
            for pace_name, pace in PACES.items():
                for side, (running, raw) in sides.items():
                    measured, others = calls[side][0], calls[side][1:]
                    with changing(running, others, pace):
                        taken.setdefault((pace_name, side), []).append(latencies(raw, measured))
        answer = watched_raw.get(f"{webhooks}/{webhook['id']}", headers=vis).json()
        delivered = answer["statistics"]["totalSuccesses"]
    print(
        f"{engine}: get_call ms, median / p95 of {REQUESTS} sequential requests, {CALLS} calls,"
        f" median of {ROUNDS} rounds; unwatched, then watched ({delivered} deliveries received)"
    )
    for pace_name in PACES:
        plain_median, plain_p95 = median_of(taken[(pace_name, "unwatched")])
        watched_median, watched_p95 = median_of(taken[(pace_name, "watched")])
        ratio = watched_median / plain_median
        verdict = "" if ratio <= GOAL or "1 s" in pace_name else ", OVER GOAL"
        print(
            f"  {pace_name:30} {plain_median:6.3f} / {plain_p95:6.3f}"
            f"   {watched_median:6.3f} / {watched_p95:6.3f}  ({ratio:.2f}x{verdict})"
        )


def median_of(rounds: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(m for m, _ in rounds), statistics.median(p for _, p in rounds)


def main() -> None:
    with receiving() as url:
        run("SQLite (memory)", [[], []], url)
        with PostgresServer() as server:
            databases = [["--db", server.new_database()] for _ in range(2)]
            run("PostgreSQL", databases, url)


if __name__ == "__main__":
    main()
