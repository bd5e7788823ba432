"""What calls.watch() costs per look against the same walk done with calls.list(), on one
sandbox, in one run: with 100 and 1,000 active calls, the requests a look sends, its
milliseconds (wall, and SDK: the CPU time of this process, the sandbox being another), and
the ratio of SDK time (goal: at most 1.10x, the diff nearly free). Looks and plain walks
alternate, and each side is its median, so drift on a shared machine hits both alike.
Then the memory a watcher holds and peaks at with 10,000 active calls (tracemalloc)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import httpx

from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import CallWatcher, Telephony

TOKEN = "bench-token"
ACCOUNT = "1234"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
GOAL = 1.10


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread) that `action` took."""
    wall, cpu = time.perf_counter(), time.thread_time()
    action()
    return time.perf_counter() - wall, time.thread_time() - cpu


def place(raw: httpx.Client, count: int) -> None:
    body = {"from": {"type": "extension", "destination": "1001"}}
    for _ in range(count):
        raw.post(
            f"/cc/accounts/{ACCOUNT}/calls",
            json={**body, "to": {"type": "pstn", "destination": "15551234567"}},
        ).raise_for_status()


def compare(client: Telephony, active: int) -> float:
    watcher = client.calls.watch()
    assert len(list(watcher.look())) == active  # the first look starts every call
    sent = watcher.requests

    def look() -> None:
        assert list(watcher.look()) == []  # nothing changed: the diff finds nothing

    def walk() -> None:
        list(client.calls.list(order="asc"))

    for _ in range(3):
        look()
        walk()
    looks: list[tuple[float, float]] = []
    walks: list[tuple[float, float]] = []
    requests_before = watcher.requests
    for _ in range(ROUNDS // 2):
        looks.append(timed(look))
        walks.append(timed(walk))
        walks.append(timed(walk))
        looks.append(timed(look))
    per_look = (watcher.requests - requests_before) / len(looks)
    assert per_look == (sent or 1)
    look_wall, look_cpu = (statistics.median(side) * 1000 for side in zip(*looks, strict=True))
    walk_wall, walk_cpu = (statistics.median(side) * 1000 for side in zip(*walks, strict=True))
    ratio = look_cpu / walk_cpu
    print(
        f"{active:>6}{per_look:>10.0f}{look_wall:>11.2f}{walk_wall:>11.2f}"
        f"{look_cpu:>10.2f}{walk_cpu:>10.2f}{ratio:>8.2f}x"
    )
    return ratio


def memory(client: Telephony, active: int, page_size: int) -> None:
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    watcher: CallWatcher = client.calls.watch(page_size=page_size)
    started = sum(1 for _ in watcher.look())
    held = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    list(watcher.look())
    peak = tracemalloc.get_traced_memory()[1] - before
    state_bytes = len(json.dumps(watcher.state))
    tracemalloc.stop()
    assert started == active
    print(
        f"{active} active calls, page_size {page_size}: {watcher.requests // 2} requests a look;"
        f" the watcher holds {held / 2**20:.1f} MiB; a further look peaks at"
        f" {peak / 2**20:.1f} MiB more; watcher.state is {state_bytes / 2**20:.1f} MiB of JSON"
    )


def main() -> int:
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}"]) as sandbox:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with (
            httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=60) as raw,
            Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client,
        ):
            print(f"calls.watch() per look against calls.list(), medians of {ROUNDS} each")
            print(
                f"{'active':>6}{'requests':>10}{'look ms':>11}{'list ms':>11}"
                f"{'look SDK':>10}{'list SDK':>10}{'ratio':>9}"
            )
            place(raw, 100)
            ratios = [compare(client, 100)]
            place(raw, 900)
            ratios.append(compare(client, 1000))
            print(f"worst SDK-time ratio {max(ratios):.2f}x (goal: at most {GOAL:.2f}x)")
            place(raw, 9000)
            memory(client, 10_000, 100)
            memory(client, 10_000, 1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
