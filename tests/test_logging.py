"""The operator's log: the scheduler's per-run lines and access lines only at DEBUG, a failing tick always shows."""
from __future__ import annotations

import asyncio
import io
import logging

import pytest

from app.settings import Settings
from app.wiring import configure_logging
from bot.scheduler.ticker import Ticker


@pytest.fixture
def captured():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in ("apscheduler", "aiohttp.access")}
    buffer = io.StringIO()

    def configure(settings: Settings) -> io.StringIO:
        configure_logging(settings)
        root.handlers[0].setStream(buffer)
        return buffer

    yield configure
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def tick_a_while(runs: dict[str, int]) -> None:
    async def fine() -> None:
        runs["fine"] += 1

    async def broken() -> None:
        runs["broken"] += 1
        raise RuntimeError("the database is gone")

    ticker = Ticker()
    ticker.every(0.05, fine, "fine")
    ticker.every(0.05, broken, "broken")
    ticker.start()
    try:
        while runs["fine"] < 3 or runs["broken"] < 3:
            await asyncio.sleep(0.02)
    finally:
        ticker.stop()
        await ticker.drain()
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /slack/events HTTP/1.1" 200')


async def test_info_leaves_out_the_schedulers_runs_and_keeps_what_failed(captured):
    out = captured(Settings(database_url="sqlite:///x.db"))
    runs = {"fine": 0, "broken": 0}
    await tick_a_while(runs)
    text = out.getvalue()
    assert "Running job" not in text and "executed successfully" not in text and "POST /slack/events" not in text
    assert text.count("ERROR panelist.scheduler: tick broken failed") == runs["broken"]
    assert "the database is gone" in text


async def test_debug_brings_them_back(captured):
    out = captured(Settings(database_url="sqlite:///x.db", log_level="DEBUG"))
    await tick_a_while({"fine": 0, "broken": 0})
    text = out.getvalue()
    assert "Running job" in text and "POST /slack/events" in text


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError):
        Settings(database_url="sqlite:///x.db", log_level="LOUD")
