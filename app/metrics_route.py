"""`/metrics`: the process's Prometheus metrics, with what only the database knows read at scrape time (inbox
lag, outbox backlog) and what the adapters counted (429s, network retries)."""
from __future__ import annotations

from datetime import datetime, timezone

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.core.metrics import Metrics
from storage.uow import UnitOfWork


def _age(oldest, now: datetime) -> float:
    if oldest is None:
        return 0.0
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return max(0.0, (now - oldest).total_seconds())


async def refresh(runtime, metrics: Metrics, adapters: list) -> None:
    now = runtime.clock()
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        inbox, outbox = await uow.inbox.backlog(), await uow.outbox.backlog()
    platforms = {a.platform for a in adapters} | {r["platform"] for r in inbox + outbox}
    waiting_in = {r["platform"]: r for r in inbox}
    waiting_out = {r["platform"]: r for r in outbox}
    for platform in platforms:
        row = waiting_in.get(platform)
        metrics.inbox_waiting.labels(platform).set(row["waiting"] if row else 0)
        metrics.inbox_lag_seconds.labels(platform).set(_age(row["oldest"], now) if row else 0)
        row = waiting_out.get(platform)
        metrics.outbox_backlog.labels(platform).set(row["waiting"] if row else 0)
        metrics.outbox_oldest_seconds.labels(platform).set(_age(row["oldest"], now) if row else 0)
    for adapter in adapters:
        pacer = getattr(adapter, "pacer", None)
        for reason, attribute in (("rate_limited", "retry_after_waits"), ("rate_limited", "rate_limited"),
                                  ("network", "network_retry_count")):
            if isinstance(getattr(pacer, attribute, None), int):
                metrics.platform_waits.labels(adapter.platform, reason).set(getattr(pacer, attribute))


def add_metrics_route(app: web.Application, runtime, adapters: list) -> None:
    metrics: Metrics = runtime.metrics

    async def scrape(request: web.Request) -> web.Response:
        await refresh(runtime, metrics, adapters)
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", scrape)
