"""A shared sandbox on PostgreSQL against the single-host SQLite sandbox, in one run: get_call
and list_calls (100/page) with 1, 2 and 4 instances on one database, and list_calls latency
at 1,000 vs 100,000 active calls on PostgreSQL.

Each instance gets its own wrk (one thread, 8 connections) at the same time; the rates are
summed. Everything shares this machine's cores, wrk and the database server included.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_sandbox import ACCOUNT, SECONDS, TOKEN, populate, some_call_id, wrk, wrk_command
from tests.postgres_server import PostgresServer

from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.storage.store import Store

#: Tables the copy fills, in the order their rows were made.
TABLES = ("accounts", "users", "devices", "clients", "calls", "active_counts", "legs", "events")


def copy_to_postgres(sqlite_file: Path, url: str) -> None:
    """The SQLite file's state into a fresh PostgreSQL database, with COPY (placing 100,000
    calls one transaction at a time would take minutes)."""
    Store(url).close()  # the schema
    source = sqlite3.connect(sqlite_file)
    with psycopg.connect(url) as conn:
        for table in TABLES:
            cursor = source.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            columns = ", ".join(f'"{c[0]}"' for c in cursor.description)
            conn.execute(f"DELETE FROM {table}")  # noqa: S608
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in cursor:
                    copy.write_row(row)
        for table in ("calls", "legs", "events"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), max(seq)) FROM {table}"  # noqa: S608
            )
        conn.execute("ANALYZE")
    source.close()


def wrk_all(urls: list[str], connections: int = 8) -> float:
    """Requests per second summed over one wrk per URL, all running at once."""
    runs = [
        subprocess.Popen(wrk_command(url, connections), stdout=subprocess.PIPE, text=True)
        for url in urls
    ]
    total = 0.0
    for run in runs:
        output, _ = run.communicate()
        if "Non-2xx" in output:
            raise RuntimeError(f"failed responses:\n{output}")
        total += float(output.split("Requests/sec:")[1].split()[0])
    return total


@contextlib.contextmanager
def instances(db: str, count: int, workers: int = 1) -> Iterator[list[SandboxProcess]]:
    args = ["--token", f"{TOKEN}:{ACCOUNT}", "--db", db, "--workers", str(workers)]
    running = [SandboxProcess(args).start() for _ in range(count)]
    try:
        yield running
    finally:
        for sandbox in running:
            sandbox.stop()


def rates(db: str, count: int, workers: int = 1) -> dict[str, float]:
    with instances(db, count, workers) as running:
        call_id = some_call_id(running[0].base_url)
        calls = [f"{s.base_url}/cc/accounts/{ACCOUNT}/calls" for s in running]
        return {
            "get_call": wrk_all([f"{url}/{call_id}" for url in calls]),
            "list_calls": wrk_all([f"{url}?page_size=100" for url in calls]),
        }


def list_latency_ms(db: str) -> float:
    with instances(db, 1) as (sandbox,):
        _, latency = wrk(
            f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls?page_size=100", connections=1
        )
    return latency


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch, PostgresServer() as server:
        small, large = Path(scratch, "1k.db"), Path(scratch, "100k.db")
        started = time.monotonic()
        populate(small, 1_000)
        populate(large, 100_000)
        pg_small, pg_large = server.new_database(), server.new_database()
        copy_to_postgres(small, pg_small)
        copy_to_postgres(large, pg_large)
        print(f"\nshared sandbox: populated in {time.monotonic() - started:.1f} s")

        rows = {
            "SQLite, 1 instance": rates(str(small), 1),
            "SQLite, 2 workers": rates(str(small), 1, workers=2),
            **{f"PostgreSQL, {n} inst.": rates(pg_small, n) for n in (1, 2, 4)},
        }
        print(f"throughput, requests/s, 1,000 calls ({SECONDS} s, one wrk x 8 per instance)")
        print(f"{'target':<24}{'get_call':>10}{'list_calls':>12}{'vs SQLite (get, list)':>24}")
        base = rows["SQLite, 1 instance"]
        for name, numbers in rows.items():
            get, lst = numbers["get_call"], numbers["list_calls"]
            versus = f"{get / base['get_call']:.2f}x, {lst / base['list_calls']:.2f}x"
            print(f"{name:<24}{get:>10.0f}{lst:>12.0f}{versus:>24}")

        small_ms, large_ms = list_latency_ms(pg_small), list_latency_ms(pg_large)
        print(
            f"PostgreSQL list_calls latency, 100/page, 1 connection: {small_ms:.2f} ms at 1,000"
            f" active calls, {large_ms:.2f} ms at 100,000: {large_ms / small_ms:.2f}x"
            " (goal: within 2x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
