"""Benchmark: experts doing /next → answer → submit against a 100,000-item project (issue 6, "Benchmark").

How to run (from the repository root, with the project's venv):

    /work/venv/bin/python -m bench.tasks                       # 100,000 items, 1,000 experts, both backends
    /work/venv/bin/python -m bench.tasks --backend sqlite --quick
    /work/venv/bin/python -m bench.tasks --items 100000 --experts 1000 --rounds 1 --domain-rounds 5 --inflight 50
    /work/venv/bin/python -m bench.tasks --profile chat        # cProfile one chat-path run, top costs in our code
    /work/venv/bin/python -m bench.tasks --trace               # the statements and transactions of one submission
    PANELIST_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres  (the default)

Per backend, one fresh database (SQLite file in a temp dir; PostgreSQL schema `bench_<random>`, dropped after),
migrated by `storage.migrate.upgrade`, seeded with a pairwise project (`bench/import_tasks.SPEC`, overlap 1,
gold 5%) and `--items` items through `uow.tasks.insert_many`, and `--experts` people with a console identity,
all members. Then, timed:

* **chat** — the full chat path: every expert is an asyncio task (at most `--inflight` at once) driving
  `runtime.handle(event)` as a console user would: `/next`, press "A is much better", press "A is much better"
  (legal accuracy), press "Skip" (actionability), type the justification, press "Submit answer" — six turns,
  each the turn's commit (its inbox row, written processed, and its outbox rows with it) and a commit recording
  the deliveries sent (`--trace` prints the 12 transactions and 55 statements of one submission; 19 and 114
  before issue 19). `--rounds` tasks each.
  /next latency = `handle(/next)`; submit latency = `handle(press "Submit answer")` (queueing included).
* **domain** — the repository calls alone, in the two transactions the two turns that matter hold:
  /next = `active_for` + `served_counts` + `prefer_gold` + `claim` (and the other kind if none);
  submit = `assignments.get` + `submissions.add` + `mark_submitted`. Same concurrency. `--domain-rounds` each.
* **raw sqlite3** (SQLite only, same run) — stdlib `sqlite3`, synchronous, one connection with our PRAGMAs
  (WAL, synchronous=FULL, foreign_keys=ON), `BEGIN IMMEDIATE` … `COMMIT`, on a fresh file with the same schema
  and seed, issuing byte for byte the SQL our repositories send for the domain path (copied below from
  `storage/repos/tasks.py`, in the dialect's SQLite form), one expert after another.
  * raw-domain: the two transactions of the domain path (2 commits a submission).
  * raw-turns: the same plus what a turn adds around it, per turn of the chat flow (6 a submission): the inbox
    insert (its own commit, as `Runtime.accept`), inside the turn transaction the inbox claim, the identity
    lookup/touch, person and roles reads, the form-session read/write of a wizard step, one outbox insert per
    delivery and the inbox "processed" mark, then one commit marking the turn's deliveries sent
    (as `Runtime._deliver_all`); /next also writes the audit row and the draft reminder, submit the audit row.
    Not replicated: the repeated reads of the same assignment/task/project rows within a turn (see --trace).
    It does not render, localize, sign buttons or validate: it was the database floor of the chat path. It still
    issues the mix from before issue 19 (3 commits and 14–24 statements a turn, where the chat path now has 2
    and 6–18): kept unchanged so that runs before and after compare against the same loop.
  * Each twice: with one COMMIT per transaction, and ", shared" — the transactions of `--inflight` experts in a
    row as SAVEPOINTs of one BEGIN IMMEDIATE … COMMIT, the way our group commit (storage/sqlite.py) runs the
    transactions queued behind the writer. The shared figure is the fair floor for ours; the other is what a
    plain one-commit-per-transaction program gets on this disk.

After each run the database is checked by SQL: a (task_id, slot) with two live assignments, a person with two
active assignments, an item with filled > overlap, `filled` out of step with live assignments, submissions ≠
expected, turns that failed (inbox rows with an error). Every "double" column must be 0.
The issue's goal on SQLite: ≥ 2,000 submissions/s and ≥ 40% of the raw figure.

Reading the numbers:
* Ours and raw run interleaved (`--slices` expert groups on the chat path, one round per slice on the domain
  path) so that other work on the machine hits both alike; the per-slice spread of the ratio is printed.
* Latency under load: `--inflight` experts wait on SQLite's one writer, so p50 ≈ in-flight × service time.
  The raw loop runs one expert at a time, so its latency is pure service time.
* With `synchronous=FULL` every commit is an fsync, and a one-commit-per-transaction program is bound by the
  disk. `--experiment one-commit-each` turns our group commit off (every transaction its own COMMIT) to show what
  it buys; `--experiment sync-normal` (NORMAL for ours and raw alike) shows the CPU-bound ratio. Experiments patch
  this process only, are labelled in the output, and never change the shipped code.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import add_heap_option, percentile, settle_heap_if  # noqa: E402
from bench.import_tasks import PG_URL, SPEC, make_line  # noqa: E402

JUSTIFY = ("Response A is better on legal accuracy: it names the concrete next step and the deadline, while B "
           "says nothing can be done, which would mislead the reader into giving up a claim they could win.")
ANSWER_JSON = json.dumps({"task_type": "pairwise", "preference": "a_much_better",
                          "criteria": {"legal_accuracy": "a_much_better"}, "justification": JUSTIFY})
SEED_BATCH = 500
SEED_TX_ROWS = 20_000


# ---------------------------------------------------------------- figures

@dataclass
class Result:
    backend: str
    path: str
    submissions: int = 0
    seconds: float = 0.0
    next_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.submissions / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------- setup (not timed)

def new_url(backend: str, workdir: Path, name: str) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / (name + '.db')}", None
    schema = "bench_" + uuid.uuid4().hex[:12]
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}", schema


async def drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _spec() -> dict:
    # The demo pairwise criteria ids, so the answers read like tests/flows/tasks_data.py's.
    return {**SPEC, "criteria": [
        {"id": "legal_accuracy", "label": "Legal accuracy", "description": "States the law correctly.",
         "scale": [1, 5]},
        {"id": "actionability", "label": "Actionability", "description": "The reader knows what to do next.",
         "scale": [1, 5]},
    ]}


async def seed(db, items: int, experts: int) -> tuple[int, list[int]]:
    """A project, `items` items (insert_many, batches of SEED_BATCH), `experts` people with a console identity."""
    from handlers.shared.task_service import create_project
    from storage.uow import UnitOfWork

    now = datetime.now(timezone.utc)
    async with db.transaction() as tx:
        created = await create_project(UnitOfWork(tx), json.dumps(_spec()).encode(), "bench.json", None, now)
    assert created.project_id, created.errors
    project_id = created.project_id
    rng = random.Random(6)
    n = 0
    while n < items:
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            end = min(items, n + SEED_TX_ROWS)
            while n < end:
                rows = []
                for i in range(n, min(end, n + SEED_BATCH)):
                    line = make_line(rng, i)
                    rows.append((line["external_id"], json.dumps(line), "gold" in line, 1))
                await uow.tasks.insert_many(project_id, rows, now)
                n += len(rows)
    people = []
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        for e in range(experts):
            person = await uow.people.create(f"Expert {e}", now)
            await uow.identities.create(person.id, "console", "", f"x{e}", f"x{e}", "en", f"Expert {e}", now)
            await uow.projects.add_member(project_id, person.id, None, now)
            people.append(person.id)
    return project_id, people


async def check(db, expected_submissions: int | None) -> dict:
    """Invariants by SQL. Every count but `submissions` must be 0 (and submissions = expected)."""
    async with db.transaction() as tx:
        slot = await tx.fetchval(
            "SELECT COUNT(*) FROM (SELECT task_id, slot FROM assignments WHERE status IN ('active', 'submitted')"
            " GROUP BY task_id, slot HAVING COUNT(*) > 1) d")
        two_active = await tx.fetchval(
            "SELECT COUNT(*) FROM (SELECT person_id FROM assignments WHERE status = 'active'"
            " GROUP BY person_id HAVING COUNT(*) > 1) d")
        over = await tx.fetchval("SELECT COUNT(*) FROM tasks WHERE filled > overlap OR filled < 0")
        drift = await tx.fetchval(
            "SELECT COUNT(*) FROM tasks t WHERE t.filled <> (SELECT COUNT(*) FROM assignments a"
            " WHERE a.task_id = t.id AND a.status IN ('active', 'submitted'))")
        same_item = await tx.fetchval(
            "SELECT COUNT(*) FROM (SELECT task_id, person_id FROM assignments GROUP BY task_id, person_id"
            " HAVING COUNT(*) > 1) d")
        subs = await tx.fetchval("SELECT COUNT(*) FROM submissions")
        failed = await tx.fetchval("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL")
        still_active = await tx.fetchval("SELECT COUNT(*) FROM assignments WHERE status = 'active'")
    out = {"double_slot": int(slot), "two_active": int(two_active), "over_filled": int(over), "drift": int(drift),
           "same_item_twice": int(same_item), "failed_turns": int(failed), "left_active": int(still_active),
           "submissions": int(subs)}
    if expected_submissions is not None:
        out["missing"] = expected_submissions - int(subs)
    return out


# ---------------------------------------------------------------- chat path

class Recorder:
    """A console adapter that keeps, per chat, the newest message's buttons (label → payload)."""

    platform = "console"

    def __init__(self) -> None:
        from bot.adapters.console import CONSOLE

        self.capabilities = CONSOLE
        self.buttons: dict[str, dict[str, str]] = {}
        self.last_text: dict[str, str] = {}

    async def deliver(self, delivery, progress=None) -> None:
        from bot.core.blocks import Buttons

        message = getattr(delivery.op, "message", None)
        if message is None:
            return None
        for block in message.blocks:
            if isinstance(block, Buttons):
                self.buttons[delivery.chat_id] = {str(b.label): b.payload or "" for row in block.rows for b in row}
        return None


class ChatExpert:
    def __init__(self, rt, rec: Recorder, user: str) -> None:
        from bot.core.events import Actor, Conversation

        self.rt, self.rec, self.user = rt, rec, user
        self.actor = Actor(platform="console", user_id=user)
        self.conv = Conversation(platform="console", chat_id=user)
        self.n = 0

    def _id(self) -> str:
        self.n += 1
        return f"{self.user}-{self.n}"

    async def command(self, name: str) -> None:
        from bot.core.events import CommandEvent

        await self.rt.handle(CommandEvent(delivery_id=self._id(), actor=self.actor, conversation=self.conv, name=name))

    async def type(self, text: str) -> None:
        from bot.core.events import TextEvent

        await self.rt.handle(TextEvent(delivery_id=self._id(), actor=self.actor, conversation=self.conv, text=text))

    async def press(self, label: str) -> None:
        from bot.core.events import ButtonPressed

        buttons = self.rec.buttons.get(self.user, {})
        if label not in buttons:
            raise AssertionError(f"{self.user}: no button {label!r} in {list(buttons)}")
        await self.rt.handle(ButtonPressed(delivery_id=self._id(), actor=self.actor, conversation=self.conv,
                                           payload=buttons[label]))

    async def one_task(self, result: Result) -> None:
        t = time.perf_counter()
        await self.command("next")
        result.next_ms.append((time.perf_counter() - t) * 1000)
        await self.press("A is much better")       # overall preference
        await self.press("A is much better")       # legal accuracy
        await self.press("Skip")                   # actionability (optional)
        await self.type(JUSTIFY)
        label = "Submit answer"
        if label not in self.rec.buttons.get(self.user, {}):  # the justification hint: insist, and say so
            label = "Submit as it is"
            result.note = "justification hint shown; pressed 'Submit as it is'"
        t = time.perf_counter()
        await self.press(label)
        result.submit_ms.append((time.perf_counter() - t) * 1000)
        result.submissions += 1


async def run_chat(url: str, result: Result, users: range, rounds: int, inflight: int, pool: int,
                   heap: str = "settled") -> None:
    """Experts `users` (x<n>), each `rounds` tasks through the chat path; adds to `result`."""
    from app.wiring import build_runtime
    from app.settings import Settings

    rt = build_runtime(Settings(database_url=url, database_pool_size=pool))
    await rt.start()
    settle_heap_if(heap)  # as `panelist run` does after start-up
    rec = Recorder()
    rt.register(rec)
    try:
        experts = [ChatExpert(rt, rec, f"x{e}") for e in users]
        for e in experts:  # delivery ids stay unique across slices and rounds
            e.n = 1_000 * result.submissions
        sem = asyncio.Semaphore(inflight)

        async def expert(u: ChatExpert) -> None:
            async with sem:
                for _ in range(rounds):
                    await u.one_task(result)

        started = time.perf_counter()
        await asyncio.gather(*(expert(u) for u in experts))
        result.seconds += time.perf_counter() - started
        result.checks = await check(rt.db, result.submissions)
    finally:
        await rt.stop()


# ---------------------------------------------------------------- domain path

async def run_domain(url: str, result: Result, project_id: int, people: list[int], rounds: int, inflight: int,
                     pool: int) -> None:
    """`people`, each `rounds` tasks through the repositories (two transactions a task); adds to `result`."""
    from domain.assignment import prefer_gold
    from storage.db import open_database
    from storage.uow import UnitOfWork

    lease = timedelta(minutes=SPEC["lease_minutes"])
    ratio = SPEC["gold_ratio"]
    async with open_database(url, pool) as db:
        async with db.transaction() as tx:
            before = int(await tx.fetchval("SELECT COUNT(*) FROM submissions"))
        sem = asyncio.Semaphore(inflight)

        async def expert(person_id: int) -> None:
            async with sem:
                for _ in range(rounds):
                    now = datetime.now(timezone.utc)
                    t = time.perf_counter()
                    async with db.transaction() as tx:
                        uow = UnitOfWork(tx)
                        if await uow.assignments.active_for(person_id):
                            raise AssertionError("an active assignment left over")
                        gold, total = await uow.assignments.served_counts(person_id, project_id)
                        want = prefer_gold(gold, total, ratio)
                        a = (await uow.assignments.claim(person_id, project_id, want, now, lease)
                             or await uow.assignments.claim(person_id, project_id, not want, now, lease))
                    result.next_ms.append((time.perf_counter() - t) * 1000)
                    assert a is not None, "no item left"
                    t = time.perf_counter()
                    async with db.transaction() as tx:
                        uow = UnitOfWork(tx)
                        a = await uow.assignments.get(a.id)
                        sid = await uow.submissions.add(a, ANSWER_JSON, 60, False, now)
                        assert sid is not None
                        await uow.assignments.mark_submitted(a.id, now)
                    result.submit_ms.append((time.perf_counter() - t) * 1000)
                    result.submissions += 1

        started = time.perf_counter()
        count = result.submissions
        await asyncio.gather(*(expert(p) for p in people))
        result.seconds += time.perf_counter() - started
        result.checks = await check(db, before + result.submissions - count)


# ---------------------------------------------------------------- raw sqlite3

# Byte for byte what storage/repos/tasks.py sends, after storage.dialect.SQLITE.sql ($n → ?n, no row locks).
A_COLS = ("id, task_id, project_id, person_id, slot, status, is_gold, assigned_at, lease_expires_at, warned_at,"
          " ended_at, skip_reason")
RAW = {
    "active_for": f"SELECT {A_COLS} FROM assignments WHERE person_id = ?1 AND status = 'active' ORDER BY id",
    "served_counts": "SELECT COALESCE(SUM(is_gold), 0) AS gold, COUNT(*) AS total FROM assignments"
                     " WHERE person_id = ?1 AND project_id = ?2",
    "claim_pick": "SELECT t.id, t.overlap FROM tasks t WHERE t.project_id = ?1 AND t.is_gold = ?2"
                  " AND t.filled < t.overlap AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id"
                  " AND a.person_id = ?3) ORDER BY t.id LIMIT 1 ",
    "claim_slots": "SELECT slot FROM assignments WHERE task_id = ?1 AND status IN ('active', 'submitted')",
    "claim_fill": "UPDATE tasks SET filled = filled + 1 WHERE id = ?1 AND filled < overlap",
    "claim_insert": "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
                    f" lease_expires_at) VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?7) RETURNING {A_COLS}",
    "get": f"SELECT {A_COLS} FROM assignments WHERE id = ?1",
    "sub_insert": "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
                  " submitted_at, form_values, gold_passed, gold_score, review_state)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING RETURNING id",
    "sub_answered": "UPDATE tasks SET answered = answered + 1 WHERE id = ?1",
    "mark_submitted": "UPDATE assignments SET status = 'submitted', ended_at = ?2 WHERE id = ?1 AND status = 'active'",
}


SYNC = {"mode": "FULL"}  # storage/sqlite.py's; `--experiment sync-normal` sets NORMAL for ours and raw alike


def _raw_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES, timeout=30)
    for pragma in ("journal_mode=WAL", f"synchronous={SYNC['mode']}", "busy_timeout=30000", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


# The bookkeeping statements of a turn: storage/repos/delivery.py (inbox, outbox), people.py (identity, person,
# roles), state.py (form sessions, audit log), as the turn issues them (see --trace).
_INBOX_COLS = "id, platform, delivery_id, actor_key, payload, received_at, processed_at, error"
_PERSON_COLS = "id, display_name, locale, timezone, profile, onboarded_at, created_at"
_IDENTITY_COLS = "id, person_id, platform, workspace, user_id, chat_id, locale_hint, display_name, last_seen_at"
_FORM_COLS = "id, person_id, form_id, params, vals, step, stage, version, status, created_at, updated_at"
RAW.update({
    "inbox_record": "INSERT INTO inbox (platform, delivery_id, actor_key, payload, received_at) VALUES (?1, ?2, ?3,"
                    " ?4, ?5) ON CONFLICT (platform, delivery_id) DO NOTHING RETURNING id",
    "inbox_claim": f"SELECT {_INBOX_COLS} FROM inbox WHERE platform = ?1 AND delivery_id = ?2 AND processed_at IS NULL ",
    "identity_find": f"SELECT {_IDENTITY_COLS} FROM identities WHERE platform = ?1 AND workspace = ?2 AND user_id = ?3",
    "identity_touch": "UPDATE identities SET last_seen_at = ?2, chat_id = COALESCE(?3, chat_id),"
                      " locale_hint = COALESCE(?4, locale_hint) WHERE id = ?1",
    "person_get": f"SELECT {_PERSON_COLS} FROM persons WHERE id = ?1",
    "roles_of": "SELECT role FROM roles WHERE person_id = ?1",
    "forms_open": f"SELECT {_FORM_COLS} FROM form_sessions WHERE person_id = ?1 AND status = 'open'"
                  " ORDER BY updated_at DESC, id DESC",
    "forms_get": f"SELECT {_FORM_COLS} FROM form_sessions WHERE id = ?1",
    "forms_create": "INSERT INTO form_sessions (person_id, form_id, params, vals, created_at, updated_at)"
                    f" VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING {_FORM_COLS}",
    "forms_save": "UPDATE form_sessions SET vals = ?3, step = ?4, stage = ?5, status = ?6, version = version + 1,"
                  " updated_at = ?7 WHERE id = ?1 AND version = ?2",
    "reminder": "INSERT INTO reminders (person_id, kind, dedupe_key, due_at, payload, recurrence, created_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (dedupe_key) DO NOTHING",
    "audit": "INSERT INTO audit_log (at, person_id, action, detail) VALUES (?1, ?2, ?3, ?4)",
    "outbox_add": "INSERT INTO outbox (inbox_id, person_id, platform, payload, created_at, not_before, claimed_until)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) RETURNING id",
    "inbox_done": "UPDATE inbox SET processed_at = ?2, error = ?3 WHERE id = ?1",
    "outbox_sent": "UPDATE outbox SET sent_at = ?2, claimed_until = NULL WHERE id = ?1",
})
# Deliveries per turn of the chat flow (/next: the task and the first step; then one each), from --trace.
CHAT_DELIVERIES = [2, 1, 1, 1, 1, 1]


def raw_run(path: str, result: Result, project_id: int, people: list[int], users: range, rounds: int,
            turns: bool, share: int = 1) -> None:
    """One expert after another, each `rounds` times, synchronous stdlib sqlite3: the domain path's statements,
    and with `turns` the bookkeeping of the chat flow's six turns around them. With `share` > 1 the transactions
    of `share` experts in a row are SAVEPOINTs of one BEGIN IMMEDIATE … COMMIT, as our group commit runs them."""
    from domain.assignment import prefer_gold

    conn = _raw_connect(path)
    lease = timedelta(minutes=SPEC["lease_minutes"])
    ratio = SPEC["gold_ratio"]
    ex = conn.execute
    seq = [result.submissions * 100]
    payload_in = json.dumps({"kind": "text", "text": JUSTIFY, "actor": {"platform": "console", "user_id": "x0"}})
    payload_out = json.dumps({"op": {"kind": "send", "message": {"blocks": [{"kind": "paragraph", "text": "x" * 900}]}}})

    def begin() -> None:
        ex("SAVEPOINT tx" if share > 1 else "BEGIN IMMEDIATE")

    def commit() -> None:
        ex("RELEASE tx" if share > 1 else "COMMIT")

    def turn(person_id: int, user: str, now: datetime, body, deliveries: int):
        if not turns:
            begin()
            out = body(None)
            commit()
            return out
        seq[0] += 1
        did = f"raw-{share}-{seq[0]}"
        begin()  # Runtime.accept
        ex(RAW["inbox_record"], ("console", did, "console:" + user, payload_in, now)).fetchall()
        commit()
        begin()  # Runtime._turn
        inbox_id = ex(RAW["inbox_claim"], ("console", did)).fetchall()[0][0]
        ident = ex(RAW["identity_find"], ("console", "", user)).fetchall()[0]
        ex(RAW["identity_touch"], (ident[0], now, user, None))
        ex(RAW["person_get"], (person_id,)).fetchall()
        ex(RAW["roles_of"], (person_id,)).fetchall()
        out = body(now)
        ids = [ex(RAW["outbox_add"], (inbox_id, person_id, "console", payload_out, now, now + timedelta(seconds=60)))
               .fetchall()[0][0] for _ in range(deliveries)]
        ex(RAW["inbox_done"], (inbox_id, now, None))
        commit()
        begin()  # Runtime._deliver_all: the turn's "sent" marks in one commit
        for oid in ids:
            ex(RAW["outbox_sent"], (oid, now))
        commit()
        return out

    started = time.perf_counter()
    for _ in range(rounds):
        for k, index in enumerate(users):
            if share > 1 and k % share == 0:
                ex("BEGIN IMMEDIATE")
            person_id = people[index]
            user = f"x{index}"
            now = datetime.now(timezone.utc)
            form: dict = {}

            def next_body(_now):
                ex(RAW["active_for"], (person_id,)).fetchall()
                gold, total = ex(RAW["served_counts"], (person_id, project_id)).fetchone()
                want = prefer_gold(int(gold), int(total), ratio)
                for kind in (want, not want):
                    task = ex(RAW["claim_pick"], (project_id, int(kind), person_id)).fetchone()
                    if task is None:
                        continue
                    used = {r[0] for r in ex(RAW["claim_slots"], (task[0],)).fetchall()}
                    slot = next(s for s in range(task[1]) if s not in used)
                    if ex(RAW["claim_fill"], (task[0],)).rowcount != 1:
                        continue
                    a = ex(RAW["claim_insert"], (task[0], project_id, person_id, slot, int(kind), now,
                                                 now + lease)).fetchall()[0]
                    if turns:
                        ex(RAW["audit"], (now, person_id, "task.assigned", json.dumps({"assignment": a[0]})))
                        ex(RAW["reminder"], (person_id, "draft", f"draft:{a[0]}", now + lease,
                                             json.dumps({"assignment": a[0]}), None, now))
                        ex(RAW["forms_open"], (person_id,)).fetchall()
                        row = ex(RAW["forms_create"], (person_id, "task", json.dumps({"a": a[0]}), "{}", now)).fetchall()
                        form.update(id=row[0][0], version=row[0][7])
                    return a
                raise AssertionError("no item left")

            def step_body(_now):  # a wizard step: find the session, save the answer
                ex(RAW["forms_get"], (form["id"],)).fetchall()
                ex(RAW["forms_save"], (form["id"], form["version"], '{"preference": "a_much_better"}', 1, "ask",
                                       "open", now))
                form["version"] += 1

            def submit_body(a):
                def body(_now):
                    if turns:
                        ex(RAW["forms_get"], (form["id"],)).fetchall()
                        ex(RAW["forms_save"], (form["id"], form["version"], "{}", 3, "confirm", "completed", now))
                    row = ex(RAW["get"], (a[0],)).fetchall()[0]
                    sid = ex(RAW["sub_insert"], (row[0], row[1], row[2], row[3], ANSWER_JSON, 60, 0, now, "{}", None,
                                                 None, "none")).fetchall()
                    assert sid
                    ex(RAW["sub_answered"], (row[1],))
                    ex(RAW["mark_submitted"], (row[0], now))
                    if turns:
                        ex(RAW["audit"], (now, person_id, "task.submitted", json.dumps({"submission": sid[0][0]})))
                return body

            t = time.perf_counter()
            a = turn(person_id, user, now, next_body, CHAT_DELIVERIES[0])
            result.next_ms.append((time.perf_counter() - t) * 1000)
            if turns:
                for d in CHAT_DELIVERIES[1:-1]:
                    turn(person_id, user, now, step_body, d)
            t = time.perf_counter()
            turn(person_id, user, now, submit_body(a), CHAT_DELIVERIES[-1])
            if share > 1 and (k % share == share - 1 or k == len(users) - 1):
                ex("COMMIT")
            result.submit_ms.append((time.perf_counter() - t) * 1000)
            result.submissions += 1
    result.seconds += time.perf_counter() - started
    conn.close()


# ---------------------------------------------------------------- trace: what one chat submission costs the database

class StatementLog:
    """Counts transactions and statements (by their first words) while installed; SQLite and PostgreSQL alike."""

    def __init__(self) -> None:
        self.turns: list[dict] = []
        self.current: dict | None = None
        self._saved: list = []

    def begin(self, label: str) -> None:
        self.current = {"turn": label, "tx": 0, "statements": []}
        self.turns.append(self.current)

    def install(self) -> None:
        from storage.postgres import PostgresDatabase, PostgresTx
        from storage.sqlite import SqliteDatabase, SqliteTx

        log = self
        for cls in (SqliteTx, PostgresTx):
            for name in ("fetch", "execute"):
                original = getattr(cls, name)
                self._saved.append((cls, name, original))

                def wrapped(self_, query, *a, _original=original):
                    if log.current is not None:
                        log.current["statements"].append(" ".join(query.split()[:6]))
                    return _original(self_, query, *a)
                setattr(cls, name, wrapped)
        for cls in (SqliteDatabase, PostgresDatabase):
            original = cls.transaction
            self._saved.append((cls, "transaction", original))

            def tx(self_, _original=original):
                if log.current is not None:
                    log.current["tx"] += 1
                return _original(self_)
            setattr(cls, "transaction", tx)

    def uninstall(self) -> None:
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)
        self._saved.clear()


async def trace_chat(url: str) -> StatementLog:
    """One expert, one task, through the chat path, with every transaction and statement counted per turn."""
    from app.wiring import build_runtime
    from app.settings import Settings

    log = StatementLog()
    rt = build_runtime(Settings(database_url=url))
    await rt.start()
    rec = Recorder()
    rt.register(rec)
    user = ChatExpert(rt, rec, "x0")
    log.install()
    try:
        steps = [("/next", lambda: user.command("next")), ("press preference", lambda: user.press("A is much better")),
                 ("press legal accuracy", lambda: user.press("A is much better")), ("press Skip", lambda: user.press("Skip")),
                 ("type justification", lambda: user.type(JUSTIFY)), ("press Submit answer", lambda: user.press("Submit answer"))]
        for label, step in steps:
            log.begin(label)
            await step()
        log.current = None
    finally:
        log.uninstall()
        await rt.stop()
    return log


def print_trace(log: StatementLog) -> None:
    total_tx = total_st = 0
    for t in log.turns:
        total_tx += t["tx"]
        total_st += len(t["statements"])
        print(f"{t['turn']:<22} {t['tx']:>2} transactions {len(t['statements']):>3} statements")
        for s in t["statements"]:
            print(f"    {s}")
    print(f"one submission on the chat path: {len(log.turns)} turns, {total_tx} transactions, {total_st} statements")


# ---------------------------------------------------------------- driver

def table(results: list[Result]) -> str:
    head = (f"{'backend':<8} {'path':<27} {'subs':>7} {'secs':>6} {'subs/s':>8} {'next p50':>8} {'next p99':>8}"
            f" {'sub p50':>8} {'sub p99':>8} {'doubles':>7} {'failed':>6}")
    lines = [head, "-" * len(head)]
    for r in results:
        c = r.checks
        doubles = (c.get("double_slot", 0) + c.get("two_active", 0) + c.get("over_filled", 0)
                   + c.get("same_item_twice", 0) + c.get("drift", 0)) if c else "-"
        lines.append(
            f"{r.backend:<8} {r.path:<27} {r.submissions:>7,} {r.seconds:>6.1f} {r.rate:>8,.0f}"
            f" {percentile(r.next_ms, 50):>8.2f} {percentile(r.next_ms, 99):>8.2f}"
            f" {percentile(r.submit_ms, 50):>8.2f} {percentile(r.submit_ms, 99):>8.2f}"
            f" {doubles!s:>7} {c.get('failed_turns', '-') if c else '-'!s:>6}")
    notes = {r.note for r in results if r.note}
    return "\n".join(lines + [f"note: {n}" for n in notes])


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    """The event-loop thread only (aiosqlite runs SQLite in a thread of its own, not profiled)."""
    stats = pstats.Stats(profiler)
    ours = str(ROOT) + os.sep
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        rows.append((tt, ct, nc, filename, line, name))
    total = sum(r[0] for r in rows)
    print(f"\nprofiled CPU on the event loop: {total:.2f} s")
    for title, key, mine in (("top by own time, any code", 0, False), ("top by cumulative time, our code", 1, True)):
        print(f"\n{title}:")
        print(f"{'own s':>7} {'cum s':>7} {'calls':>9}  where")
        picked = [r for r in rows if not mine or (r[3].startswith(ours) and "/bench/" not in r[3])]
        for tt, ct, nc, filename, line, name in sorted(picked, key=lambda r: -r[key])[:top]:
            where = filename.removeprefix(ours) if filename.startswith(ours) else filename.rsplit("site-packages/", 1)[-1]
            print(f"{tt:>7.2f} {ct:>7.2f} {nc:>9,}  {where}:{line}:{name}")


def one_commit_each() -> None:
    """EXPERIMENT (`--experiment one-commit-each`): no group commit on our side (storage.sqlite.MAX_BATCH = 1),
    so every transaction pays its own COMMIT and fsync, as before group commit and as the plain raw loop."""
    import storage.sqlite

    storage.sqlite.MAX_BATCH = 1


def sync_normal() -> None:
    """EXPERIMENT (`--experiment sync-normal`): PRAGMA synchronous=NORMAL (WAL: no fsync per commit; durable
    against a process crash, not a power cut) for our backend and for raw alike: what is left is CPU."""
    from storage.sqlite import SqliteDatabase

    SYNC["mode"] = "NORMAL"
    original = SqliteDatabase.connect

    async def connect(self):
        await original(self)
        self._conn.execute("PRAGMA synchronous=NORMAL")

    SqliteDatabase.connect = connect


def open_db(url: str):
    from storage.db import open_database

    return open_database(url)


def ratios(results: list[Result], spreads: dict[tuple[str, int], list[float]]) -> str:
    by = {(r.backend, r.path.split()[0] if not r.path.startswith("raw") else r.path): r for r in results}
    lines = ["goal on SQLite: >= 2,000 submissions/s and >= 40% of raw"]
    for ours, path in (("chat", "turns"), ("domain", "domain")):
        a = by.get(("sqlite", ours))
        for (p, share), spread in spreads.items():
            raw = next((r for r in results if r.backend == "sqlite" and r.path == f"raw sqlite3 {path}"
                        f"{', shared' if share > 1 else ''}"), None)
            if p != path or not a or not raw or not raw.rate:
                continue
            lines.append(f"  sqlite {ours:<7}: {a.rate:,.0f} submissions/s = {100 * a.rate / raw.rate:.0f}% of"
                         f" {raw.path} ({raw.rate:,.0f}/s); goal 2,000/s {'met' if a.rate >= 2000 else 'NOT met'},"
                         f" 40% {'met' if a.rate >= 0.4 * raw.rate else 'NOT met'}")
            lines.append(f"    per slice (ours then raw, back to back): {min(spread):.0f}% … {max(spread):.0f}%")
    return "\n".join(lines)


async def prepare(backend: str, workdir: Path, name: str, items: int, experts: int):
    from storage.db import open_database
    from storage.migrate import upgrade

    url, schema = new_url(backend, workdir, name)
    t = time.perf_counter()
    async with open_database(url) as db:
        await upgrade(db)
        project_id, people = await seed(db, items, experts)
    print(f"[{backend}] {name}: seeded {items:,} items and {experts:,} experts in {time.perf_counter() - t:.1f} s",
          flush=True)
    return url, schema, project_id, people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--experts", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=1, help="tasks each expert does on the chat path")
    parser.add_argument("--domain-rounds", type=int, default=5, help="tasks each expert does on the domain path")
    parser.add_argument("--inflight", type=int, default=50, help="experts acting at the same moment")
    parser.add_argument("--slices", type=int, default=5, help="chat: expert groups, ours and raw alternating")
    parser.add_argument("--pool", type=int, default=20, help="PostgreSQL pool size")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="2,000 items, 100 experts: a smoke run")
    parser.add_argument("--profile", choices=("chat", "domain"), help="cProfile one SQLite run of that path")
    parser.add_argument("--experiment", action="append", default=[], choices=("one-commit-each", "sync-normal"),
                        help="patch the SQLite backend in this process only (labelled in the output; repeatable):"
                             " one-commit-each = no group commit; sync-normal = synchronous=NORMAL for ours and raw")
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument("--trace", action="store_true", help="print the statements of one chat submission")
    add_heap_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.items, args.experts = 2_000, 100
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for name, patch in (("one-commit-each", one_commit_each), ("sync-normal", sync_normal)):
        if name in args.experiment:
            patch()
            print(f"EXPERIMENT {name}: the SQLite backend is patched in this process (storage/sqlite.py unchanged)")
    asyncio.run(amain(args, backends))


def _groups(n: int, k: int) -> list[range]:
    k = max(1, min(k, n))
    bounds = [n * g // k for g in range(k + 1)]
    return [range(bounds[g], bounds[g + 1]) for g in range(k)]


async def amain(args, backends: list[str]) -> None:
    if args.trace:
        with tempfile.TemporaryDirectory(prefix="panelist-bench-") as tmp:
            url, schema, _, _ = await prepare("sqlite", Path(tmp), "trace", 100, 1)
            print_trace(await trace_chat(url))
        return
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="panelist-bench-") as tmp:
            url, _, project_id, people = await prepare("sqlite", Path(tmp), "profile", args.items, args.experts)
            r = Result("sqlite", args.profile)
            profiler = cProfile.Profile()
            profiler.enable()
            if args.profile == "chat":
                await run_chat(url, r, range(args.experts), args.rounds, args.inflight, args.pool, args.heap)
            else:
                await run_domain(url, r, project_id, people, args.domain_rounds, args.inflight, args.pool)
            profiler.disable()
            print(table([r]) + "\n(under cProfile: slower than unprofiled)")
            print_profile(profiler, args.profile_top)
        return
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
          " (other work on the machine moves absolute figures; ours and raw run interleaved, slice by slice)")
    results: list[Result] = []
    spreads: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="panelist-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            url, schema, project_id, people = await prepare(backend, workdir, "bench", args.items, args.experts)
            raw_path = None
            if backend == "sqlite":  # raw sqlite3 in the same run, on its own file with the same schema and seed
                raw_url, _, raw_project, raw_people = await prepare("sqlite", workdir, "raw", args.items, args.experts)
                raw_path = raw_url.removeprefix("sqlite:///")
            chat, domain = Result(backend, "chat (6 turns/submission)"), Result(backend, "domain (2 tx/submission)")
            # raw: one COMMIT per transaction, and transactions of `inflight` experts sharing a COMMIT (as ours)
            raws = {(path, share): Result(backend, f"raw sqlite3 {path}{', shared' if share > 1 else ''}")
                    for path in ("turns", "domain") for share in (1, args.inflight)}

            def interleave(ours_rate: float, path: str, run_raw) -> None:
                """Ours just ran a slice at `ours_rate`; run both raw variants on it and record the ratios."""
                for share in (1, args.inflight):
                    raw = raws[(path, share)]
                    before = (raw.submissions, raw.seconds)
                    run_raw(raw, share)
                    rate = (raw.submissions - before[0]) / (raw.seconds - before[1])
                    spreads.setdefault((path, share), []).append(100 * ours_rate / rate)

            try:
                # the chat path: expert groups, ours then raw on the same group
                for group in _groups(args.experts, args.slices):
                    before = (chat.submissions, chat.seconds)
                    await run_chat(url, chat, group, args.rounds, args.inflight, args.pool, args.heap)
                    if raw_path:
                        interleave((chat.submissions - before[0]) / (chat.seconds - before[1]), "turns", lambda r, share, g=group: raw_run(
                            raw_path, r, raw_project, raw_people, g, args.rounds, turns=True, share=share))
                shown = [r for (path, _), r in raws.items() if path == "turns"] if raw_path else []
                print(table([chat] + shown), flush=True)
                # the domain path: one round of every expert per slice, ours then raw
                for _ in range(args.domain_rounds):
                    before = (domain.submissions, domain.seconds)
                    await run_domain(url, domain, project_id, people, 1, args.inflight, args.pool)
                    if raw_path:
                        interleave((domain.submissions - before[0]) / (domain.seconds - before[1]), "domain", lambda r, share: raw_run(
                            raw_path, r, raw_project, raw_people, range(args.experts), 1, turns=False, share=share))
                shown = [r for (path, _), r in raws.items() if path == "domain"] if raw_path else []
                print(table([domain] + shown), flush=True)
                results += [chat, domain]
                if raw_path:
                    async with open_db(raw_url) as db:
                        checks = await check(db, sum(r.submissions for r in raws.values()))
                    for r in raws.values():
                        r.checks = checks
                    results += list(raws.values())
            finally:
                if schema:
                    await drop_schema(schema)
    print()
    print(f"{args.items:,} items, {args.experts:,} experts, {args.inflight} in flight; chat {args.rounds} task(s)"
          f" per expert, domain {args.domain_rounds}; load average at end:"
          f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table(results))
    print(ratios(results, spreads))
    print("checks by SQL after each run (doubles = double_slot + two_active + over_filled + same_item_twice + drift):")
    for r in results:
        print(f"  {r.backend} {r.path}: {r.checks}")


if __name__ == "__main__":
    main()
