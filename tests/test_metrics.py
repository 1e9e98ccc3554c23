"""`/metrics` (PANELIST_METRICS=true): turns and deliveries by platform and outcome, turn and transaction times,
inbox lag and outbox backlog read at scrape time, ticks run and missed; never a label that names a person."""
from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from app.serve import http_app
from bot.core.metrics import Metrics
from bot.scheduler.ticker import Ticker
from tests.flows.telegram import TelegramHarness


async def scrape(app: web.Application) -> tuple[int, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as r:
            return r.status, await r.text()
    finally:
        await runner.cleanup()


def samples(body: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


async def test_turns_deliveries_and_backlogs_are_counted_without_people(database_url):
    async with TelegramHarness(database_url, metrics=True) as chat:
        await chat.send("ana", "/help")
        await chat.send("ana", "/profile")
        await chat.send("bo", "/help")
        status, body = await scrape(http_app(chat.runtime, [chat.adapter]))
        users = [str(chat.user_id(u)) for u in ("ana", "bo")]
    assert status == 200
    got = samples(body)
    turns = {labels: v for (name, labels), v in got.items() if name == "panelist_turns_total"}
    assert turns[(("kind", "command"), ("outcome", "ok"), ("platform", "telegram"))] == 3
    sent = got[("panelist_deliveries_total", (("outcome", "sent"), ("platform", "telegram")))]
    assert sent >= 3
    assert got[("panelist_turn_seconds_count", (("platform", "telegram"),))] == 3
    assert got[("panelist_db_transaction_seconds_count", ())] >= 3
    assert got[("panelist_outbox_backlog", (("platform", "telegram"),))] == 0
    assert got[("panelist_inbox_waiting", (("platform", "telegram"),))] == 0
    assert all(user not in body for user in users)  # no label or value names a person


async def test_metrics_are_off_unless_asked(database_url):
    async with TelegramHarness(database_url) as chat:
        status, _ = await scrape(http_app(chat.runtime, [chat.adapter]))
    assert status == 404


async def test_ticks_are_timed_and_a_skipped_run_is_counted():
    metrics = Metrics()
    ticker = Ticker(on_run=metrics.tick_ran, on_missed=metrics.tick_missed)
    release = asyncio.Event()
    runs = {"slow": 0, "broken": 0}

    async def slow() -> None:
        runs["slow"] += 1
        await release.wait()  # still running when the next run is due: that run is skipped

    async def broken() -> None:
        runs["broken"] += 1
        raise RuntimeError("down")

    ticker.every(0.05, slow, "slow")
    ticker.every(0.05, broken, "broken")
    ticker.start()
    try:
        while (metrics.registry.get_sample_value("panelist_ticks_missed_total", {"tick": "slow"}) or 0) < 2 \
                or runs["broken"] < 2:
            await asyncio.sleep(0.02)
    finally:
        release.set()
        ticker.stop()
        await ticker.drain()
    assert runs["slow"] == 1
    assert metrics.registry.get_sample_value("panelist_tick_failures_total", {"tick": "broken"}) == runs["broken"]
    assert metrics.registry.get_sample_value("panelist_tick_seconds_count", {"tick": "broken"}) == runs["broken"]
