"""The sandbox's storage: every SQL statement it runs is here, over state shared by every
worker and instance (accounts, tokens, calls, legs, devices, the test kit's clock, queues and
journal), in SQL that SQLite and PostgreSQL both accept (`engines.py` runs it). The other
modules decide; this one reads and writes. An action that checks and then writes runs both
inside one `transaction()`, which holds the state's write lock, so no other worker or
instance acts in between.

Secrets are stored only as SHA-256 digests, so a copied database file leaks no token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import attrs

from vbc_sandbox.storage.engines import Engine, Row, open_engine

__all__ = ["Listing", "Row", "Store"]

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
    "offset" REAL NOT NULL, frozen_at REAL);
CREATE TABLE IF NOT EXISTS outcomes (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL, seconds REAL,
    status INTEGER);
CREATE INDEX IF NOT EXISTS outcomes_by_target ON outcomes (account_id, target, seq);
CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL, fault TEXT NOT NULL, remaining INTEGER NOT NULL,
    retry_after INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL, leg_id TEXT, at REAL NOT NULL, event TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS events_by_call ON events (call_id, seq);
-- A fresh random number whenever accounts, users or devices change, so per-process caches
-- of them renew (a counter could come back to an old value after a restore).
CREATE TABLE IF NOT EXISTS directory_version (id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL);
INSERT INTO directory_version VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS snapshots (snapshot_id TEXT NOT NULL, taken_at REAL NOT NULL,
    tbl TEXT NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (snapshot_id, tbl));
"""

#: A row per request, written by every request: no AUTOINCREMENT, whose bookkeeping row
#: doubles the cost of each insert (the journal is emptied, never renumbered, mid-run).
JOURNAL = """
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, at REAL NOT NULL,
    account_id TEXT, operation TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
    query TEXT NOT NULL, body TEXT, status INTEGER NOT NULL, call_id TEXT);
"""

#: A counter per account that moves with every write to its calls, so an open console feed
#: (on any instance) reads the account again only when it changed. Never reset or restored:
#: a reset or restore changes directory_version, which every feed watches too.
ACCOUNT_CHANGES = """
CREATE TABLE IF NOT EXISTS account_changes (account_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL);
"""

#: The schema's versions, each applied once, in order, by the first instance to start on a
#: database that lacks it (under the write lock, so instances starting together agree).
MIGRATIONS: tuple[tuple[int, str, Callable[[Engine], None]], ...] = (
    (1, "the tables", lambda engine: engine.create(SCHEMA + JOURNAL)),
    # A --db file of the first release has calls without it.
    (2, "calls.end_reason", lambda engine: engine.add_column("calls", "end_reason", "TEXT")),
    # Devices are listed in the order they were added (SQLite's rowid; PostgreSQL needs one).
    (3, "devices in insertion order", lambda engine: engine.add_insertion_order("devices")),
    # The journal's entries are test data of one run: the table is made anew.
    (
        4,
        "journal without AUTOINCREMENT",
        lambda engine: engine.create("DROP TABLE journal;" + JOURNAL),
    ),
    # Entries journaled before bodies and queries were redacted (redaction.py) may hold
    # passwords sent in the wrong way: gone, with the snapshots' copies of them.
    (
        5,
        "no journal entry from before redaction",
        lambda engine: engine.create(
            "DELETE FROM journal;\nDELETE FROM snapshots WHERE tbl = 'journal';"
        ),
    ),
    (6, "account_changes", lambda engine: engine.create(ACCOUNT_CHANGES)),
    # Snapshots are dropped oldest first by when they were taken in fact: the sandbox's
    # clock can be set back (SQLite's rowid; PostgreSQL needs one).
    (7, "snapshots in insertion order", lambda engine: engine.add_insertion_order("snapshots")),
    (8, "actions due by the clock", lambda engine: add_due_actions(engine)),
    (9, "VIS webhooks and their delivery queue", lambda engine: engine.create(VIS_TABLES)),
    (10, "VIS looks at calls and the events kept", lambda engine: engine.create(VIS_RECORDS)),
    (11, "the test kit's delivery outcomes", lambda engine: add_delivery_outcomes(engine)),
)

#: What a call and a leg are rendered from, first in every read of them and in this order:
#: dialects.py unpacks them by position (a name in sqlite3.Row is a linear search, some 40%
#: of rendering a page of calls). Lists read only these.
CALL_SHOWN = "call_id, account_id, direction, from_number, to_number, start_time"
LEG_SHOWN = (
    "leg_id, call_id, account_id, direction, from_number, to_number, start_time, answer_at,"
    " outcome, outcome_at"
)
CALL_COLUMNS = f"{CALL_SHOWN}, seq, parked, ends_at, ended, end_reason, due_at"
LEG_COLUMNS = f"{LEG_SHOWN}, seq, dropped, held, sound, ccr, ocr, dtmf"
#: What a snapshot holds and a reset clears (accounts and the rest are reloaded from the seed).
CALL_STATE = (
    *("calls", "legs", "active_counts", "events"),
    *("webhooks", "deliveries", "call_looks", "vis_events", "vis_watch"),
)
TEST_KIT_STATE = ("clock", "outcomes", "faults", "journal", "delivery_outcomes")
DIRECTORY = ("clients", "accounts", "users", "devices")
#: Snapshots are kept this many at most, the oldest dropped first.
MAX_SNAPSHOTS = 50
#: Rows each of the DIRECTORY tables may hold once seeds are added, so a runaway script
#: cannot fill the store (and every snapshot with it).
MAX_DIRECTORY_ROWS = 10_000


class TooManyRows(Exception):
    pass


def add_due_actions(engine: Engine) -> None:
    """What a scripted outcome makes a call do later (a transfer by the clock): `due`, the
    actions as JSON, soonest first, and `due_at`, the soonest one's time, which every read
    of a call already has; and the transfer's destination in the outcome queue."""
    engine.add_column("calls", "due_at", "REAL")
    engine.add_column("calls", "due", "TEXT")
    engine.add_column("outcomes", "destination", "TEXT")
    engine.create(
        "CREATE INDEX IF NOT EXISTS due_calls ON calls (due_at)"
        " WHERE ended = 0 AND due_at IS NOT NULL"
    )


def add_delivery_outcomes(engine: Engine) -> None:
    """What the test kit makes the next deliveries do (sent twice, late, delayed), and a
    delivery held back until its call's final event is delivered (a late one)."""
    engine.create(DELIVERY_OUTCOMES)
    engine.add_column("deliveries", "held", "INTEGER NOT NULL DEFAULT 0")


@attrs.frozen
class Listing:
    """What a list operation reads: a table, its time column, and which rows (the clauses
    are this module's own text; only `args` come from a request)."""

    table: str
    time_column: str
    where: list[str]
    args: list[Any]
    #: The columns read: a page of calls reads only what a call is rendered from.
    columns: str = "*"

    @property
    def clause(self) -> str:
        return " AND ".join(self.where)

    def within(self, start: int | None, end: int | None) -> Listing:
        """The documented start_time/end_time filters."""
        where, args = list(self.where), list(self.args)
        if start is not None:
            where.append(f"{self.time_column} >= ?")
            args.append(start)
        if end is not None:
            where.append(f"{self.time_column} <= ?")
            args.append(end)
        return attrs.evolve(self, where=where, args=args)


def upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...], replace: bool) -> str:
    """An INSERT that replaces (or keeps) the row with the same key, in SQL both engines take."""
    marks = ", ".join("?" * len(columns))
    names = ", ".join(f'"{column}"' for column in columns)
    keep = [f'"{column}" = excluded."{column}"' for column in columns if column not in key]
    action = f"DO UPDATE SET {', '.join(keep)}" if replace and keep else "DO NOTHING"
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) {action}"  # noqa: S608


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """The state, on the engine `location` names: a postgresql:// URL, a SQLite file, or
    None (SQLite in memory)."""

    def __init__(self, location: str | None, *, connect_wait: float = 0.0) -> None:
        self.db = open_engine(location, wait=connect_wait)
        self.location = location
        self.schema_version = self.migrate()
        self.seed: dict[str, Any] = {"accounts": []}

    def migrate(self) -> int:
        """Apply the migrations this database lacks; the schema's version."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
            row = db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").fetchone()
            for version, _what, step in MIGRATIONS:
                if version > int(row["v"]):
                    step(db)
                    db.execute("INSERT INTO schema_version VALUES (?)", (version,))
        return MIGRATIONS[-1][0]

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[Engine]:
        """A write transaction holding the state's write lock from its start."""
        return self.db.transaction()

    def one(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = self.db.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[Row]:
        return self.db.execute(sql, args).fetchall()

    def ping(self) -> dict[str, Any]:
        """The database's state for /sandbox/health (raises StoreUnavailable)."""
        started = time.perf_counter()
        self.one("SELECT 1 AS up")
        return {
            "engine": self.db.name,
            "schema_version": self.schema_version,
            "round_trip_ms": round((time.perf_counter() - started) * 1000, 3),
        }

    def extensions(self, account_id: str) -> dict[str, tuple[str | None, str | None]]:
        """The account's extensions: extension -> (its user's name, its desk phone's VH id)."""
        users = {
            row["extension"]: row["username"]
            for row in self.all(
                "SELECT username, extension FROM users WHERE account_id = ? AND extension <> ''",
                account_id,
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
        clock, no scripted outcome, fault or journal, no VIS webhook, delivery or event;
        accounts, users and devices as the seed file has them. The static tokens of the
        command line and snapshots stay."""
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

    def add_seed(self, seed: dict[str, Any]) -> bool:
        """Add (or replace) accounts, users, devices and clients until the next reset; False
        (and nothing added) if a table of them would then hold more than MAX_DIRECTORY_ROWS."""
        try:
            with self.transaction() as db:
                self.add_directory(db, seed, replace=True)
                for table in DIRECTORY:
                    row = db.execute(f"SELECT count(*) AS n FROM {table}").fetchone()  # noqa: S608
                    if row["n"] > MAX_DIRECTORY_ROWS:
                        raise TooManyRows()  # rolls the seed back
        except TooManyRows:
            return False
        return True

    @staticmethod
    def directory_changed(db: Engine) -> None:
        db.execute("UPDATE directory_version SET version = ?", (secrets.randbits(62),))

    def directory_version(self) -> int:
        row = self.one("SELECT version FROM directory_version")
        return int(row["version"]) if row else 0

    @staticmethod
    def add_directory(db: Engine, seed: dict[str, Any], replace: bool = False) -> None:
        Store.directory_changed(db)
        for client in seed.get("clients", []):
            db.execute(
                upsert("clients", ("client_id", "secret_digest"), ("client_id",), replace),
                (client["client_id"], digest(client["client_secret"])),
            )
        for account in seed["accounts"]:
            account_id = str(account["account_id"])
            db.execute(
                upsert("accounts", ("account_id", "name"), ("account_id",), replace),
                (account_id, account["name"]),
            )
            for user in account.get("users", []):
                db.execute(
                    upsert(
                        "users",
                        ("username", "password_digest", "account_id", "extension"),
                        ("username",),
                        replace,
                    ),
                    (
                        user["username"],
                        digest(user["password"]),
                        account_id,
                        user.get("extension", ""),  # none: an API user, without a phone
                    ),
                )
            for device in account.get("devices", []):
                db.execute(
                    upsert(
                        "devices",
                        ("account_id", "mac", "vh_id", "extension", "ip", "registered_at"),
                        ("account_id", "mac"),
                        replace,
                    ),
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
                rows = [list(row) for row in db.execute(f"SELECT * FROM {table}")]  # noqa: S608
                db.execute(
                    "INSERT INTO snapshots (snapshot_id, taken_at, tbl, rows) VALUES (?, ?, ?, ?)",
                    (snapshot_id, now, table, json.dumps(rows)),
                )
            db.execute(
                "DELETE FROM snapshots WHERE snapshot_id NOT IN (SELECT snapshot_id FROM"  # noqa: S608
                f" snapshots GROUP BY snapshot_id ORDER BY max({db.insertion_order}) DESC"
                " LIMIT ?)",
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
            for saved_table in saved:
                table = saved_table["tbl"]
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (names written by snapshot)
                values = json.loads(saved_table["rows"])
                if values:
                    marks = ",".join("?" * len(values[0]))
                    db.execute_many(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608
            self.directory_changed(db)
        return True

    @staticmethod
    def snapshot_tables() -> tuple[str, ...]:
        return (*CALL_STATE, *TEST_KIT_STATE, *DIRECTORY, "tokens", "quota", "login_failures")

    # ----------------------------------------------------------------- calls and legs

    def account_changed(self, account_id: str) -> None:
        """Move the account's change counter (inside the write transaction that changed it)."""
        self.db.execute(
            "INSERT INTO account_changes VALUES (?, 1) ON CONFLICT (account_id)"
            " DO UPDATE SET version = account_changes.version + 1",
            (account_id,),
        )

    def change_marks(self) -> tuple[int, Row | None, dict[str, int]]:
        """What moves when anything a console shows changes: the directory's version (a
        reset, restore or seed), the clock's row, and each account's change counter."""
        accounts = {
            str(row["account_id"]): int(row["version"])
            for row in self.all("SELECT account_id, version FROM account_changes")
        }
        return self.directory_version(), self.clock(), accounts

    def active_call(self, account_id: str, call_id: str, now: float) -> Row | None:
        return self.one(
            f"SELECT {CALL_COLUMNS} FROM calls WHERE call_id = ? AND account_id = ? AND ended = 0"  # noqa: S608
            " AND (ends_at IS NULL OR ends_at > ?)",
            call_id,
            account_id,
            now,
        )

    def live_legs(self, call_id: str) -> list[Row]:
        return self.all(
            f"SELECT {LEG_COLUMNS} FROM legs WHERE call_id = ? AND dropped = 0 ORDER BY seq",  # noqa: S608
            call_id,
        )

    def live_legs_of(self, call_ids: list[str]) -> list[Row]:
        """The live legs of these calls, each call's in order (the index's own order), with
        only the columns a leg is rendered from: reading 200 rows costs less by half."""
        if not call_ids:
            return []
        marks = ",".join("?" * len(call_ids))
        return self.all(
            f"SELECT {LEG_SHOWN} FROM legs WHERE call_id IN ({marks})"  # noqa: S608
            " AND dropped = 0"
            " ORDER BY call_id, seq",
            *call_ids,
        )

    def live_leg(self, call_id: str, leg_id: str) -> Row | None:
        return self.one(
            f"SELECT {LEG_COLUMNS} FROM legs WHERE leg_id = ? AND call_id = ? AND dropped = 0",  # noqa: S608
            leg_id,
            call_id,
        )

    def leg_of_party(self, call_id: str, number: str) -> Row | None:
        """The latest live leg of a call that reaches or comes from `number`."""
        return self.one(
            f"SELECT {LEG_COLUMNS} FROM legs WHERE call_id = ? AND dropped = 0"  # noqa: S608
            " AND (to_number = ? OR from_number = ?) ORDER BY seq DESC LIMIT 1",
            call_id,
            number,
            number,
        )

    def active_leg_of_account(self, account_id: str, leg_id: str, now: float) -> Row | None:
        """A live leg of any active call of the account."""
        return self.one(
            f"SELECT {LEG_COLUMNS} FROM legs WHERE leg_id = ? AND account_id = ?"  # noqa: S608
            " AND dropped = 0 AND EXISTS (SELECT 1 FROM calls WHERE calls.call_id = legs.call_id"
            " AND calls.ended = 0 AND (calls.ends_at IS NULL OR calls.ends_at > ?))",
            leg_id,
            account_id,
            now,
        )

    def live_leg_count(self, call_id: str) -> int:
        row = self.one("SELECT count(*) AS n FROM legs WHERE call_id = ? AND dropped = 0", call_id)
        return int(row["n"]) if row else 0

    def newest_call_seq(self) -> int:
        row = self.one("SELECT coalesce(max(seq), 0) AS top FROM calls")
        return int(row["top"]) if row else 0

    def active_count(self, account_id: str, as_of: int) -> int:
        """Active calls up to the snapshot, without counting them all: the account's counter
        less the (few) active calls placed after the snapshot."""
        row = self.one("SELECT n FROM active_counts WHERE account_id = ?", account_id)
        later = self.one(
            # The expressions keep the planner on the seq range (a handful of rows) rather
            # than the account's index (every active call).
            "SELECT count(*) AS n FROM calls WHERE seq > ? AND account_id || '' = ?"
            " AND ended + 0 = 0",
            as_of,
            account_id,
        )
        return (int(row["n"]) if row else 0) - (int(later["n"]) if later else 0)

    @staticmethod
    def active_calls(
        account_id: str,
        as_of: int,
        start_time: int | None,
        end_time: int | None,
        extension: str | None,
    ) -> Listing:
        """An account's active calls up to a snapshot, in a time window, with a party."""
        where = ["account_id = ?", "ended = 0", "seq <= ?"]
        args: list[Any] = [account_id, as_of]
        if extension is not None:
            where.append(
                "(from_number = ? OR to_number = ? OR call_id IN (SELECT call_id FROM legs"
                " WHERE account_id = ? AND (from_number = ? OR to_number = ?)))"
            )
            args += [extension, extension, account_id, extension, extension]
        listing = Listing("calls", "start_time", where, args, CALL_SHOWN)
        return listing.within(start_time, end_time)

    @staticmethod
    def devices(account_id: str, start_time: int | None, end_time: int | None) -> Listing:
        return Listing("devices", "registered_at", ["account_id = ?"], [account_id]).within(
            start_time, end_time
        )

    def count(self, listing: Listing) -> int:
        sql = f"SELECT count(*) AS n FROM {listing.table} WHERE {listing.clause}"  # noqa: S608
        row = self.one(sql, *listing.args)
        return int(row["n"]) if row else 0

    def page(self, listing: Listing, order: str, limit: int, offset: int) -> list[Row]:
        """Rows of a listing ordered by time then insertion."""
        direction = "ASC" if order == "asc" else "DESC"
        return self.all(
            f"SELECT {listing.columns} FROM {listing.table} WHERE {listing.clause}"  # noqa: S608
            f" ORDER BY {listing.time_column} {direction}, {self.db.insertion_order} {direction}"
            " LIMIT ? OFFSET ?",
            *listing.args,
            limit,
            offset,
        )

    def end_lingering(self, now: float) -> None:
        """Mark calls whose linger is over as ended, keeping the counters true."""
        due = "FROM calls WHERE ended = 0 AND ends_at IS NOT NULL AND ends_at <= ?"
        if self.one(f"SELECT 1 {due} LIMIT 1", now) is None:
            return
        with self.transaction() as db:
            for row in db.execute(
                f"SELECT account_id, count(*) AS n {due} GROUP BY account_id", (now,)
            ):
                db.execute(
                    "UPDATE active_counts SET n = n - ? WHERE account_id = ?",
                    (row["n"], row["account_id"]),
                )
            db.execute(f"UPDATE calls SET ended = 1 {due.removeprefix('FROM calls ')}", (now,))  # noqa: S608

    def schedule(self, call_id: str, action: dict[str, Any]) -> None:
        """Have the call do `action` (a JSON object with its time, `at`) when it is due."""
        row = self.one("SELECT due FROM calls WHERE call_id = ?", call_id)
        actions = [*json.loads(row["due"] or "[]"), action] if row else [action]
        actions.sort(key=lambda pending: float(pending["at"]))
        self.db.execute(
            "UPDATE calls SET due = ?, due_at = ? WHERE call_id = ?",
            (json.dumps(actions), actions[0]["at"], call_id),
        )

    def due_calls(self, now: float) -> list[Row]:
        """The active calls with an action due by `now`, ahead of the end they may have."""
        return self.all(
            f"SELECT {CALL_COLUMNS} FROM calls WHERE ended = 0 AND due_at IS NOT NULL"  # noqa: S608
            " AND due_at <= ? AND (ends_at IS NULL OR ends_at > due_at) ORDER BY due_at",
            now,
        )

    def take_due(self, call_id: str, now: float) -> list[dict[str, Any]]:
        """The call's actions due by `now`, soonest first, taken off it (inside the caller's
        write transaction, so two workers never both take one)."""
        row = self.one("SELECT due FROM calls WHERE call_id = ?", call_id)
        actions = json.loads(row["due"] or "[]") if row else []
        due = [action for action in actions if float(action["at"]) <= now]
        if due:
            later = actions[len(due) :]
            self.db.execute(
                "UPDATE calls SET due = ?, due_at = ? WHERE call_id = ?",
                (json.dumps(later) if later else None, later[0]["at"] if later else None, call_id),
            )
        return due

    def end_call(self, call_id: str, now: float, reason: str) -> None:
        updated = self.db.execute(
            "UPDATE calls SET ends_at = ?, ended = 1, end_reason = ? WHERE call_id = ?"
            " AND ended = 0",
            (now, reason, call_id),
        )
        if updated.rowcount:
            self.db.execute(
                "UPDATE active_counts SET n = n - 1 WHERE account_id ="
                " (SELECT account_id FROM calls WHERE call_id = ?)",
                (call_id,),
            )

    def end_call_by(self, call_id: str, ends_at: float, reason: str | None) -> None:
        """The call ends at `ends_at` at the latest (a leg's outcome and linger, a hang-up
        to come); the first reason given stays."""
        self.db.execute(
            "UPDATE calls SET ends_at = CASE WHEN ends_at < ? THEN ends_at ELSE ? END,"
            " end_reason = coalesce(end_reason, ?) WHERE call_id = ?",
            (ends_at, ends_at, reason, call_id),
        )

    def insert_call(self, call: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO calls (call_id, account_id, direction, from_number, to_number,"
            " start_time) VALUES (:call_id, :account_id, :direction, :from_number, :to_number,"
            " :start_time)",
            call,
        )
        self.db.execute(
            "INSERT INTO active_counts VALUES (?, 1)"
            " ON CONFLICT (account_id) DO UPDATE SET n = active_counts.n + 1",
            (call["account_id"],),
        )

    def insert_leg(self, leg: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO legs (leg_id, call_id, account_id, direction, from_number, to_number,"
            " start_time, answer_at, outcome, outcome_at) VALUES (:leg_id, :call_id,"
            " :account_id, :direction, :from_number, :to_number, :start_time, :answer_at,"
            " :outcome, :outcome_at)",
            leg,
        )

    def set_parked(self, call_id: str, parked: bool) -> None:
        self.db.execute("UPDATE calls SET parked = ? WHERE call_id = ?", (int(parked), call_id))

    def answer_ringing_legs(self, call_id: str, now: float) -> None:
        self.db.execute(
            "UPDATE legs SET answer_at = ? WHERE call_id = ? AND dropped = 0"
            " AND outcome IS NULL AND (answer_at IS NULL OR answer_at > ?)",
            (now, call_id, now),
        )

    def update_leg(self, leg_id: str, **values: Any) -> None:
        """Set a leg's columns (names from the PBX's own code, never from a request)."""
        assignments = ", ".join(f"{column} = ?" for column in values)
        self.db.execute(
            f"UPDATE legs SET {assignments} WHERE leg_id = ?",  # noqa: S608
            (*values.values(), leg_id),
        )

    def add_dtmf(self, leg_id: str, digits: str) -> None:
        self.db.execute("UPDATE legs SET dtmf = dtmf || ? WHERE leg_id = ?", (digits, leg_id))

    def add_event(
        self, call_id: str, at: float, event: str, detail: str | None, leg_id: str | None
    ) -> None:
        self.db.execute(
            "INSERT INTO events (call_id, leg_id, at, event, detail) VALUES (?, ?, ?, ?, ?)",
            (call_id, leg_id, at, event, detail),
        )

    def party_exists(self, account_id: str, extension: str) -> bool:
        """Whether an extension has a user or a desk phone in the account."""
        return (
            self.one(
                "SELECT 1 FROM users WHERE account_id = ? AND extension = ?"
                " UNION SELECT 1 FROM devices WHERE account_id = ? AND extension = ?",
                account_id,
                extension,
                account_id,
                extension,
            )
            is not None
        )

    def device(self, account_id: str, mac: str) -> Row | None:
        return self.one("SELECT * FROM devices WHERE account_id = ? AND mac = ?", account_id, mac)

    def device_extension(self, account_id: str, vh_id: str) -> str | None:
        row = self.one(
            "SELECT extension FROM devices WHERE account_id = ? AND upper(vh_id) = upper(?)",
            account_id,
            vh_id,
        )
        return str(row["extension"]) if row else None

    # ----------------------------------------------------------------- scripted outcomes

    def queue_outcomes(
        self,
        account_id: str,
        target: str,
        rows: list[tuple[str, float | None, int | None, str | None]],
        most: int,
    ) -> bool:
        """Queue (outcome, seconds, status, destination) rows for a party; False if the
        account would then hold more than `most`."""
        with self.transaction() as db:
            queued = db.execute(
                "SELECT count(*) AS n FROM outcomes WHERE account_id = ?", (account_id,)
            ).fetchone()["n"]
            if queued + len(rows) > most:
                return False
            db.execute_many(
                "INSERT INTO outcomes (account_id, target, outcome, seconds, status,"
                " destination) VALUES (?, ?, ?, ?, ?, ?)",
                [(account_id, target, *row) for row in rows],
            )
        return True

    def queued_outcomes(self, account_id: str) -> list[Row]:
        return self.all("SELECT * FROM outcomes WHERE account_id = ? ORDER BY seq", account_id)

    def take_outcome(self, account_id: str, targets: tuple[str, ...]) -> Row | None:
        """Take the next entry queued for any of a party's names (inside the caller's write
        transaction, so two workers never take the same one)."""
        marks = ",".join("?" * len(targets))
        row = self.one(
            f"SELECT * FROM outcomes WHERE account_id = ? AND target IN ({marks})"  # noqa: S608
            " ORDER BY seq LIMIT 1",
            account_id,
            *targets,
        )
        if row is not None:
            self.db.execute("DELETE FROM outcomes WHERE seq = ?", (row["seq"],))
        return row

    # ----------------------------------------------------------------- tokens and logins

    def add_static_token(self, token_digest: str, account_id: str) -> None:
        self.db.execute(
            upsert(
                "tokens",
                ("digest", "kind", "account_id", "username", "expires_at", "used"),
                ("digest",),
                True,
            ),
            (token_digest, "access", account_id, None, None, 0),
        )

    def add_tokens(
        self,
        account_id: str,
        username: str,
        access: tuple[str, float],
        refresh: tuple[str, float],
    ) -> None:
        """An issued pair: each a (digest, expiry)."""
        for kind, (token_digest, expires_at) in (("access", access), ("refresh", refresh)):
            self.db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, 0)",
                (token_digest, kind, account_id, username, expires_at),
            )

    def token(self, token_digest: str, kind: str) -> Row | None:
        return self.one("SELECT * FROM tokens WHERE digest = ? AND kind = ?", token_digest, kind)

    def set_token_expiry(self, token_digest: str, expires_at: float) -> None:
        self.db.execute(
            "UPDATE tokens SET expires_at = ? WHERE digest = ?", (expires_at, token_digest)
        )

    def mark_token_used(self, token_digest: str) -> None:
        self.db.execute("UPDATE tokens SET used = 1 WHERE digest = ?", (token_digest,))

    def quota(self, token_digest: str) -> Row | None:
        return self.one("SELECT window_start, used FROM quota WHERE digest = ?", token_digest)

    def start_quota(self, token_digest: str, now: float) -> None:
        self.db.execute(
            upsert("quota", ("digest", "window_start", "used"), ("digest",), True),
            (token_digest, now, 1),
        )

    def use_quota(self, token_digest: str) -> None:
        self.db.execute("UPDATE quota SET used = used + 1 WHERE digest = ?", (token_digest,))

    def login_failures(self, key: str) -> Row | None:
        return self.one("SELECT * FROM login_failures WHERE key = ?", key)

    def forget_old_failures(self, window_start: float, now: float) -> None:
        self.db.execute(
            "DELETE FROM login_failures WHERE window_start < ?"
            " AND (locked_until IS NULL OR locked_until < ?)",
            (window_start, now),
        )

    def set_login_failures(
        self, key: str, window_start: float, failures: int, locked_until: float | None
    ) -> None:
        self.db.execute(
            upsert(
                "login_failures",
                ("key", "window_start", "failures", "locked_until"),
                ("key",),
                True,
            ),
            (key, window_start, failures, locked_until),
        )

    def forget_failures(self, key: str) -> None:
        self.db.execute("DELETE FROM login_failures WHERE key = ?", (key,))

    def client_secret_digest(self, client_id: str) -> str | None:
        row = self.one("SELECT secret_digest FROM clients WHERE client_id = ?", client_id)
        return str(row["secret_digest"]) if row else None

    def user(self, username: str) -> Row | None:
        return self.one("SELECT * FROM users WHERE username = ?", username)

    # ----------------------------------------------------------------- the clock

    def clock(self) -> Row | None:
        """(offset, frozen_at) of the sandbox's clock; None: real time."""
        return self.one('SELECT "offset", frozen_at FROM clock')

    def set_clock(self, offset: float, frozen_at: float | None) -> None:
        self.db.execute(
            upsert("clock", ("id", "offset", "frozen_at"), ("id",), True), (1, offset, frozen_at)
        )

    # ----------------------------------------------------------------- faults and journal

    def fault_count(self) -> int:
        row = self.one("SELECT count(*) AS n FROM faults")
        return int(row["n"]) if row else 0

    def add_fault(self, operation: str, fault: str, times: int, retry_after: int) -> None:
        self.db.execute(
            "INSERT INTO faults (operation, fault, remaining, retry_after) VALUES (?, ?, ?, ?)",
            (operation, fault, times, retry_after),
        )

    def faults(self) -> list[Row]:
        return self.all("SELECT * FROM faults ORDER BY seq")

    def take_fault(self, operation: str) -> Row | None:
        """The next fault queued for an operation, counted as used (cheap when none is)."""
        return self.take_queued("faults", "operation = ?", (operation,))

    def take_queued(self, table: str, which: str, args: tuple[Any, ...]) -> Row | None:
        """The oldest entry of a queue (faults, delivery_outcomes) matching `which`, one of
        its `remaining` uses taken (the entry gone with its last); cheap when none is."""
        if self.one(f"SELECT 1 FROM {table} LIMIT 1") is None:  # noqa: S608 (fixed names)
            return None
        with self.transaction() as db:
            row: Row | None = db.execute(
                f"SELECT * FROM {table} WHERE {which} ORDER BY seq LIMIT 1",  # noqa: S608
                args,
            ).fetchone()
            if row is None:
                return None
            if row["remaining"] <= 1:
                db.execute(f"DELETE FROM {table} WHERE seq = ?", (row["seq"],))  # noqa: S608
            else:
                db.execute(
                    f"UPDATE {table} SET remaining = remaining - 1 WHERE seq = ?",  # noqa: S608
                    (row["seq"],),
                )
        return row

    def add_delivery_outcome(
        self, outcome: str, times: int, seconds: float, webhook_id: str | None
    ) -> None:
        self.db.execute(
            "INSERT INTO delivery_outcomes (outcome, remaining, seconds, webhook_id)"
            " VALUES (?, ?, ?, ?)",
            (outcome, times, seconds, webhook_id),
        )

    def delivery_outcomes(self) -> list[Row]:
        return self.all("SELECT * FROM delivery_outcomes ORDER BY seq")

    def take_delivery_outcome(self, webhook_id: str) -> Row | None:
        """The next outcome queued for this webhook's deliveries or for any, counted as used."""
        return self.take_queued(
            "delivery_outcomes", "webhook_id = ? OR webhook_id IS NULL", (webhook_id,)
        )

    def add_journal_entries(self, entries: list[dict[str, Any]]) -> None:
        self.db.execute_many(
            "INSERT INTO journal (at, account_id, operation, method, path, query, body,"
            " status, call_id) VALUES (:at, :account_id, :operation, :method, :path,"
            " :query, :body, :status, :call_id)",
            entries,
        )

    def trim_journal(self, keep: int) -> None:
        """Drop the entries older than the last `keep` (its own statement: nothing is
        checked, so the write lock would only slow every request)."""
        self.db.execute(
            "DELETE FROM journal WHERE seq <= (SELECT max(seq) FROM journal) - ?", (keep,)
        )

    def journal(self, filters: dict[str, str | None], limit: int, most_text: int) -> list[Row]:
        """The most recent `limit` entries matching every filter given, oldest first, as
        many of them as hold `most_text` characters of body, path and query at most."""
        where, args = matching(filters, ("account_id", "operation", "call_id"))
        return self.all(
            "SELECT * FROM (SELECT *, sum(length(coalesce(body, '')) + length(path)"  # noqa: S608
            " + length(query)) OVER (ORDER BY seq DESC) AS text_so_far FROM journal"
            f" WHERE {where} ORDER BY seq DESC LIMIT ?) AS latest"
            " WHERE text_so_far <= ? ORDER BY seq",
            *args,
            limit,
            most_text,
        )

    # ----------------------------------------------------------------- what happened to calls

    def call(self, account_id: str, call_id: str) -> Row | None:
        """A call of the account, ended or not."""
        return self.one(
            f"SELECT {CALL_COLUMNS} FROM calls WHERE call_id = ? AND account_id = ?",  # noqa: S608
            call_id,
            account_id,
        )

    def events(self, call_id: str) -> list[Row]:
        return self.all("SELECT * FROM events WHERE call_id = ? ORDER BY seq", call_id)

    def legs(self, call_id: str) -> list[Row]:
        """Every leg of a call, dropped ones too."""
        return self.all(f"SELECT {LEG_COLUMNS} FROM legs WHERE call_id = ? ORDER BY seq", call_id)  # noqa: S608

    def active_calls_now(self, account_id: str, now: float) -> list[Row]:
        return self.all(
            f"SELECT {CALL_COLUMNS} FROM calls WHERE account_id = ? AND ended = 0"  # noqa: S608
            " AND (ends_at IS NULL OR ends_at > ?) ORDER BY seq",
            account_id,
            now,
        )

    # ----------------------------------------------------------------- VIS webhooks and deliveries

    def add_webhook(self, webhook: dict[str, Any]) -> None:
        """A user's new webhook: every column of `webhooks` but the statistics."""
        self.db.execute(
            "INSERT INTO webhooks (webhook_id, account_id, username, user_id, url, events,"
            " signing_algo, signing_key, metadata_policy, created_at, expire_at) VALUES"
            " (:webhook_id, :account_id, :username, :user_id, :url, :events, :signing_algo,"
            " :signing_key, :metadata_policy, :created_at, :expire_at)",
            webhook,
        )

    def webhooks(self, account_id: str, username: str) -> list[Row]:
        """A user's webhooks, oldest first."""
        return self.all(
            "SELECT * FROM webhooks WHERE account_id = ? AND username = ?"
            " ORDER BY created_at, webhook_id",
            account_id,
            username,
        )

    def webhook(self, account_id: str, username: str, webhook_id: str) -> Row | None:
        return self.one(
            "SELECT * FROM webhooks WHERE webhook_id = ? AND account_id = ? AND username = ?",
            webhook_id,
            account_id,
            username,
        )

    def renew_webhook(
        self, account_id: str, username: str, webhook_id: str, now: float, expire_at: float
    ) -> bool:
        """Renewed: a new expiry, no longer failed, the statistics kept. False: no such one."""
        updated = self.db.execute(
            "UPDATE webhooks SET renewed_at = ?, expire_at = ?, failed = 0"
            " WHERE webhook_id = ? AND account_id = ? AND username = ?",
            (now, expire_at, webhook_id, account_id, username),
        )
        return updated.rowcount > 0

    def delete_webhook(self, account_id: str, username: str, webhook_id: str) -> bool:
        """Gone, with what it still had to deliver. False: no such one."""
        with self.transaction() as db:
            deleted = db.execute(
                "DELETE FROM webhooks WHERE webhook_id = ? AND account_id = ? AND username = ?",
                (webhook_id, account_id, username),
            )
            if deleted.rowcount:
                db.execute(
                    "UPDATE deliveries SET state = 'dropped' WHERE webhook_id = ?"
                    " AND state = 'pending'",
                    (webhook_id,),
                )
        return deleted.rowcount > 0

    def receiving_webhooks(self, account_id: str, now: float) -> list[Row]:
        """The account's webhooks that receive at `now` (not failed, not expired), each
        with its user's extension."""
        return self.all(
            "SELECT webhooks.*, users.extension FROM webhooks JOIN users"
            " ON users.username = webhooks.username AND users.account_id = webhooks.account_id"
            " WHERE webhooks.account_id = ? AND failed = 0 AND expire_at > ?"
            " ORDER BY created_at, webhook_id",
            account_id,
            now,
        )

    def enqueue_deliveries(self, deliveries: list[dict[str, Any]]) -> None:
        """New deliveries (delivery_id, webhook_id, account_id, call_id, event as JSON text,
        created_at, due_at), each at its first attempt."""
        self.db.execute_many(
            "INSERT INTO deliveries (delivery_id, webhook_id, account_id, call_id, event,"
            " created_at, due_at) VALUES (:delivery_id, :webhook_id, :account_id, :call_id,"
            " :event, :created_at, :due_at)",
            deliveries,
        )

    def claim_deliveries(
        self, claimer: str, now: float, wall: float, lease: float, limit: int
    ) -> list[Row]:
        """Up to `limit` pending deliveries due by `now` (the sandbox's clock), soonest first,
        now claimed by `claimer` at `wall` (the real time: a claim is a lease, which a claimer
        that stopped loses after `lease` seconds). No two claimers get the same delivery:
        on PostgreSQL each skips the rows another is claiming (without the state's write
        lock, which every API write takes); on SQLite the write lock serialises claims."""
        free = "state = 'pending' AND (claimed_at IS NULL OR claimed_at <= ?)"
        postgres = self.db.name == "postgresql"
        sql = (
            f"UPDATE deliveries SET claimed_by = ?, claimed_at = ? WHERE {free} AND seq IN"  # noqa: S608
            f" (SELECT seq FROM deliveries WHERE {free} AND held = 0 AND due_at <= ?"
            " ORDER BY due_at, seq"
            f" LIMIT ?{' FOR UPDATE SKIP LOCKED' if postgres else ''}) RETURNING *"
        )
        args = (claimer, wall, wall - lease, wall - lease, now, limit)
        if postgres:
            rows = self.all(sql, *args)
        else:
            with self.transaction() as db:
                rows = db.execute(sql, args).fetchall()
        return sorted(rows, key=lambda row: (row["due_at"], row["seq"]))

    def reschedule_delivery(
        self, seq: int, claimer: str, attempt: int, due_at: float, outcome: str, status: int | None
    ) -> bool:
        """A refused attempt: the next one is `attempt`, due at `due_at`, unclaimed. False:
        the claim was lost (its lease passed to another claimer)."""
        updated = self.db.execute(
            "UPDATE deliveries SET attempt = ?, due_at = ?, outcome = ?, status = ?,"
            " claimed_by = NULL, claimed_at = NULL WHERE seq = ? AND claimed_by = ?"
            " AND state = 'pending'",
            (attempt, due_at, outcome, status, seq, claimer),
        )
        return updated.rowcount > 0

    def settle_delivery(
        self,
        seq: int,
        claimer: str,
        *,
        state: str,
        outcome: str,
        status: int | None,
        at: float,
        counted: tuple[int, int, int, bool] | None,
        release_held: bool = False,
    ) -> bool:
        """The delivery is done: `state` delivered, failed or dropped. `counted`: what its
        webhook's statistics gain (attempts, successes, failures, and whether it is now
        failed, which drops its other pending deliveries); None for a dropped one.
        `release_held`: it carried its call's final event, so the deliveries of the call
        held back for after it (`hold_delivery`) are due now. False: the claim was lost."""
        with self.transaction() as db:
            settled = db.execute(
                "UPDATE deliveries SET state = ?, outcome = ?, status = ?, settled_at = ?,"
                " claimed_by = NULL, claimed_at = NULL WHERE seq = ? AND claimed_by = ?"
                " AND state = 'pending' RETURNING webhook_id, call_id",
                (state, outcome, status, at, seq, claimer),
            ).fetchall()  # each of them, so SQLite's statement is done before the commit
            if settled and release_held:
                db.execute(
                    "UPDATE deliveries SET held = 0, due_at = ? WHERE webhook_id = ?"
                    " AND call_id = ? AND held = 1 AND state = 'pending'",
                    (at, settled[0]["webhook_id"], settled[0]["call_id"]),
                )
            if not settled or counted is None:
                return bool(settled)
            webhook_id = settled[0]["webhook_id"]
            attempts, successes, failures, failed = counted
            db.execute(
                "UPDATE webhooks SET total_attempts = total_attempts + ?,"
                " total_successes = total_successes + ?, total_failures = total_failures + ?,"
                " failed = CASE WHEN ? = 1 THEN 1 ELSE failed END,"
                " last_success = CASE WHEN ? > 0 THEN ? ELSE last_success END,"
                " last_failure = CASE WHEN ? > 0 THEN ? ELSE last_failure END,"
                " last_error = CASE WHEN ? > 0 THEN ? ELSE last_error END WHERE webhook_id = ?",
                (
                    attempts, successes, failures, int(failed), successes, at, failures, at,
                    failures, outcome, webhook_id,
                ),
            )  # fmt: skip
            if failed:
                db.execute(
                    "UPDATE deliveries SET state = 'dropped' WHERE webhook_id = ?"
                    " AND state = 'pending'",
                    (webhook_id,),
                )
        return True

    def hold_delivery(
        self, seq: int, claimer: str, outcome: str, final_delivered: Callable[[list[str]], bool]
    ) -> bool:
        """Hold a claimed delivery back until its call's final event is delivered (the
        test kit's late delivery), unless `final_delivered` says, of the events already
        delivered to its webhook for its call, that it was. False: not held (the final
        event was delivered, or the claim was lost)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT webhook_id, call_id FROM deliveries WHERE seq = ? AND claimed_by = ?"
                " AND state = 'pending'",
                (seq, claimer),
            ).fetchone()
            if row is None:
                return False
            delivered = db.execute(
                "SELECT event FROM deliveries WHERE webhook_id = ? AND call_id = ?"
                " AND state = 'delivered'",
                (row["webhook_id"], row["call_id"]),
            ).fetchall()
            if final_delivered([found["event"] for found in delivered]):
                return False
            db.execute(
                "UPDATE deliveries SET held = 1, outcome = ?, claimed_by = NULL,"
                " claimed_at = NULL WHERE seq = ?",
                (outcome, seq),
            )
        return True

    def deliveries(self, filters: dict[str, str | None], limit: int) -> list[Row]:
        """The most recent `limit` deliveries matching every filter given (account_id,
        call_id, webhook_id, state), oldest first: the test kit's list."""
        where, args = matching(filters, ("account_id", "call_id", "webhook_id", "state"))
        return self.all(
            f"SELECT * FROM (SELECT * FROM deliveries WHERE {where}"  # noqa: S608
            " ORDER BY seq DESC LIMIT ?) AS latest ORDER BY seq",
            *args,
            limit,
        )

    def trim_vis(self, keep: int) -> None:
        """Drop the settled deliveries and the kept events older than the last `keep` of
        each (pending deliveries stay), and the looks at calls that are gone; each its own
        statement, as the journal's trim."""
        self.db.execute(
            "DELETE FROM deliveries WHERE state <> 'pending'"
            " AND seq <= (SELECT max(seq) FROM deliveries) - ?",
            (keep,),
        )
        self.db.execute(
            "DELETE FROM vis_events WHERE seq <= (SELECT max(seq) FROM vis_events) - ?", (keep,)
        )
        self.db.execute(
            "DELETE FROM call_looks WHERE settled = 1"
            " AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.call_id = call_looks.call_id)"
        )

    def webhooks_by_id(self, webhook_ids: list[str]) -> dict[str, Row]:
        """These webhooks (those that still exist), by id: how their deliveries are signed."""
        if not webhook_ids:
            return {}
        marks = ",".join("?" * len(webhook_ids))
        rows = self.all(f"SELECT * FROM webhooks WHERE webhook_id IN ({marks})", *webhook_ids)  # noqa: S608
        return {row["webhook_id"]: row for row in rows}

    # ----------------------------------------------------------------- VIS: looks and events

    def watch_calls(self, account_id: str) -> None:
        """Have the account's calls looked at for VIS events from now on: those in progress
        and those placed later, not those already over (inside the caller's transaction)."""
        self.db.execute(
            "INSERT INTO vis_watch (account_id, call_seq) SELECT ?, coalesce(max(seq), 0)"
            " FROM calls WHERE 1 = 1 ON CONFLICT (account_id) DO NOTHING",
            (account_id,),
        )

    def watched_accounts(self) -> list[Row]:
        """Each watched account (account_id, call_seq: the newest call looked at or left
        out) with its change counter (version; None before its first change)."""
        return self.all(
            "SELECT vis_watch.account_id, call_seq, version FROM vis_watch LEFT JOIN"
            " account_changes ON account_changes.account_id = vis_watch.account_id"
        )

    def calls_to_look_at(self, account_id: str, call_seq: int) -> list[Row]:
        """An account's calls that may have changed (call_id, seq): in progress, placed
        after `call_seq`, or looked at before and not yet over."""
        return self.all(
            "SELECT call_id, seq FROM calls WHERE account_id = ? AND ended = 0"
            " UNION SELECT call_id, seq FROM calls WHERE seq > ? AND account_id = ?"
            " UNION SELECT call_id, 0 FROM call_looks WHERE account_id = ? AND settled = 0",
            account_id,
            call_seq,
            account_id,
            account_id,
        )

    def looked_past(self, account_id: str, call_seq: int) -> None:
        """Every call of the account up to `call_seq` has been looked at (or left out)."""
        self.db.execute(
            "UPDATE vis_watch SET call_seq = ? WHERE account_id = ? AND call_seq < ?",
            (call_seq, account_id, call_seq),
        )

    def looks_due(self, now: float) -> list[Row]:
        """The calls (call_id, account_id) whose last look changes by itself by `now`."""
        return self.all(
            "SELECT call_id, account_id FROM call_looks WHERE settled = 0 AND next_at <= ?", now
        )

    def call_look(self, call_id: str) -> Row | None:
        return self.one("SELECT * FROM call_looks WHERE call_id = ?", call_id)

    def next_change(self, call_id: str, after: float) -> float | None:
        """The first time after `after` at which a call changes by itself: a leg answers or
        ends, the call ends, a scripted action falls due."""
        row = self.one(
            "SELECT min(t) AS t FROM (SELECT answer_at AS t FROM legs WHERE call_id = ?"
            " AND dropped = 0 UNION ALL SELECT outcome_at FROM legs WHERE call_id = ?"
            " AND dropped = 0 UNION ALL SELECT ends_at FROM calls WHERE call_id = ?"
            " UNION ALL SELECT due_at FROM calls WHERE call_id = ?) AS times WHERE t > ?",
            call_id,
            call_id,
            call_id,
            call_id,
            after,
        )
        return None if row is None or row["t"] is None else float(row["t"])

    def save_look(self, look: dict[str, Any]) -> None:
        """A call's newest look (call_id, account_id, at, look as JSON, next_at, settled,
        rows_mark)."""
        self.db.execute(
            upsert(
                "call_looks",
                ("call_id", "account_id", "at", "look", "next_at", "settled", "rows_mark"),
                ("call_id",),
                True,
            ),
            (
                look["call_id"], look["account_id"], look["at"], look["look"], look["next_at"],
                look["settled"], look["rows_mark"],
            ),
        )  # fmt: skip

    def call_rows_marks(self, call_ids: list[str]) -> dict[str, str]:
        """For each call, a digest of what a look at it is taken from, but the clock (its
        row, its legs' rows, its notes of legs leaving): equal digests, an equal look at one
        time. Two reads for them all."""
        if not call_ids:
            return {}
        marks = ",".join("?" * len(call_ids))
        held: dict[str, list[Any]] = {call_id: [] for call_id in call_ids}
        for row in self.all(
            "SELECT call_id, ends_at, due_at, ended, (SELECT count(*) FROM events WHERE"  # noqa: S608
            " events.call_id = calls.call_id AND leg_id IS NOT NULL) AS notes FROM calls"
            f" WHERE call_id IN ({marks})",
            *call_ids,
        ):
            held[row["call_id"]].append(list(row[:]))
        for row in self.all(
            "SELECT call_id, leg_id, answer_at, outcome, outcome_at, dropped, held FROM legs"  # noqa: S608
            f" WHERE call_id IN ({marks}) ORDER BY call_id, seq",
            *call_ids,
        ):
            held[row["call_id"]].append(list(row[:]))
        return {
            call_id: hashlib.sha256(json.dumps(rows).encode()).hexdigest()
            for call_id, rows in held.items()
        }

    def subscribers(self, account_id: str) -> list[Row]:
        """The account's users who hold a webhook (username, user_id, extension)."""
        return self.all(
            "SELECT DISTINCT webhooks.username, webhooks.user_id, users.extension FROM webhooks"
            " JOIN users ON users.username = webhooks.username"
            " AND users.account_id = webhooks.account_id WHERE webhooks.account_id = ?"
            " ORDER BY webhooks.username",
            account_id,
        )

    def add_vis_events(self, events: list[dict[str, Any]]) -> None:
        """Events kept for their users (account_id, username, record_id, call_id, state,
        direction, start_time, recorded_at, event as JSON text)."""
        self.db.execute_many(
            "INSERT INTO vis_events (account_id, username, record_id, call_id, state,"
            " direction, start_time, recorded_at, event) VALUES (:account_id, :username,"
            " :record_id, :call_id, :state, :direction, :start_time, :recorded_at, :event)",
            events,
        )

    @staticmethod
    def vis_event_filter(
        account_id: str,
        username: str,
        *,
        since: float | None = None,
        until: float | None = None,
        direction: str | None = None,
        states: tuple[str, ...] = (),
    ) -> tuple[str, list[Any]]:
        """A user's events recorded from `since` to `until` (the sandbox's epoch seconds),
        in a direction, in one of `states`: a WHERE clause of this module's and its args."""
        where = ["account_id = ?", "username = ?"]
        args: list[Any] = [account_id, username]
        for clause, value in (
            ("recorded_at >= ?", since),
            ("recorded_at <= ?", until),
            ("direction = ?", direction),
        ):
            if value is not None:
                where.append(clause)
                args.append(value)
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args += states
        return " AND ".join(where), args

    def vis_event_page(
        self, where: tuple[str, list[Any]], *, descending: bool, by_start: bool, limit: int,
        offset: int,
    ) -> list[Row]:  # fmt: skip
        """A page of events (a `vis_event_filter`), in the order they were recorded or by
        their call's start time."""
        direction = "DESC" if descending else "ASC"
        order = f"start_time {direction}, seq {direction}" if by_start else f"seq {direction}"
        return self.all(
            f"SELECT event FROM vis_events WHERE {where[0]} ORDER BY {order}"  # noqa: S608
            " LIMIT ? OFFSET ?",
            *where[1],
            limit,
            offset,
        )

    def vis_event_count(self, where: tuple[str, list[Any]]) -> int:
        row = self.one(f"SELECT count(*) AS n FROM vis_events WHERE {where[0]}", *where[1])  # noqa: S608
        return int(row["n"]) if row else 0

    def latest_vis_event(self, account_id: str, username: str, record_id: str) -> Row | None:
        """The user's latest event of one VIS call record (its `id`)."""
        return self.one(
            "SELECT event FROM vis_events WHERE record_id = ? AND account_id = ?"
            " AND username = ? ORDER BY seq DESC LIMIT 1",
            record_id,
            account_id,
            username,
        )

    def count_webhooks(self, account_id: str, username: str) -> int:
        row = self.one(
            "SELECT count(*) AS n FROM webhooks WHERE account_id = ? AND username = ?",
            account_id,
            username,
        )
        return int(row["n"]) if row else 0


def matching(filters: dict[str, str | None], columns: tuple[str, ...]) -> tuple[str, list[Any]]:
    """A WHERE clause (and its arguments) for the filters given among `columns` (names of
    this module's own; only the values come from a request)."""
    where, args = ["1 = 1"], []
    for column in columns:
        if filters.get(column) is not None:
            where.append(f"{column} = ?")
            args.append(filters[column])
    return " AND ".join(where), args


#: A user's VIS webhooks (the signing key kept as given: it signs every delivery, and VIS
#: shows it back in a webhook's listing), and each delivery until it settles (`pending`,
#: then `delivered`, `failed` or `dropped`), due by the sandbox's clock, claimed by real time.
VIS_TABLES = """
CREATE TABLE IF NOT EXISTS webhooks (webhook_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
    username TEXT NOT NULL, user_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
    signing_algo TEXT NOT NULL, signing_key TEXT NOT NULL, metadata_policy TEXT NOT NULL,
    created_at REAL NOT NULL, renewed_at REAL, expire_at REAL NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0, total_attempts INTEGER NOT NULL DEFAULT 0,
    total_successes INTEGER NOT NULL DEFAULT 0, total_failures INTEGER NOT NULL DEFAULT 0,
    last_success REAL, last_failure REAL, last_error TEXT);
CREATE INDEX IF NOT EXISTS webhooks_by_user ON webhooks (account_id, username);
CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE, webhook_id TEXT NOT NULL, account_id TEXT NOT NULL,
    call_id TEXT, event TEXT NOT NULL, created_at REAL NOT NULL, due_at REAL NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1, state TEXT NOT NULL DEFAULT 'pending',
    claimed_by TEXT, claimed_at REAL, outcome TEXT, status INTEGER, settled_at REAL);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due_at, seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_by_call ON deliveries (call_id, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON deliveries (webhook_id)
    WHERE state = 'pending';
"""

#: The test kit's delivery outcomes (delivery_outcomes.py), each for the next `remaining`
#: deliveries of a webhook (or of any, webhook_id NULL): `seconds` for a delay.
DELIVERY_OUTCOMES = """
CREATE TABLE IF NOT EXISTS delivery_outcomes (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    outcome TEXT NOT NULL, remaining INTEGER NOT NULL, seconds REAL NOT NULL,
    webhook_id TEXT);
"""

#: What VIS events come from and go to: the last look at each call of a watched account (a
#: `CallLook` as JSON; `next_at`: when it changes by itself; `settled`: over, it never will;
#: `rows_mark`: what its rows held, `call_rows_marks`),
#: the accounts watched (those with a webhook) with the newest call looked at or left out,
#: and every event recorded, per user (GET /self/events).
VIS_RECORDS = """
CREATE TABLE IF NOT EXISTS call_looks (call_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
    at REAL NOT NULL, look TEXT NOT NULL, next_at REAL, settled INTEGER NOT NULL DEFAULT 0,
    rows_mark TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS unsettled_looks ON call_looks (account_id) WHERE settled = 0;
CREATE INDEX IF NOT EXISTS looks_due ON call_looks (next_at)
    WHERE settled = 0 AND next_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS vis_watch (account_id TEXT PRIMARY KEY, call_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vis_events (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL, username TEXT NOT NULL, record_id TEXT NOT NULL,
    call_id TEXT NOT NULL, state TEXT NOT NULL, direction TEXT NOT NULL,
    start_time TEXT NOT NULL, recorded_at REAL NOT NULL, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vis_events_by_user ON vis_events (account_id, username, seq);
CREATE INDEX IF NOT EXISTS vis_events_by_record ON vis_events (record_id, seq);
"""
