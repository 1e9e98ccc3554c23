"""Ticks: registered on the router like everything else, run by the runtime in one transaction with the messages
they send — so a process killed right after a tick's commit still delivers the notice, from the next process."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import Field

from app.settings import Settings
from bot.core.actions import ActionData
from bot.core.router import Router
from bot.core.runtime import Runtime
from storage.db import open_database
from storage.uow import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent


def test_every_tick_and_form_is_registered_on_the_router_once():
    import handlers

    root = handlers.build()
    assert {name: (t.every, t.fn.__module__) for name, t in root.ticks.items()} == {
        "tasks.leases": (30, "handlers.tasks"),
        "hours.timers": (60, "handlers.hours"),
        "assessments.deadlines": (30, "handlers.assessments"),
        "qualifications.expiry": (3600, "handlers.assessments"),
        "broadcast.progress": (5, "handlers.broadcast"),
        "pings.close": (30, "handlers.pings"),
        "reminders.tick": (30, "handlers.reminders"),
        "reminders.daily": (3600, "handlers.reminders"),
        "home.refresh": (5, "handlers.home"),
        "erasures.due": (60, "handlers.data_rights"),
    }
    assert sorted(root.forms) == ["assess.item", "availability", "broadcast", "hours.edit", "hours.reject",
                                  "ledger.dispute", "ledger.resolve", "onboarding", "payouts.paid", "ping",
                                  "ping_hours", "project_edit", "review", "task", "task_skip"]


def test_include_refuses_a_form_tick_or_action_registered_twice():
    async def tick(t) -> int:
        return 0

    async def build(ctx, params):
        return None

    async def done(ctx, model, session):
        return []

    one, two = Router("one"), Router("two")
    one.tick(every=5, name="same")(tick)
    two.tick(every=9, name="same")(tick)
    with pytest.raises(ValueError, match="tick 'same' registered twice"):
        Router("root").include(one, two)
    three, four = Router("three"), Router("four")
    three.form("f", build=build, on_complete=done)
    four.form("f", build=build, on_complete=done)
    with pytest.raises(ValueError, match="form 'f' registered twice"):
        Router("root").include(three, four)
    with pytest.raises(ValueError, match="form 'f' registered twice"):
        three.form("f", build=build, on_complete=done)
    class Impostor(ActionData, name="form.pick"):
        session: int = Field(alias="s")

    five = Router("five")
    five.action(Impostor)(done)  # the wizard's own buttons cannot be taken over either
    with pytest.raises(ValueError, match="action 'form.pick' registered twice"):
        Runtime(Settings(database_url="sqlite:///unused.db"), five, open_database("sqlite:///unused.db"), UnitOfWork)


class Worker:
    """One bot process (tests/multiproc/worker.py) and the lines it prints."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    @classmethod
    async def start(cls, url: str, log: Path) -> "Worker":
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.multiproc.worker", url, "4", "pausable", cwd=str(ROOT),
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=open(log, "wb"))
        worker = cls(proc)
        await worker.until("READY")
        return worker

    async def say(self, line: str) -> None:
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def until(self, prefix: str) -> str:
        """The next line that starts with `prefix` (a worker that dies first fails the test, not hangs it)."""
        while True:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), 60)
            if not raw:
                raise AssertionError(f"worker ended before {prefix!r}; it printed {self.lines}")
            line = raw.decode().rstrip("\n")
            self.lines.append(line)
            if line.startswith(prefix):
                return line

    async def kill(self) -> None:
        if self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                await self.kill()


async def test_a_process_killed_right_after_a_ticks_commit_loses_no_notice(db, database_url, tmp_path):
    """The timer tick nudges the owner of a timer left running for hours, once (it marks the timer nudged). The
    process is SIGKILLed the moment the tick's transaction has committed — where the mark and the notice used to be
    two transactions apart. The mark and the notice are both stored; the next process sends the notice, once."""
    started = datetime.now(timezone.utc) - timedelta(hours=3)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("Ana", started)
        await uow.identities.create(person.id, "console", "", "ana", "ana", None, "Ana", started)
        project_id = await uow.projects.create("Kill test", "finance", "rewrite", "{}", None, None, started)
        assert await uow.timers.start(person.id, project_id, started)

    first = await Worker.start(database_url, tmp_path / "first.log")
    try:
        await first.say("PAUSE")
        await first.until("PAUSED")
        await first.say("TICK hours.timers")
        await first.until("COMMITTED")
    finally:
        await first.kill()
    assert not any(line.startswith(("OUT", "TICKED")) for line in first.lines), first.lines  # nothing was sent

    async with db.transaction() as tx:
        assert await tx.fetchval("SELECT nudged_at FROM timers WHERE person_id = $1", person.id) is not None
        notices = await tx.fetch("SELECT id, payload, sent_at FROM outbox WHERE person_id = $1", person.id)
        assert len(notices) == 1 and notices[0]["sent_at"] is None, notices
        assert "Still working?" in notices[0]["payload"]
        # The dead process had claimed its delivery for a minute (runtime.CLAIM); let that lapse now.
        await tx.execute("UPDATE outbox SET claimed_until = NULL WHERE id = $1", notices[0]["id"])

    second = await Worker.start(database_url, tmp_path / "second.log")
    try:
        await second.say("SWEEP")
        assert await second.until("SWEPT") == "SWEPT 1"
        out = [json.loads(line.removeprefix("OUT ")) for line in second.lines if line.startswith("OUT ")]
        assert [o["chat"] for o in out] == ["ana"] and "Still working?" in out[0]["text"], out
        await second.say("TICK hours.timers")
        assert await second.until("TICKED") == "TICKED hours.timers 0"  # nudged once: nothing twice
    finally:
        await second.stop()
    async with db.transaction() as tx:
        assert await tx.fetchval("SELECT COUNT(*) FROM outbox") == 1
        assert await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL") == 1
