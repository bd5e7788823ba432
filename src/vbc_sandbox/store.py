"""SQLite state shared by every worker: accounts, tokens, calls, legs and devices.

Secrets are stored only as SHA-256 digests, so a copied database file leaks no token.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (account_id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, secret_digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, password_digest TEXT NOT NULL,
    account_id TEXT NOT NULL, extension TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    account_id TEXT NOT NULL, mac TEXT NOT NULL, vh_id TEXT NOT NULL, extension TEXT NOT NULL,
    ip TEXT NOT NULL, registered_at INTEGER NOT NULL, PRIMARY KEY (account_id, mac));
CREATE INDEX IF NOT EXISTS devices_by_time ON devices (account_id, registered_at);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id TEXT NOT NULL,
    username TEXT, expires_at REAL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, call_id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL, direction TEXT NOT NULL, from_number TEXT NOT NULL,
    to_number TEXT NOT NULL, start_time INTEGER NOT NULL, parked INTEGER NOT NULL DEFAULT 0,
    ends_at REAL, ended INTEGER NOT NULL DEFAULT 0);
-- Listing reads only active calls; ending calls are found by when they end.
CREATE INDEX IF NOT EXISTS active_calls ON calls (account_id, start_time, seq) WHERE ended = 0;
CREATE INDEX IF NOT EXISTS ending_calls ON calls (ends_at) WHERE ended = 0 AND ends_at IS NOT NULL;
-- How many calls of each account have ended = 0, so a page needs no count(*) over them all.
CREATE TABLE IF NOT EXISTS active_counts (account_id TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS legs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, leg_id TEXT NOT NULL UNIQUE,
    call_id TEXT NOT NULL, account_id TEXT NOT NULL, direction TEXT NOT NULL,
    from_number TEXT NOT NULL, to_number TEXT NOT NULL, start_time INTEGER NOT NULL,
    answer_at REAL, outcome TEXT, outcome_at REAL, dropped INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0, sound TEXT, ccr INTEGER NOT NULL DEFAULT 0,
    ocr INTEGER NOT NULL DEFAULT 0, dtmf TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS legs_by_call ON legs (call_id, seq);
CREATE TABLE IF NOT EXISTS quota (digest TEXT PRIMARY KEY, window_start REAL NOT NULL,
    used INTEGER NOT NULL);
-- Failed logins per user and per client ("user:NAME", "client:ID"), for the lockout.
CREATE TABLE IF NOT EXISTS login_failures (key TEXT PRIMARY KEY, window_start REAL NOT NULL,
    failures INTEGER NOT NULL, locked_until REAL);
"""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """One connection per process; WAL lets several worker processes share one file."""

    def __init__(self, path: str | None) -> None:
        self.db = sqlite3.connect(
            path or ":memory:", isolation_level=None, check_same_thread=False, timeout=30
        )
        self.db.row_factory = sqlite3.Row
        if path:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front, so workers never deadlock."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return self.db.execute(sql, args).fetchall()

    def extensions(self, account_id: str) -> dict[str, tuple[str | None, str | None]]:
        """The account's extensions: extension -> (its user's name, its desk phone's VH id)."""
        users = {
            row["extension"]: row["username"]
            for row in self.all(
                "SELECT username, extension FROM users WHERE account_id = ?", account_id
            )
        }
        devices = {
            row["extension"]: row["vh_id"]
            for row in self.all(
                "SELECT vh_id, extension FROM devices WHERE account_id = ?", account_id
            )
        }
        return {ext: (users.get(ext), devices.get(ext)) for ext in sorted({*users, *devices})}

    def reset(self) -> None:
        """Back to the seed: no call, no issued token, no quota or lockout used. The seed's
        accounts, users and devices, and the static tokens of the command line, stay."""
        with self.transaction() as db:
            for table in ("calls", "legs", "active_counts", "quota", "login_failures"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            db.execute("DELETE FROM tokens WHERE username IS NOT NULL")

    def load_seed(self, seed_file: Path) -> None:
        """Load accounts, users and devices once; a restart with --db keeps what is there."""
        seed = json.loads(seed_file.read_text(encoding="utf-8"))
        with self.transaction() as db:
            for client in seed.get("clients", []):
                db.execute(
                    "INSERT OR IGNORE INTO clients VALUES (?, ?)",
                    (client["client_id"], digest(client["client_secret"])),
                )
            for account in seed["accounts"]:
                account_id = str(account["account_id"])
                db.execute(
                    "INSERT OR IGNORE INTO accounts VALUES (?, ?)", (account_id, account["name"])
                )
                for user in account.get("users", []):
                    db.execute(
                        "INSERT OR IGNORE INTO users VALUES (?, ?, ?, ?)",
                        (user["username"], digest(user["password"]), account_id, user["extension"]),
                    )
                for device in account.get("devices", []):
                    db.execute(
                        "INSERT OR IGNORE INTO devices VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            account_id,
                            device["mac_address"].upper().replace(":", "-"),
                            device["vh_id"],
                            device["extension"],
                            device["device_ip"],
                            int(device["registered_at"]),
                        ),
                    )
