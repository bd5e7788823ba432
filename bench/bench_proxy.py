"""What `vbc-conformance proxy` costs the application behind it, on one sandbox, in one run:
the latency it adds to one request (median and p99 of proxied minus direct, requests
alternating direct and proxied so drift hits both alike) and the requests per second through
it against the sandbox directly (THREADS clients for SECONDS each). Goal: under 2 ms median
added, at least 50% of the direct rate."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time

import httpx

from vbc_conformance.launch import ProxyProcess
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

TOKEN = "bench-token"
ACCOUNT = "1234"
PAIRS = int(os.environ.get("BENCH_PAIRS", "400"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = 8


def timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    client.get(path).raise_for_status()
    return time.perf_counter() - started


def rate(base_url: str, path: str) -> float:
    """Requests per second THREADS keep-alive clients get through for SECONDS."""
    done = [0] * THREADS
    deadline = time.monotonic() + SECONDS

    def work(slot: int) -> None:
        with httpx.Client(base_url=base_url, headers=HEADERS) as client:
            while time.monotonic() < deadline:
                client.get(path).raise_for_status()
                done[slot] += 1

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / SECONDS


HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def main() -> int:
    with (
        SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}"]) as sandbox,
        ProxyProcess(sandbox.origin) as proxy,
    ):
        with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as sdk:
            call_id = sdk.calls.dial("15551234567", from_="1001")
        path = f"/cc/accounts/{ACCOUNT}/calls/{call_id}"
        with (
            httpx.Client(base_url=sandbox.base_url, headers=HEADERS) as direct,
            httpx.Client(base_url=proxy.base_url, headers=HEADERS) as proxied,
        ):
            for _ in range(20):
                timed(direct, path), timed(proxied, path)
            added = []
            for _ in range(PAIRS):
                before = timed(direct, path)
                added.append(timed(proxied, path) - before)
        added.sort()
        median_ms = statistics.median(added) * 1000
        p99_ms = added[int(len(added) * 0.99) - 1] * 1000
        direct_rate = rate(sandbox.base_url, path)
        proxied_rate = rate(proxy.base_url, path)
        summary = proxy.stop()
    share = proxied_rate / direct_rate
    print(f"get_call through vbc-conformance proxy, {PAIRS} pairs, {THREADS} clients x {SECONDS} s")
    print(f"added latency: median {median_ms:.2f} ms, p99 {p99_ms:.2f} ms (goal: median < 2 ms)")
    print(
        f"requests/s: direct {direct_rate:.0f}, through the proxy {proxied_rate:.0f}"
        f" ({share:.0%} of direct; goal: at least 50%)"
    )
    # What the judge kept up with: exchanges judged, and those forwarded unjudged.
    for line in summary.splitlines():
        if " cases in " in line or "not judged" in line:
            print(f"judge: {line.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
