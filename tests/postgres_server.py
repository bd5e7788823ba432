"""A throwaway PostgreSQL server for the tests and benchmarks: a fresh cluster in a temporary
folder, listening on a free loopback port, removed on stop. Debian's `postgresql` package
provides the binaries (`make server-deps`). initdb refuses to run as root, so as root the
server runs as the package's `postgres` user."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from vbc_sandbox.launch import LOOPBACK, free_port

#: Settings for a server whose data is thrown away: no waiting for the disk.
THROWAWAY = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}


def postgres_bin() -> Path:
    """The folder with initdb and pg_ctl: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if not versions:
        raise RuntimeError(
            "the PostgreSQL tests need Debian's postgresql package: make server-deps"
        )
    return Path(versions[-1]).parent


class PostgresServer:
    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="vbc-pg-"))
        self.data = self.root / "data"
        self.as_root = os.geteuid() == 0
        self.databases = 0

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self.root)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        options = " ".join(f"-c {name}={value}" for name, value in THROWAWAY.items())
        self.options = f"-p {self.port} -c listen_addresses={LOOPBACK} -k {self.root} {options}"
        self.pg_ctl("start")
        return self

    def pg_ctl(self, action: str, *extra: str) -> None:
        log = str(self.root / "server.log")
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", self.options,
            "-w", "-t", "60", action, *extra,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; its data stays for `start_again`."""
        self.pg_ctl("stop", "-m", mode)

    def start_again(self) -> None:
        self.pg_ctl("start")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        self.databases += 1
        name = f"sandbox_{os.getpid()}_{self.databases}_{time.monotonic_ns() % 10**6}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.remove()
