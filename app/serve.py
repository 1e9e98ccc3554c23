"""`panelist run`: every configured adapter, one aiohttp server (/healthz, webhooks), and the scheduler."""
from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from app.cli_text import CliText
from app.logs import configure_logging
from app.wiring import build_runtime
from bot.scheduler.ticker import Ticker, core_ticks, router_ticks
from app.settings import Settings
from storage.db import redact_url

log = logging.getLogger("panelist.serve")


def configured_adapters(settings: Settings, runtime) -> list:
    adapters = []
    if settings.telegram_token is not None:
        from bot.adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(runtime, settings))
    if settings.slack_bot_token is not None:
        if settings.slack_signing_secret is None and settings.slack_app_token is None:
            raise SystemExit(CliText.of(settings).text("cli.run.slack_needs_secret"))
        from bot.adapters.slack.adapter import SlackAdapter

        adapters.append(SlackAdapter(runtime, settings))
    return adapters


def http_app(runtime, adapters: list) -> web.Application:
    app = web.Application(client_max_size=runtime.settings.max_upload_bytes + 1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "process": runtime.process_id,
                                  "adapters": sorted(runtime.adapters)})

    app.router.add_get("/healthz", healthz)
    for adapter in adapters:
        add = getattr(adapter, "add_routes", None)
        if add is not None:
            add(app)
    return app


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    configure_logging(settings)
    if settings.telegram_token is None and settings.slack_bot_token is None:
        CliText.of(settings).err("cli.run.nothing_configured")
        return 2
    runtime = build_runtime(settings)
    await runtime.start()
    log.info("storage: %s", redact_url(settings.database_url))
    adapters = configured_adapters(settings, runtime)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    runner = web.AppRunner(http_app(runtime, adapters))
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    log.info("http: listening on %s:%s", settings.http_host, settings.http_port)
    ticker = Ticker()
    core_ticks(ticker, runtime)
    router_ticks(ticker, runtime)
    for adapter in adapters:
        await adapter.start()
    await runtime.sweep_outbox(limit=500)  # replies a dead predecessor staged: now, not at the first tick
    await runtime.recover_inbox()
    ticker.start()
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        ticker.stop()
        await ticker.drain()
        for adapter in reversed(adapters):
            await adapter.stop()
        await runner.cleanup()
        await runtime.stop()
    return 0
