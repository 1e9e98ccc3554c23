"""A reminder tick over 1,000,000 reminder rows of which 10,000 are due (issue 10's benchmark).

    python bench/reminders.py [--rows 1000000] [--due 10000] [--backend sqlite|postgres|both]

Seeds persons and reminder rows with bulk SQL in a fresh database, then runs the real `reminder_tick` (claim
with SKIP LOCKED / BEGIN IMMEDIATE, quiet-hours and cap checks, render, stage, deliver to a no-op adapter) until
nothing is due, in a subprocess per backend so peak RSS is the tick's own. Prints seconds, reminders/s and peak
RSS, next to a baseline in the same run: a raw sqlite3 loop that selects the due rows and marks them done.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
PG = os.environ.get("PANELIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def hourly_project(tx) -> int:
    from handlers.shared.task_service import create_project
    from storage.uow import UnitOfWork

    spec = (ROOT / "app" / "demo_content" / "pairwise_law.yaml").read_bytes()  # paid by the hour
    created = await create_project(UnitOfWork(tx), spec, "pairwise_law.yaml", None, NOW)
    assert created.project_id is not None, created.errors
    return created.project_id


async def seed(url: str, rows: int, due: int, people: int = 10_000) -> None:
    from storage.db import open_database
    from storage.migrate import upgrade

    async with open_database(url) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            for start in range(0, people, 500):
                batch = range(start, min(start + 500, people))
                values = ", ".join(f"(${i * 2 + 1}, ${i * 2 + 2})" for i in range(len(batch)))
                args = []
                for n in batch:
                    args += [f"p{n}", NOW]
                await tx.execute(f"INSERT INTO persons (display_name, created_at) VALUES {values}", *args)
            ids = [r["id"] for r in await tx.fetch("SELECT id FROM persons ORDER BY id")]
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                values = ", ".join(f"(${i * 6 + 1}, ${i * 6 + 2}, ${i * 6 + 3}, ${i * 6 + 4}, ${i * 6 + 5}, ${i * 6 + 6})"
                                   for i in range(len(batch)))
                args = []
                for pid in batch:
                    args += [pid, "console", "", f"u{pid}", f"u{pid}", NOW]
                await tx.execute("INSERT INTO identities (person_id, platform, workspace, user_id, chat_id, last_seen_at)"
                                 f" VALUES {values}", *args)
            # "log your hours" goes only to people in a project paid by the hour: everyone is in one
            project_id = await hourly_project(tx)
            for start in range(0, len(ids), 500):
                batch = ids[start:start + 500]
                values = ", ".join(f"(${i * 3 + 1}, ${i * 3 + 2}, ${i * 3 + 3})" for i in range(len(batch)))
                args = []
                for pid in batch:
                    args += [project_id, pid, NOW]
                await tx.execute(f"INSERT INTO project_members (project_id, person_id, joined_at) VALUES {values}", *args)
        # 1,000,000 rows: `due` of them due now (one per person), the rest in the future
        chunk = 500
        for start in range(0, rows, 20_000):
            async with db.transaction() as tx:
                for s in range(start, min(start + 20_000, rows), chunk):
                    n = min(chunk, rows - s)
                    values = ", ".join(f"(${i * 5 + 1}, 'hours', ${i * 5 + 2}, ${i * 5 + 3}, '{{}}', ${i * 5 + 4}, ${i * 5 + 5})"
                                       for i in range(n))
                    args = []
                    for k in range(s, s + n):
                        is_due = k < due
                        args += [ids[k % len(ids)], f"r{k}", NOW - timedelta(minutes=1) if is_due else NOW + timedelta(days=7 + k % 50),
                                 NOW, NOW]
                    await tx.execute("INSERT INTO reminders (person_id, kind, dedupe_key, due_at, payload, created_at,"
                                     f" last_sent_at) VALUES {values}", *args)


async def tick(url: str) -> dict:
    from app.wiring import build_runtime
    from bot.adapters.console import CONSOLE
    from app.settings import Settings
    from handlers.reminders import reminder_tick

    class Quiet:
        platform = "console"
        capabilities = CONSOLE
        count = 0

        async def deliver(self, d, progress=None):
            Quiet.count += 1

    rt = build_runtime(Settings(database_url=url), clock=lambda: NOW)
    await rt.start()
    rt.register(Quiet())
    start = time.perf_counter()
    total = 0
    while True:
        sent = await rt.run_tick(functools.partial(reminder_tick, limit=1000))
        if not sent:
            break
        total += sent
    seconds = time.perf_counter() - start
    await rt.stop()
    return {"sent": total, "delivered": Quiet.count, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def raw_baseline(path: str) -> dict:
    conn = sqlite3.connect(path, isolation_level=None)
    start = time.perf_counter()
    done = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute("SELECT id FROM reminders WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT 1000",
                            (NOW.strftime("%Y-%m-%d %H:%M:%S.%f"),)).fetchall()
        for (rid,) in rows:
            conn.execute("UPDATE reminders SET done_at = ? WHERE id = ?", (NOW.strftime("%Y-%m-%d %H:%M:%S.%f"), rid))
        conn.execute("COMMIT")
        if not rows:
            break
        done += len(rows)
    return {"sent": done, "seconds": time.perf_counter() - start}


def child(url: str) -> None:
    print(json.dumps(asyncio.run(tick(url))))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--due", type=int, default=10_000)
    ap.add_argument("--backend", default="both")
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        return child(args.child)
    results = []
    tmp = tempfile.mkdtemp()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        schema = None
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/reminders.db"
        else:
            schema = "bench_" + uuid.uuid4().hex[:8]
            url = f"{PG}?schema={schema}"
        t0 = time.perf_counter()
        asyncio.run(seed(url, args.rows, args.due))
        seeded = time.perf_counter() - t0
        out = subprocess.run([sys.executable, __file__, "--child", url], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append((backend, r, seeded))
        if backend == "sqlite":
            import shutil

            shutil.copy(f"{tmp}/reminders.db", f"{tmp}/raw.db")
            # the copy is after the tick: re-mark rows due for the raw loop
            c = sqlite3.connect(f"{tmp}/raw.db", isolation_level=None)
            c.execute("UPDATE reminders SET done_at = NULL, due_at = ? WHERE dedupe_key IN (SELECT dedupe_key FROM reminders ORDER BY id LIMIT ?)",
                      ((NOW - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f"), args.due))
            c.close()
            results.append(("raw sqlite3", raw_baseline(f"{tmp}/raw.db"), 0.0))
        if schema:
            import asyncpg

            async def drop() -> None:
                conn = await asyncpg.connect(PG)
                await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                await conn.close()

            asyncio.run(drop())
    print(f"reminder tick over {args.rows:,} rows, {args.due:,} due")
    print(f"{'backend':<12} {'sent':>8} {'seconds':>8} {'per s':>8} {'peak RSS MB':>12}")
    for backend, r, _ in results:
        print(f"{backend:<12} {r['sent']:>8} {r['seconds']:>8.2f} {r['sent'] / r['seconds']:>8.0f} "
              f"{r.get('peak_rss_mb', float('nan')):>12.1f}")


if __name__ == "__main__":
    main()
