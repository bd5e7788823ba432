"""SQLite state shared by every worker: accounts, tokens, calls, legs and devices.

Secrets are stored only as SHA-256 digests, so a copied database file leaks no token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
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
    ends_at REAL, ended INTEGER NOT NULL DEFAULT 0, end_reason TEXT);
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
-- The test kit: the sandbox's clock, what happens next to a party, faults to inject, what
-- was asked of the sandbox, and what happened to each call.
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 1),
    offset REAL NOT NULL, frozen_at REAL);
CREATE TABLE IF NOT EXISTS outcomes (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL, seconds REAL,
    status INTEGER);
CREATE INDEX IF NOT EXISTS outcomes_by_target ON outcomes (account_id, target, seq);
CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL, fault TEXT NOT NULL, remaining INTEGER NOT NULL,
    retry_after INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
    account_id TEXT, operation TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
    query TEXT NOT NULL, body TEXT, status INTEGER NOT NULL, call_id TEXT);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL, leg_id TEXT, at REAL NOT NULL, event TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS events_by_call ON events (call_id, seq);
-- A fresh random number whenever accounts, users or devices change, so per-process caches
-- of them renew (a counter could come back to an old value after a restore).
CREATE TABLE IF NOT EXISTS directory_version (id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL);
INSERT OR IGNORE INTO directory_version VALUES (1, 0);
CREATE TABLE IF NOT EXISTS snapshots (snapshot_id TEXT NOT NULL, taken_at REAL NOT NULL,
    tbl TEXT NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (snapshot_id, tbl));
"""

#: Columns added after a table was first released: a --db file from before gets them on start.
ADDED_COLUMNS = {("calls", "end_reason"): "TEXT"}

#: What a snapshot holds and a reset clears (accounts and the rest are reloaded from the seed).
CALL_STATE = ("calls", "legs", "active_counts", "events")
TEST_KIT_STATE = ("clock", "outcomes", "faults", "journal")
DIRECTORY = ("clients", "accounts", "users", "devices")
#: Snapshots are kept this many at most, the oldest dropped first.
MAX_SNAPSHOTS = 50


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
        for (table, column), kind in ADDED_COLUMNS.items():
            columns = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.seed: dict[str, Any] = {"accounts": []}

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
        """Back to the seed: no call, no issued token, no quota or lockout used, the real
        clock, no scripted outcome, fault or journal; accounts, users and devices as the seed
        file has them. The static tokens of the command line and snapshots stay."""
        with self.transaction() as db:
            for table in (*CALL_STATE, *TEST_KIT_STATE, *DIRECTORY, "quota", "login_failures"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            db.execute("DELETE FROM tokens WHERE username IS NOT NULL")
            self.add_directory(db, self.seed)

    def load_seed(self, seed_file: Path) -> None:
        """Load the seed file's accounts, users and devices once; a restart with --db keeps
        what is there."""
        self.seed = json.loads(seed_file.read_text(encoding="utf-8"))
        with self.transaction() as db:
            self.add_directory(db, self.seed)

    def add_seed(self, seed: dict[str, Any]) -> None:
        """Add (or replace) accounts, users, devices and clients until the next reset."""
        with self.transaction() as db:
            self.add_directory(db, seed, "INSERT OR REPLACE")

    @staticmethod
    def directory_changed(db: sqlite3.Connection) -> None:
        db.execute("UPDATE directory_version SET version = ?", (secrets.randbits(62),))

    def directory_version(self) -> int:
        row = self.one("SELECT version FROM directory_version")
        return int(row["version"]) if row else 0

    @staticmethod
    def add_directory(
        db: sqlite3.Connection, seed: dict[str, Any], insert: str = "INSERT OR IGNORE"
    ) -> None:
        Store.directory_changed(db)
        for client in seed.get("clients", []):
            db.execute(
                f"{insert} INTO clients VALUES (?, ?)",
                (client["client_id"], digest(client["client_secret"])),
            )
        for account in seed["accounts"]:
            account_id = str(account["account_id"])
            db.execute(f"{insert} INTO accounts VALUES (?, ?)", (account_id, account["name"]))
            for user in account.get("users", []):
                db.execute(
                    f"{insert} INTO users VALUES (?, ?, ?, ?)",
                    (user["username"], digest(user["password"]), account_id, user["extension"]),
                )
            for device in account.get("devices", []):
                db.execute(
                    f"{insert} INTO devices VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        account_id,
                        device["mac_address"].upper().replace(":", "-"),
                        device["vh_id"],
                        device["extension"],
                        device["device_ip"],
                        int(device["registered_at"]),
                    ),
                )

    def snapshot(self, snapshot_id: str, now: float) -> None:
        """Keep a copy of every call, directory entry, token and test-kit setting."""
        with self.transaction() as db:
            for table in self.snapshot_tables():
                rows = [tuple(row) for row in db.execute(f"SELECT * FROM {table}")]  # noqa: S608
                db.execute(
                    "INSERT INTO snapshots VALUES (?, ?, ?, ?)",
                    (snapshot_id, now, table, json.dumps(rows)),
                )
            db.execute(
                "DELETE FROM snapshots WHERE snapshot_id NOT IN (SELECT snapshot_id FROM"
                " snapshots GROUP BY snapshot_id ORDER BY max(taken_at) DESC LIMIT ?)",
                (MAX_SNAPSHOTS,),
            )

    def restore(self, snapshot_id: str) -> bool:
        """Put back what `snapshot` kept; False when there is no such snapshot."""
        with self.transaction() as db:
            saved = db.execute(
                "SELECT tbl, rows FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)
            ).fetchall()
            if not saved:
                return False
            for table, rows in saved:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (names written by snapshot)
                values = json.loads(rows)
                if values:
                    marks = ",".join("?" * len(values[0]))
                    db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608
            self.directory_changed(db)
        return True

    @staticmethod
    def snapshot_tables() -> tuple[str, ...]:
        return (*CALL_STATE, *TEST_KIT_STATE, *DIRECTORY, "tokens", "quota", "login_failures")
