"""The Slack pacer against the stand-in with its per-channel rate limit on."""
from __future__ import annotations

import asyncio
import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.pacing import ChannelPacer

try:
    from slack_standin import SlackApiStandIn
except ImportError:  # tests/ imported as a package
    from tests.slack_standin import SlackApiStandIn  # type: ignore[no-redef]

TOKEN = "xoxb-pace"


@pytest.fixture
async def slack():
    async with SlackApiStandIn(TOKEN, rate_limit=True, rate_limit_interval=0.5) as s:
        yield s


@pytest.fixture
def client(slack):
    return AsyncWebClient(token=TOKEN, base_url=slack.base_url)


async def test_unpaced_burst_is_refused_by_the_stand_in(slack, client):
    await client.chat_postMessage(channel="C1", text="1")
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel="C1", text="2")
    assert exc.value.response.status_code == 429


async def test_pacer_honours_429_retry_after_and_drops_nothing(slack, client):
    pacer = ChannelPacer(interval=0.05)  # faster than the stand-in allows: it must meet 429s
    started = time.monotonic()
    await asyncio.gather(*(pacer.post_message(client, channel="C1", text=f"m{i}") for i in range(3)))
    elapsed = time.monotonic() - started
    assert [m["text"] for m in slack.messages_in("C1")] == ["m0", "m1", "m2"]  # all, in order
    assert pacer.rate_limited >= 1 and len(slack.refusals) == pacer.rate_limited
    assert all(r.error == "ratelimited" for r in slack.refusals)
    assert elapsed >= 1.0  # Retry-After: 1 was waited out at least once


async def test_pacer_at_the_allowed_rate_meets_no_429_and_channels_run_in_parallel(slack, client):
    pacer = ChannelPacer(interval=0.55)
    started = time.monotonic()
    await asyncio.gather(*(pacer.post_message(client, channel=ch, text=f"{ch}-{i}")
                           for i in range(3) for ch in ("C1", "C2", "C3")))
    elapsed = time.monotonic() - started
    assert slack.refusals == []
    for ch in ("C1", "C2", "C3"):
        assert [m["text"] for m in slack.messages_in(ch)] == [f"{ch}-{i}" for i in range(3)]
    assert 1.0 <= elapsed < 2.5  # two gaps of 0.55 s, not nine


async def test_other_errors_are_raised_not_retried(slack, client):
    pacer = ChannelPacer(interval=0.05)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await pacer.post_message(client, channel="C9", text="x" * 40_001)
    assert len(slack.calls_to("chat.postMessage")) == 1
    await pacer.post_message(client, channel="C9", text="after")  # the channel is not stuck
    assert [m["text"] for m in slack.messages_in("C9")] == ["after"]
