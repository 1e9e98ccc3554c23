"""Benchmark: export 1,000,000 submissions in every format with flat memory (issue 7, item 6 "Exports").

How to run (from the repository root, with the project's venv):

    /work/venv/bin/python bench/export.py                 # 1,000,000 submissions, every format
    /work/venv/bin/python bench/export.py --n 100000      # smaller
    /work/venv/bin/python bench/export.py --keep          # reuse the seeded database from a previous run

What it does: seeds a SQLite file straight through SQL (stdlib `sqlite3`, `executemany`, journal off while
seeding): one pairwise project (its spec parsed by `create_project`), N/3 items of ~700 bytes (two responses),
N assignments and N submissions (overlap 3, 1,000 experts, five preferences with ties, 60% approved, 10%
rejected, the rest pending or unreviewed, submitted over 100 days; 20 experts paused). Then for each format it
runs `app.export_cli.main` — what `panelist export PROJECT --format F --out FILE` runs — in a child process of its
own, and the child reports its RSS after start-up (interpreter and project imports), its peak RSS (VmHWM) and
the time. Flat memory is shown two ways: the peak does not grow with the export's size (the same format with
`--since` on the last 10 days, about a tenth of the rows), and it stays near the start-up RSS. The baseline row
is the floor: stdlib `sqlite3` iterating `SELECT … FROM submissions JOIN tasks … ORDER BY id` and writing
each row as a JSON line, in a child of its own, on the same file.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPEC = {
    "name": "Bench export",
    "domain": "law",
    "task_type": "pairwise",
    "instructions": "Two model answers to the same question. Choose which is better and justify it.",
    "criteria": [{"id": "accuracy", "label": "Accuracy", "description": "States the law correctly.", "scale": [1, 5]}],
    "overlap": 3,
    "pay": {"kind": "per_task", "amount": "2.00", "currency": "USD"},
    "languages": ["en"],
}
EXPERTS = 1000
START = datetime(2026, 8, 1, tzinfo=timezone.utc)
DAYS = 100
FMT = "%Y-%m-%d %H:%M:%S.%f"  # how storage.sqlite writes timestamps


def _answers() -> list[str]:
    from domain.task_types import PairwiseAnswer

    why = ("Response {x} is better on accuracy: it names the statutory deadline and the remedy, while the other "
           "response states a rule that does not exist and would mislead the reader about what to do next.")
    out = []
    for pref in ("a_much_better", "a_better", "tie", "b_better", "b_much_better"):
        x = "A" if pref.startswith("a") else "B"
        out.append(PairwiseAnswer(preference=pref, criteria_preferences={"accuracy": pref},
                                  justification=why.format(x=x)).model_dump_json())
    return out


REWRITE_SPEC = {**SPEC, "name": "Bench export rewrite", "task_type": "rewrite", "criteria": [],
                "instructions": "Rewrite the answer so it is correct, then say what was wrong.",
                "rewrite_min_chars": 20, "rewrite_max_chars": 2000}
del REWRITE_SPEC["criteria"]


async def _schema(path: Path) -> tuple[int, int]:
    from handlers.shared.task_service import create_project
    from storage.db import open_database
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    async with open_database(f"sqlite:///{path}") as db:
        await upgrade(db)
        async with db.transaction() as tx:
            ids = []
            for spec in (SPEC, REWRITE_SPEC):
                created = await create_project(UnitOfWork(tx), json.dumps(spec).encode(), "bench.json", None,
                                               datetime.now(timezone.utc))
                assert created.project_id, created.errors
                ids.append(created.project_id)
            await UnitOfWork(tx).kv.get_or_create("action_secret", "bench-secret")
    return ids[0], ids[1]


def _rewrites() -> list[str]:
    from domain.task_types import RewriteAnswer

    text = ("No. If the deposit was never protected in a government-approved scheme within 30 days, you can ask a "
            "court for one to three times the deposit back; first ask the landlord in writing for the deductions.")
    return [RewriteAnswer(text=text + " " * k + ".", what_was_wrong="It said landlords may keep deposits at will, "
                          "which is wrong and would stop the tenant from claiming.").model_dump_json() for k in range(3)]


def _seed_project(conn: sqlite3.Connection, project_id: int, n: int, answers: list[str], task_base: int,
                  sub_base: int) -> None:
    now = START.strftime(FMT)
    items = (n + 2) // 3
    batch = 20_000
    for lo in range(0, items, batch):
        rows = []
        for t in range(lo + 1, min(items, lo + batch) + 1):
            item = {"external_id": f"b{project_id}-{t:07d}", "prompt": f"Question {t}: can my landlord keep the deposit "
                    "if it was never protected in a scheme, and what can I claim?",
                    "responses": [{"id": "a", "text": f"Answer A to {t}: ask in writing for the deductions; if the "
                                   "deposit was not protected you can claim one to three times it in court."},
                                  {"id": "b", "text": f"Answer B to {t}: landlords can keep deposits whenever they "
                                   "like; there is nothing you can do about it."}],
                    "metadata": {"source": "bench", "n": t}}
            rows.append((task_base + t, project_id, item["external_id"], json.dumps(item), 3, 3, 3, now))
        conn.executemany("INSERT INTO tasks (id, project_id, external_id, item, overlap, filled, answered, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    span = DAYS * 86400
    for lo in range(0, n, batch):
        assignments, submissions = [], []
        for i in range(lo, min(n, lo + batch)):
            sid, task, slot = sub_base + i + 1, task_base + i // 3 + 1, i % 3
            person = (task * 3 + slot) % EXPERTS + 1
            at = (START + timedelta(seconds=span * i // n)).strftime(FMT)
            r = (i * 7919) % 100
            review = "approved" if r < 60 else "rejected" if r < 70 else "pending" if r < 85 else "none"
            assignments.append((sid, task, project_id, person, slot, at, at))
            submissions.append((sid, sid, task, project_id, person, answers[(i * 31) % len(answers)], 60 + i % 600, at, review))
        conn.executemany("INSERT INTO assignments (id, task_id, project_id, person_id, slot, status, assigned_at,"
                         " lease_expires_at) VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?)", assignments)
        conn.executemany("INSERT INTO submissions (id, assignment_id, task_id, project_id, person_id, answer,"
                         " seconds_spent, submitted_at, review_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", submissions)


def seed(path: Path, n: int) -> float:
    started = time.perf_counter()
    pairwise_id, rewrite_id = asyncio.run(_schema(path))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    now = START.strftime(FMT)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO persons (id, display_name, created_at) VALUES (?, ?, ?)",
                     [(i, f"Expert Name {i}", now) for i in range(1, EXPERTS + 1)])
    conn.executemany("INSERT INTO project_pauses (project_id, person_id, reason, paused_at) VALUES (?, ?, 'quality', ?)",
                     [(pairwise_id, i, now) for i in range(1, 21)])
    _seed_project(conn, pairwise_id, n, _answers(), 0, 0)
    _seed_project(conn, rewrite_id, n, _rewrites(), (n + 2) // 3, n)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def _status(field: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])  # kB
    return 0


def child(kind: str, project: str, path: str, out: str, extra: list[str]) -> None:
    """Runs in its own process: one export (or the baseline); prints one JSON line."""
    os.environ["PANELIST_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("PANELIST_SECRET_KEY", None)
    if kind == "baseline":
        rss0 = _status("VmRSS")
        started = time.perf_counter()
        conn = sqlite3.connect(path)
        cur = conn.execute(
            "SELECT s.id, s.task_id, s.person_id, s.answer, s.seconds_spent, s.late, s.submitted_at, s.gold_passed,"
            " s.gold_score, s.review_state, s.revision, t.external_id, t.item, t.is_gold FROM submissions s"
            " JOIN tasks t ON t.id = s.task_id WHERE s.project_id = 1 ORDER BY s.id")  # the pairwise project
        names = [d[0] for d in cur.description]
        records = 0
        with open(out, "w", encoding="utf-8", buffering=1024 * 1024) as fh:
            for row in cur:
                fh.write(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n")
                records += 1
        seconds = time.perf_counter() - started
    else:
        import handlers.export  # noqa: F401 - start-up cost counted before the export starts
        from app.export_cli import main

        rss0 = _status("VmRSS")
        import contextlib
        import io

        err = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stderr(err):
            rc = main([project, "--format", kind, "--out", out, *extra])
        seconds = time.perf_counter() - started
        if rc != 0:
            raise SystemExit(err.getvalue())
        records = int(re.search(r": (\d+) \w+ records", err.getvalue()).group(1))
    print(json.dumps({"records": records, "seconds": seconds, "rss_start_kb": rss0, "peak_kb": _status("VmHWM"),
                      "bytes": os.path.getsize(out)}))


def run_child(kind: str, project: str, path: Path, out: Path, extra: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, project, str(path), str(out), *extra],
                          capture_output=True, text=True, cwd=str(ROOT))
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="submissions to seed")
    parser.add_argument("--dir", default=None, help="where the database and outputs go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="reuse <dir>/export-bench.db when it has --n rows")
    parser.add_argument("--formats", default="jsonl,csv,dpo,sft,aggregated")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="panelist-export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "export-bench.db"
    reuse = False
    if args.keep and path.exists():
        with sqlite3.connect(path) as conn:
            reuse = conn.execute("SELECT COUNT(*) FROM submissions WHERE project_id = 1").fetchone()[0] == args.n
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        seconds = seed(path, args.n)
        print(f"seeded {args.n:,} submissions ({(args.n + 2) // 3:,} items) into {path} in {seconds:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")
    with sqlite3.connect(path) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT s.id FROM submissions s JOIN tasks t ON t.id = s.task_id"
            " WHERE s.project_id = ?1 AND s.id > ?2 ORDER BY s.id LIMIT ?3", (1, 0, 2000)).fetchall()
    print("page query plan: " + "; ".join(r[-1] for r in plan))

    recent = START + timedelta(days=DAYS - 10)
    pairwise, rewrite = SPEC["name"], REWRITE_SPEC["name"]
    with sqlite3.connect(path) as conn:
        read_recent = conn.execute("SELECT COUNT(*) FROM submissions WHERE project_id = 1 AND submitted_at >= ?",
                                   (recent.strftime(FMT),)).fetchone()[0]
        read_approved = conn.execute(
            "SELECT COUNT(*) FROM submissions s WHERE project_id = 1 AND review_state = 'approved' AND NOT EXISTS"
            " (SELECT 1 FROM project_pauses p WHERE p.project_id = 1 AND p.person_id = s.person_id)").fetchone()[0]
    runs: list[tuple[str, str, str, list[str], int]] = [
        ("baseline: sqlite3 SELECT -> json lines", "baseline", pairwise, [], args.n)]
    for fmt in args.formats.split(","):
        runs.append((f"{fmt} (pairwise)", fmt, pairwise, [], args.n) if fmt != "sft" else
                    ("sft (rewrite, approved only)", fmt, rewrite, [], args.n))
    runs.append(("dpo (rewrite)", "dpo", rewrite, [], args.n))
    runs.append(("jsonl --since: last 10 days", "jsonl", pairwise, ["--since", recent.date().isoformat()], read_recent))
    runs.append(("jsonl --approved-only --exclude-paused", "jsonl", pairwise, ["--approved-only", "--exclude-paused"],
                 read_approved))
    head = (f"{'run':<40} {'rows read':>10} {'records':>10} {'seconds':>8} {'rows/s':>9} {'MB out':>7}"
            f" {'RSS start':>10} {'peak RSS':>9}")
    print(head)
    print("-" * len(head))
    for label, kind, project, extra, read in runs:
        out = work / f"out-{kind}.data"
        r = run_child(kind, project, path, out, extra)
        print(f"{label:<40} {read:>10,} {r['records']:>10,} {r['seconds']:>8.1f} {read / r['seconds']:>9,.0f}"
              f" {r['bytes'] / 1e6:>7.0f} {r['rss_start_kb'] / 1024:>8.0f}MB {r['peak_kb'] / 1024:>7.0f}MB")
        out.unlink(missing_ok=True)
    print("rows read: submissions the export reads (after filters); rows/s: rows read over wall time; records: what "
          "the format wrote (dpo skips ties and rejected answers, sft takes approved rewrites, aggregated is one per "
          "item). RSS start: the child after interpreter and project imports; peak RSS: its VmHWM.")


if __name__ == "__main__":
    main()
