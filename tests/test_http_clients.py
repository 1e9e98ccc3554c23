"""One HTTP client per adapter: the real PTB and slack_sdk calls of many deliveries go over one kept-alive
connection to the stand-in (which notes the client address of every connection a call comes over)."""
from __future__ import annotations

from app.settings import Settings
from app.wiring import build_runtime
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.pacing import ChannelPacer
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.pacing import Pacer
from bot.core.blocks import Reply, text
from bot.core.operations import Delivery, SendMessage
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
