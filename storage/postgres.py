"""PostgreSQL on asyncpg: a pool sized by settings, transactions per business operation, advisory locks."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import asyncpg

from storage.db import Database, Tx, lock_key
from storage.dialect import POSTGRES
from storage.sqlite import split_statements


class PostgresTx(Tx):
    dialect = POSTGRES

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, query: str, *args: Any) -> list[dict]:
        return [dict(r) for r in await self._conn.fetch(self.dialect.sql(query), *args)]

    async def execute(self, query: str, *args: Any) -> int:
        status = await self._conn.execute(self.dialect.sql(query), *args)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, query: str, rows: list[tuple]) -> None:
        await self._conn.executemany(self.dialect.sql(query), rows)

    async def lock(self, key: str) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(key))


class PostgresDatabase(Database):
    dialect = POSTGRES

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self.pool_size)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        assert self._pool is not None, "database not connected"
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                yield PostgresTx(conn)

    async def script(self, sql: str) -> None:
        async with self.transaction() as tx:
            for statement in split_statements(sql):
                await tx.execute(statement)
