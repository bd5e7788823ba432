"""Sandbox throughput against Prism mocking the same openapi.yaml, against the framework's
floor (bench/floor_app.py: bare Starlette under the same uvicorn, answering the same bodies
after checking the token) and against the sandbox as it was before the speed work (a git
worktree of BASELINE), for get_call, list_calls (100/page) and create_call; and list_calls
latency at 1,000 vs 100,000 active calls. Every number comes from one run on this machine,
and the goals are checked as ratios of numbers measured side by side.

Load comes from wrk (C, one thread) on loopback, so the client is not the bottleneck.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from vbc_sandbox.launch import LOOPBACK, SandboxProcess, free_port
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.phone.pbx import Pbx
from vbc_sandbox.settings import Settings
from vbc_sandbox.storage.store import Store
from vbc_spec import API_BASE_PATH

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TOKEN = "bench-token"
ACCOUNT = "1234"
OPERATIONS = ("get_call", "list_calls", "create_call")
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


#: wrk's script for create_call: POST the DIAL body.
POST_CALL = Path(__file__).with_name("post_call.lua")


def wrk_command(url: str, connections: int, script: Path | None = None) -> list[str]:
    """wrk, one thread, for SECONDS, with the benchmark's token."""
    return [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{SECONDS}s",
        "-H",
        f"Authorization: Bearer {TOKEN}",
        *(["-s", str(script)] if script else []),
        url,
    ]


def wrk(url: str, connections: int = 16, script: Path | None = None) -> tuple[float, float]:
    """(requests per second, mean latency in ms) for GET url (or what `script` sends)."""
    output = subprocess.run(
        wrk_command(url, connections, script), check=True, capture_output=True, text=True
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


Rates = dict[str, float]


def rates(calls_url: str, call_id: str) -> Rates:
    """Requests per second of each operation, against one target's calls URL."""
    return {
        "get_call": wrk(f"{calls_url}/{call_id}")[0],
        "list_calls": wrk(f"{calls_url}?page_size=100")[0],
        "create_call": wrk(calls_url, script=POST_CALL)[0],
    }


#: A target, running: its calls URL and the id of a call to get.
Target = tuple[str, str]


@contextlib.contextmanager
def sandbox_target(db: Path, workers: int, env: dict[str, str] | None = None) -> Iterator[Target]:
    # A copy: create_call adds calls, and each target starts from the same 1,000.
    run = db.with_name(f"{db.stem}-{workers}{'-baseline' if env else ''}.db")
    shutil.copyfile(db, run)
    args = ["--token", f"{TOKEN}:{ACCOUNT}", "--db", str(run), "--workers", str(workers)]
    with SandboxProcess(args, env=env) as sandbox:
        yield f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls", some_call_id(sandbox.base_url)


#: The last commit before the speed work: the list_calls and create_call goals are ratios to
#: its rates ("today's", when the goals were set).
BASELINE = os.environ.get("BENCH_BASELINE", "285805a")


@contextlib.contextmanager
def baseline_env(scratch: Path) -> Iterator[dict[str, str] | None]:
    """The environment that runs the sandbox as it was at BASELINE (a git worktree first on
    the path); None without the git history."""
    tree = scratch / "baseline"
    git = ["git", "-C", str(ROOT), "worktree"]
    made = subprocess.run([*git, "add", "--detach", str(tree), BASELINE], capture_output=True)
    if made.returncode != 0:
        print(f"bench: no baseline: {made.stderr.decode().strip()}", file=sys.stderr)
        yield None
        return
    try:
        env = {"PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree / "generated")])}
        found = subprocess.run(
            [sys.executable, "-c", "import vbc_sandbox; print(vbc_sandbox.__file__)"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if not found.startswith(str(tree)):
            raise RuntimeError(f"the baseline ran {found.strip()}, not the worktree's sandbox")
        yield env
    finally:
        subprocess.run([*git, "remove", "--force", str(tree)], capture_output=True, check=False)


def floor_bodies(db: Path, path: Path) -> None:
    """What the sandbox answers to each operation, for the floor app to answer too."""
    with SandboxProcess(["--token", f"{TOKEN}:{ACCOUNT}", "--db", str(db)]) as sandbox:
        calls = f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        call_id = some_call_id(sandbox.base_url)
        bodies = {
            "token": TOKEN,
            "get_call": httpx.get(f"{calls}/{call_id}", headers=auth).json(),
            "list_calls": httpx.get(f"{calls}?page_size=100", headers=auth).json(),
            "create_call": httpx.post(calls, json=DIAL, headers=auth).json(),
        }
    path.write_text(json.dumps(bodies), encoding="utf-8")


@contextlib.contextmanager
def server(command: list[str], origin: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """A server process, once it answers at `origin`."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(origin + "/")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield
    finally:
        os.killpg(process.pid, 15)
        process.wait()


@contextlib.contextmanager
def floor_target(bodies: Path) -> Iterator[Target]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(ROOT / "bench"),
        "--host", LOOPBACK, "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    origin = f"http://{LOOPBACK}:{port}"
    with server(command, origin, {"BENCH_FLOOR_BODIES": str(bodies)}):
        yield f"{origin}{API_BASE_PATH}/cc/accounts/{ACCOUNT}/calls", "some-call"


@contextlib.contextmanager
def prism_target() -> Iterator[Target]:
    prism = ROOT / "node_modules" / ".bin" / "prism"
    port = free_port()
    command = [str(prism), "mock", str(ROOT / "openapi.yaml"), "-h", LOOPBACK, "-p", str(port)]
    # Prism serves the paths without the servers' base path.
    origin = f"http://{LOOPBACK}:{port}"
    with server(command, origin):
        yield f"{origin}/cc/accounts/{ACCOUNT}/calls", "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def measured(targets: dict[str, contextlib.AbstractContextManager[Target]]) -> dict[str, Rates]:
    """Each target's median rates over ROUNDS rounds, the targets taking turns in each round:
    this machine's speed drifts by a quarter within minutes, and turns share the drift."""
    with contextlib.ExitStack() as stack:
        running = {name: stack.enter_context(target) for name, target in targets.items()}
        rounds: dict[str, list[Rates]] = {name: [] for name in running}
        for _ in range(ROUNDS):
            for name, (calls_url, call_id) in running.items():
                rounds[name].append(rates(calls_url, call_id))
    return {
        name: {op: statistics.median(each[op] for each in runs) for op in OPERATIONS}
        for name, runs in rounds.items()
    }


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

        floor_bodies(small, Path(scratch, "bodies.json"))
        with baseline_env(Path(scratch)) as env:
            targets = {"sandbox, 1 worker": sandbox_target(small, 1)}
            if env is not None:
                targets[f"sandbox at {BASELINE}, 1 worker"] = sandbox_target(small, 1, env)
            targets["sandbox, 2 workers"] = sandbox_target(small, 2)
            targets["floor (bare Starlette)"] = floor_target(Path(scratch, "bodies.json"))
            targets["Prism 5.14.2 mock"] = prism_target()
            rows = measured(targets)
        print(
            f"\nthroughput, requests/s, the median of {ROUNDS} rounds in which the targets take"
            f" turns ({SECONDS} s each, wrk 1 thread x 16 connections)"
        )
        print(f"{'target':<32}" + "".join(f"{name:>14}" for name in OPERATIONS))
        for name, numbers in rows.items():
            print(f"{name:<32}" + "".join(f"{numbers[op]:>14.0f}" for op in OPERATIONS))
        sandbox, floor = rows["sandbox, 1 worker"], rows["floor (bare Starlette)"]
        prism = rows["Prism 5.14.2 mock"]
        before = rows.get(f"sandbox at {BASELINE}, 1 worker")
        print("\none worker, same run:")
        for op in OPERATIONS:
            print(
                f"  {op:<12} {sandbox[op] / floor[op]:>6.1%} of the floor"
                f"  {sandbox[op] / prism[op]:>5.2f}x Prism"
                + (f"  {sandbox[op] / before[op]:>5.2f}x {BASELINE}" if before else "")
            )
        print(
            "  (goals: get_call at least 30% of the floor and 4x Prism;"
            f" list_calls and create_call at least 3x {BASELINE})"
        )

        small_ms, large_ms = list_latency(small), list_latency(large)
        growth = large_ms / small_ms
        print(
            f"list_calls latency, 100/page, 1 connection: {small_ms:.2f} ms at 1,000 active calls,"
            f" {large_ms:.2f} ms at 100,000: {growth:.2f}x (goal: within 2x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
