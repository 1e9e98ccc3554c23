"""PostgreSQL on asyncpg: a pool sized by settings, transactions per business operation, advisory locks."""
from __future__ import annotations

import re
from datetime import datetime
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from typing import Any, AsyncIterator

import asyncpg

from storage.db import Database, Tx, enter_transaction, leave_transaction, lock_key
from storage.dialect import POSTGRES
from storage.sqlite import split_statements


def split_schema(url: str) -> tuple[str, str | None]:
    """`postgresql://…/db?schema=name` runs in that schema (created if missing): tests get a fresh one each."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    schema = dict(parse_qsl(parts.query)).get("schema")
    if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise ValueError("schema must be a lower-case identifier")
    return urlunsplit(parts._replace(query=urlencode(query))), schema


def _aware(args: tuple) -> tuple:
    """Refuse naive datetimes, as the SQLite adapter does, so both backends fail the same way on a bug."""
    for a in args:
        if isinstance(a, datetime) and a.tzinfo is None:
            raise ValueError("naive datetime given to storage; times are UTC-aware")
    return args


class PostgresTx(Tx):
    dialect = POSTGRES

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, query: str, *args: Any) -> list[dict]:
        return [dict(r) for r in await self._conn.fetch(self.dialect.sql(query), *_aware(args))]

    async def execute(self, query: str, *args: Any) -> int:
        status = await self._conn.execute(self.dialect.sql(query), *_aware(args))
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
        self.dsn, self.schema = split_schema(url)
        self._pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        settings = {"search_path": self.schema} if self.schema else None
        if self.schema:
            conn = await asyncpg.connect(self.dsn)
            try:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            finally:
                await conn.close()
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.pool_size, server_settings=settings)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        assert self._pool is not None, "database not connected"
        opened = enter_transaction(self)  # nested, it would be a second transaction that commits on its own
        try:
            async with self._pool.acquire() as conn:
                async with conn.transaction():
                    yield PostgresTx(conn)
        finally:
            leave_transaction(opened)

    async def script(self, sql: str) -> None:
        async with self.transaction() as tx:
            for statement in split_statements(sql):
                await tx.execute(statement)
