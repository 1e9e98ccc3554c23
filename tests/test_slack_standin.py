"""The Slack Web API stand-in, exercised through the real slack_sdk AsyncWebClient (and Bolt for signing)."""
from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

try:
    from slack_standin import (
        BOT_USER_ID, TEAM_ID, SlackApiStandIn, block_actions_payload, event_body, interaction_body,
        signed_headers, slash_command_body, validate_blocks, validate_view, view_submission_payload,
    )
except ImportError:  # tests/ imported as a package
    from tests.slack_standin import (  # type: ignore[no-redef]
        BOT_USER_ID, TEAM_ID, SlackApiStandIn, block_actions_payload, event_body, interaction_body,
        signed_headers, slash_command_body, validate_blocks, validate_view, view_submission_payload,
    )

TOKEN = "xoxb-standin-test"


@pytest.fixture
async def slack():
    async with SlackApiStandIn(TOKEN) as s:
        s.add_user("U1", locale="de-DE", tz="Europe/Berlin")
        s.add_user("U2", locale="fr-FR")
        yield s


@pytest.fixture
async def client(slack):
    c = AsyncWebClient(token=TOKEN, base_url=slack.base_url)
    yield c


def section(text: str, kind: str = "mrkdwn") -> dict:
    return {"type": "section", "text": {"type": kind, "text": text}}


def button(text: str = "Go", action_id: str = "a0", value: str = "v") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}


def modal(**over) -> dict:
    v = {
        "type": "modal",
        "callback_id": "f",
        "title": {"type": "plain_text", "text": "Form"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "value"}}],
    }
    v.update(over)
    return v


def home(blocks) -> dict:
    return {"type": "home", "blocks": blocks}


# -- good calls ---------------------------------------------------------------------------------------------------


async def test_good_calls_pass_and_are_recorded(slack, client):
    auth = await client.auth_test()
    assert auth["user_id"] == BOT_USER_ID and auth["team_id"] == TEAM_ID

    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    assert dm.startswith("D")
    assert (await client.conversations_open(users="U1"))["channel"]["id"] == dm  # stable per user

    r1 = await client.chat_postMessage(channel=dm, text="hello", blocks=[section("*hi*"), {"type": "divider"}])
    r2 = await client.chat_postMessage(channel=dm, text="second")
    assert float(r2["ts"]) > float(r1["ts"])
    await client.chat_update(channel=dm, ts=r1["ts"], text="edited",
                             blocks=[section("edited"), {"type": "actions", "elements": [button()]}])
    await client.chat_postEphemeral(channel=dm, user="U1", text="only you")

    msgs = slack.messages_in(dm)
    assert [m["text"] for m in msgs] == ["edited", "second"]
    assert msgs[0]["blocks"][1]["elements"][0]["action_id"] == "a0"
    assert slack.ephemerals[dm][0]["text"] == "only you"

    info = await client.users_info(user="U1", include_locale=True)
    assert info["user"]["locale"] == "de-DE" and info["user"]["tz"] == "Europe/Berlin"
    assert "locale" not in (await client.users_info(user="U2"))["user"]  # as Slack: only when asked

    opened = await client.views_open(trigger_id=slack.new_trigger_id(), view=modal(private_metadata="7"))
    vid = opened["view"]["id"]
    assert opened["view"]["private_metadata"] == "7"
    await client.views_update(view_id=vid, view=modal(title={"type": "plain_text", "text": "Step 2"}))
    assert slack.views[vid]["title"]["text"] == "Step 2"
    pushed = await client.views_push(trigger_id=slack.new_trigger_id(), view=modal())
    assert pushed["view"]["id"] != vid

    await client.views_publish(user_id="U1", view=home([section("home")]))
    assert slack.home_views["U1"]["blocks"][0]["text"]["text"] == "home"

    assert not slack.refusals
    posted = slack.calls_to("chat.postMessage")
    assert len(posted) == 2
    assert posted[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert posted[0].json is not None and posted[0].params["channel"] == dm


async def test_plain_text_emoji_and_mrkdwn_verbatim_are_fine(client):
    await client.chat_postMessage(channel="C1X", text="x", blocks=[
        {"type": "header", "text": {"type": "plain_text", "text": "Hi :wave:", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "a", "verbatim": True}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"f{i}"} for i in range(10)]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}]},
    ])


# -- refusals -----------------------------------------------------------------------------------------------------


def _blocks_over(n):
    return [section(f"s{i}") for i in range(n)]


MESSAGE_REFUSALS = {
    "no text or blocks": ({"text": ""}, "no_text"),
    "text too long": ({"text": "x" * 40_001}, "msg_too_long"),
    "51 blocks": ({"text": "t", "blocks": _blocks_over(51)}, "invalid_blocks"),
    "section text 3001": ({"text": "t", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
    "button text 76": ({"text": "t", "blocks": [{"type": "actions", "elements": [button("b" * 76)]}]},
                       "invalid_blocks"),
    "action_id 256": ({"text": "t", "blocks": [{"type": "actions", "elements": [button(action_id="a" * 256)]}]},
                      "invalid_blocks"),
    "duplicate action_id across blocks": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [button(action_id="x")]},
                                 {"type": "actions", "elements": [button(action_id="x")]}]}, "invalid_blocks"),
    "button value 2001": ({"text": "t", "blocks": [{"type": "actions", "elements": [button(value="v" * 2001)]}]},
                          "invalid_blocks"),
    "26 elements in actions": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}]},
        "invalid_blocks"),
    "101 options": ({"text": "t", "blocks": [{"type": "actions", "elements": [{
        "type": "static_select", "action_id": "s",
        "options": [{"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(101)]}]}]},
        "invalid_blocks"),
    "unknown block type": ({"text": "t", "blocks": [{"type": "paragraph", "text": "x"}]}, "invalid_blocks"),
    "mrkdwn without text": ({"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn"}}]},
                           "invalid_blocks"),
    "emoji flag on mrkdwn": ({"text": "t", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x", "emoji": True}}]}, "invalid_blocks"),
    "input block in a message": ({"text": "t", "blocks": [modal()["blocks"][0]]}, "invalid_blocks"),
    "header over 150": ({"text": "t", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]}, "invalid_blocks"),
    "mrkdwn header": ({"text": "t", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]},
                      "invalid_blocks"),
    "11 fields": ({"text": "t", "blocks": [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]}, "invalid_blocks"),
    "field over 2000": ({"text": "t", "blocks": [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}]}, "invalid_blocks"),
    "section of 1501 astral emoji (3002 UTF-16 units)": ({"text": "t", "blocks": [section("\U0001F600" * 1501)]},
                                                          "invalid_blocks"),
    "unknown channel shape": ({"text": "t", "channel": "#general"}, "channel_not_found"),
}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize("case", list(MESSAGE_REFUSALS), ids=list(MESSAGE_REFUSALS))
async def test_message_refusals(slack, client, case):
    kwargs, error = MESSAGE_REFUSALS[case]
    kwargs = {"channel": "C1X", **kwargs}
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(**kwargs)
    assert exc.value.response["error"] == error
    assert [r.error for r in slack.refusals] == [error]
    assert slack.messages_in("C1X") == []


async def test_refusals_apply_to_update_and_ephemeral(slack, client):
    ts = (await client.chat_postMessage(channel="C1X", text="t"))["ts"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_update(channel="C1X", ts=ts, text="t", blocks=_blocks_over(51))
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_postEphemeral(channel="C1X", user="U1", text="x" * 40_001)
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C1X", ts="1.000001", text="nope")
    assert slack.messages_in("C1X")[0]["text"] == "t"


async def test_auth_refusals(slack):
    with pytest.raises(SlackApiError, match="not_authed"):
        await AsyncWebClient(base_url=slack.base_url).chat_postMessage(channel="C1X", text="x")
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test()
    assert [r.error for r in slack.refusals] == ["not_authed", "invalid_auth"]


VIEW_REFUSALS = {
    "title 25": modal(title={"type": "plain_text", "text": "t" * 25}),
    "submit 25": modal(submit={"type": "plain_text", "text": "s" * 25}),
    "close 25": modal(close={"type": "plain_text", "text": "c" * 25}),
    "no submit with inputs": {k: v for k, v in modal().items() if k != "submit"},
    "101 blocks": modal(blocks=_blocks_over(101)),
    "duplicate action_id in view": modal(blocks=[
        {"type": "actions", "elements": [button(action_id="same")]},
        {"type": "actions", "elements": [button(action_id="same")]}]),
    "bad initial option": modal(blocks=[{"type": "input", "block_id": "c", "label": {"type": "plain_text", "text": "C"},
                                         "element": {"type": "static_select", "action_id": "value",
                                                     "options": [{"text": {"type": "plain_text", "text": "A"},
                                                                  "value": "a"}],
                                                     "initial_option": {"text": {"type": "plain_text", "text": "B"},
                                                                        "value": "b"}}}]),
    "button inside an input": modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "C"},
                                             "element": button()}]),
}


@pytest.mark.parametrize("case", list(VIEW_REFUSALS), ids=list(VIEW_REFUSALS))
async def test_view_refusals(slack, client, case):
    with pytest.raises(SlackApiError) as exc:
        await client.views_open(trigger_id=slack.new_trigger_id(), view=VIEW_REFUSALS[case])
    assert exc.value.response["error"] == "invalid_arguments"
    assert exc.value.response["response_metadata"]["messages"]


async def test_trigger_ids_are_single_use_short_lived_and_issued(slack, client):
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await client.views_open(trigger_id="123.456.abc", view=modal())
    tid = slack.new_trigger_id()
    await client.views_open(trigger_id=tid, view=modal())
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id=tid, view=modal())
    slack.trigger_ttl = 0.05
    late = slack.new_trigger_id()
    await asyncio.sleep(0.1)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        await client.views_open(trigger_id=late, view=modal())


async def test_view_update_and_publish_refusals(slack, client):
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=modal())
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.api_call("views.publish", json={"view": home([section("x")])})  # no user_id
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=home(_blocks_over(101)))
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=home([modal()["blocks"][0]]))  # input only in modals
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=modal())  # a modal is not a home
    await client.views_publish(user_id="U1", view=home(_blocks_over(100)))
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U404")


# -- files --------------------------------------------------------------------------------------------------------


async def test_files_upload_v2_end_to_end(slack, client):
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    data = "the whole answer\n".encode() * 1000
    resp = await client.files_upload_v2(channel=dm, filename="answer.txt", content=data, title="Answer",
                                        initial_comment="attached")
    fid = resp["file"]["id"]
    assert [c.method for c in slack.calls][-3:] == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    stored = slack.files[fid]
    assert stored.data == data and stored.title == "Answer" and stored.channels == [dm]
    msg = slack.messages_in(dm)[-1]
    assert msg["files"][0]["id"] == fid and msg["text"] == "attached"

    url = (await client.files_info(file=fid))["file"]["url_private"]
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert r.status == 200 and await r.read() == data
        async with http.get(url) as r:
            assert r.status == 403


async def test_complete_without_upload_is_refused(slack, client):
    got = await client.files_getUploadURLExternal(filename="a.txt", length=3)
    with pytest.raises(SlackApiError, match="file_upload_not_found"):
        await client.files_completeUploadExternal(files=[{"id": got["file_id"], "title": "a"}], channel_id="C1X")


async def test_registered_file_download_requires_the_token(slack, client):
    slack.add_file("F123", "spec.yaml", b"name: demo\n", mimetype="text/yaml")
    info = (await client.files_info(file="F123"))["file"]
    assert info["name"] == "spec.yaml" and info["size"] == 11
    async with aiohttp.ClientSession() as http:
        async with http.get(info["url_private"], headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert await r.read() == b"name: demo\n"
        async with http.get(info["url_private"], headers={"Authorization": "Bearer xoxb-other"}) as r:
            assert r.status == 403
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_info(file="F404")


# -- rate limit ---------------------------------------------------------------------------------------------------


async def test_rate_limit_answers_429_with_retry_after(slack, client):
    slack.rate_limit = True
    await client.chat_postMessage(channel="C1X", text="one")
    await client.chat_postMessage(channel="C2X", text="other channel is independent")
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel="C1X", text="two")
    assert exc.value.response.status_code == 429
    assert int(exc.value.response.headers["Retry-After"]) >= 1
    assert [m["text"] for m in slack.messages_in("C1X")] == ["one"]

    patient = AsyncWebClient(token=TOKEN, base_url=slack.base_url,
                             retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    refused_before = len(slack.refusals)
    await patient.chat_postMessage(channel="C1X", text="two")
    assert [m["text"] for m in slack.messages_in("C1X")] == ["one", "two"]
    # the SDK waited out Retry-After: refused at most once more, then accepted
    assert len(slack.refusals) - refused_before <= 1


# -- validators used directly -------------------------------------------------------------------------------------


def test_validators_accept_good_and_name_the_problem():
    assert validate_blocks([section("ok")]) == []
    errs = validate_blocks([section("x" * 3001)])
    assert len(errs) == 1 and "/blocks/0/text/text" in errs[0]
    assert validate_view(modal()) == []
    assert any("title" in e for e in validate_view(modal(title={"type": "plain_text", "text": "x" * 30})))


# -- signing ------------------------------------------------------------------------------------------------------


SECRET = "s3cr3t-signing"


def test_signed_headers_verify_with_slack_sdk():
    body = slash_command_body("T1", "U1", "next", trigger_id="1.2.abc")
    h = signed_headers(SECRET, body, retry_num=1)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, h["X-Slack-Request-Timestamp"], h["X-Slack-Signature"])
    assert not SignatureVerifier("other").is_valid(body, h["X-Slack-Request-Timestamp"], h["X-Slack-Signature"])
    assert h["X-Slack-Retry-Num"] == "1" and h["X-Slack-Retry-Reason"] == "http_timeout"
    form = {k: v[0] for k, v in parse_qs(body).items()}
    assert form["command"] == "/panelist" and form["text"] == "next" and form["trigger_id"] == "1.2.abc"
    old = signed_headers(SECRET, body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(body, old["X-Slack-Request-Timestamp"], old["X-Slack-Signature"])


def test_event_and_interaction_bodies_have_slacks_shape():
    ev = json.loads(event_body("T1", "U1", {"type": "message", "channel": "D1", "text": "hi", "ts": "1.1"}, "Ev1"))
    assert ev["type"] == "event_callback" and ev["event_id"] == "Ev1" and ev["event"]["user"] == "U1"
    payload = block_actions_payload("T1", "U1", "a0", "tok", message_ts="1.1")
    body = interaction_body(payload)
    assert json.loads(parse_qs(body)["payload"][0])["actions"][0]["value"] == "tok"


async def test_bolt_accepts_signed_requests_and_calls_the_stand_in(slack):
    from slack_bolt.app.async_app import AsyncApp
    from slack_bolt.request.async_request import AsyncBoltRequest

    app = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=slack.base_url), signing_secret=SECRET)
    seen = []

    @app.command("/panelist")
    async def cmd(ack, command, client):
        await ack()
        seen.append(command["text"])
        await client.views_open(trigger_id=command["trigger_id"], view=modal())

    @app.view("f")
    async def submitted(ack, view):
        await ack()
        seen.append(view["state"]["values"]["name"]["value"]["value"])

    body = slash_command_body(TEAM_ID, "U1", "profile", trigger_id=slack.new_trigger_id())
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers(SECRET, body)))
    assert resp.status == 200 and seen == ["profile"]
    assert slack.calls_to("views.open") and not slack.refusals

    payload = view_submission_payload(TEAM_ID, "U1", modal(),
                                      {"name": {"value": {"type": "plain_text_input", "value": "Ada"}}})
    body = interaction_body(payload)
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers(SECRET, body)))
    assert resp.status == 200 and seen == ["profile", "Ada"]

    bad = await app.async_dispatch(AsyncBoltRequest(body=body, headers=signed_headers("wrong", body)))
    assert bad.status == 401


def test_action_id_scope_is_the_block_when_blocks_have_ids():
    ok = modal(blocks=[
        {"type": "input", "block_id": f, "label": {"type": "plain_text", "text": f},
         "element": {"type": "plain_text_input", "action_id": "value"}} for f in ("a", "b")])
    assert validate_view(ok) == []
    same_block = [{"type": "actions", "block_id": "row",
                   "elements": [button(action_id="x"), button(action_id="x")]}]
    assert any("duplicate action_id" in e for e in validate_blocks(same_block))
    dup_block_id = [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}]
    assert any("duplicate block_id" in e for e in validate_blocks(dup_block_id))
