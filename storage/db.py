"""Database handles: a connection (pool) per backend and short transactions.

`async with db.transaction() as tx:` is one business operation. On SQLite it is `BEGIN IMMEDIATE` on the single
writer connection; on PostgreSQL a pooled connection in a transaction. `tx.lock(key)` takes a lock that holds
until commit across every process (an advisory transaction lock on PostgreSQL; SQLite's write lock already is).
"""
from __future__ import annotations

import abc
import hashlib
from contextlib import asynccontextmanager
from typing import Any

from storage.dialect import Dialect


def lock_key(text: str) -> int:
    """A stable signed 64-bit key for advisory locks."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


class Tx(abc.ABC):
    dialect: Dialect

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

