"""The scheduler only ticks; the database is the truth.

APScheduler 3.x (AsyncIOScheduler, UTC, in-memory job store) calls the tick functions; each tick claims its
work in the database, so several processes ticking at once send nothing twice. `coalesce` makes a tick missed
during downtime run once, not once per missed interval.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("panelist.scheduler")
Tick = Callable[[], Awaitable[object]]


class Ticker:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None,
        })
        self._running: set[asyncio.Task] = set()  # ticks in progress, so a stop can wait for them

    def every(self, seconds: float, tick: Tick, name: str) -> None:
        async def guarded() -> None:
            task = asyncio.current_task()
            self._running.add(task)
            try:
                await tick()
            except asyncio.CancelledError:  # stopped (see `drain`): the tick's transaction rolled back
                log.info("tick %s stopped before it finished", name)
            except Exception:  # one failing tick must not stop the others
                log.exception("tick %s failed", name)
            finally:
                self._running.discard(task)

        self._scheduler.add_job(guarded, "interval", seconds=seconds, id=name, name=name)

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def drain(self, grace: float = 10.0) -> None:
        """After `stop()`: let ticks in progress finish for up to `grace` seconds, then cancel them (what a cancelled
        sweep had claimed is released by the runtime's stop), so nothing runs on after the database is closed."""
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


def core_ticks(ticker: Ticker, runtime) -> None:
    """What every process ticks: leftover outbox rows, inbox rows a crashed process accepted, old tokens."""
    ticker.every(2, lambda: runtime.sweep_outbox(limit=500), "outbox.sweep")
    # Rows of dead processes and this process's own failed turns are taken at once (the 30 s grace is for rows
    # of no known process); a live process's queued rows are left to it (runtime.unprocessed).
    ticker.every(5, lambda: runtime.recover_inbox(grace=timedelta(seconds=30)), "inbox.recover")
    ticker.every(3600, runtime.purge_expired, "tokens.purge")


def router_ticks(ticker: Ticker, runtime) -> None:
    """What the application registered with `@router.tick`, each run by the runtime in its own transaction."""
    for tick in runtime.router.ticks.values():
        ticker.every(tick.every, lambda tick=tick: runtime.run_tick(tick), tick.name)
