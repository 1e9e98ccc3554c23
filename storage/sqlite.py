"""SQLite: WAL, synchronous=FULL, one writer connection, BEGIN IMMEDIATE, and group commit.

Where the time goes decides the shape (measured with `python -m bench.tasks --profile …` and
`--experiment one-commit-each`):

* A statement on indexed rows takes microseconds; a trip to aiosqlite's worker thread and back costs more than
  the statement. So statements run on the event loop thread, on the sqlite3 connection aiosqlite opened for us
  (a long query holds the loop for its length; bulk writes yield between batches).
* The two waits that can be long — taking the write lock (another process may hold it, up to the busy timeout)
  and COMMIT's fsync — go to aiosqlite's thread, so the loop keeps serving while they block.
* An fsync per transaction caps throughput at the disk's fsync rate. Transactions queued behind the writer
  therefore share one: each runs in a SAVEPOINT of one open BEGIN IMMEDIATE, and the batch commits when nobody
  else is queued (or it reaches `MAX_BATCH`). `transaction()` returns only after the COMMIT that made its work
  durable. A member that raises rolls back its own savepoint only; if the COMMIT fails, or SQLite itself ends
  the whole transaction (I/O error, full disk), every member of the batch gets an error and none of it is kept.
"""
from __future__ import annotations

import asyncio
import sqlite3
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import aiosqlite

from storage.db import Database, Tx, enter_transaction, leave_transaction
from storage.dialect import SQLITE

_FMT = "%Y-%m-%d %H:%M:%S.%f"
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON")
MAX_BATCH = 256  # transactions sharing one COMMIT; bounds how long the first of them waits


def _adapt_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage; times are UTC-aware")
    return value.astimezone(timezone.utc).strftime(_FMT)


def _convert_timestamp(raw: bytes) -> datetime:
    value = datetime.fromisoformat(raw.decode())  # our own format: fast path, ~10x strptime
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


sqlite3.register_adapter(datetime, _adapt_datetime)
sqlite3.register_converter("TIMESTAMP", _convert_timestamp)


class BatchAborted(sqlite3.OperationalError):
    """The shared transaction ended without committing; this member's work is not kept."""


class SqliteTx(Tx):
    dialect = SQLITE
    serial = True  # one writer, BEGIN IMMEDIATE: every transaction runs alone

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch(self, query: str, *args: Any) -> list[dict]:
        cursor = self._conn.execute(self.dialect.sql(query), args)
        if cursor.description is None:
            return []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    async def execute(self, query: str, *args: Any) -> int:
        return self._conn.execute(self.dialect.sql(query), args).rowcount

    async def executemany(self, query: str, rows: list[tuple]) -> None:
        self._conn.executemany(self.dialect.sql(query), rows)
        await asyncio.sleep(0)  # bulk work (imports) runs in many of these: let the loop serve in between

    async def lock(self, key: str) -> None:
        return None  # BEGIN IMMEDIATE already holds the database's one write lock


class _Batch:
    """One BEGIN IMMEDIATE … COMMIT shared by the transactions that ran inside it."""

    def __init__(self) -> None:
        self.members = 0
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()

    def finish(self, error: BaseException | None) -> None:
        if self.done.done():
            return
        if error is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(error)
            self.done.exception()  # members that were cancelled never read it; keep asyncio quiet


class SqliteDatabase(Database):
    dialect = SQLITE

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = url.removeprefix("sqlite:///")
        self._worker: aiosqlite.Connection | None = None  # its thread runs the blocking calls
        self._conn: sqlite3.Connection | None = None
        self._writer = asyncio.Lock()
        self._queued = 0  # transactions waiting for the writer
        self._batch: _Batch | None = None
        self._flusher: asyncio.Task | None = None

    async def connect(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

        def open_connection() -> sqlite3.Connection:
            # Opened in aiosqlite's thread and used from the loop's too, never at once: the writer lock orders them.
            conn = sqlite3.connect(self.path, isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES,
                                   timeout=30, check_same_thread=False)
            for pragma in PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
            return conn

        self._worker = await aiosqlite.Connection(open_connection, iter_chunk_size=64)

    async def close(self) -> None:
        if self._worker is None:
            return
        async with self._writer:
            if self._batch is not None:
                await self._commit()
        if self._flusher is not None:
            await self._flusher
        await self._worker.close()
        self._worker = self._conn = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        assert self._worker is not None, "database not connected"
        opened = enter_transaction(self)  # nested on this task, it would wait for the writer it holds, forever
        try:
            self._queued += 1
            try:
                await self._writer.acquire()
            finally:
                self._queued -= 1
            try:
                batch = self._batch
                if batch is None:
                    await self._begin()
                    batch = self._batch = _Batch()
                batch.members += 1
                self._conn.execute("SAVEPOINT tx")
                try:
                    yield SqliteTx(self._conn)
                except BaseException as exc:
                    self._undo(batch, exc)
                    raise
                self._conn.execute("RELEASE tx")
                if self._queued and batch.members < MAX_BATCH:
                    self._flush_later()  # the next in line joins this batch; the flusher queues behind them
                else:
                    await self._commit()
            finally:
                self._writer.release()
            await asyncio.shield(batch.done)
        finally:
            leave_transaction(opened)

    def _undo(self, batch: _Batch, exc: BaseException) -> None:
        """Roll back this member only; if SQLite already ended the whole transaction, the batch is lost."""
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO tx")
                self._conn.execute("RELEASE tx")
        except sqlite3.Error:
            pass
        if not self._conn.in_transaction:
            self._batch = None
            batch.finish(BatchAborted(f"the shared transaction was rolled back by a failure: {exc!r}"))
        elif batch.members == 1 and not self._queued:
            self._batch = None  # nothing else in it: end it now rather than commit an empty transaction
            self._conn.execute("ROLLBACK")
            batch.finish(None)
        else:
            self._flush_later()

    async def _begin(self) -> None:
        job = asyncio.ensure_future(self._worker.execute("BEGIN IMMEDIATE"))  # may wait for another process
        if await _finish_despite_cancel(job):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise asyncio.CancelledError
        job.result()

    async def _commit(self) -> None:
        """COMMIT the open batch (the caller holds the writer) and tell its members how it went — by what SQLite
        did, even if we were cancelled while it did it."""
        batch, self._batch = self._batch, None
        job = asyncio.ensure_future(self._worker.execute("COMMIT"))
        cancelled = await _finish_despite_cancel(job)
        failure = job.exception()
        if failure is not None or self._conn.in_transaction:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            batch.finish(failure or BatchAborted("the shared transaction did not commit"))
        else:
            batch.finish(None)
        if cancelled:
            raise asyncio.CancelledError
        if failure is not None:
            raise failure

    def _flush_later(self) -> None:
        """Make sure a COMMIT comes for the batch left open: a flusher queued at the writer commits whatever batch
        is open when its turn comes, after everyone who was waiting before it has joined."""
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        async with self._writer:
            if self._batch is not None:
                try:
                    await self._commit()
                except Exception:
                    pass  # the members got the error

    async def script(self, sql: str) -> None:
        async with self.transaction() as tx:
            for statement in split_statements(sql):
                await tx.execute(statement)


async def _finish_despite_cancel(job: asyncio.Future) -> bool:
    """Wait for `job` (a call in aiosqlite's thread) to end even if we are cancelled meanwhile — until it has,
    the connection is not ours to use from the loop — and say whether we were."""
    cancelled = False
    while not job.done():
        try:
            await asyncio.shield(job)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:
            break
    return cancelled


def split_statements(sql: str) -> list[str]:
    """Our migrations hold no semicolons inside literals, so a plain split is enough."""
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
