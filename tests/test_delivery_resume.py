"""A reply sent in several calls resumes where it stopped, and failures are classified, on the real Telegram (PTB)
and Slack (slack_sdk) adapters against their stand-ins, on both backends.

The stand-ins are told to fail one Web/Bot API method (`fail(...)`); what the platform received is read back from
the stand-ins' recorded calls and what the outbox row says from the database.
"""
from __future__ import annotations

import base64
import struct
import zlib
from datetime import datetime, timedelta, timezone

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.adapters.slack.adapter import classify
from bot.adapters.telegram.adapter import _classify
from bot.adapters.telegram.pacing import Pacer
from bot.core.blocks import File, Image, Reply, text
from bot.core.operations import EditMessage, SendMessage, Target
from domain.identity import parse_identity
from tests.flows.slack import SlackHarness, dm_channel, slack_user_id
from tests.flows.telegram import TelegramHarness, telegram_user_id

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (the stand-ins read its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def text_and_chart(words: str) -> Reply:
    return Reply(blocks=[text(words), Image(data_b64=base64.b64encode(png()).decode(), filename="chart.png",
                                           alt="the chart")])


def text_and_table(words: str) -> Reply:
    """A document goes after its message on Slack (an image is a block of the message itself, uploaded first)."""
    return Reply(blocks=[text(words), File(data_b64=base64.b64encode(b"day,hours\n1,3\n").decode(),
                                          filename="totals.csv", mime="text/csv")])


def no_network_retries() -> Pacer:
    """The flows' fast pacer, without its in-process network retries: a 5xx reaches the runtime at once."""
    return Pacer(per_chat_rate=10_000, global_rate=100_000, per_chat_burst=1_000, global_burst=1_000,
                 network_retries=0)


async def row_of(chat, words: str) -> dict:
    async with chat.runtime.db.transaction() as tx:
        rows = await tx.fetch("SELECT id, parts_done, attempts, sent_at, failed_at, error, message_id FROM outbox"
                              " WHERE payload LIKE $1 ORDER BY id", f"%{words}%")
    assert len(rows) == 1, rows
    return dict(rows[0])


async def person_of(chat, user: str) -> int:
    key = parse_identity(chat.identity(user))
    async with chat.runtime.db.transaction() as tx:
        return int(await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                     " AND user_id = $3", key.platform, key.workspace, key.user_id))


async def send_to(chat, user: str, reply: Reply, ref: str | None = None) -> None:
    pid = await person_of(chat, user)
    await chat.runtime.send([SendMessage(to=Target.person(pid), message=reply, ref=ref)], person_id=pid)


async def telegram(database_url, **settings) -> TelegramHarness:
    clock = Clock(NOW)
    chat = TelegramHarness(database_url, clock=clock, adapter_options={"pacer": no_network_retries()}, **settings)
    await chat.start()
    return chat


async def slack(database_url, **settings) -> SlackHarness:
    chat = SlackHarness(database_url, clock=Clock(NOW), **settings)
    await chat.start()
    return chat


# Telegram ------------------------------------------------------------------------------------------------------
async def test_telegram_retry_sends_only_the_photo_that_failed(database_url):
    chat = await telegram(database_url)
    try:
        await chat.send("ana", "/help")
        uid = telegram_user_id("ana")
        chat.api.fail("sendPhoto", 500, "Internal Server Error")
        await send_to(chat, "ana", text_and_chart("Zebra totals this month"))
        texts = lambda: [c for c in chat.api.calls_of("sendMessage") if "Zebra totals" in c.params["text"]]  # noqa: E731
        assert len(texts()) == 1
        row = await row_of(chat, "Zebra totals")
        assert row["parts_done"] == 1 and row["attempts"] == 1 and row["sent_at"] is None
        assert row["failed_at"] is None and "NetworkError" in row["error"]
        assert row["message_id"] is not None  # the text's id, for a later edit

        chat.clock.now = NOW + timedelta(hours=1)  # past any backoff
        for _ in range(3):  # sweeping again and again sends nothing more once it is out
            await chat.runtime.sweep_outbox()
        assert len(texts()) == 1, "the text went out once, however often the row was retried"
        photos = [m for m in chat.api.messages_to(uid) if "photo" in m]
        assert len(photos) == 1
        row = await row_of(chat, "Zebra totals")
        assert row["sent_at"] is not None and row["parts_done"] == 1  # the last part needs no extra write
        assert [r.method for r in chat.api.injected] == ["sendPhoto"]
        assert not chat.refusals()
    finally:
        await chat.stop()


async def test_telegram_permanent_refusals_fail_at_once_and_transient_ones_are_bounded(database_url):
    chat = await telegram(database_url, delivery_max_attempts=3, delivery_retry_seconds=1)
    try:
        for user in ("bea", "cid", "dee"):
            await chat.send(user, "/help")
        chat.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await send_to(chat, "bea", Reply(blocks=[text("for bea")]))
        bea = await row_of(chat, "for bea")
        assert bea["failed_at"] is not None and bea["attempts"] == 1 and "blocked" in bea["error"]

        chat.api.fail("sendMessage", 400, "Bad Request: chat not found")
        await send_to(chat, "cid", Reply(blocks=[text("for cid")]))
        cid = await row_of(chat, "for cid")
        assert cid["failed_at"] is not None and "chat not found" in cid["error"].lower()

        chat.api.fail("sendMessage", 502, "Bad Gateway", times=10)
        await send_to(chat, "dee", Reply(blocks=[text("for dee")]))
        for attempt in (1, 2):
            dee = await row_of(chat, "for dee")
            assert dee["failed_at"] is None and dee["attempts"] == attempt and dee["sent_at"] is None
            assert await chat.runtime.sweep_outbox() == 0  # not due yet: backing off
            chat.clock.now += timedelta(hours=1)
            await chat.runtime.sweep_outbox()
        dee = await row_of(chat, "for dee")
        assert dee["failed_at"] is not None and dee["attempts"] == 3 and "gave up after 3 attempts" in dee["error"]
        chat.clock.now += timedelta(hours=1)
        await chat.runtime.sweep_outbox()  # a failed row is not tried again by itself
        tried = lambda words: len([c for c in chat.api.calls_of("sendMessage") if c.params["text"] == words])  # noqa: E731
        assert (tried("for bea"), tried("for cid"), tried("for dee")) == (1, 1, 3)
        assert not chat.refusals()
    finally:
        await chat.stop()


async def test_telegram_not_modified_counts_as_delivered(database_url):
    chat = await telegram(database_url)
    try:
        await chat.send("eli", "/help")
        await send_to(chat, "eli", Reply(blocks=[text("the same words")]), ref="eli:card")
        pid = await person_of(chat, "eli")
        chat.adapter._shown.clear()  # as after a restart: only Telegram knows the message already says this
        await chat.runtime.send([EditMessage(to=Target.person(pid), ref="eli:card",
                                             message=Reply(blocks=[text("the same words")]))], person_id=pid)
        async with chat.runtime.db.transaction() as tx:
            rows = await tx.fetch("SELECT sent_at, failed_at, attempts FROM outbox WHERE payload LIKE '%the same words%'")
        assert len(rows) == 2 and all(r["sent_at"] is not None and r["failed_at"] is None and r["attempts"] == 0
                                      for r in rows)
        assert [r.description for r in chat.api.refusals] == [
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the"
            " same as a current content and reply markup of the message"]
        chat.api.refusals.clear()  # Telegram's answer to the unchanged edit is the point of this test
    finally:
        await chat.stop()


def test_telegram_errors_are_classified():
    assert _classify(Forbidden("Forbidden: bot was blocked by the user")).permanent
    assert _classify(BadRequest("Bad Request: chat not found")).permanent
    assert _classify(ChatMigrated(-100123)).permanent
    for transient in (TimedOut(), NetworkError("Bad Gateway"), NetworkError("Internal Server Error (500)")):
        failed = _classify(transient)
        assert not failed.permanent and failed.retry_after is None
    limited = _classify(RetryAfter(17))
    assert not limited.permanent and limited.retry_after == 17


# Slack ---------------------------------------------------------------------------------------------------------
async def test_slack_retry_uploads_only_the_file_that_failed(database_url):
    chat = await slack(database_url)
    try:
        await chat.send("ana", "/help")
        channel = dm_channel(slack_user_id("ana"))
        chat.standin.fail("files.getUploadURLExternal", "internal_error", 500)
        await send_to(chat, "ana", text_and_table("Zebra totals this month"))
        posts = lambda: [m for m in chat.standin.messages_in(channel) if "Zebra totals" in str(m)]  # noqa: E731
        assert len(posts()) == 1 and not chat.standin.uploaded_files()
        row = await row_of(chat, "Zebra totals")
        assert row["parts_done"] == 1 and row["attempts"] == 1 and row["sent_at"] is None and row["failed_at"] is None

        chat.clock.now = NOW + timedelta(hours=1)
        for _ in range(3):
            await chat.runtime.sweep_outbox()
        assert len(posts()) == 1, "the text was posted once, however often the row was retried"
        assert [f.name for f in chat.standin.uploaded_files()] == ["totals.csv"]
        row = await row_of(chat, "Zebra totals")
        assert row["sent_at"] is not None and row["message_id"] is not None
        assert [r.method for r in chat.standin.injected] == ["files.getUploadURLExternal"]
        assert not chat.refusals()
    finally:
        await chat.stop()


async def test_slack_permanent_refusals_fail_at_once_and_transient_ones_are_retried(database_url):
    chat = await slack(database_url, delivery_max_attempts=2, delivery_retry_seconds=1)
    try:
        for user in ("bea", "cid", "dee"):
            await chat.send(user, "/help")
        chat.standin.fail("chat.postMessage", "account_inactive", 200)
        await send_to(chat, "bea", Reply(blocks=[text("for bea")]))
        bea = await row_of(chat, "for bea")
        assert bea["failed_at"] is not None and bea["attempts"] == 1 and bea["error"] == "account_inactive"

        chat.standin.fail("chat.postMessage", "channel_not_found", 200)
        await send_to(chat, "cid", Reply(blocks=[text("for cid")]))
        assert (await row_of(chat, "for cid"))["failed_at"] is not None

        chat.standin.fail("chat.postMessage", "service_unavailable", 503)
        await send_to(chat, "dee", Reply(blocks=[text("for dee")]))
        dee = await row_of(chat, "for dee")
        assert dee["failed_at"] is None and dee["attempts"] == 1 and "service_unavailable" in dee["error"]
        chat.clock.now += timedelta(hours=1)
        assert await chat.runtime.sweep_outbox() == 1  # the transient trouble is over: sent
        dee = await row_of(chat, "for dee")
        assert dee["sent_at"] is not None
        assert sum("for dee" in str(m) for m in chat.standin.messages_in(dm_channel(slack_user_id("dee")))) == 1
        assert not chat.refusals()
    finally:
        await chat.stop()


def slack_error(error: str, status: int, headers: dict | None = None) -> SlackApiError:
    response = AsyncSlackResponse(client=None, http_verb="POST", api_url="https://slack.invalid/api/x",
                                  req_args={}, data={"ok": False, "error": error}, headers=headers or {},
                                  status_code=status)
    return SlackApiError(error, response)


def test_slack_errors_are_classified():
    for refusal in ("channel_not_found", "not_in_channel", "account_inactive", "is_archived", "invalid_blocks",
                    "some_new_refusal"):
        assert classify(slack_error(refusal, 200)).permanent, refusal
    for transient in ("internal_error", "fatal_error", "service_unavailable", "request_timeout"):
        assert not classify(slack_error(transient, 200)).permanent, transient
    assert not classify(slack_error("unknown_error", 502)).permanent
    limited = classify(slack_error("ratelimited", 429, {"Retry-After": "30"}))
    assert not limited.permanent and limited.retry_after == 30
