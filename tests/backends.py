"""The two storage backends every storage-touching test runs on: a fresh SQLite file, a fresh PostgreSQL schema.

PostgreSQL is found at PANELIST_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
When it cannot be reached the PostgreSQL cases are skipped with a reason that says how to run them; in CI
(`CI=true`) an unreachable PostgreSQL fails instead, so CI can never go green without it.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid

import pytest

PG_URL = os.environ.get("PANELIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_pg_ok: bool | None = None


def postgres_available() -> bool:
    global _pg_ok
    if _pg_ok is None:
        async def probe() -> bool:
            import asyncpg

            try:
                conn = await asyncio.wait_for(asyncpg.connect(PG_URL), timeout=3)
            except Exception:
                return False
            await conn.close()
            return True

        # Tests call this from inside a running event loop: probe on a thread of our own.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            _pg_ok = pool.submit(asyncio.run, probe()).result()
    return _pg_ok


SKIP_REASON = (
    "PostgreSQL not reachable at PANELIST_TEST_POSTGRES_URL "
    f"({PG_URL}); start PostgreSQL or set that variable to run the PostgreSQL half of the suite"
)


def require_postgres() -> None:
    if not postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the PostgreSQL tests, but " + SKIP_REASON)
        pytest.skip(SKIP_REASON)


def new_database_url(backend: str, tmp_path) -> tuple[str, str | None]:
    """A URL for a fresh database, and the schema to drop afterwards (PostgreSQL)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'panelist.db'}", None
    require_postgres()
    schema = "t_" + uuid.uuid4().hex[:16]
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}schema={schema}", schema


async def drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
