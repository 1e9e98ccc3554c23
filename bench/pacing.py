"""The pacers' speed against the stand-ins with rate limits on: achieved rate as a share of the allowed rate.

    python bench/pacing.py

Telegram: 200 messages to 20 chats through `Pacer` against a stand-in allowing 1 per chat and 10 overall per
0.1 s (Telegram's 1/s and 30/s, scaled down). Slack: 3 messages to each of 3 channels through `ChannelPacer`
against a stand-in allowing 1 per channel per 0.5 s. Prints seconds, achieved rate, share of the limit and
429 refusals. (The pacing tests check order, completeness and the absence of 429s; speed is measured here.)
"""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


async def telegram_run() -> None:
    import telegram

    from bot.adapters.telegram.pacing import Pacer
    from bot.adapters.telegram.render import render_reply
    from bot.core.blocks import Reply, text
    from tests.telegram_standin import BotApiStandIn

    async with BotApiStandIn(per_chat_limit=1, global_limit=10, window=0.1) as api:
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            pacer = Pacer(per_chat_rate=1 / 0.15, global_rate=60.0)
            chats = [5000 + i for i in range(20)]
            started = time.perf_counter()
            await asyncio.gather(*(pacer.execute(bot, c, render_reply(Reply(blocks=[text(f"m{n}")]), c))
                                   for n in range(10) for c in chats))
            seconds = time.perf_counter() - started
            refused = sum(1 for r in api.refusals if r.error_code == 429)
    rate = 200 / seconds
    print(f"telegram pacer: 200 messages in {seconds:.2f} s = {rate:.0f}/s;"
          f" paced at 60/s = {100 * rate / 60:.0f}% of it (stand-in allows 100/s); 429s {refused}")


async def slack_run() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.slack.pacing import ChannelPacer
    from tests.slack_standin import SlackApiStandIn

    async with SlackApiStandIn("xoxb-bench", rate_limit=True, rate_limit_interval=0.5) as slack:
        client = AsyncWebClient(token="xoxb-bench", base_url=slack.base_url)
        pacer = ChannelPacer(interval=0.55)
        started = time.perf_counter()
        await asyncio.gather(*(pacer.post_message(client, channel=ch, text=f"{ch}-{i}")
                               for i in range(3) for ch in ("C1", "C2", "C3")))
        seconds = time.perf_counter() - started
        refused = len(slack.refusals)
    print(f"slack pacer: 9 messages on 3 channels in {seconds:.2f} s (ideal: 2 gaps of 0.55 s = 1.10 s,"
          f" channels in parallel); 429s {refused}")


if __name__ == "__main__":
    asyncio.run(telegram_run())
    asyncio.run(slack_run())
