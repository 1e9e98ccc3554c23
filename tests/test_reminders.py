"""The reminder tick with a fake clock: quiet hours, opt-outs, away time, caps, downtime, two ticks at once."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from app.wiring import build_runtime
from tests.recording import RecordingAdapter
from app.settings import Settings
from handlers.reminders import reminder_tick
from storage.repos.reminders import Availability
from storage.uow import UnitOfWork
from tests.flows.tasks_data import seed_project

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)  # 12:00 in Berlin (CEST)




@pytest.fixture
async def rt(database_url):
    clock = {"now": T0}
    runtime = build_runtime(Settings(database_url=database_url), clock=lambda: clock["now"])
    await runtime.start()
    runtime.inbox = RecordingAdapter()
    runtime.register(runtime.inbox)
    runtime.clock_box = clock
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("Ana", T0)
        await uow.identities.create(person.id, "console", "", "ana", "ana", None, "Ana", T0)
        await uow.people.update_profile(person.id, "Ana", {}, "Europe/Berlin", T0)
    runtime.person_id = person.id
    # an hourly project of Ana's: the weekly "log your hours" reminder these tests schedule is for her
    runtime.hourly_project = await seed_project(runtime, "pairwise_law")
    async with runtime.db.transaction() as tx:
        await UnitOfWork(tx).projects.add_member(runtime.hourly_project, person.id, None, T0)
    yield runtime
    await runtime.stop()


async def schedule(rt, kind="hours", key="k1", due=T0, recurrence=None):
    async with rt.db.transaction() as tx:
        return await UnitOfWork(tx).reminders.schedule(rt.person_id, kind, key, due, {}, T0, recurrence)


async def set_availability(rt, **fields):
    async with rt.db.transaction() as tx:
        await UnitOfWork(tx).availability.save(Availability(person_id=rt.person_id, **fields), T0)


async def test_due_reminder_is_sent_once_and_duplicates_are_refused(rt):
    assert await schedule(rt) is True
    assert await schedule(rt) is False  # same dedupe key: nothing new
    assert await rt.run_tick(reminder_tick) == 1
    assert await rt.run_tick(reminder_tick) == 0
    assert "log this week's hours" in rt.inbox.sent[0].model_dump_json()


async def test_quiet_hours_defer_to_their_end_in_the_persons_zone(rt):
    await set_availability(rt, quiet_start="11:00", quiet_end="13:30")  # Berlin: now (12:00) is quiet
    await schedule(rt)
    assert await rt.run_tick(reminder_tick) == 0
    rt.clock_box["now"] = T0 + timedelta(minutes=89)  # 13:29 Berlin
    assert await rt.run_tick(reminder_tick) == 0
    rt.clock_box["now"] = T0 + timedelta(minutes=90)  # 13:30 Berlin
    assert await rt.run_tick(reminder_tick) == 1


async def test_opt_out_and_away(rt):
    async with rt.db.transaction() as tx:
        await UnitOfWork(tx).reminders.set_enabled(rt.person_id, "hours", False)
    await schedule(rt)
    assert await rt.run_tick(reminder_tick) == 0
    await schedule(rt, kind="back_check", key="b1")
    await set_availability(rt, status="away", away_until=T0 + timedelta(days=3))
    await schedule(rt, kind="draft", key="d1")  # draft reminders wait for the person to be back
    assert await rt.run_tick(reminder_tick) == 1  # only "are you back?"
    assert "Are you back?" in rt.inbox.sent[-1].model_dump_json()


async def test_cap_of_one_per_kind_per_interval(rt):
    await schedule(rt, key="a")
    await schedule(rt, key="b")
    assert await rt.run_tick(reminder_tick) == 1
    rt.clock_box["now"] = T0 + timedelta(hours=5)
    assert await rt.run_tick(reminder_tick) == 0
    rt.clock_box["now"] = T0 + timedelta(hours=6, seconds=1)
    assert await rt.run_tick(reminder_tick) == 1


async def test_missed_ticks_fire_once_and_weekly_recurrence_moves_on(rt):
    await schedule(rt, recurrence={"weekly": 4, "hour": 16, "minute": 0})  # Fridays 16:00 Berlin
    rt.clock_box["now"] = T0 + timedelta(days=30)  # a month of downtime
    assert await rt.run_tick(reminder_tick) == 1
    assert await rt.run_tick(reminder_tick) == 0
    async with rt.db.transaction() as tx:
        due = await tx.fetchval("SELECT due_at FROM reminders")
    assert due > rt.clock_box["now"] and due.astimezone(timezone(timedelta(hours=2))).hour == 16


async def test_two_ticks_at_once_send_nothing_twice(rt):
    for i in range(30):
        async with rt.db.transaction() as tx:
            uow = UnitOfWork(tx)
            p = await uow.people.create(f"p{i}", T0)
            await uow.identities.create(p.id, "console", "", f"p{i}", f"p{i}", None, None, T0)
            await uow.projects.add_member(rt.hourly_project, p.id, None, T0)
            await uow.reminders.schedule(p.id, "hours", f"h{i}", T0, {}, T0)
    counts = await asyncio.gather(rt.run_tick(reminder_tick), rt.run_tick(reminder_tick))
    assert sum(counts) == 30 and len(rt.inbox.sent) == 30
    assert len({d.chat_id for d in rt.inbox.sent}) == 30


async def test_new_tasks_are_announced_once_per_batch_and_never_to_the_away(rt):
    from handlers.shared.announcements import announce_new_tasks

    project_id = await seed_project(rt, "rewrite_finance")
    async with rt.db.transaction() as tx:
        uow = UnitOfWork(tx)
        away = await uow.people.create("Away", T0)
        await uow.identities.create(away.id, "console", "", "away", "away", None, None, T0)
        await uow.availability.save(Availability(person_id=away.id, status="away", away_until=T0 + timedelta(days=9)), T0)
        for pid in (rt.person_id, away.id):
            await uow.projects.add_member(project_id, pid, None, T0)
        assert await announce_new_tasks(uow, project_id, T0) == 1  # only the available member
        assert await announce_new_tasks(uow, project_id, T0 + timedelta(minutes=3)) == 0  # same batch
    rt.clock_box["now"] = T0 + timedelta(minutes=11)
    assert await rt.run_tick(reminder_tick) == 1
    sent = rt.inbox.sent[-1].model_dump_json()
    assert "2 tasks are waiting" in sent and sent.count("Personal finance") == 1


async def _due_at(rt, key: str):
    async with rt.db.transaction() as tx:
        return await tx.fetchval("SELECT due_at FROM reminders WHERE dedupe_key = $1", key)


async def _move_to(rt, tz: str) -> None:
    async with rt.db.transaction() as tx:  # however the zone is changed (profile form, onboarding, CLI): the row
        uow = UnitOfWork(tx)
        person = await uow.people.get(rt.person_id)
        await uow.people.update_profile(rt.person_id, person.display_name, person.profile, tz, person.onboarded_at)


async def test_weekly_reminders_follow_a_time_zone_change(rt):
    """Issue 16, point 12: Fridays 16:00 means 16:00 where the person is now, before and after it fires."""
    friday_4pm = {"weekly": 4, "hour": 16, "minute": 0}
    berlin, new_york = datetime(2026, 7, 3, 14, 0, tzinfo=timezone.utc), datetime(2026, 7, 3, 20, 0, tzinfo=timezone.utc)
    await schedule(rt, key="w", due=berlin, recurrence=friday_4pm)
    await schedule(rt, kind="draft", key="once", due=T0 + timedelta(hours=30))  # one-off: stays where it is
    assert await rt.run_tick(reminder_tick) == 0
    assert await _due_at(rt, "w") == berlin  # unchanged while the zone is unchanged
    await _move_to(rt, "America/New_York")
    assert await rt.run_tick(reminder_tick) == 0
    assert await _due_at(rt, "w") == new_york
    assert await _due_at(rt, "once") == T0 + timedelta(hours=30)
    rt.clock_box["now"] = berlin + timedelta(minutes=1)  # 16:01 in Berlin: not yet for a person in New York
    assert await rt.run_tick(reminder_tick) == 0
    rt.clock_box["now"] = new_york
    assert await rt.run_tick(reminder_tick) == 1
    next_week = await _due_at(rt, "w")
    assert next_week == new_york + timedelta(days=7)  # the next occurrence, computed in the new zone
    await _move_to(rt, "Europe/Berlin")  # back home the same evening: not sent again at 16:00 Berlin next…
    assert await rt.run_tick(reminder_tick) == 0
    assert await _due_at(rt, "w") == berlin + timedelta(days=7)  # …but next Friday at 16:00 Berlin
