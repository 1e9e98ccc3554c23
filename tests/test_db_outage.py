"""PostgreSQL goes away and comes back (issue 15, point 6), through a real TCP proxy the test cuts and restores.

While the database is unreachable nothing inbound is acknowledged: Telegram's offset does not move (the stand-in
keeps the update and offers it again) and a signed Slack event gets a non-2xx answer, so Slack retries. When the
database is back, the same bot — not restarted — handles each exactly once. PostgreSQL only: an embedded SQLite
file cannot become unreachable.
"""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest

from storage.db import open_database
from tests.backends import PG_URL, drop_schema, new_database_url, require_postgres
from tests.flows.slack import SlackHarness, dm_channel, slack_escape
from tests.flows.telegram import TelegramHarness, telegram_user_id
from tests.slack_standin.signing import event_body


class Proxy:
    """A loopback TCP proxy to PostgreSQL: `cut()` drops every connection and refuses new ones; `restore()`."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> "Proxy":
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._links -= {writer, up_writer}

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        self._server = None
        for w in list(self._links):
            w.transport.abort()
        self._links.clear()

    async def restore(self) -> None:
        await self.start()


async def until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def proxied(tmp_path):
    require_postgres()
    url, schema = new_database_url("postgres", tmp_path)
    parts = urlsplit(PG_URL)
    proxy = await Proxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    through = urlsplit(url)
    netloc = through.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    yield urlunsplit(through._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)), url, proxy
    if proxy._server is not None:
        await proxy.cut()
    await drop_schema(schema)


async def test_nothing_is_acknowledged_while_the_database_is_away_and_all_is_handled_once_after(proxied):
    url, direct, proxy = proxied
    telegram = TelegramHarness(url, adapter_options={"lease_ttl": timedelta(seconds=3), "lease_retry": 0.2})
    slack = SlackHarness(url)
    await telegram.start()
    await slack.start()
    try:
        await telegram.send("tia", "/help")
        await slack.send("sol", "/help")
        uid = telegram.user_id("tia")
        sol = slack.uid("sol")
        before_tg, before_slack = len(telegram.api.messages_to(uid)), len(slack.received("sol"))

        await proxy.cut()
        update = telegram.api.push_update(telegram.api.message_update(uid, "/profile"))
        event = {"type": "message", "channel": dm_channel(sol), "channel_type": "im", "text": slack_escape("/profile"),
                 "ts": f"{time.time():.6f}"}
        body = event_body("T0TEST", sol, event, slack.new_event_id())
        status, _ = await slack.post(body)
        assert not 200 <= status < 300, status  # Slack retries what was not acknowledged
        # The poller cannot renew its lease, so it stops polling; the update was never confirmed.
        await until(lambda: not telegram.adapter.polling, "the poller to give up its lease")
        assert [u["update_id"] for u in telegram.api.pending_updates] == [update["update_id"]]
        assert len(telegram.api.messages_to(uid)) == before_tg

        await proxy.restore()
        await until(lambda: len(telegram.api.messages_to(uid)) > before_tg, "the update handled after the outage")
        status, _ = await slack.post(body, retry_num=1)  # Slack's retry of the refused event
        assert status == 200
        await until(lambda: telegram.api.pending_updates == [], "the update confirmed")
        await telegram.adapter.drain()
        assert len(telegram.api.messages_to(uid)) == before_tg + 1
        assert len(slack.received("sol")) == before_slack + 1
        async with open_database(direct) as db:
            async with db.transaction() as tx:
                rows = await tx.fetch("SELECT platform, processed_at FROM inbox ORDER BY id")
                assert [r["platform"] for r in rows] == ["telegram", "slack", "telegram", "slack"]
                assert all(r["processed_at"] is not None for r in rows)
                assert await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0
                alive = {r["process_id"] for r in await tx.fetch("SELECT process_id FROM processes")}
                assert {telegram.runtime.process_id, slack.runtime.process_id} <= alive  # beating again
        assert telegram.refusals() == [] and slack.refusals() == []
    finally:
        await slack.stop()
        await telegram.stop()
