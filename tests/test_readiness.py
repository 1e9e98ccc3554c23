"""`/healthz` says the process is alive; `/readyz` says whether it should get traffic, and if not, why: the
database answers, its migrations are the code's, every configured adapter started and its platform answers."""
from __future__ import annotations

import aiohttp
from aiohttp import web

from app.serve import http_app
from tests.flows.telegram import TelegramHarness


async def get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def serving(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


async def test_ready_means_database_migrations_adapters_and_platform(database_url):
    async with TelegramHarness(database_url) as chat:
        started: set[str] = set()
        runner, base = await serving(http_app(chat.runtime, [chat.adapter], started))
        try:
            status, body = await get(f"{base}/readyz")
            assert status == 503 and body["reasons"] == {"telegram": "not started"}
            started.add("telegram")
            assert await get(f"{base}/readyz") == (200, {"ready": True, "process": chat.runtime.process_id,
                                                         "reasons": {}})

            # the platform fails: not ready, with Telegram's answer as the reason, until a call succeeds again
            chat.api.fail("sendMessage", 502, "Bad Gateway", times=chat.adapter.pacer.network_retries + 1)
            await chat.send("ana", "/help")
            status, body = await get(f"{base}/readyz")
            assert status == 503 and list(body["reasons"]) == ["telegram"]
            assert "last call failed" in body["reasons"]["telegram"]
            await chat.send("ana", "/help")
            assert (await get(f"{base}/readyz"))[0] == 200

            # a person who blocked the bot says nothing about Telegram
            chat.api.block_chat(chat.user_id("ana"))
            await chat.send("ana", "/help")
            assert (await get(f"{base}/readyz"))[0] == 200

            # a database a newer Panelist migrated
            async with chat.runtime.db.transaction() as tx:
                await tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'x.sql',"
                                 " CURRENT_TIMESTAMP)")
            status, body = await get(f"{base}/readyz")
            assert status == 503 and body["reasons"]["migrations"].startswith("database at 9999")
            async with chat.runtime.db.transaction() as tx:
                await tx.execute("DELETE FROM schema_migrations WHERE version = 9999")

            # the database gone: alive, not ready
            await chat.runtime.db.close()
            assert (await get(f"{base}/healthz"))[0] == 200
            status, body = await get(f"{base}/readyz")
            assert status == 503 and "database" in body["reasons"]
            await chat.runtime.db.connect()
        finally:
            await runner.cleanup()
