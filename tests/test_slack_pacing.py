"""The Slack pacer against the stand-in with its per-channel rate limit on."""
from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.pacing import ChannelPacer
from bot.core.pacing import Lane

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
    pacer = ChannelPacer(interval=0.05, burst=1)  # faster than the stand-in allows: it must meet 429s
    await asyncio.gather(*(pacer.post_message(client, channel="C1", text=f"m{i}") for i in range(3)))
    assert [m["text"] for m in slack.messages_in("C1")] == ["m0", "m1", "m2"]  # all, in order
    assert pacer.rate_limited >= 1 and len(slack.refusals) == pacer.rate_limited
    assert all(r.error == "ratelimited" for r in slack.refusals)
    # Waiting out Retry-After means each message is refused at most once; retrying at once would be refused again.
    assert pacer.rate_limited <= 2


async def test_pacer_at_the_allowed_rate_meets_no_429_and_channels_run_in_parallel(slack, client):
    pacer = ChannelPacer(interval=0.55, burst=1)
    await asyncio.gather(*(pacer.post_message(client, channel=ch, text=f"{ch}-{i}")
                           for i in range(3) for ch in ("C1", "C2", "C3")))
    assert slack.refusals == []
    for ch in ("C1", "C2", "C3"):
        assert [m["text"] for m in slack.messages_in(ch)] == [f"{ch}-{i}" for i in range(3)]
    # Channels do not wait for each other: each channel's first message went before any channel's second.
    order = [c.params.get("text") or (c.json or {}).get("text") for c in slack.calls_to("chat.postMessage")]
    assert {t.split("-")[1] for t in order[:3]} == {"0"}, order


async def test_a_short_burst_goes_at_once_and_the_rest_at_the_allowed_rate():
    """Slack allows a short burst per channel: the stand-in models it as a bucket of 3 refilled every 0.5 s."""
    async with SlackApiStandIn(TOKEN, rate_limit=True, rate_limit_interval=0.5, rate_limit_burst=3) as s:
        client = AsyncWebClient(token=TOKEN, base_url=s.base_url)
        pacer = ChannelPacer(interval=0.55, burst=3)
        await asyncio.gather(*(pacer.post_message(client, channel="C1", text=f"m{i}") for i in range(6)))
        assert s.refusals == [] and pacer.rate_limited == 0
        assert [m["text"] for m in s.messages_in("C1")] == [f"m{i}" for i in range(6)]
        unpaced = ChannelPacer(interval=0.01, burst=10)  # the control: past the burst the stand-in refuses
        await asyncio.gather(*(unpaced.post_message(client, channel="C2", text=f"n{i}") for i in range(5)))
        assert unpaced.rate_limited >= 1 and all(r.error == "ratelimited" for r in s.refusals)


async def test_other_errors_are_raised_not_retried(slack, client):
    pacer = ChannelPacer(interval=0.05)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await pacer.post_message(client, channel="C9", text="x" * 40_001)
    assert len(slack.calls_to("chat.postMessage")) == 1
    await pacer.post_message(client, channel="C9", text="after")  # the channel is not stuck
    assert [m["text"] for m in slack.messages_in("C9")] == ["after"]


async def test_trigger_bound_calls_are_never_held_and_tiered_ones_are():
    """views.open answers a press with a trigger id that lives 3 s: holding it for a tier would make it fail. Thirty
    people opening modals at once all go now; views.publish (no trigger) keeps its tier."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    pacer = ChannelPacer(sleep=sleep)
    sent: list[str] = []

    async def call(name: str) -> str:
        sent.append(name)
        return name

    await asyncio.gather(*(pacer.call(m, lambda m=m: call(m)) for m in ["views.open"] * 30 + ["views.push"] * 5))
    assert len(sent) == 35 and slept == []
    task = asyncio.gather(*(pacer.call("views.publish", lambda: call("views.publish"), lane=Lane.INTERACTIVE)
                            for _ in range(21)))
    for _ in range(200):
        await asyncio.sleep(0)
    assert sent.count("views.publish") == 20 and slept  # the tier's burst, then a wait
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
