"""Where the sandbox's state lives. SQLite is the embedded default (in memory, or a file the
workers of one host share); PostgreSQL holds a shared sandbox that any number of instances on
any number of hosts serve (`--db postgresql://...`). The store writes each statement once,
in SQL both accept, with `?` and `:name` parameters; an engine runs it.

A write transaction takes one lock for the whole state before it reads (SQLite's BEGIN
IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock), so a check and the write that
follows it are atomic across workers and instances alike.
"""

from __future__ import annotations

import abc
import functools
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol, overload
from urllib.parse import urlsplit, urlunsplit

from vbc_sandbox.errors import BadRequest, SandboxError
from vbc_sandbox.redaction import shown_query

if TYPE_CHECKING:
    import psycopg

Params = Sequence[Any] | dict[str, Any]

#: The advisory lock every PostgreSQL write transaction holds ("vbcs" in ASCII).
WRITE_LOCK = 0x76626373
#: Seconds a client is told to wait when the database cannot be reached.
RETRY_AFTER = 2
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Row(Protocol):
    """A row read by name or by position, in the SELECT's order (sqlite3.Row, or `named_row`'s
    rows on PostgreSQL)."""

    @overload
    def __getitem__(self, key: str | int, /) -> Any: ...

    @overload
    def __getitem__(self, key: slice, /) -> tuple[Any, ...]: ...

    def keys(self) -> Iterable[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class StoreUnavailable(SandboxError):
    """The database cannot be reached: a 503 the client may retry."""

    status = 503

    def __init__(self) -> None:
        super().__init__("The sandbox's database cannot be reached: retry shortly")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(RETRY_AFTER)}


def is_postgres(location: str | None) -> bool:
    return bool(location) and str(location).startswith(POSTGRES_SCHEMES)


def shown(location: str | None) -> str:
    """A database location fit for a log: a URL's password is left out, in its user part
    or its query (`?password=...`, `?sslpassword=...`)."""
    if not location:
        return "memory"
    if not is_postgres(location):
        return location
    parts = urlsplit(location)
    parts = parts._replace(query=shown_query(parts.query, ""))
    if parts.password is not None:
        netloc = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{netloc}")
    return urlunsplit(parts)


def statements(script: str) -> list[str]:
    """A schema script's statements (its comments are whole lines)."""
    text = re.sub(r"--[^\n]*", "", script)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


class Engine(abc.ABC):
    """Runs the store's SQL on one backend."""

    name = ""
    #: A column that orders any table's rows by insertion.
    insertion_order = ""
    #: Whether each thread that uses the store gets a connection of its own.
    connection_per_thread = False

    @abc.abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Cursor: ...

    @abc.abstractmethod
    def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """One statement for many rows; outside a transaction, without a commit per row
        (SQLite commits them together, psycopg pipelines them)."""

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Engine]:
        """A write transaction holding the state's write lock from its start."""

    def create(self, script: str) -> None:
        """Run a schema script (inside the migration's transaction)."""
        for statement in statements(script):
            self.execute(statement)

    @abc.abstractmethod
    def add_column(self, table: str, column: str, kind: str) -> None: ...

    @abc.abstractmethod
    def add_insertion_order(self, table: str) -> None:
        """Give a table without an integer key an insertion order where the engine needs one."""

    @abc.abstractmethod
    def close(self) -> None: ...


class SQLiteEngine(Engine):
    """One connection per process, used from the event loop's thread; WAL lets the workers
    of one host share a file."""

    name = "sqlite"
    insertion_order = "rowid"
    #: One connection for the process: another thread using it would share its transactions.
    connection_per_thread = False

    def __init__(self, path: str | None) -> None:
        self.db = sqlite3.connect(
            path or ":memory:", isolation_level=None, check_same_thread=False, timeout=30
        )
        self.db.row_factory = sqlite3.Row
        if path:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self.db.execute(sql, params)

    def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        if self.db.in_transaction:
            self.db.executemany(sql, rows)
            return
        # Outside a transaction every row would be a commit of its own.
        with self.transaction():
            self.db.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[Engine]:
        """Takes the write lock up front, so workers never deadlock."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def add_column(self, table: str, column: str, kind: str) -> None:
        columns = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def add_insertion_order(self, table: str) -> None:
        """SQLite's rowid already is one."""

    def close(self) -> None:
        self.db.close()


@functools.lru_cache(maxsize=256)
def named_row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A tuple read by name as well, as sqlite3.Row is: one class per column list."""
    index = {name: position for position, name in enumerate(names)}

    class NamedRow(tuple[Any, ...]):
        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            return super().__getitem__(index[key] if isinstance(key, str) else key)

        def keys(self) -> tuple[str, ...]:
            return names

    return NamedRow


def named_row(cursor: Any) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """psycopg's row factory for rows like SQLite's."""
    return named_row_class(tuple(column.name for column in cursor.description or ()))


@functools.lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """The store's parameters in psycopg's form: `?` -> %s, `:name` -> %(name)s."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    return re.sub(r"(?<![:\w]):([a-z_]+)", r"%(\1)s", sql)


def postgres_types(script: str) -> str:
    """SQLite's column types as PostgreSQL's: 64-bit integers, double-precision times, and
    identity columns for integer keys."""
    # SQLite numbers an INTEGER PRIMARY KEY itself when none is given.
    script = re.sub(
        r"\bINTEGER PRIMARY KEY( AUTOINCREMENT)?",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        script,
    )
    script = re.sub(r"\bINTEGER\b", "BIGINT", script)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", script)


class PostgresEngine(Engine):
    """A connection per thread that uses the store (in a server, the event loop's thread),
    opened on first use. A connection the server dropped (a restart, a failover) is thrown
    away: that request gets a 503 with Retry-After, the next one connects again."""

    name = "postgresql"
    insertion_order = "seq"
    #: Each thread its own connection: work may move off the event loop's thread.
    connection_per_thread = True

    def __init__(self, url: str, connect_timeout: float = 5.0) -> None:
        try:
            import psycopg
        except ImportError as error:
            raise RuntimeError(
                "PostgreSQL storage needs psycopg: pip install 'vbc-telephony[postgres]'"
            ) from error
        self.psycopg = psycopg
        self.row_factory = named_row
        self.url = url
        self.connect_timeout = connect_timeout
        self.local = threading.local()
        self.failures = (psycopg.OperationalError, psycopg.InterfaceError)

    def connection(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self.local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = self.psycopg.connect(
                    self.url,
                    autocommit=True,
                    row_factory=self.row_factory,
                    connect_timeout=max(1, round(self.connect_timeout)),
                    application_name="vbc-sandbox",
                )
            except self.failures as error:
                raise StoreUnavailable() from error
            self.local.conn = conn
        return conn

    def drop(self) -> None:
        conn = getattr(self.local, "conn", None)
        self.local.conn = None
        if conn is not None:
            conn.close()

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            if not params:
                return self.connection().execute(sql)
            return self.connection().execute(postgres_sql(sql), params)
        except self.failures as error:
            self.drop()
            raise StoreUnavailable() from error
        except self.psycopg.DataError as error:
            # PostgreSQL text cannot hold NUL, which SQLite takes: a clear 400, not a 500.
            if "NUL" in str(error):
                raise BadRequest("Text with a NUL character (\\u0000) is not accepted") from None
            raise

    def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            self.connection().cursor().executemany(postgres_sql(sql), rows)
        except self.failures as error:
            self.drop()
            raise StoreUnavailable() from error

    @contextmanager
    def transaction(self) -> Iterator[Engine]:
        conn = self.connection()
        try:
            with conn.transaction():
                self.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield self
        except self.failures as error:
            # A rollback on a connection the server dropped fails in turn.
            self.drop()
            raise StoreUnavailable() from error

    def create(self, script: str) -> None:
        super().create(postgres_types(script))

    def add_column(self, table: str, column: str, kind: str) -> None:
        # As create() does: PostgreSQL's REAL is single precision, 128 s apart at today's
        # epoch seconds.
        kind = postgres_types(kind)
        self.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")

    def add_insertion_order(self, table: str) -> None:
        self.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS seq BIGINT GENERATED BY DEFAULT"
            " AS IDENTITY"
        )

    def close(self) -> None:
        self.drop()


def open_engine(location: str | None, *, wait: float = 0.0) -> Engine:
    """The engine for `--db`: a postgresql:// URL, else a SQLite file (None: memory).
    PostgreSQL is asked once at start, retried for up to `wait` seconds, so a bad URL or a
    server that is down fails there in one line."""
    if not is_postgres(location):
        return SQLiteEngine(location)
    assert location is not None
    engine = PostgresEngine(location)
    deadline = time.monotonic() + wait
    while True:
        try:
            engine.execute("SELECT 1")
            return engine
        except StoreUnavailable as error:
            if time.monotonic() >= deadline:
                cause = str(error.__cause__ or error).strip().splitlines()
                raise RuntimeError(
                    f"cannot reach the database at {shown(location)}: "
                    + (cause[0] if cause else "no answer")
                ) from None
            time.sleep(0.5)
