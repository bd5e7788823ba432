"""What the test kit costs a user's test, in process (no port), in one run:

* a test's sandbox work: reset, dial one call, read it, hang it up (goal: under 20 ms);
* the reset between tests with 1,000 calls in the store (goal: under 50 ms);
* the in-process cost per request (get_call) against the same request over loopback HTTP
  to a sandbox process, as a ratio.

Medians of repeated runs, so one scheduler hiccup cannot move them."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from vbc_sandbox.testkit.plugin import Sandboxes

RUNS = int(os.environ.get("BENCH_RUNS", "60"))
CUSTOMER = "15551234567"
TEST_GOAL_MS, RESET_GOAL_MS = 20.0, 50.0


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    sandboxes = Sandboxes()
    try:
        inside = sandboxes.get("documented", "in_process")
        process = sandboxes.get("documented", "process")
        with inside.client() as client, process.client() as over_http:

            def one_test() -> None:
                inside.reset()
                call_id = client.calls.dial(CUSTOMER, from_="1001")
                client.calls.get(call_id)
                client.calls.hangup(call_id)

            def reset_after_1000_calls() -> float:
                inside.reset()
                for _ in range(1000):
                    client.calls.dial(CUSTOMER, from_="1001")
                started = time.perf_counter()
                inside.reset()
                return (time.perf_counter() - started) * 1000

            test_ms = median_ms(one_test)
            reset_ms = statistics.median(reset_after_1000_calls() for _ in range(5))
            inside.reset()
            process.reset()
            in_call = client.calls.dial(CUSTOMER, from_="1001")
            http_call = over_http.calls.dial(CUSTOMER, from_="1001")
            median_ms(lambda: client.calls.get(in_call), 50)  # warm up
            median_ms(lambda: over_http.calls.get(http_call), 50)
            in_ms = median_ms(lambda: client.calls.get(in_call), 400)
            http_ms = median_ms(lambda: over_http.calls.get(http_call), 400)
    finally:
        sandboxes.stop()
    print("test kit, in process (medians)")
    print(f"  a test (reset, dial, get, hang up): {test_ms:6.2f} ms  goal < {TEST_GOAL_MS:.0f} ms")
    print(
        f"  reset with 1,000 calls stored:      {reset_ms:6.2f} ms  goal < {RESET_GOAL_MS:.0f} ms"
    )
    print(
        f"  get_call in process {in_ms:.2f} ms, over loopback HTTP {http_ms:.2f} ms:"
        f" {in_ms / http_ms:.2f}x"
    )
    met = test_ms < TEST_GOAL_MS and reset_ms < RESET_GOAL_MS
    print("  goals met" if met else "  GOAL MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
