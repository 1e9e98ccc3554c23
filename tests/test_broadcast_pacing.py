"""A broadcast through the real Telegram adapter against the stand-in with Telegram's rate limits on:
every message delivered, none refused with 429. Both backends."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.adapters.telegram.adapter import TelegramAdapter
from app.wiring import build_runtime
from bot.core.blocks import Reply, text
from bot.core.operations import SendMessage, Target
from app.settings import Settings
from storage.uow import UnitOfWork
from tests.flows.tasks_data import telegram_people
from tests.telegram_standin import TELEGRAM_RATE_LIMITS, BotApiStandIn


async def test_broadcast_respects_telegram_limits_and_drops_nothing(database_url):
    people = 45  # more than the 30/s overall limit allows in one second
    async with BotApiStandIn(**TELEGRAM_RATE_LIMITS) as api:
        settings = Settings(database_url=database_url, telegram_token=api.token, telegram_api_url=api.base_url,
                            telegram_file_url=api.file_url)
        runtime = build_runtime(settings)
        await runtime.start()
        adapter = TelegramAdapter(runtime, settings, commands=False)
        await adapter.application.initialize()
        try:
            now = datetime.now(timezone.utc)
            async with runtime.db.transaction() as tx:
                ids = await telegram_people(UnitOfWork(tx), people, 500, now, name="E")
            await runtime.send([SendMessage(to=Target.person(pid), tag="bc:t", bulk=True,
                                            message=Reply(blocks=[text("Rubric <changed> & updated")]))
                                for pid in ids])
            assert api.calls_of("sendMessage") == []  # bulk rows wait for the paced sweep
            while await runtime.sweep_outbox(limit=100):
                pass
            async with runtime.db.transaction() as tx:
                counts = await UnitOfWork(tx).outbox.tag_counts("bc:t")
            assert counts == {"total": people, "sent": people, "failed": 0, "pending": 0}
            assert sorted(int(c.params["chat_id"]) for c in api.calls_of("sendMessage")) == list(range(500, 500 + people))
            assert api.refusals == []
        finally:
            await adapter.application.shutdown()
            await runtime.stop()
