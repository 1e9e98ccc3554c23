"""The operator's log: the scheduler's per-run lines and access lines only at DEBUG, a failing tick always shows."""
from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from app.settings import Settings
from app.logs import configure_logging
from bot.core.log_context import turn_of
from bot.scheduler.ticker import FailureLog, Ticker


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
    # a tick failing at every run says so once (within a minute), in one line, without a traceback
    assert runs["broken"] >= 3
    assert text.count("tick broken failed: RuntimeError: the database is gone") == 1
    assert "Traceback" not in text and text.count("\n") == 1


async def test_debug_brings_them_back(captured):
    out = captured(Settings(database_url="sqlite:///x.db", log_level="DEBUG"))
    await tick_a_while({"fine": 0, "broken": 0})
    text = out.getvalue()
    assert "Running job" in text and "POST /slack/events" in text


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError):
        Settings(database_url="sqlite:///x.db", log_level="LOUD")


def test_a_failing_tick_is_told_once_a_minute_and_when_it_works_again(captured):
    out = captured(Settings(database_url="sqlite:///x.db"))
    now = [0.0]
    failures = FailureLog("outbox.sweep", clock=lambda: now[0])
    for second in range(0, 150, 2):  # two and a half minutes of a tick every 2 s, all failing
        now[0] = float(second)
        failures.failed(ConnectionRefusedError("connection refused"))
    failures.worked()
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines  # the start, once a minute twice, and the recovery
    assert "tick outbox.sweep failed: ConnectionRefusedError: connection refused" in lines[0]
    assert "still failing (30 more times)" in lines[1] and "still failing (30 more times)" in lines[2]
    assert "works again after 75 failed runs" in lines[3]


def test_json_lines_carry_the_turn_and_never_a_secret(captured):
    token = "123456:AAsecretPARTofTHEtoken"
    out = captured(Settings(database_url="sqlite:///x.db", log_format="json", telegram_token=token))
    log = logging.getLogger("panelist.test")
    with turn_of("telegram", "4242"):
        log.warning("sending to %s", "chat 7")
        try:
            raise ValueError(f"The token `{token}` was rejected by the server.")  # what PTB's InvalidToken says
        except ValueError:
            log.exception("start failed")
    log.info("outside a turn; half a token: %s", token.split(":")[1])
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [e["message"] for e in entries] == ["sending to chat 7", "start failed", "outside a turn; half a token: ***"]
    assert entries[0]["platform"] == "telegram" and entries[0]["delivery_id"] == "4242"
    assert "delivery_id" not in entries[2]
    assert "ValueError" in entries[1]["exception"] and "***" in entries[1]["exception"]
    assert token not in out.getvalue() and token.split(":")[1] not in out.getvalue()


def test_text_lines_name_the_turn_and_mask_tracebacks(captured):
    token = "xoxb-1111-2222-abcdefSECRET"
    out = captured(Settings(database_url="sqlite:///x.db", slack_bot_token=token))
    with turn_of("slack", "Ev123"):
        try:
            raise RuntimeError(f"auth.test refused {token}")
        except RuntimeError:
            logging.getLogger("panelist.test").exception("slack start failed")
    text = out.getvalue()
    assert "slack start failed [slack Ev123]" in text and "Traceback" in text
    assert token not in text and "auth.test refused ***" in text
