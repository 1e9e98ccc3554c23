"""Database handles: a connection (pool) per backend and short transactions.

`async with db.transaction() as tx:` is one business operation. On SQLite it is `BEGIN IMMEDIATE` on the single
writer connection; on PostgreSQL a pooled connection in a transaction. `tx.lock(key)` takes a lock that holds
until commit across every process (an advisory transaction lock on PostgreSQL; SQLite's write lock already is).
A transaction is never opened inside another on the same task: that raises `NestedTransaction` at once on both
backends (on SQLite it would wait for its own writer lock forever; on PostgreSQL it would quietly be a second,
independent transaction that commits even when the outer one rolls back).
"""
from __future__ import annotations

import abc
import asyncio
import hashlib
import time
from contextlib import asynccontextmanager
from contextvars import ContextVar, Token
from typing import Any, Callable

from storage.dialect import Dialect


def lock_key(text: str) -> int:
    """A stable signed 64-bit key for advisory locks."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


class NestedTransaction(RuntimeError):
    """`transaction()` was entered while this task already had one open on the same database. Pass the open
    transaction (or its unit of work) down instead of opening another."""


# (task, database) pairs with a transaction open, as the current task sees them. A task created inside a
# transaction inherits the value but is another task: its own transaction is not nested.
_OPEN: ContextVar[tuple[tuple[object, object], ...]] = ContextVar("panelist_open_transactions", default=())


class Opened:
    """A transaction as it is open: to close the record of it, and to time it (`Database.observe`)."""

    __slots__ = ("token", "db", "started")

    def __init__(self, token: Token, db: "Database") -> None:
        self.token, self.db, self.started = token, db, time.perf_counter()


def enter_transaction(db: "Database") -> Opened:
    """Note a transaction open on `db` for the current task, or raise `NestedTransaction` if one already is.
    Every backend's `transaction()` calls this first and `leave_transaction` when it ends."""
    task = asyncio.current_task()
    open_now = _OPEN.get()
    for t, d in open_now:
        if t is task and d is db:
            raise NestedTransaction("a transaction was opened inside another on the same task; pass the open one"
                                    " down instead (on SQLite this would wait for itself forever)")
    return Opened(_OPEN.set(open_now + ((task, db),)), db)


def leave_transaction(opened: Opened) -> None:
    _OPEN.reset(opened.token)
    if opened.db.observe is not None:
        opened.db.observe(time.perf_counter() - opened.started)


class Tx(abc.ABC):
    dialect: Dialect
    serial = False  # True where transactions run one at a time (SQLite): what is read cannot change before commit

    @abc.abstractmethod
    async def fetch(self, query: str, *args: Any) -> list[dict]: ...

    async def fetchrow(self, query: str, *args: Any) -> dict | None:
        rows = await self.fetch(query, *args)
        return rows[0] if rows else None

    async def fetchval(self, query: str, *args: Any) -> Any:
        row = await self.fetchrow(query, *args)
        return None if row is None else next(iter(row.values()))

    @abc.abstractmethod
    async def execute(self, query: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abc.abstractmethod
    async def executemany(self, query: str, rows: list[tuple]) -> None: ...

    @abc.abstractmethod
    async def lock(self, key: str) -> None:
        """Serialize with every other transaction taking the same key, in any process, until commit."""


class Database(abc.ABC):
    dialect: Dialect
    url: str
    # Told each transaction's duration in seconds, waiting for the connection or writer included (metrics).
    observe: "Callable[[float], None] | None" = None

    @abc.abstractmethod
    async def connect(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    def transaction(self) -> "asynccontextmanager[Tx]": ...

    @abc.abstractmethod
    async def script(self, sql: str) -> None:
        """Run several statements (migrations) in one transaction."""

    async def __aenter__(self) -> "Database":
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def open_database(url: str, pool_size: int = 10) -> Database:
    if url.startswith("sqlite:///"):
        from storage.sqlite import SqliteDatabase

        return SqliteDatabase(url)
    if url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresDatabase

        return PostgresDatabase(url, pool_size=pool_size)
    raise ValueError("database url must start with sqlite:/// or postgresql://")


def redact_url(url: str) -> str:
    """The URL without its password, for logs."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)

