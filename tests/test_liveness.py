"""Liveness (issue 15, points 3–5): what a dead process held is taken at once, what a live one still has queued is
never taken, the sweep serves people fairly, and a clean stop hands everything back. Both backends.

A dead predecessor is a row in `processes` for a real process that has exited (same host, same pid namespace, its
pid gone); leases and claims it held are given TTLs of an hour, so only liveness can explain a takeover.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from app.settings import Settings
from app.wiring import build_runtime
from bot.core.blocks import Reply, text
from bot.core.events import Actor, CommandEvent, Conversation
from bot.core.liveness import Liveness, host_name, pid_namespace
from bot.core.operations import Delivery, SendMessage, Target
from bot.core.runtime import CLAIM
from storage.uow import UnitOfWork
from tests.recording import RecordingAdapter

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def exited_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(proc.stdout)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def run(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


def delivery(chat: str, n: int) -> str:
    return Delivery(op=SendMessage(message=Reply(blocks=[text(f"{chat} #{n}")])), platform="console",
                    chat_id=chat, user_id=chat).model_dump_json()


async def dead_predecessor(db, name: str = "dead:1:aaa") -> str:
    """A process that held things and exited: on this host, in this pid namespace, its pid gone."""
    await run(db, lambda u: u.processes.register(name, host_name(), pid_namespace(), exited_pid(), NOW, NOW))
    return name


async def live_sibling(db, proc: subprocess.Popen, name: str = "live:1:bbb") -> str:
    now = datetime.now(timezone.utc)
    await run(db, lambda u: u.processes.register(name, host_name(), pid_namespace(), proc.pid, now, now))
    return name


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
async def runtime(database_url, db):
    rt = build_runtime(Settings(database_url=database_url), clock=Clock(NOW))
    yield rt
    await rt.stop()


# -- storage: who holds what ----------------------------------------------------------------------------------------


async def test_a_dead_holders_lease_and_claims_are_free_a_live_ones_are_not(db):
    await run(db, lambda u: u.processes.register("alive", "elsewhere", "", 1, NOW, NOW))
    await run(db, lambda u: u.processes.register("gone", "elsewhere", "", 2, NOW, NOW))
    assert await run(db, lambda u: u.leases.acquire("poll", "gone", NOW, HOUR))
    assert not await run(db, lambda u: u.leases.acquire("poll", "alive", NOW, HOUR))
    ids = [await run(db, lambda u, n=n: u.outbox.add(None, 1, "console", delivery("c", n), NOW, claim_for=HOUR,
                                                        claimed_by="gone")) for n in range(3)]
    assert await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="alive")) == []
    assert await run(db, lambda u: u.processes.bury(["gone"])) == 1
    assert await run(db, lambda u: u.leases.acquire("poll", "alive", NOW, HOUR))  # within its hour: at once
    taken = await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="alive"))
    assert [r.id for r in taken] == ids
    # ...and now they are the live process's: nobody else takes them
    assert await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="other")) == []


async def test_the_sweep_is_fair_and_takes_a_backlog_a_few_at_a_time_in_order(db):
    for p in ("me", "other"):
        await run(db, lambda u, p=p: u.processes.register(p, "elsewhere", "", 1, NOW, NOW))
    flood = [await run(db, lambda u, n=n: u.outbox.add(None, 1, "console", delivery("flood", n), NOW))
             for n in range(40)]
    others = [await run(db, lambda u, p=p: u.outbox.add(None, p, "console", delivery(f"p{p}", 0), NOW))
              for p in (2, 3, 4)]
    first = await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, limit=4, claimed_by="me"))
    assert [r.id for r in first] == [flood[0], *others]  # everyone's first row before anyone's second
    await run(db, lambda u: u.tx.execute("UPDATE outbox SET claimed_until = NULL, claimed_by = NULL"))
    batch = await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, limit=100, claimed_by="me",
                                                       per_person=5))
    assert [r.id for r in batch] == [flood[0], *others, *flood[1:5]]
    # while those five are being sent, the rest of the backlog waits its turn (in order), for every sweeper
    assert await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="other",
                                                      per_person=5)) == []
    for r in batch[:3]:
        await run(db, lambda u, r=r: u.outbox.mark_sent(r.id, NOW))
    nxt = await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="other", per_person=5))
    assert [r.id for r in nxt] == [flood[5]]


# -- the runtime: a dead predecessor, a live sibling, a clean stop -------------------------------------------------


async def test_what_a_dead_process_held_is_taken_at_once_and_a_live_ones_queue_is_left_alone(db, runtime, sleeper):
    dead = await dead_predecessor(db)
    live = await live_sibling(db, sleeper)
    await run(db, lambda u: u.leases.acquire("telegram.polling:1", dead, NOW, HOUR))
    staged = [await run(db, lambda u, n=n: u.outbox.add(None, 7, "console", delivery("ana", n), NOW,
                                                           claim_for=HOUR, claimed_by=dead)) for n in range(2)]
    await run(db, lambda u: u.outbox.add(None, 8, "console", delivery("bo", 0), NOW, claim_for=HOUR,
                                         claimed_by=live))
    for holder, n in ((dead, 1), (live, 2), (None, 3)):
        ev = CommandEvent(delivery_id=f"d{n}", actor=Actor(platform="console", user_id=f"u{n}"),
                          conversation=Conversation(platform="console", chat_id=f"u{n}"), name="help")
        await run(db, lambda u, ev=ev, holder=holder: u.inbox.record("console", ev.delivery_id, ev.actor.key,
                                                                      ev.model_dump_json(), NOW, accepted_by=holder))

    await runtime.start()  # judges the others before anything is claimed
    rec = RecordingAdapter()
    runtime.register(rec)
    assert runtime.liveness.buried == [dead]
    assert await runtime.hold_lease("telegram.polling:1", timedelta(seconds=6))
    assert await runtime.sweep_outbox() == 2
    assert [d.chat_id for d in rec.sent] == ["ana", "ana"]  # bo's row is its live sibling's to send
    assert [e.delivery_id for e in await runtime.unprocessed(grace=timedelta(seconds=30))] == ["d1"]  # no grace
    # for the dead; a row of no known process waits out the grace; the live sibling's row is left to it
    assert [e.delivery_id for e in await runtime.unprocessed(grace=timedelta(0))] == ["d1", "d3"]
    sent = await run(db, lambda u: u.tx.fetch("SELECT id FROM outbox WHERE sent_at IS NOT NULL ORDER BY id"))
    assert [r["id"] for r in sent] == staged


async def test_a_failed_turn_of_this_process_is_recovered_without_waiting(runtime, db):
    await runtime.start()
    runtime.register(RecordingAdapter())
    ev = CommandEvent(delivery_id="mine", actor=Actor(platform="console", user_id="u1"),
                      conversation=Conversation(platform="console", chat_id="u1"), name="help")
    assert await runtime.accept(ev)
    assert await runtime.unprocessed(grace=timedelta(0)) == []  # accepted here, about to be processed: in hand
    runtime._accepted.clear()  # as when its turn failed (the database went away) and let go of it
    assert [e.delivery_id for e in await runtime.unprocessed(grace=timedelta(hours=1))] == ["mine"]
    assert await runtime.recover_inbox(grace=timedelta(hours=1)) == 1
    assert await runtime.unprocessed(grace=timedelta(0)) == []


async def test_a_clean_stop_releases_leases_and_claims(database_url, db):
    rt = build_runtime(Settings(database_url=database_url), clock=Clock(NOW))
    await rt.start()
    rt.register(RecordingAdapter())
    assert await rt.hold_lease("telegram.polling:1", HOUR)
    await run(db, lambda u: u.outbox.add(None, 1, "console", delivery("c", 0), NOW))
    assert len(await run(db, lambda u: u.outbox.claim_due(["console"], NOW, HOUR, claimed_by=rt.process_id))) == 1
    await rt.stop()
    assert await run(db, lambda u: u.tx.fetchval("SELECT COUNT(*) FROM leases")) == 0
    assert await run(db, lambda u: u.tx.fetchval("SELECT COUNT(*) FROM processes")) == 0
    row = await run(db, lambda u: u.tx.fetchrow("SELECT claimed_by, claimed_until, sent_at FROM outbox"))
    assert row == {"claimed_by": None, "claimed_until": None, "sent_at": None}
    assert len(await run(db, lambda u: u.outbox.claim_due(["console"], NOW, CLAIM, claimed_by="next"))) == 1


# -- a paced backlog longer than the claim --------------------------------------------------------------------------


class GatedAdapter(RecordingAdapter):
    """Sends one delivery each time the test opens the gate: a pacer with a backlog."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Semaphore(0)

    async def deliver(self, delivery, progress=None):
        await self.gate.acquire()
        return await super().deliver(delivery, progress)


async def test_a_paced_backlog_longer_than_its_claim_is_sent_once(database_url, db):
    clock = Clock(NOW)
    sender = build_runtime(Settings(database_url=database_url), clock=clock)
    sweeper = build_runtime(Settings(database_url=database_url), clock=clock)
    await sender.start()
    await sweeper.start()
    paced, swept = GatedAdapter(), RecordingAdapter()
    sender.register(paced)
    sweeper.register(swept)
    try:
        person = await run(db, lambda u: u.people.create("Ana", NOW))
        await run(db, lambda u: u.identities.create(person.id, "console", "", "ana", "ana", None, None, NOW))
        ops = [SendMessage(to=Target.person(person.id), message=Reply(blocks=[text(f"reply {n}")]))
               for n in range(12)]
        sending = asyncio.create_task(sender.send(ops, person_id=person.id))
        while not sender.liveness.held:
            await asyncio.sleep(0.01)
        for n in range(4):
            paced.gate.release()
        while len(paced.sent) < 4:
            await asyncio.sleep(0.01)
        clock.at = NOW + CLAIM * 3  # the backlog outlives its claim several times over...
        await sender.liveness.beat_once()  # ...but its process is alive and renews what it still has queued
        assert await sweeper.sweep_outbox() == 0
        assert swept.sent == []
        for n in range(8):
            paced.gate.release()
        assert len(await sending) == 12
        texts = [d.op.message.model_dump_json() for d in paced.sent]
        assert [next(n for n in range(12) if f'"reply {n}"' in t) for t in texts] == list(range(12))  # once, in order
        assert await run(db, lambda u: u.tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")) == 0
    finally:
        await sender.stop()
        await sweeper.stop()


# -- judging: by pid on this host, by silence elsewhere -------------------------------------------------------------


async def test_silence_is_judged_by_our_own_clock_and_not_after_our_own_outage(db):
    judge = Liveness(db, UnitOfWork, "judge", claim=CLAIM, clock=lambda: NOW, dead_after=0.2)
    far = datetime(2000, 1, 1, tzinfo=timezone.utc)  # another host whose clock is far off: only change counts
    await run(db, lambda u: u.processes.register("quiet", "another-host", "", 1, far, far))
    await run(db, lambda u: u.processes.register("busy", "another-host", "", 2, far, far))
    await judge.start()
    try:
        assert judge.buried == []  # seen once: not judged by its timestamp
        for n in range(4):
            await asyncio.sleep(0.1)
            await run(db, lambda u, n=n: u.processes.beat("busy", far + timedelta(seconds=n + 1)))
            await judge.beat_once()
        assert judge.buried == ["quiet"]
        # after our own beats failed, nobody is judged on what we could not watch
        await run(db, lambda u: u.processes.register("paused", "another-host", "", 3, far, far))
        await judge.beat_once()
        await asyncio.sleep(0.3)
        judge._failing = True
        await judge.beat_once()
        assert "paused" not in judge.buried
    finally:
        await judge.stop()
