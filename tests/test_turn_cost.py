"""What one pairwise submission costs the database through the real runtime (issue 19, point 3): transactions per
turn and statements per submission, counted (never timed) on both backends.

The count wraps the runtime's database handle: every `transaction()` the runtime opens, and every statement its
unit of work sends (`fetch`/`fetchrow`/`fetchval`/`execute`/`executemany`, and on PostgreSQL each advisory
`lock`, a round trip of its own; SQLite's lock is a no-op, its write lock is already held). Background work that
holds its own handle (the liveness heartbeat) is not counted.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.blocks import Buttons
from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation, TextEvent
from tests.flows.tasks_data import JUSTIFY, add_member, seed_project
from tests.recording import RecordingAdapter
from storage.uow import UnitOfWork

MAX_TRANSACTIONS_PER_TURN = 2
# Issue 19 asks for 50; it was 115 on SQLite, then 56 (bench/README.md, "Transactions and statements per turn"). Of
# the 50: the task form reads its assignment, task and project (one query) on every step after /next, and each turn
# writes its inbox row, its outbox rows and their sent mark (three statements).
MAX_STATEMENTS_SQLITE = 50
MAX_STATEMENTS_POSTGRES = 62  # the person lock, and the person read after it, cost PostgreSQL two more per turn


class Counts:
    def __init__(self) -> None:
        self.transactions = 0
        self.statements = 0


class CountingTx:
    """The transaction as the unit of work sees it, counting what it sends."""

    def __init__(self, tx, counts: Counts) -> None:
        self._tx, self._counts = tx, counts
        self.dialect, self.serial = tx.dialect, tx.serial

    async def fetch(self, query, *args):
        self._counts.statements += 1
        return await self._tx.fetch(query, *args)

    async def fetchrow(self, query, *args):
        self._counts.statements += 1
        return await self._tx.fetchrow(query, *args)

    async def fetchval(self, query, *args):
        self._counts.statements += 1
        return await self._tx.fetchval(query, *args)

    async def execute(self, query, *args):
        self._counts.statements += 1
        return await self._tx.execute(query, *args)

    async def executemany(self, query, rows):
        self._counts.statements += 1
        return await self._tx.executemany(query, rows)

    async def lock(self, key):
        if not self._tx.serial:
            self._counts.statements += 1
        return await self._tx.lock(key)


class CountingDatabase:
    def __init__(self, db, counts: Counts) -> None:
        self._db, self._counts = db, counts

    def __getattr__(self, name):
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self):
        self._counts.transactions += 1
        async with self._db.transaction() as tx:
            yield CountingTx(tx, self._counts)


@pytest.fixture
def runtime(recorded_runtime):
    return recorded_runtime


def buttons(rec: RecordingAdapter) -> dict[str, str]:
    """Label → payload of the newest message with buttons."""
    for delivery in reversed(rec.sent):
        message = getattr(delivery.op, "message", None)
        for block in (message.blocks if message else []):
            if isinstance(block, Buttons):
                return {str(b.label): b.payload or "" for row in block.rows for b in row}
    return {}


async def test_a_pairwise_submission_is_two_transactions_a_turn(runtime, backend):
    project_id = await seed_project(runtime, "pairwise_law")
    now = datetime.now(timezone.utc)
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("Expert", now)
        await uow.identities.create(person.id, "console", "", "x1", "x1", "en", "Expert", now)
    await add_member(runtime, project_id, "console:x1")

    actor, conv = Actor(platform="console", user_id="x1"), Conversation(platform="console", chat_id="x1")
    n = 0

    def next_id() -> str:
        nonlocal n
        n += 1
        return f"x1-{n}"

    def press(label: str):
        payload = buttons(runtime.recorder).get(label)
        assert payload, f"no button {label!r} in {list(buttons(runtime.recorder))}"
        return ButtonPressed(delivery_id=next_id(), actor=actor, conversation=conv, payload=payload)

    steps = [
        lambda: CommandEvent(delivery_id=next_id(), actor=actor, conversation=conv, name="next"),
        lambda: press("A is much better"),   # overall preference
        lambda: press("A is much better"),   # legal accuracy
        lambda: press("Skip"),               # actionability (optional)
        lambda: TextEvent(delivery_id=next_id(), actor=actor, conversation=conv, text=JUSTIFY),
        lambda: press("Submit answer"),
    ]
    counts = Counts()
    real = runtime.db
    runtime.db = CountingDatabase(real, counts)
    per_turn = []
    try:
        for step in steps:
            before = counts.transactions
            delivered = await runtime.handle(step())
            assert delivered, "every step of the answer gets a reply"
            per_turn.append(counts.transactions - before)
    finally:
        runtime.db = real

    async with runtime.db.transaction() as tx:
        assert await tx.fetchval("SELECT COUNT(*) FROM submissions WHERE person_id = $1", person.id) == 1
        assert await tx.fetchval("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
        assert await tx.fetchval("SELECT COUNT(*) FROM inbox") == len(steps)
        assert await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0
    print(f"{backend}: {counts.transactions} transactions {per_turn}, {counts.statements} statements")
    assert max(per_turn) <= MAX_TRANSACTIONS_PER_TURN, per_turn
    limit = MAX_STATEMENTS_SQLITE if backend == "sqlite" else MAX_STATEMENTS_POSTGRES
    assert counts.statements <= limit, (counts.statements, per_turn)


async def test_the_turns_first_read_returns_what_the_separate_reads_do(db, backend):
    """`seen_for_turn` (SQLite) and `for_turn` read the person, roles and open form sessions in one statement
    (form sessions through JSON): the same values as `people.get`, `roles.of` and `forms.open_for`."""
    t0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("Ana", t0)
        await uow.people.update_profile(person.id, "Ana", {"langs": ["es", "en"]}, "Europe/Madrid", t0)
        await uow.identities.create(person.id, "console", "", "ana", "ana", "es", "Ana", t0)
        await uow.roles.grant(person.id, "reviewer", None, t0)
        await uow.roles.grant(person.id, "expert", None, t0)
        older = await uow.forms.create(person.id, "task", {"a": 7}, {"q": "ñ"}, t0)
        newer = await uow.forms.create(person.id, "onboarding", {}, {}, t0.replace(minute=31))
        done = await uow.forms.create(person.id, "task", {"a": 8}, {}, t0)
        done.status = "completed"
        assert await uow.forms.save(done, t0)
        older.pending = {"kept": "text"}
        assert await uow.forms.save(older, t0.replace(minute=32))  # now the newest
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        expected = (await uow.people.get(person.id), await uow.roles.of(person.id),
                    await uow.forms.open_for(person.id))
        assert [f.id for f in expected[2]] == [older.id, newer.id]
        assert await uow.people.for_turn(person.id) == expected
        before = await uow.identities.find("console", "", "ana")
        later = t0.replace(hour=11)
        if backend == "sqlite":  # where transactions run one at a time
            identity, *rest = await uow.identities.seen_for_turn("console", "", "ana", "ana", None, later,
                                                                 display_name="Ana Ruiz")
            assert tuple(rest) == expected
        else:
            identity = await uow.identities.seen("console", "", "ana", "ana", None, later, display_name="Ana Ruiz")
        # the identity as it was before this touch (as `find` returned it), and touched
        assert identity == before and identity.display_name == "Ana" and identity.last_seen_at == t0
        touched = await uow.identities.find("console", "", "ana")
        assert (touched.display_name, touched.last_seen_at, touched.locale_hint) == ("Ana Ruiz", later, "es")
        assert await uow.identities.seen_for_turn("console", "", "nobody", None, None, t0) is None
        assert await uow.identities.seen("console", "", "nobody", None, None, t0) is None


async def test_primed_form_sessions_answer_once_and_never_after_a_write(db):
    t0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("Ana", t0)
        session = await uow.forms.create(person.id, "task", {"a": 7}, {}, t0)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        stale = session.model_copy(update={"values": {"not": "stored"}})
        await uow.forms.prime(person.id, [stale])
        assert await uow.forms.open_for(person.id) == [stale]  # the primed read, handed over once
        assert [s.values for s in await uow.forms.open_for(person.id)] == [{}]  # then read from the database
        await uow.forms.prime(person.id, [stale])
        await uow.forms.create(person.id, "other", {}, {}, t0)  # a write drops what was primed
        assert {s.form_id for s in await uow.forms.open_for(person.id)} == {"task", "other"}
        await uow.forms.prime(person.id, [stale])
        assert await uow.forms.get(session.id) == stale
        assert (await uow.forms.get(session.id)).values == {}


async def test_the_folded_reads_of_next_and_submit_return_what_the_separate_reads_do(db):
    """`/next` reads each project with the person's pause, owed instructions and served counts in one query
    (`projects.work_of`), claims with the item as it stands after (`claim_with_task`), and an answer reads its
    approvals and instructions standing at once (`submissions.standing`): the same values as the separate reads."""
    t0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    lease = timedelta(minutes=30)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        ana, bea, cleo, dan = [await uow.people.create(n, t0) for n in ("Ana", "Bea", "Cleo", "Dan")]
        first = await uow.projects.create("First", "law", "rewrite", "{}", None, None, t0)
        second = await uow.projects.create("Second", "law", "rewrite", "{}", t0 + timedelta(days=1), None, t0)
        for project in (first, second):
            await uow.projects.add_member(project, ana.id, None, t0)
            await uow.projects.add_member(project, bea.id, None, t0)
        await uow.tasks.insert_many(first, [("g", '{"k": 1}', True, 2), ("i", '{"k": 2}', False, 2),
                                            ("j", '{"k": 3}', False, 1)], t0)
        await uow.tasks.insert_many(second, [("s", "{}", False, 1)], t0)
        assignment, task = await uow.assignments.claim_with_task(ana.id, first, True, t0, lease)
        assert assignment == await uow.assignments.get(assignment.id)
        assert task == await uow.tasks.get(assignment.task_id) and task.filled == 1 and task.item == {"k": 1}
        await uow.assignments.release(assignment, "skipped", t0)
        held, task = await uow.assignments.claim_with_task(ana.id, first, False, t0, lease)
        assert task.external_id == "i" and task == await uow.tasks.get(held.task_id)
        await uow.pauses.pause(second, ana.id, "quality", 0.2, t0)
        await uow.instructions.publish(first, "{}", '{"v": 2}', [], None, t0)
        await uow.instructions.publish(first, '{"v": 2}', '{"v": 3}', [], None, t0)
        await uow.instructions.acknowledge(first, ana.id, 2, t0)

        for person in (ana, bea):
            separate = []
            for project in await uow.projects.member_of(person.id):
                gold, total = await uow.assignments.served_counts(person.id, project.id)
                separate.append((project, await uow.pauses.is_paused(project.id, person.id),
                                 await uow.instructions.first_unacknowledged(project.id, person.id), gold, total))
            folded = [(p, s.paused_there, s.owed_version, s.gold_served, s.served)
                      for p, s in await uow.projects.work_of(person.id)]
            assert folded == separate
        assert [row[1:] for row in folded] == [(False, None, 0, 0), (False, 2, 0, 0)]  # Bea's: Second (a deadline) first
        assert [(s.paused_there, s.owed_version, s.gold_served, s.served)
                for _, s in await uow.projects.work_of(ana.id)] == [(True, None, 0, 0), (False, 3, 1, 2)]

        # `filled` says a slot is free but every slot is live: no claim, and the raise of `filled` is taken back
        assert (await uow.assignments.claim(bea.id, first, False, t0, lease)).task_id == held.task_id  # "i" is full
        assert await uow.assignments.claim(dan.id, first, False, t0, lease) is not None  # "j", overlap 1
        await tx.execute("UPDATE tasks SET filled = 0 WHERE external_id = 'j'")
        assert await uow.assignments.claim_with_task(cleo.id, first, False, t0, lease) is None
        assert await tx.fetchval("SELECT filled FROM tasks WHERE external_id = 'j'") == 0

        sid = await uow.submissions.add(held, "{}", 5, False, t0, instructions_version=2)
        assert await tx.fetchval("SELECT instructions_version FROM submissions WHERE id = $1", sid) == 2
        assert await uow.submissions.set_review_state(sid, (await uow.submissions.get(sid)).revision, "approved")
        for person in (ana, bea):
            standing = await uow.submissions.standing(person.id, first)
            separate = ((await uow.submissions.review_counts(person.id, first)).get("approved", 0),
                        *await uow.instructions.standing(first, person.id))
            assert (standing.approvals, standing.current_version, standing.owed_version) == separate
        assert (await uow.submissions.standing(ana.id, first)).approvals == 1
