"""Sandbox throughput against Prism mocking the same openapi.yaml, and list_calls latency at
1,000 vs 100,000 active calls. Every number comes from one run on this machine, and the
goals are checked as ratios of numbers measured side by side.

Load comes from wrk (C, one thread) on loopback, so the client is not the bottleneck.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from vbc_sandbox.clock import Clock
from vbc_sandbox.launch import LOOPBACK, SandboxProcess, free_port
from vbc_sandbox.pbx import Pbx
from vbc_sandbox.settings import Settings
from vbc_sandbox.store import Store

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
TOKEN = "bench-token"
ACCOUNT = "1234"
DIAL = {
    "from": {"destination": "1001", "type": "extension"},
    "to": {"destination": "15551234567", "type": "pstn"},
}


def populate(path: Path, calls: int) -> None:
    """A --db file with this many active calls in account 1234, placed through the PBX in
    memory (fast) and then written out."""
    settings = Settings()
    store = Store(None)
    store.load_seed(settings.seed_file)
    pbx = Pbx(store, settings, Clock(store))
    for _ in range(calls):
        pbx.dial(ACCOUNT, DIAL)
    store.db.execute("VACUUM INTO ?", (str(path),))
    store.db.close()


def wrk_command(url: str, connections: int) -> list[str]:
    """wrk, one thread, for SECONDS, with the benchmark's token."""
    return [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{SECONDS}s",
        "-H",
        f"Authorization: Bearer {TOKEN}",
        url,
    ]


def wrk(url: str, connections: int = 16) -> tuple[float, float]:
    """(requests per second, mean latency in ms) for GET url."""
    output = subprocess.run(
        wrk_command(url, connections), check=True, capture_output=True, text=True
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} failed responses\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)", output)
    assert latency is not None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[latency.group(2)]
    return rps, float(latency.group(1)) * scale


def some_call_id(base_url: str) -> str:
    page = httpx.get(
        f"{base_url}/cc/accounts/{ACCOUNT}/calls?page_size=1",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    page.raise_for_status()
    call_id: str = page.json()["calls"][0]["call_id"]
    return call_id


def sandbox_numbers(db: Path, workers: int) -> dict[str, float]:
    args = ["--token", f"{TOKEN}:{ACCOUNT}", "--db", str(db), "--workers", str(workers)]
    with SandboxProcess(args) as sandbox:
        call_id = some_call_id(sandbox.base_url)
        get_rps, _ = wrk(f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls/{call_id}")
        list_rps, _ = wrk(f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls?page_size=100")
    return {"get_call": get_rps, "list_calls": list_rps}


def prism_numbers() -> dict[str, float]:
    prism = ROOT / "node_modules" / ".bin" / "prism"
    port = free_port()
    process = subprocess.Popen(
        [str(prism), "mock", str(ROOT / "openapi.yaml"), "-h", LOOPBACK, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Prism serves the paths without the servers' base path.
    origin = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(
                    f"{origin}/cc/accounts/{ACCOUNT}/calls", headers={"Authorization": "Bearer x"}
                )
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        get_rps, _ = wrk(
            f"{origin}/cc/accounts/{ACCOUNT}/calls/3fa85f64-5717-4562-b3fc-2c963f66afa6"
        )
        list_rps, _ = wrk(f"{origin}/cc/accounts/{ACCOUNT}/calls?page_size=100")
    finally:
        os.killpg(process.pid, 15)
        process.wait()
    return {"get_call": get_rps, "list_calls": list_rps}


def list_latency(db: Path) -> float:
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}", "--db", str(db)]) as sandbox:
        _, latency = wrk(
            f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls?page_size=100", connections=1
        )
    return latency


def main() -> int:
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed (make bench-deps installs it)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        small, large = Path(scratch, "1k.db"), Path(scratch, "100k.db")
        started = time.monotonic()
        populate(small, 1_000)
        populate(large, 100_000)
        print(f"populated 1,000 and 100,000 active calls in {time.monotonic() - started:.1f} s")

        rows = {
            "sandbox, 1 worker": sandbox_numbers(small, 1),
            "sandbox, 2 workers": sandbox_numbers(small, 2),
            "Prism 5.14.2 mock": prism_numbers(),
        }
        print(f"\nthroughput, requests/s ({SECONDS} s each, wrk 1 thread x 16 connections)")
        print(f"{'target':<22}{'get_call':>12}{'list_calls (100/page)':>24}")
        for name, numbers in rows.items():
            print(f"{name:<22}{numbers['get_call']:>12.0f}{numbers['list_calls']:>24.0f}")
        prism = rows["Prism 5.14.2 mock"]["get_call"]
        best = max(rows["sandbox, 1 worker"]["get_call"], rows["sandbox, 2 workers"]["get_call"])
        ratio = best / prism
        print(f"\nget_call: sandbox / Prism = {ratio:.2f}x (goal: at least 2x)")

        small_ms, large_ms = list_latency(small), list_latency(large)
        growth = large_ms / small_ms
        print(
            f"list_calls latency, 100/page, 1 connection: {small_ms:.2f} ms at 1,000 active calls,"
            f" {large_ms:.2f} ms at 100,000: {growth:.2f}x (goal: within 2x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
