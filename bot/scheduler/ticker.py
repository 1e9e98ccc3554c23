"""The scheduler only ticks; the database is the truth.

APScheduler 3.x (AsyncIOScheduler, UTC, in-memory job store) calls the tick functions; each tick claims its
work in the database, so several processes ticking at once send nothing twice. `coalesce` makes a tick missed
during downtime run once, not once per missed interval.
"""
from __future__ import annotations

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

    def every(self, seconds: float, tick: Tick, name: str) -> None:
        async def guarded() -> None:
            try:
                await tick()
            except Exception:  # one failing tick must not stop the others
                log.exception("tick %s failed", name)

        self._scheduler.add_job(guarded, "interval", seconds=seconds, id=name, name=name)

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


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
