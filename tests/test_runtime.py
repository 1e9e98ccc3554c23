"""Runtime guarantees below the flows: redelivery, crash recovery, the error boundary, untrusted buttons."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.wiring import build_runtime
from bot.core.actions import ActionData
from tests.recording import RecordingAdapter
from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation, TextEvent
from bot.core.operations import Notice, SendMessage
from bot.core.router import Router
from bot.core.runtime import Runtime
from app.settings import Settings
from handlers.common import SetLanguage
from handlers.hours import LogFor
from handlers.shared.replies import say
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork




def event(kind=CommandEvent, delivery="d1", user="u1", locale=None, **kw):
    return kind(delivery_id=delivery, actor=Actor(platform="console", user_id=user, locale_hint=locale),
                conversation=Conversation(platform="console", chat_id=user), **kw)


@pytest.fixture
def runtime(recorded_runtime):
    return recorded_runtime


async def scalar(rt, sql, *args):
    async with rt.db.transaction() as tx:
        return await tx.fetchval(sql, *args)


async def test_a_redelivered_update_does_nothing_twice(runtime):
    first = await runtime.handle(event(name="start"))
    again = await runtime.handle(event(name="start"))
    assert first and again == []
    assert await scalar(runtime, "SELECT COUNT(*) FROM form_sessions") == 1
    assert await scalar(runtime, "SELECT COUNT(*) FROM inbox") == 1
    assert await scalar(runtime, "SELECT COUNT(*) FROM persons") == 1


async def test_accepted_but_unprocessed_delivery_is_processed_once_after_restart(database_url):
    rt = build_runtime(Settings(database_url=database_url))
    await rt.start()
    assert await rt.accept(event(name="start", delivery="crash-1"))
    await rt.stop()  # the process dies after the ack, before processing

    rt2 = build_runtime(Settings(database_url=database_url))
    await rt2.start()
    rec = RecordingAdapter()
    rt2.register(rec)
    try:
        assert await rt2.recover_inbox() == 1
        assert await rt2.recover_inbox() == 0
        assert any("Welcome to Panelist" in d.model_dump_json() for d in rec.sent)
        assert await scalar(rt2, "SELECT COUNT(*) FROM form_sessions") == 1
        assert await scalar(rt2, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
    finally:
        await rt2.stop()


async def test_unsent_outbox_rows_are_swept_after_a_crash(database_url):
    rt = build_runtime(Settings(database_url=database_url))
    await rt.start()
    await rt.handle(event(name="help"))  # no adapter registered: staged, not sent
    await rt.stop()
    rt2 = build_runtime(Settings(database_url=database_url))
    await rt2.start()
    rec = RecordingAdapter()
    rt2.register(rec)
    try:
        assert await rt2.sweep_outbox() == 1
        assert await rt2.sweep_outbox() == 0
        assert "What you can do" in rec.sent[0].model_dump_json()
    finally:
        await rt2.stop()


async def test_error_boundary_rolls_back_and_apologises_in_the_persons_language(database_url):
    router = Router("boom")

    @router.command("boom")
    async def boom(ctx, ev):
        await ctx.uow.roles.grant(ctx.person.id, "manager", None, ctx.now)  # must not survive the failure
        raise RuntimeError("secret detail that must not reach the person")

    rt = Runtime(Settings(database_url=database_url), router, open_database(database_url), UnitOfWork,
                 prepare=upgrade)
    await rt.start()
    rec = RecordingAdapter()
    rt.register(rec)
    try:
        await rt.handle(event(name="boom", locale="es-ES"))
        text = rec.sent[-1].model_dump_json()
        assert "Lo sentimos" in text or "Perdona" in text or "algo ha ido mal" in text.lower(), text
        assert "secret detail" not in text
        assert await scalar(rt, "SELECT COUNT(*) FROM roles") == 0
        assert await scalar(rt, "SELECT error FROM inbox") is not None
        assert await scalar(rt, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
    finally:
        await rt.stop()


async def _payloads(rt, rec, action: ActionData, owner_user="u1"):
    """Stage a message with one button for `owner_user` and return its encoded payload."""
    from bot.core.blocks import Buttons, Button, Reply

    await rt.handle(event(name="help", delivery=f"own-{owner_user}", user=owner_user))
    async with rt.db.transaction() as tx:
        pid = await tx.fetchval("SELECT person_id FROM identities WHERE user_id = $1", owner_user)
    await rt.send([SendMessage(to={"person_id": pid}, message=Reply(blocks=[Buttons(rows=[[Button(label="x", action=action)]])]))])
    return rec.sent[-1].op.message.blocks[0].rows[0][0].payload


async def test_forged_and_foreign_buttons_are_refused(runtime):
    rec = runtime.recorder
    payload = await _payloads(runtime, rec, SetLanguage(locale="es"))
    assert len(payload.encode()) <= 64
    forged = payload.replace("l=es", "l=en")
    out = await runtime.handle(event(ButtonPressed, delivery="b1", payload=forged))
    assert any(isinstance(d.op, Notice) and "expired" in str(d.op.text) for d in out)
    await runtime.handle(event(name="help", delivery="h2", user="u2"))
    out = await runtime.handle(event(ButtonPressed, delivery="b2", user="u2", payload=payload))  # not theirs
    assert any(isinstance(d.op, Notice) and "expired" in str(d.op.text) for d in out)
    assert await scalar(runtime, "SELECT COUNT(*) FROM persons WHERE locale IS NOT NULL") == 0
    out = await runtime.handle(event(ButtonPressed, delivery="b3", payload=payload))  # the owner
    assert any("español" in d.model_dump_json() for d in out)  # the confirmation (the menu update follows it)


async def test_long_actions_use_stored_tokens_that_expire(database_url):
    now = [datetime(2026, 11, 28, 12, tzinfo=timezone.utc)]
    rt = build_runtime(Settings(database_url=database_url), clock=lambda: now[0])
    await rt.start()
    rec = RecordingAdapter()
    rt.register(rec)
    try:
        payload = await _payloads(rt, rec, LogFor(project=4_812_337, minutes=90, day=date(2026, 11, 27), note="y" * 60))
        assert payload.startswith("~") and len(payload.encode()) <= 64
        await rt.handle(event(name="help", delivery="h2", user="u2"))
        out = await rt.handle(event(ButtonPressed, delivery="t1", user="u2", payload=payload))
        assert "expired" in out[0].model_dump_json()
        now[0] += timedelta(days=30)
        out = await rt.handle(event(ButtonPressed, delivery="t2", payload=payload))
        assert "expired" in out[0].model_dump_json()
        for garbage in ("", "~", "~nope", "a|b|c|d", "x" * 5000, "\x00\xff", "lang.set||1|AAAAAAAA"):
            out = await rt.handle(event(ButtonPressed, delivery=f"g{len(garbage)}{garbage[:3]!r}", payload=garbage or " "))
            assert "expired" in out[0].model_dump_json()
    finally:
        await rt.stop()


async def test_text_with_no_form_open_gets_help_hint(runtime):
    out = await runtime.handle(event(TextEvent, delivery="t0", text="hello?"))
    assert "Welcome to Panelist" in out[0].model_dump_json()  # a newcomer is welcomed, not told off
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        person_id = await uow.tx.fetchval("SELECT id FROM persons")
        await uow.people.update_profile(person_id, "Ana", {}, "UTC", datetime.now(timezone.utc))
    out = await runtime.handle(event(TextEvent, delivery="t1", text="hello?"))
    assert "/help" in out[0].model_dump_json()


async def test_a_platform_served_by_another_process_still_gets_its_command_form(runtime):
    """No Slack adapter in this process (its deliveries wait for the one that has it): replies staged here for a
    Slack person still write `/panelist help`, and console ones `/help` (issue 17, point 3)."""
    slack = CommandEvent(delivery_id="s1", name="frobnicate",
                         actor=Actor(platform="slack", workspace="T1", user_id="U1"),
                         conversation=Conversation(platform="slack", workspace="T1", chat_id="D1"))
    await runtime.handle(slack)
    assert "slack" not in runtime.adapters
    waiting = await scalar(runtime, "SELECT payload FROM outbox WHERE platform = 'slack'")
    assert "command /panelist frobnicate. Send /panelist help" in waiting
    out = await runtime.handle(event(delivery="c1", name="frobnicate"))
    assert "command /frobnicate. Send /help" in out[0].model_dump_json()
