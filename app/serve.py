"""`panelist run`: every configured adapter, one aiohttp server (/healthz, webhooks), and the scheduler."""
from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack
from typing import Callable

from aiohttp import web

from app.cli_text import CliText
from app.startup import StartupProblem, settings_problems, step
from app.logs import configure_logging
from app.wiring import build_runtime
from bot.scheduler.ticker import Ticker, core_ticks, router_ticks
from app.settings import Settings
from bot.core.health import PlatformHealth
from storage.db import redact_url
from storage.migrate import schema_versions

log = logging.getLogger("panelist.serve")


def configured_adapters(settings: Settings, runtime) -> list:
    """The adapters the settings enable (their combinations are checked first: app/startup.py)."""
    adapters = []
    if settings.telegram_token is not None:
        from bot.adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(runtime, settings))
    if settings.slack_bot_token is not None:
        from bot.adapters.slack.adapter import SlackAdapter

        adapters.append(SlackAdapter(runtime, settings))
    return adapters


READY_DB_SECONDS = 2.0
PLATFORM_TROUBLE_SECONDS = 120.0  # a platform that failed more recently than this, with no success since


def http_app(runtime, adapters: list, started: set[str] | None = None) -> web.Application:
    """The one HTTP server: `/healthz` (alive: the process answers), `/readyz` (ready: the reasons it is not, in
    JSON, with 503), and the adapters' webhook routes."""
    app = web.Application(client_max_size=runtime.settings.max_upload_bytes + 1024 * 1024)
    started = started if started is not None else {a.platform for a in adapters}

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "process": runtime.process_id,
                                  "adapters": sorted(runtime.adapters)})

    async def readyz(request: web.Request) -> web.Response:
        reasons = await not_ready(runtime, adapters, started)
        return web.json_response({"ready": not reasons, "process": runtime.process_id, "reasons": reasons},
                                 status=503 if reasons else 200)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if runtime.metrics is not None:
        from app.metrics_route import add_metrics_route

        add_metrics_route(app, runtime, adapters)
    for adapter in adapters:
        add = getattr(adapter, "add_routes", None)
        if add is not None:
            add(app)
    return app


async def not_ready(runtime, adapters: list, started: set[str]) -> dict[str, str]:
    """Why this process should not get traffic now, by part; empty when it should."""
    reasons: dict[str, str] = {}
    try:
        applied, known = await asyncio.wait_for(schema_versions(runtime.db), READY_DB_SECONDS)
        if applied != known:
            reasons["migrations"] = f"database at {applied}, code at {known}"
    except Exception as exc:  # noqa: BLE001 - the reason is the answer
        reasons["database"] = f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__
    for adapter in adapters:
        if adapter.platform not in started:
            reasons[adapter.platform] = "not started"
        elif trouble := runtime.health.get(adapter.platform, PlatformHealth()).troubled(PLATFORM_TROUBLE_SECONDS):
            reasons[adapter.platform] = f"last call failed: {trouble}"
    return reasons


async def serve(settings: Settings, stop: asyncio.Event | None = None,
                on_started: Callable[[], None] | None = None) -> int:
    """Run until `stop` (or SIGINT/SIGTERM). A problem at start-up is one line on stderr and exit status 2,
    with whatever had started stopped again (app/startup.py). `on_started` is called once every part has
    started (`panelist run` settles the heap there: app/heap.py)."""
    configure_logging(settings)
    say = CliText.of(settings)
    if settings.telegram_token is None and settings.slack_bot_token is None:
        say.err("cli.run.nothing_configured")
        return 2
    fatal, suspicious = settings_problems(settings)
    for problem in suspicious:
        log.warning("%s: %s", problem.setting, say(problem.cause))
    try:
        if fatal:
            raise fatal[0]
        async with AsyncExitStack() as started:
            await _run(settings, stop or asyncio.Event(), started, on_started)
    except StartupProblem as problem:
        log.debug("start-up failed", exc_info=True)
        for each in fatal or [problem]:
            say.err("startup.line", setting=each.setting, cause=each.cause)
        return 2
    return 0


async def _run(settings: Settings, stop: asyncio.Event, started: AsyncExitStack,
               on_started: Callable[[], None] | None = None) -> None:
    """Start every part, each stopped by `started` in reverse order (also when a later part fails to start)."""
    runtime = build_runtime(settings)
    await step(runtime.blobs.check(), "PANELIST_MEDIA_URL")
    await step(runtime.start(), "PANELIST_DATABASE_URL")
    started.push_async_callback(runtime.stop)
    log.info("storage: %s", redact_url(settings.database_url))
    adapters = configured_adapters(settings, runtime)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    ready: set[str] = set()  # adapters started, for /readyz
    runner = web.AppRunner(http_app(runtime, adapters, ready))
    await runner.setup()
    started.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await step(site.start(), "PANELIST_HTTP_PORT")
    log.info("http: listening on %s:%s", settings.http_host, settings.http_port)
    for adapter in adapters:
        await step(adapter.start(), _setting_of(adapter))
        started.push_async_callback(adapter.stop)
        ready.add(adapter.platform)
    ticker = Ticker(on_run=runtime.metrics.tick_ran, on_missed=runtime.metrics.tick_missed) if runtime.metrics \
        else Ticker()
    core_ticks(ticker, runtime)
    router_ticks(ticker, runtime)
    await runtime.sweep_outbox(limit=500)  # replies a dead predecessor staged: now, not at the first tick
    await runtime.recover_inbox()
    ticker.start()
    started.push_async_callback(ticker.drain)
    started.callback(ticker.stop)
    if on_started is not None:
        on_started()
    await stop.wait()
    log.info("stopping")


def _setting_of(adapter) -> str:
    return {"telegram": "PANELIST_TELEGRAM_TOKEN", "slack": "PANELIST_SLACK_BOT_TOKEN"}.get(adapter.platform,
                                                                                          adapter.platform)
