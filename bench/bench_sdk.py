"""The SDK's per-request cost against raw httpx (GET plus .json()) for get_call and a
100-call list_calls page, on one sandbox, in interleaved rounds of one run, so both see the
same machine. The goal is a ratio: at most 1.15x raw httpx."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import httpx

from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

TOKEN = "bench-token"
ACCOUNT = "1234"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
PER_ROUND = int(os.environ.get("BENCH_PER_ROUND", "40"))


def per_request(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(PER_ROUND):
        action()
    return (time.perf_counter() - started) / PER_ROUND


def compare(name: str, raw: Callable[[], object], sdk: Callable[[], object]) -> float:
    for _ in range(5):  # warm both paths and the server
        raw()
        sdk()
    raw_times, sdk_times = [], []
    for _ in range(ROUNDS):
        raw_times.append(per_request(raw))
        sdk_times.append(per_request(sdk))
    raw_ms, sdk_ms = statistics.median(raw_times) * 1000, statistics.median(sdk_times) * 1000
    ratio = sdk_ms / raw_ms
    print(f"{name:<26}{raw_ms:>10.3f}{sdk_ms:>10.3f}{ratio:>9.2f}x")
    return ratio


def main() -> int:
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}"]) as sandbox:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers) as raw, Telephony(
            account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url
        ) as client:
            for _ in range(100):
                client.calls.dial("15551234567", from_="1001")
            call_id = next(iter(client.calls.list(page_size=1))).call_id
            print(f"median per request over {ROUNDS} interleaved rounds of {PER_ROUND}")
            print(f"{'operation':<26}{'httpx ms':>10}{'SDK ms':>10}{'ratio':>10}")
            ratios = [
                compare(
                    "get_call",
                    lambda: raw.get(f"/cc/accounts/{ACCOUNT}/calls/{call_id}").json(),
                    lambda: client.calls.get(call_id),
                ),
                compare(
                    "list_calls (100 calls)",
                    lambda: raw.get(f"/cc/accounts/{ACCOUNT}/calls?page_size=100").json(),
                    lambda: client.calls.list(page_size=100).first_page(),
                ),
            ]
    print(f"worst ratio {max(ratios):.2f}x (goal: at most 1.15x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
