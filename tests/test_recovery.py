"""Back in seconds after a crash (issue 15, point 5), with real `panelist run` processes and SIGKILL.

A bot polls Telegram and has just committed a reply that the (held) Bot API has not taken yet; it is killed.
Its polling lease and its claim on the reply are then stretched to an hour, so only liveness (the dead process's
pid is gone) can explain what follows: on SQLite a restarted bot polls again and sends the staged reply; on
PostgreSQL a sibling that was running all along takes over polling and sends it. Nothing is sent twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from storage.db import open_database
from tests.bots import BotProcess, HoldingStandIn, until
from tests.flows.telegram import telegram_user_id


async def q(url: str, sql: str, *args):
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return await tx.fetch(sql, *args)


async def staged_unsent(url: str) -> bool:
    rows = await q(url, "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL AND claimed_by IS NOT NULL")
    return rows[0]["n"] > 0


async def stretch_to_an_hour(url: str) -> None:
    """As if the lease and the claims had TTLs of an hour: waiting them out is not how the takeover happens."""
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    async with open_database(url) as db:
        async with db.transaction() as tx:
            assert await tx.execute("UPDATE leases SET expires_at = $1", later) == 1
            assert await tx.execute("UPDATE outbox SET claimed_until = $1 WHERE sent_at IS NULL", later) == 1


@pytest.mark.parametrize("siblings", [0, 1], ids=["restart", "sibling-takes-over"])
async def test_a_killed_poller_is_replaced_at_once_and_its_staged_reply_sent_once(database_url, backend, siblings,
                                                                                tmp_path):
    if siblings and backend == "sqlite":
        pytest.skip("several processes share a database on PostgreSQL only")
    api = await HoldingStandIn().start()
    bots: list[BotProcess] = []
    try:
        first = await BotProcess(api, database_url, tmp_path, "first").start()
        bots.append(first)
        first_id = await first.ready()
        await until(lambda: api.calls_of("getUpdates"), "the first bot to poll", 30, first)
        if siblings:
            sibling = await BotProcess(api, database_url, tmp_path, "sibling").start()
            bots.append(sibling)
            await sibling.ready()
        uid = telegram_user_id("kai")
        api.hold()
        api.push_update(api.message_update(uid, "/help"))
        await until(lambda: staged_unsent(database_url), "the reply to be committed", 30, *bots)
        await until(lambda: api.held == 1, "the reply to reach the Bot API", 30, *bots)
        [lease] = await q(database_url, "SELECT holder FROM leases")
        assert lease["holder"] == first_id

        first.kill()
        await first.wait()
        await stretch_to_an_hour(database_url)
        api.release()
        polls = len(api.calls_of("getUpdates"))
        if siblings:
            taker = bots[1]
        else:
            taker = await BotProcess(api, database_url, tmp_path, "restarted").start()
            bots.append(taker)
            await taker.ready()
        await until(lambda: len(api.messages_to(uid)) == 1, "the staged reply to be sent", 30, *bots)
        await until(lambda: len(api.calls_of("getUpdates")) > polls, "polling again", 30, *bots)
        [lease] = await q(database_url, "SELECT holder FROM leases")
        assert lease["holder"] == taker.process_id
        api.push_update(api.message_update(uid, "/profile"))
        await until(lambda: len(api.messages_to(uid)) == 2, "the next update answered", 30, *bots)
        assert "/profile" in api.messages_to(uid)[0]["text"]  # /help's reply, once
        rows = await q(database_url, "SELECT process_id FROM processes ORDER BY process_id")
        assert first_id not in [r["process_id"] for r in rows]  # judged dead and buried

        assert await taker.terminate() == 0
        assert "Traceback" not in taker.log()
        assert not [r for r in api.refusals if r.error_code == 409], "two processes polled at once"
    finally:
        for bot in bots:
            await bot.close()
        await api.stop()
