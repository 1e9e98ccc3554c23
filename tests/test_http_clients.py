"""One HTTP client per adapter: the real PTB and slack_sdk calls of many deliveries go over one kept-alive
connection to the stand-in (which notes the client address of every connection a call comes over)."""
from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from app.settings import Settings
from app.wiring import build_runtime
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.pacing import ChannelPacer
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.http import AiohttpRequest
from bot.adapters.telegram.pacing import Pacer
from bot.core.blocks import Reply, text
from bot.core.operations import Delivery, SendMessage
from tests.local_server import serving
from tests.slack_standin import SlackApiStandIn
from tests.telegram_standin import BotApiStandIn


def reply(platform: str, chat_id: str, n: int) -> Delivery:
    return Delivery(op=SendMessage(message=Reply(blocks=[text(f"message {n}")])), platform=platform,
                    chat_id=chat_id, reply_context={"message_id": n})


async def test_telegram_deliveries_reuse_one_connection(tmp_path):
    async with BotApiStandIn() as api:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/t.db", telegram_token=api.token,
                            telegram_api_url=api.base_url, telegram_file_url=api.file_url)
        adapter = TelegramAdapter(build_runtime(settings), settings, commands=False,
                                  pacer=Pacer(per_chat_rate=1000, per_chat_burst=100, global_rate=1000))
        await adapter.application.initialize()  # getMe
        try:
            request = adapter.bot.request
            for n in range(6):
                await adapter.deliver(reply("telegram", str(100 + n % 2), n))
            assert adapter.bot.request is request  # the one client PTB built, not one per call
            assert len(api.calls_of("sendMessage")) == 6
            assert len(api.connections) == 1, api.connections  # getMe and six sends over one connection
        finally:
            await adapter.application.shutdown()


async def test_slack_deliveries_reuse_one_connection(tmp_path):
    async with SlackApiStandIn("xoxb-pool") as slack:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/s.db", slack_bot_token="xoxb-pool",
                            slack_signing_secret="s3cret", slack_api_url=slack.base_url)
        adapter = SlackAdapter(build_runtime(settings), settings, pacer=ChannelPacer(interval=0.0))
        await adapter.start()
        try:
            session = adapter.client.session
            assert session is not None
            for n in range(6):
                await adapter.deliver(reply("slack", f"C{n % 2}POOL", n))
            assert adapter.client.session is session
            assert len(slack.calls_to("chat.postMessage")) == 6
            # slack_sdk without a session opens one, and a connection, per call: six here.
            assert len(slack.connections) == 1, slack.connections
        finally:
            await adapter.stop()
        assert session.closed


async def test_the_telegram_request_raises_what_ptb_expects_for_timeouts_refusals_and_closed_sessions():
    """PTB retries and reports on `TimedOut` and `NetworkError`; the aiohttp request must raise exactly those."""
    async def slow(request):
        await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    async def form(request):  # echoes what arrived, to check the encoding PTB's parameters are sent in
        data = await request.post()
        return web.json_response({"ok": True, "result": {k: (v if isinstance(v, str) else v.file.read().decode())
                                                         for k, v in data.items()}})

    async with serving({"/slow": slow, "/form": form}) as base:
        request = AiohttpRequest(read_timeout=0.2)
        try:
            with pytest.raises(NetworkError, match="not initialized"):  # PTB initializes the Bot first
                await request.post(f"{base}/form")
            await request.initialize()
            with pytest.raises(TimedOut):
                await request.post(f"{base}/slow")
            with socket.socket() as s:  # a port nobody listens on
                s.bind(("127.0.0.1", 0))
                closed = s.getsockname()[1]
            with pytest.raises(NetworkError):
                await request.post(f"http://127.0.0.1:{closed}/form")

            chat = RequestParameter.from_input("chat_id", 7)
            plain = RequestData([chat, RequestParameter.from_input("text", "a & b = c")])
            assert await request.post(f"{base}/form", request_data=plain) == {"chat_id": "7", "text": "a & b = c"}
            csv = InputFile(b"x,y\n1,2\n", filename="a.csv")
            upload = RequestData([chat, RequestParameter.from_input("document", csv)])
            assert await request.post(f"{base}/form", request_data=upload) == {
                "chat_id": "7", "document": "x,y\n1,2\n"}
        finally:
            await request.shutdown()


async def test_a_failed_telegram_call_does_not_carry_the_token_in_its_error():
    request = AiohttpRequest(read_timeout=0.5)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await request.post("http://127.0.0.1:99999/bot123456:SECRET-token/sendMessage")  # aiohttp quotes the URL
        assert "SECRET" not in str(failed.value) and failed.value.__cause__ is None
    finally:
        await request.shutdown()
