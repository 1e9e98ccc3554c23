"""Benchmark: import a 100,000-line JSONL task file, on SQLite and on PostgreSQL (issue 6, "Task import").

How to run (from the repository root, with the project's venv):

    /work/venv/bin/python bench/import_tasks.py                      # 100,000 lines, both backends
    /work/venv/bin/python bench/import_tasks.py --backend sqlite     # or postgres
    /work/venv/bin/python bench/import_tasks.py --lines 5000 --quick # smoke run
    PANELIST_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres  (the default)

What it does: writes a realistic pairwise task file (two model answers to a domain question, ~1 KB a line,
5% gold items) to a temporary directory, creates the project through `create_project` and imports the file with
`handlers.shared.task_service.import_file` — exactly what `panelist tasks import PROJECT FILE` runs — then imports the
same file again (every line must come back "unchanged"). Each backend runs in a child process of its own so
its peak memory is its own: the child reports its RSS after start-up (interpreter, project imports, database
connected, project created) and its peak RSS (VmHWM) during each import; the difference is what the import
itself cost. The peak is reset (`/proc/self/clear_refs`) before the re-import so both are measured alone.
SQLite runs on a fresh file in the temporary directory; PostgreSQL in a fresh schema `bench_<random>`,
dropped afterwards. The issue's goal: "100,000 lines import in well under a minute with bounded memory".
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("PANELIST_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# A pairwise project like the demo's, without a deadline or qualification so any member may be served.
SPEC = {
    "name": "Bench — which answer is better",
    "domain": "law",
    "task_type": "pairwise",
    "instructions": "Two model answers to the same question. Choose which is better overall, optionally per "
                    "criterion, and justify with the passage and its consequence.",
    "criteria": [
        {"id": "accuracy", "label": "Accuracy", "description": "States the facts and the law correctly.",
         "scale": [1, 5]},
        {"id": "actionability", "label": "Actionability", "description": "The reader knows what to do next.",
         "scale": [1, 5]},
    ],
    "overlap": 1,
    "gold_ratio": 0.05,
    "lease_minutes": 60,
    "pay": {"kind": "per_task", "amount": "0.80", "currency": "EUR"},
    "languages": ["en"],
}

_TOPICS = [
    ("law", "My landlord in {place} kept my whole deposit without saying why. What can I do?",
     "Ask the landlord in writing for an itemised list of deductions within 14 days. If the deposit was held in a "
     "protection scheme, open the scheme's free dispute service; if it was never protected, a court can award up "
     "to three times the deposit. Keep the tenancy agreement, the check-in inventory and dated photos.",
     "Landlords can keep deposits if the flat needs cleaning. You could try asking nicely, but there is not much "
     "you can do once they have the money, and going to court is expensive and rarely worth it for a tenant."),
    ("medicine", "Is it safe to take ibuprofen every day for my back pain if I am {age} and have high blood pressure?",
     "Daily ibuprofen can raise blood pressure, blunt some blood-pressure medicines and strain the kidneys, and the "
     "risk of stomach bleeding grows with age. Ask your doctor before taking it regularly; paracetamol, heat and "
     "physiotherapy are often tried first. Seek care at once for black stools or chest pain.",
     "Ibuprofen is an over-the-counter medicine, so it is safe to take every day at the dose on the packet. It "
     "does not interact with blood-pressure tablets. If the pain continues you can double the dose for a week."),
    ("finance", "Should I move my emergency fund of {amount} into an index fund to earn more?",
     "Keep three to six months of expenses where they are safe and available at full value, such as an insured "
     "savings account. An index fund can fall 30% in a bad year, exactly when a job loss makes you need the cash. "
     "Invest money you will not need for five years or more, after the emergency fund is in place.",
     "Yes. Index funds have returned about 7% a year over the long run, much more than a savings account, so "
     "keeping cash idle is losing money to inflation. Move the whole fund and sell some shares if you need money."),
    ("software_engineering", "Why does my Python service leak memory when it caches results for {n} users?",
     "An unbounded dict used as a cache keeps every key alive for the life of the process. Bound it: "
     "functools.lru_cache(maxsize=...) or a TTL cache evicts old entries. Measure with tracemalloc snapshots "
     "before and after a load test to confirm the cache is the culprit and not a reference cycle held elsewhere.",
     "Python has a garbage collector, so it cannot leak memory. The growth you see is the interpreter reserving "
     "space for later. Restart the service every night with a cron job and the problem will go away on its own."),
]
_PLACES = ["England", "Scotland", "Ontario", "California", "New South Wales", "Ireland", "Wales", "Texas"]


def make_line(rng: random.Random, n: int, gold_share: float = 0.05) -> dict:
    """One pairwise item of about 1 KB: a domain question, a careful answer and a careless one (order shuffled)."""
    domain, prompt, good, bad = _TOPICS[n % len(_TOPICS)]
    prompt = prompt.format(place=rng.choice(_PLACES), age=rng.randint(45, 85),
                           amount=f"{rng.randint(3, 40) * 1000:,} EUR", n=rng.randint(1_000, 900_000))
    good_first = rng.random() < 0.5
    a, b = (good, bad) if good_first else (bad, good)
    line = {
        "external_id": f"bench-{n:07d}",
        "prompt": prompt,
        "responses": [{"id": "a", "text": a}, {"id": "b", "text": b}],
        "context": f"Asked through the {domain} help line; the reader is not a professional.",
        "metadata": {"domain": domain, "source": "bench", "batch": n // 1000, "model_a": "m-7b", "model_b": "m-70b"},
    }
    if rng.random() < gold_share:
        line["gold"] = {"preference": "a_much_better" if good_first else "b_much_better"}
    return line


def write_task_file(path: Path, lines: int, seed: int = 6) -> int:
    """Write `lines` items; returns the file size in bytes."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(lines):
            out.write(json.dumps(make_line(rng, n), ensure_ascii=False) + "\n")
    return path.stat().st_size


# ---------------------------------------------------------------- memory

def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def peak_mb() -> float:
    return _status_kb("VmHWM") / 1024


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- the child: one backend, one process

async def child(url: str, path: str) -> dict:
    from handlers.shared.task_service import create_project, import_file
    from storage.db import open_database
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    now = datetime.now(timezone.utc)
    out: dict = {}
    async with open_database(url) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            created = await create_project(UnitOfWork(tx), json.dumps(SPEC).encode(), "bench.json", None, now)
        assert created.project_id, created.errors
        async with db.transaction() as tx:
            project = await UnitOfWork(tx).projects.get(created.project_id)
        for run in ("first", "again"):
            reset_peak()
            base = rss_mb()
            started = time.perf_counter()
            report = await import_file(db, project, path, False, now)
            seconds = time.perf_counter() - started
            out[run] = {"seconds": seconds, "imported": report.imported, "unchanged": report.unchanged_existing,
                        "problems": report.problem_count, "rss_before_mb": base, "peak_mb": peak_mb(),
                        "rss_after_mb": rss_mb()}
        async with db.transaction() as tx:
            out["rows"] = int(await tx.fetchval("SELECT COUNT(*) FROM tasks"))
    return out


def run_child(backend: str, path: Path, workdir: Path) -> dict:
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'import.db'}"
    else:
        schema = "bench_" + uuid.uuid4().hex[:12]
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", url, str(path)], capture_output=True, text=True,
                              cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(f"{backend} child failed:\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if schema:
            asyncio.run(_drop_schema(schema))


async def _drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(child(sys.argv[2], sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="5,000 lines: a smoke run")
    args = parser.parse_args()
    lines = 5_000 if args.quick else args.lines
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="panelist-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "tasks.jsonl"
        started = time.perf_counter()
        size = write_task_file(path, lines)
        print(f"task file: {lines:,} lines, {size / 1e6:.1f} MB ({size / lines:.0f} bytes a line),"
              f" written in {time.perf_counter() - started:.1f} s")
        results = {b: run_child(b, path, workdir) for b in backends}
    head = (f"{'backend':<9} {'run':<8} {'lines/s':>9} {'seconds':>8} {'imported':>9} {'unchanged':>9}"
            f" {'problems':>8} {'RSS start MB':>12} {'peak MB':>8} {'peak-start':>10}")
    print(head)
    print("-" * len(head))
    for backend, r in results.items():
        for run in ("first", "again"):
            m = r[run]
            print(f"{backend:<9} {run:<8} {lines / m['seconds']:>9,.0f} {m['seconds']:>8.1f} {m['imported']:>9,}"
                  f" {m['unchanged']:>9,} {m['problems']:>8} {m['rss_before_mb']:>12.1f} {m['peak_mb']:>8.1f}"
                  f" {m['peak_mb'] - m['rss_before_mb']:>10.1f}")
        assert r["first"]["imported"] == lines and r["again"]["unchanged"] == lines and r["rows"] == lines, r
    print("goal: 100,000 lines well under a minute, memory bounded (peak-start independent of the file size)")


if __name__ == "__main__":
    main()
