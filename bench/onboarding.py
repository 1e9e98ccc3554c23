"""Onboarding throughput: N people onboard at once through the real core, next to a raw sqlite3 loop.

    python -m bench.onboarding                       # SQLite core + raw sqlite3, PostgreSQL 1, 2, 4 processes
    python -m bench.onboarding --backend sqlite --people 500
    python -m bench.onboarding --backend postgres --processes 1,2,4,8

Each person sends the 9 onboarding messages (/start, seven typed answers, the Save button), one after the other,
the next only after the previous was handled — as a person would; all people run concurrently.

- `sqlite core`: one process, console events straight into `runtime.handle` (accept + turn + delivery) on a
  fresh SQLite file. Latency is per `handle` call.
- `raw sqlite3`: the floor — the standard library `sqlite3` module, same schema, same pragmas (WAL,
  synchronous=FULL), one loop issuing the statement mix our runtime issues per message (measured with a trace
  callback, see STATEMENTS below) in the same transactions, with payloads of the same sizes, no Python above it.
- `postgres core in-proc`: the `sqlite core` loop on a fresh PostgreSQL schema (default pool of 10).
- `postgres core`: P worker processes (`tests.multiproc.worker`, a real runtime each) on one fresh schema; the
  people are split between them. Latency is measured inside the worker from the line arriving to the turn's
  replies delivered (the same span as `runtime.handle`); msgs/s is the aggregate over the wall time.

`ratio` is each row's msgs/s divided by the raw sqlite3 loop's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from bench.common import Result, stopwatch, table

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PANELIST_BENCH_POSTGRES_URL",
                        os.environ.get("PANELIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
STEPS = 9


def answers(i: int) -> list[str]:
    return [f"Person {i:04d}", "medicine, law", str(i % 71), f"credential #{i}", "English, Spanish",
            "Europe/Madrid", str(i % 81)]


def make_event(i: int, step: int, save_payload: str | None, run: str):
    from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation, TextEvent

    user = f"b{i:04d}"
    base = dict(delivery_id=f"{run}-{user}-{step}", actor=Actor(platform="console", user_id=user),
                conversation=Conversation(platform="console", chat_id=user))
    if step == 0:
        return CommandEvent(name="start", args="", **base)
    if step <= 7:
        return TextEvent(text=answers(i)[step - 1], **base)
    return ButtonPressed(payload=save_payload or "", **base)


def save_button(deliveries) -> str | None:
    from bot.core.blocks import Buttons

    for d in deliveries:
        message = getattr(d.op, "message", None)
        for block in getattr(message, "blocks", []):
            if isinstance(block, Buttons):
                for row in block.rows:
                    for b in row:
                        if str(b.label).startswith("Save") and b.payload:
                            return b.payload
    return None


# -- the core on SQLite, in process ----------------------------------------------------------------------------
class NullAdapter:
    """Delivers nowhere; what a platform call costs is not what this benchmark measures."""

    platform = "console"

    def __init__(self) -> None:
        from bot.adapters.console import CONSOLE

        self.capabilities = CONSOLE
        self.n = 0

    async def deliver(self, delivery, progress=None) -> str:
        self.n += 1
        return f"m{self.n}"


async def run_core_inprocess(url: str, people: int, label: str) -> Result:
    from app.wiring import build_runtime
    from app.settings import Settings

    runtime = build_runtime(Settings(database_url=url))
    await runtime.start()
    runtime.register(NullAdapter())
    latencies: list[float] = []
    run = uuid.uuid4().hex[:8]

    async def person(i: int) -> None:
        payload = None
        for step in range(STEPS):
            event = make_event(i, step, payload, run)
            t0 = time.perf_counter()
            deliveries = await runtime.handle(event)
            latencies.append((time.perf_counter() - t0) * 1000)
            payload = save_button(deliveries) or payload
            if step == 8 and not deliveries:
                raise RuntimeError(f"person {i}: Save produced no reply")

    try:
        with stopwatch() as t:
            await asyncio.gather(*(person(i) for i in range(people)))
        async with runtime.db.transaction() as tx:
            done = await tx.fetchval("SELECT COUNT(*) FROM persons WHERE onboarded_at IS NOT NULL")
    finally:
        await runtime.stop()
    if done != people:
        raise RuntimeError(f"{label}: only {done} of {people} people onboarded")
    return Result(label, 1, people * STEPS, t[0], latencies)


# -- raw sqlite3: the same writes with nothing above them ------------------------------------------------------
# What our runtime runs per onboarding message on SQLite (counted with aiosqlite's trace callback):
#   accept:   tx1 = INSERT inbox
#   turn:     tx2 = SELECT inbox claim, SELECT identity, UPDATE identity last_seen, SELECT person, SELECT roles,
#                   SELECT form session, UPDATE form session, INSERT outbox, UPDATE inbox processed
#             /start instead: INSERT person, INSERT identity, INSERT audit, INSERT form session, 2 × INSERT outbox
#             Save adds:      UPDATE persons (profile), INSERT audit
#   delivery: tx3 = UPDATE outbox sent (one transaction per delivery; /start has two)
# = 3 transactions and 11 statements for a typical message (4 and 15 for /start, 13 for Save).
STATEMENTS = "tx per message: 3 (4 for /start); statements: 11 typical, 15 /start, 13 Save"
EVENT_PAYLOAD = 330  # bytes of a typical event JSON in the inbox (measured: 326 on average)
DELIVERY_PAYLOAD = 1000  # bytes of a typical delivery JSON in the outbox (measured: 1004 on average)


def run_raw_sqlite(path: Path, people: int) -> Result:
    from storage.dialect import SQLITE
    from storage.migrate import available_migrations
    from storage.sqlite import split_statements  # also registers the UTC datetime adapter we use

    conn = sqlite3.connect(str(path), isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    for _, _, sql in available_migrations():
        for statement in split_statements(sql):
            conn.execute(SQLITE.sql(statement))
    q = SQLITE.sql
    event_json = json.dumps({"x": "e" * (EVENT_PAYLOAD - 10)})
    delivery_json = json.dumps({"x": "d" * (DELIVERY_PAYLOAD - 10)})
    person_of: dict[int, int] = {}
    latencies: list[float] = []
    now = lambda: datetime.now(timezone.utc)  # noqa: E731

    def message(i: int, step: int) -> None:
        user = f"r{i:04d}"
        c = conn.execute
        c("BEGIN IMMEDIATE")
        c(q("INSERT INTO inbox (platform, delivery_id, actor_key, payload, received_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (platform, delivery_id) DO NOTHING RETURNING id"),
          ("console", f"{user}-{step}", f"console:{user}", event_json, now())).fetchall()
        c("COMMIT")
        c("BEGIN IMMEDIATE")
        t = now()
        inbox_id = c(q("SELECT id FROM inbox WHERE platform = $1 AND delivery_id = $2 AND processed_at IS NULL"),
                     ("console", f"{user}-{step}")).fetchone()[0]
        ident = c(q("SELECT id, person_id FROM identities WHERE platform = $1 AND workspace = '' AND user_id = $2"),
                  ("console", user)).fetchone()
        outbox_rows = 1
        if ident is None:
            pid = c(q("INSERT INTO persons (display_name, created_at) VALUES ('', $1) RETURNING id"), (t,)).fetchone()[0]
            c(q("INSERT INTO identities (person_id, platform, workspace, user_id, chat_id, last_seen_at)"
                " VALUES ($1, 'console', '', $2, $2, $3)"), (pid, user, t))
            c(q("INSERT INTO audit_log (at, person_id, action, detail) VALUES ($1, $2, 'person.created', '{}')"), (t, pid))
            c(q("INSERT INTO form_sessions (person_id, form_id, params, vals, created_at, updated_at)"
                " VALUES ($1, 'onboarding', '{}', '{}', $2, $2)"), (pid, t))
            person_of[i] = pid
            outbox_rows = 2
        else:
            pid = ident[1]
            c(q("UPDATE identities SET last_seen_at = $2 WHERE id = $1"), (ident[0], t))
            c(q("SELECT id, display_name, profile FROM persons WHERE id = $1"), (pid,)).fetchone()
            c(q("SELECT role FROM roles WHERE person_id = $1"), (pid,)).fetchall()
            session = c(q("SELECT id, vals FROM form_sessions WHERE person_id = $1 AND status = 'open'"), (pid,)).fetchone()
            vals = json.loads(session[1])
            vals[f"f{step}"] = answers(i)[min(step, 7) - 1]
            c(q("UPDATE form_sessions SET vals = $2, step = $3, version = version + 1, updated_at = $4,"
                " status = $5 WHERE id = $1"), (session[0], json.dumps(vals), step, t,
                                                "completed" if step == 8 else "open"))
            if step == 8:
                c(q("UPDATE persons SET display_name = $2, profile = $3, onboarded_at = $4 WHERE id = $1"),
                  (pid, f"Person {i:04d}", json.dumps(vals), t))
                c(q("INSERT INTO audit_log (at, person_id, action, detail) VALUES ($1, $2, 'profile.saved', '{}')"), (t, pid))
        outbox_ids = [c(q("INSERT INTO outbox (inbox_id, person_id, platform, payload, created_at, not_before)"
                          " VALUES ($1, $2, 'console', $3, $4, $4) RETURNING id"),
                        (inbox_id, pid, delivery_json, t)).fetchone()[0] for _ in range(outbox_rows)]
        c(q("UPDATE inbox SET processed_at = $2, error = NULL WHERE id = $1"), (inbox_id, t))
        c("COMMIT")
        for outbox_id in outbox_ids:
            c("BEGIN IMMEDIATE")
            c(q("UPDATE outbox SET sent_at = $2, claimed_until = NULL WHERE id = $1"), (outbox_id, now()))
            c("COMMIT")

    try:
        with stopwatch() as t:
            for step in range(STEPS):  # people interleaved, as the concurrent runs are
                for i in range(people):
                    t0 = time.perf_counter()
                    message(i, step)
                    latencies.append((time.perf_counter() - t0) * 1000)
        done = conn.execute("SELECT COUNT(*) FROM persons WHERE onboarded_at IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert done == people, done
    return Result("raw sqlite3", 1, people * STEPS, t[0], latencies, note=STATEMENTS)


# -- the core on PostgreSQL, P processes ----------------------------------------------------------------------
async def postgres_reachable() -> bool:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_URL), timeout=3)
    except Exception:
        return False
    await conn.close()
    return True


async def run_postgres(people: int, processes: int, pool_size: int) -> Result:
    import asyncpg

    from storage.db import open_database
    from storage.migrate import upgrade

    schema = "bench_" + uuid.uuid4().hex[:12]
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    async with open_database(url) as db:
        await upgrade(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs: list[asyncio.subprocess.Process] = []
    readers: list[asyncio.Task] = []
    done: dict[str, asyncio.Future] = {}
    payloads: dict[str, str] = {}
    latencies: list[float] = []
    ready = [asyncio.Event() for _ in range(processes)]
    run = uuid.uuid4().hex[:8]
    log = tempfile.NamedTemporaryFile(prefix="panelist-bench-", suffix=".log", delete=False)

    async def read(n: int, proc: asyncio.subprocess.Process) -> None:
        while raw := await proc.stdout.readline():
            kind, _, rest = raw.decode().rstrip("\n").partition(" ")
            if kind == "DONE":
                delivery_id, ms = rest.split()
                latencies.append(float(ms))
                fut = done.pop(delivery_id, None)
                if fut and not fut.done():
                    fut.set_result(None)
            elif kind == "OUT":
                out = json.loads(rest)
                for label, payload in out["buttons"]:
                    if label.startswith("Save"):
                        payloads[out["chat"]] = payload
            elif kind == "READY":
                ready[n].set()
            elif kind == "ERROR":
                raise RuntimeError(f"worker {n}: {rest}")

    async def person(i: int) -> None:
        proc = procs[i % processes]
        for step in range(STEPS):
            event = make_event(i, step, payloads.get(f"b{i:04d}"), run)
            fut = asyncio.get_running_loop().create_future()
            done[event.delivery_id] = fut
            proc.stdin.write(event.model_dump_json().encode() + b"\n")
            await proc.stdin.drain()
            await fut

    try:
        for n in range(processes):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.multiproc.worker", url, str(pool_size), cwd=str(ROOT), env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log, limit=1 << 22)
            procs.append(proc)
            readers.append(asyncio.create_task(read(n, proc)))
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 60)
        with stopwatch() as t:
            await asyncio.wait_for(asyncio.gather(*(person(i) for i in range(people))), 600)
        async with open_database(url) as db:
            async with db.transaction() as tx:
                onboarded = await tx.fetchval("SELECT COUNT(*) FROM persons WHERE onboarded_at IS NOT NULL")
        if onboarded != people:
            raise RuntimeError(f"postgres x{processes}: only {onboarded} of {people} onboarded (see {log.name})")
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.stdin.close()
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        for r in readers:
            r.cancel()
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()
    return Result("postgres core", processes, people * STEPS, t[0], latencies, note=f"pool {pool_size}/process")


async def run_postgres_inprocess(people: int) -> Result:
    """The same in-process loop as `sqlite core`, on PostgreSQL: the like-for-like comparison of the backends."""
    import asyncpg

    schema = "bench_" + uuid.uuid4().hex[:12]
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    try:
        result = await run_core_inprocess(url, people, "postgres core in-proc")
    finally:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()
    result.note = "runtime.handle in this process, pool 10"
    return result


async def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.onboarding", description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=200)
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--processes", default="1,2,4", help="PostgreSQL process counts, comma-separated")
    p.add_argument("--pool", type=int, default=10, help="PostgreSQL pool size per process")
    args = p.parse_args(argv)
    results: list[Result] = []
    baseline: Result | None = None
    with tempfile.TemporaryDirectory(prefix="panelist-bench-") as tmp:
        baseline = run_raw_sqlite(Path(tmp) / "raw.db", args.people)
        results.append(baseline)
        if args.backend in ("sqlite", "both"):
            results.append(await run_core_inprocess(f"sqlite:///{Path(tmp) / 'core.db'}", args.people, "sqlite core"))
    if args.backend in ("postgres", "both"):
        if await postgres_reachable():
            results.append(await run_postgres_inprocess(args.people))
            for n in [int(x) for x in args.processes.split(",") if x.strip()]:
                results.append(await run_postgres(args.people, n, args.pool))
        elif args.backend == "postgres":
            print(f"PostgreSQL not reachable at {PG_URL}", file=sys.stderr)
            return 1
        else:
            print(f"(PostgreSQL not reachable at {PG_URL}: its rows are skipped)")
    print(f"{args.people} people x {STEPS} onboarding messages each, all people concurrently"
          f" (cpus: {os.cpu_count()}, python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version})")
    print(table(results, baseline))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
