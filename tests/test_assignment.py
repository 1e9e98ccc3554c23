"""Fair assignment under pressure: no slot assigned twice, skips never come back, overlap never exceeded.

Runs on both backends; the concurrent test drives real /next turns through the runtime at the same moment.
"""
from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from app.wiring import build_runtime
from tests.recording import RecordingAdapter
from bot.core.events import Actor, CommandEvent, Conversation
from domain.assignment import free_slot, prefer_gold
from app.settings import Settings
from storage.uow import UnitOfWork
from tests.flows.tasks_data import seed_project

NOW = datetime(2026, 11, 28, 9, tzinfo=timezone.utc)




async def invariants(db) -> None:
    async with db.transaction() as tx:
        over = await tx.fetch("SELECT id FROM tasks WHERE filled > overlap OR filled < 0")
        drift = await tx.fetch(
            "SELECT t.id FROM tasks t WHERE t.filled <> (SELECT COUNT(*) FROM assignments a"
            " WHERE a.task_id = t.id AND a.status IN ('active', 'submitted'))")
        doubled = await tx.fetch(
            "SELECT task_id, slot FROM assignments WHERE status IN ('active', 'submitted')"
            " GROUP BY task_id, slot HAVING COUNT(*) > 1")
        two_live = await tx.fetch(
            "SELECT person_id FROM assignments WHERE status = 'active' GROUP BY person_id HAVING COUNT(*) > 1")
    assert over == [] and drift == [] and doubled == [] and two_live == []


async def test_many_experts_pressing_next_at_once(database_url):
    rt = build_runtime(Settings(database_url=database_url, database_pool_size=12))
    await rt.start()
    rt.register(RecordingAdapter())
    try:
        project_id = await seed_project(rt, "error_check_medicine")  # 2 items × overlap 2 = 4 slots
        people = [f"p{i}" for i in range(12)]

        def next_event(user: str, n: int) -> CommandEvent:
            return CommandEvent(delivery_id=f"{user}-{n}", name="next",
                                actor=Actor(platform="console", user_id=user),
                                conversation=Conversation(platform="console", chat_id=user))

        for user in people:  # create everyone, then make them members
            await rt.handle(CommandEvent(delivery_id=f"{user}-hello", name="help",
                                         actor=Actor(platform="console", user_id=user),
                                         conversation=Conversation(platform="console", chat_id=user)))
        async with rt.db.transaction() as tx:
            uow = UnitOfWork(tx)
            for row in await tx.fetch("SELECT id FROM persons"):
                await uow.projects.add_member(project_id, row["id"], None, NOW)
                await uow.qualifications.grant(row["id"], "medicine", 3, NOW, None, "manager", reason="test")
        # everyone presses /next twice at the same moment (a double press each)
        await asyncio.gather(*(rt.handle(next_event(u, n)) for u in people for n in (1, 2)))
        async with rt.db.transaction() as tx:
            live = await tx.fetch("SELECT person_id, task_id FROM assignments WHERE status = 'active'")
        assert len(live) == 4  # every slot taken once, nobody got two
        assert len({r["person_id"] for r in live}) == 4
        await invariants(rt.db)
    finally:
        await rt.stop()


async def test_skips_never_come_back_and_expired_slots_return(db):
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        p = await uow.people.create("A", NOW)
        q = await uow.people.create("B", NOW)
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        await uow.tasks.insert_many(project, [("i1", "{}", False, 1), ("i2", "{}", False, 1)], NOW)
    lease = timedelta(minutes=30)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        a1 = await uow.assignments.claim(p.id, project, False, NOW, lease)
        assert await uow.assignments.release(a1, "skipped", NOW, "other")
        a2 = await uow.assignments.claim(p.id, project, False, NOW, lease)
        assert a2.task_id != a1.task_id
        assert await uow.assignments.claim(q.id, project, False, NOW, lease) is not None  # i1 is free again for B
        assert await uow.assignments.claim(q.id, project, False, NOW, lease) is None  # B holds one: i2 is taken
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        expired = await uow.assignments.expired(NOW + timedelta(minutes=31))
        assert {e.person_id for e in expired} == {p.id, q.id}
        for e in expired:
            await uow.assignments.release(e, "expired", NOW)
        again = await uow.assignments.claim(p.id, project, False, NOW, lease)
        assert again is None  # p had i1 (skipped) and i2 (expired): never the same item twice
    await invariants(db)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
async def test_random_sequences_keep_the_invariants(database_url_factory, data):
    """Random claims, skips, expiries and submits by random people never break the slot invariants."""
    url = await database_url_factory()
    from storage.db import open_database
    from storage.migrate import upgrade

    async with open_database(url) as db:
        await upgrade(db)
        overlap = data.draw(st.integers(1, 3))
        items = data.draw(st.integers(1, 4))
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            people = [(await uow.people.create(f"x{i}", NOW)).id for i in range(4)]
            project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
            await uow.tasks.insert_many(project, [(f"i{i}", "{}", False, overlap) for i in range(items)], NOW)
        had: dict[int, set[int]] = {p: set() for p in people}
        for _ in range(data.draw(st.integers(1, 25))):
            person = data.draw(st.sampled_from(people))
            op = data.draw(st.sampled_from(["claim", "skip", "expire", "submit"]))
            async with db.transaction() as tx:
                uow = UnitOfWork(tx)
                active = await uow.assignments.active_for(person)
                if op == "claim" and not active:
                    got = await uow.assignments.claim(person, project, False, NOW, timedelta(minutes=5))
                    if got is not None:
                        assert got.task_id not in had[person]
                        had[person].add(got.task_id)
                elif active and op in ("skip", "expire"):
                    await uow.assignments.release(active[0], "skipped" if op == "skip" else "expired", NOW)
                elif active and op == "submit":
                    assert await uow.submissions.add(active[0], "{}", 1, False, NOW) is not None
                    await uow.assignments.mark_submitted(active[0].id, NOW)
                    assert await uow.submissions.add(active[0], "{}", 1, False, NOW) is None
            await invariants(db)


def test_gold_share_tracks_the_ratio_without_fixed_positions():
    rng = random.Random(7)
    for ratio in (0.1, 0.25, 0.5):
        gold = 0
        first_gold = []
        for run in range(50):
            g = total = 0
            for n in range(200):
                if prefer_gold(g, total, ratio, rng.random):
                    if g == 0:
                        first_gold.append(n)
                    g += 1
                total += 1
                assert abs(g - ratio * total) <= 1
            gold += g
        # the first gold item comes at many different positions (up to 1/ratio of them)
        assert len(set(first_gold)) >= min(5, int(1 / ratio)), (ratio, sorted(set(first_gold)))
    assert free_slot({0, 2}, 3) == 1 and free_slot({0, 1}, 2) is None
