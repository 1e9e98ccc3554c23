"""The Slack adapter end to end: the real Bolt app behind the project's aiohttp server, requests signed as Slack
signs them, the Web API client pointed at the loopback stand-in. Storage-touching tests run on both backends.

The harness (`tests/flows/slack.py`) is the transport: it signs and posts, waits for the background turns, and
reads what people received back from the stand-in's recorded calls.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from datetime import datetime, timezone

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import events as slack_events
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.pacing import ChannelPacer
from bot.adapters.slack.socket_mode import SocketModeRunner
from app.wiring import build_runtime
from bot.core.adapter import DeliveryFailed
from bot.core.blocks import Reply, text
from bot.core.operations import Delivery, EditMessage, SendMessage
from app.settings import Settings
from handlers.shared.task_service import create_project, import_in_transaction
from storage.uow import UnitOfWork
from tests.flows.helpers import PROFILE, grant
from tests.flows.slack import SECRET, TEAM, SlackHarness, dm_channel, slack_user_id
from tests.flows.tasks_data import ANSWERS as TASK_ANSWERS
from tests.flows.tasks_data import SPECS, add_member, seed_project
from tests.slack_standin import SlackApiStandIn
from tests.slack_standin.signing import event_body, signed_headers, slash_command_body, url_verification_body

TOKEN_RUN = "xoxb-run"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def slack(slack_chat):
    return slack_chat


async def rows(runtime, sql: str, *args) -> list[dict]:
    async with runtime.db.transaction() as tx:
        return await tx.fetch(sql, *args)


def posted_to(h: SlackHarness, user: str, method: str = "chat.postMessage") -> list[dict]:
    channel = dm_channel(slack_user_id(user))
    return [c.params for c in h.standin.calls_to(method)
            if c.params.get("channel") == channel and (c.response or {}).get("ok")]


async def make_manager(h: SlackHarness, user: str) -> None:
    await h.send(user, "/help")  # the identity exists after the first contact
    key = slack_user_id(user)
    async with h.runtime.db.transaction() as tx:
        pid = await tx.fetchval("SELECT person_id FROM identities WHERE user_id = $1", key)
        await tx.execute("INSERT INTO roles (person_id, role, granted_at) VALUES ($1, 'manager', $2)",
                         pid, datetime.now(timezone.utc))


# -- signatures ------------------------------------------------------------------------------------------------


async def test_bad_signature_and_stale_timestamp_are_refused_and_nothing_is_stored(slack):
    uid = slack.uid("ana")
    body = slash_command_body(TEAM, uid, "help", trigger_id=slack.trigger("ana"))
    status, _ = await slack.post(body, secret="not-the-signing-secret")
    assert status == 401
    status, _ = await slack.post(body, timestamp=int(time.time()) - 600)  # right secret, 10 minutes old
    assert status == 401
    event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": "help", "ts": "1.000001"}
    status, _ = await slack.post(event_body(TEAM, uid, event, "Ev0BAD"), timestamp=int(time.time()) - 600)
    assert status == 401
    assert await rows(slack.runtime, "SELECT id FROM inbox") == []
    assert await rows(slack.runtime, "SELECT id FROM persons") == []
    assert slack.standin.calls_to("chat.postMessage") == []
    # and the very same request, signed now, goes through
    status, _ = await slack.post(body)
    assert status == 200
    assert "What you can do" in slack.last("ana").text
    assert len(await rows(slack.runtime, "SELECT id FROM inbox")) == 1


async def test_url_verification_answers_the_challenge(slack):
    status, text_ = await slack.post(url_verification_body("c-123"))
    assert status == 200 and "c-123" in text_


# -- retries ---------------------------------------------------------------------------------------------------


async def test_the_same_event_three_times_with_retry_headers_is_handled_once(slack):
    uid = slack.uid("bo")
    event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": "help", "ts": "1.000001"}
    body = event_body(TEAM, uid, event, "Ev0RETRY1")
    status, _ = await slack.post(body)
    assert status == 200
    results = await asyncio.gather(slack.post(body, retry_num=1), slack.post(body, retry_num=2,
                                                                              retry_reason="http_timeout"))
    assert [s for s, _ in results] == [200, 200]
    inbox = await rows(slack.runtime, "SELECT id, processed_at FROM inbox WHERE delivery_id = 'Ev0RETRY1'")
    assert len(inbox) == 1 and inbox[0]["processed_at"] is not None
    outbox = await rows(slack.runtime, "SELECT id, sent_at FROM outbox WHERE inbox_id = $1", inbox[0]["id"])
    assert len(outbox) == 1 and outbox[0]["sent_at"] is not None
    assert len(await rows(slack.runtime, "SELECT id FROM audit_log WHERE action = 'person.created'")) == 1
    assert len(posted_to(slack, "bo")) == 1
    assert not slack.refusals()


async def test_every_request_is_acknowledged_quickly_and_slow_work_follows(slack):
    await slack.send("cy", "/start")
    await slack.fill_form("cy", {**PROFILE, "name": "Cy"})
    await slack.send("cy", "help")
    await slack.send("cy", "/profile")
    assert slack.acks and all(status == 200 for status, _ in slack.acks)
    assert max(seconds for _, seconds in slack.acks) < 3.0
    assert not slack.refusals()


# -- rendering -------------------------------------------------------------------------------------------------


async def test_ten_thousand_characters_typed_and_a_ten_thousand_character_model_answer(slack, database_url):
    await slack.send("di", "x" * 10_000)
    assert "Here experts review AI answers" in slack.last("di").text  # di has not onboarded: the welcome

    # A task whose model answer is 10,000 characters: shown within Slack's limits, nothing lost.
    paragraph = "The model explains compound interest in plain words, step by step, with numbers. "
    answer = "\n\n".join(f"{i:03d} " + paragraph * 1 for i in range(200))[:10_000]
    assert len(answer) == 10_000
    task = {"external_id": "long-1", "prompt": "Explain compound interest.", "responses": [{"id": "a", "text": answer}]}
    spec = SPECS["rewrite_finance"]
    async with slack.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, spec.read_bytes(), spec.name, None, datetime.now(timezone.utc))
        project = await uow.projects.get(created.project_id)
        await import_in_transaction(uow, project, io.BytesIO(json.dumps(task).encode() + b"\n"), False,
                                    datetime.now(timezone.utc), None)
    await slack.send("di", "/help")
    await add_member(slack.runtime, created.project_id, slack.identity("di"))
    slack.clear("di")
    await slack.send("di", "/next")
    assert not slack.refusals()
    messages = posted_to(slack, "di")
    # the task opens in a modal that holds the item (the conversation keeps a line): its view is read too
    views = [json.loads(v) if isinstance(v, str) else v
             for v in (c.params.get("view") for c in slack.standin.calls_to("views.open"))]
    sections = [b for m in messages + views for b in m["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert all(len(m["blocks"]) <= 50 for m in messages) and all(len(v["blocks"]) <= 100 for v in views)
    shown = "".join(b["text"]["text"] for b in sections if b["text"]["type"] == "plain_text")
    uploaded = b"".join(f.data or b"" for f in slack.standin.uploaded_files()).decode()
    compact = "".join(answer.split())
    assert compact in "".join(shown.split()) or compact in "".join(uploaded.split())
    assert any(r.kind == "form" for r in slack.received("di"))  # and the answer form opened as a modal


async def test_mentions_and_markup_in_user_text_are_rendered_harmlessly(slack):
    name = "Ana <!channel> <@U123> *bold* & co"
    await slack.send("ed", "/start")
    await slack.fill_form("ed", {**PROFILE, "name": name})
    await slack.send("ed", "/profile")
    profile = posted_to(slack, "ed")[-1]
    raw = json.dumps(profile["blocks"])
    assert "&lt;!channel&gt;" in raw and "&lt;@U123&gt;" in raw and "&amp; co" in raw
    for block in profile["blocks"]:
        for t in [block.get("text")] + list(block.get("fields") or []):
            if t and t["type"] == "mrkdwn":
                assert "<!channel>" not in t["text"] and "<@U123>" not in t["text"]
    # typed into a DM as real Slack mentions (Slack sends them raw), echoed nowhere as a live mention
    await slack.send("ed", "<!channel> <@U123> hello")
    for m in posted_to(slack, "ed"):
        assert "<!channel>" not in m["text"] and "<!channel>" not in json.dumps(m["blocks"])
    assert not slack.refusals()


async def test_slack_locale_is_a_hint_for_the_language(slack):
    slack.standin.add_user(slack_user_id("pia"), locale="es-ES", name="Pía")
    await slack.send("pia", "/help")
    assert "Lo que puedes hacer" in slack.last("pia").text
    info = slack.standin.calls_to("users.info")
    assert [c.params.get("include_locale") in (True, "true", "1") for c in info] == [True]
    await slack.send("pia", "/help")
    assert len(slack.standin.calls_to("users.info")) == 1  # asked once, cached


# -- buttons ---------------------------------------------------------------------------------------------------


async def test_button_forged_for_another_person_is_refused(slack):
    project_id = await seed_project(slack.runtime, "rewrite_finance")
    for user in ("eve", "fay"):
        await slack.send(user, "/help")
        await add_member(slack.runtime, project_id, slack.identity(user))
    await slack.send("eve", "/next")
    await slack.close_modal("eve")  # eve looks at the task message rather than the form
    eve_messages = len(posted_to(slack, "eve")) + len(posted_to(slack, "eve", "chat.update"))
    await slack.press_as("fay", "eve", "Skip")  # fay replays eve's Skip value as herself
    notices = [c.params for c in slack.standin.calls_to("chat.postEphemeral")]
    assert notices and notices[-1]["user"] == slack_user_id("fay")
    assert "This button has expired" in notices[-1]["text"]
    assert "This button has expired" in slack.last("fay", kind="notice").text
    statuses = [r["status"] for r in await rows(slack.runtime, "SELECT status FROM assignments")]
    assert statuses == ["active"]
    assert len(posted_to(slack, "eve")) + len(posted_to(slack, "eve", "chat.update")) == eve_messages
    # eve's own press still works
    await slack.press("eve", "Skip")
    assert not slack.refusals()


async def test_pressing_a_button_edits_or_answers_in_the_dm_and_the_home_tab_publishes(slack):
    await slack.send("gus", "/language")
    await slack.press("gus", "Español")
    assert "te hablaré en español" in slack.last("gus").text
    await slack.open_home("gus")
    home = slack.last("gus", kind="home")
    assert home.buttons
    assert slack.standin.home_views[slack_user_id("gus")]["type"] == "home"
    await slack.press("gus", home.buttons[0])  # a Home tab button answers in the DM
    assert slack.last("gus").text
    assert not slack.refusals()


# -- modals ----------------------------------------------------------------------------------------------------


async def test_modal_opens_within_the_trigger_validity(slack):
    await slack.send("hal", "/start")
    opened = slack.standin.calls_to("views.open")
    # the stand-in refuses a trigger id older than 3 s (expired_trigger_id): "ok" means it was in time
    assert len(opened) == 1 and opened[0].response["ok"], slack.refusals()
    assert opened[0].params["trigger_id"] in slack._triggers
    view = opened[0].response["view"]
    assert view["type"] == "modal" and view["private_metadata"].isdigit() and len(view["title"]["text"]) <= 24
    assert not slack.refusals()


async def test_an_expired_trigger_fails_the_modal_for_good_and_the_next_command_reopens_it(slack):
    slack.standin.trigger_ttl = 0.0  # every trigger has expired by the time views.open arrives
    await slack.send("ken", "/start")
    assert [r.error for r in slack.standin.refusals] == ["expired_trigger_id"]
    failed = await rows(slack.runtime, "SELECT error, failed_at, sent_at FROM outbox WHERE error IS NOT NULL")
    assert len(failed) == 1 and failed[0]["error"] == "expired_trigger_id" and failed[0]["failed_at"] is not None
    assert await slack.runtime.sweep_outbox() == 0  # not retried: that trigger can never work again
    slack.standin.trigger_ttl = 3.0
    slack.standin.refusals.clear()
    await slack.send("ken", "/start")
    assert "continue where you stopped" in slack.texts("ken") and slack.last("ken", kind="form")
    assert not slack.refusals()


async def test_modal_errors_keep_the_draft_and_reopen_filled(slack, database_url):
    await slack.send("ivy", "/start")
    await slack.fill_form("ivy", {**PROFILE, "name": "Ivy", "years": "250", "timezone": "Mars/Olympus_Mons"})
    errors = slack.last("ivy", kind="form_errors").text
    assert "largest allowed value is 70" in errors and "time zone" in errors
    assert "ivy" in slack._modals  # the modal stays open with its errors
    await slack.press("ivy", "Cancel")  # closed: the draft stays
    await slack.send("ivy", "/start")
    assert "continue where you stopped" in slack.texts("ivy")
    reopened = slack.standin.calls_to("views.open")[-1].response["view"]
    name_block = next(b for b in reopened["blocks"] if b["block_id"] == "name")
    assert name_block["element"].get("initial_value") == "Ivy"
    await slack.fill_form("ivy", {"years": "7", "timezone": "Europe/Madrid"})
    assert "your profile is saved" in slack.last("ivy").text
    await slack.send("ivy", "/cancel")
    assert "nothing to cancel" in slack.last("ivy").text
    saved = await rows(slack.runtime, "SELECT timezone FROM persons WHERE display_name = 'Ivy'")
    assert saved == [{"timezone": "Europe/Madrid"}]
    assert not slack.refusals()


async def test_a_form_started_in_a_dm_stays_a_wizard_in_the_dm(slack):
    await slack.send("ola", "start")  # typed in the DM: no trigger id, so step messages
    assert "Step 1 of 7" in slack.last("ola").text and "Your name" in slack.last("ola").text
    await slack.send("ola", "Ola")
    assert "Your fields of expertise" in slack.last("ola").text
    opened_before = len(slack.standin.calls_to("views.open"))
    await slack.press("ola", "Medicine")  # a press carries a trigger id, but a walked form stays in the DM
    await slack.press("ola", "Done")
    assert len(slack.standin.calls_to("views.open")) == opened_before
    assert "Years of professional experience" in slack.last("ola").text
    for value in ("7", "MD", "English", "UTC", "10"):
        await slack.send("ola", value)
    await slack.press("ola", "Save profile")
    assert "your profile is saved" in slack.last("ola").text
    assert not slack.refusals()


@pytest.mark.parametrize("stem", sorted(TASK_ANSWERS))
async def test_every_task_type_through_the_modal(slack, stem):
    project_id = await seed_project(slack.runtime, stem)
    await slack.send("ana", "/help")
    await add_member(slack.runtime, project_id, slack.identity("ana"))
    await slack.send("ana", "/next")
    assert "Prompt" in slack.texts("ana")
    assert slack.last("ana", kind="form")
    await slack.fill_form("ana", TASK_ANSWERS[stem])
    assert "your answer for" in slack.last("ana").text, slack.received("ana")[-3:]
    subs = await rows(slack.runtime, "SELECT late FROM submissions")
    assert subs == [{"late": 0}]
    assert [r["status"] for r in await rows(slack.runtime, "SELECT status FROM assignments")] == ["submitted"]
    assert not slack.refusals()


async def test_review_rework_approve_reject_with_modal_tasks(slack):
    project_id = await seed_project(slack.runtime, "rewrite_finance")
    for user in ("ana", "rev"):
        await slack.send(user, "/help")
    await add_member(slack.runtime, project_id, slack.identity("ana"))
    await grant(slack, "rev", "reviewer")
    await add_member(slack.runtime, project_id, slack.identity("rev"))
    for _ in range(2):
        await slack.send("ana", "/next")
        await slack.fill_form("ana", TASK_ANSWERS["rewrite_finance"])
    await slack.send("rev", "/review")
    assert "Answer by E-" in slack.last("rev").text and "Ana" not in slack.last("rev").text
    # Buttons on messages keep their forms in the DM (step by step); the expert's tasks came as modals.
    await slack.press("rev", "Send back for rework")
    await slack.send("rev", "Say how many months of expenses the emergency fund should hold.")
    await slack.press("rev", "Send decision")
    assert "Decision recorded" in slack.texts("rev")
    assert "sent back for rework" in slack.texts("ana") and "months of expenses" in slack.texts("ana")
    await slack.press("ana", "Rework my answer")
    assert "Please check your answers" in slack.last("ana").text
    prefilled = TASK_ANSWERS["rewrite_finance"]["what_was_wrong"]
    assert prefilled[:40] in slack.last("ana").text
    await slack.press("ana", "Edit")
    await slack.press("ana", "What was wrong")
    await slack.send("ana", prefilled + " Keep three to six months of expenses.")
    await slack.press("ana", "Submit answer")
    assert "back with the reviewer" in slack.last("ana").text
    first = (await rows(slack.runtime, "SELECT revision, review_state, form_values FROM submissions ORDER BY id"))[0]
    assert first["revision"] == 2 and first["review_state"] == "pending"
    assert "six months" in json.loads(first["form_values"])["what_was_wrong"]
    await slack.send("rev", "/review")
    assert "version 2" in slack.last("rev").text
    await slack.press("rev", "Approve")
    assert "was approved" in slack.texts("ana")
    await slack.send("rev", "/review")
    await slack.press("rev", "Reject")
    await slack.press("rev", "Too vague")
    await slack.send("rev", "It never says what to do instead.")
    await slack.press("rev", "Send decision")
    assert "was rejected" in slack.texts("ana") and "Too vague" in slack.texts("ana")
    log = await rows(slack.runtime, "SELECT decision, reason_code FROM reviews ORDER BY id")
    assert [r["decision"] for r in log] == ["rework", "approved", "rejected"] and log[2]["reason_code"] == "vague"
    assert not slack.refusals()


# -- files -----------------------------------------------------------------------------------------------------


async def test_file_shared_reaches_the_handler_once(slack):
    await slack.send("jo", "/help")
    await slack.upload("jo", "x.txt", b"hello")
    assert "wasn't expecting a file" in slack.last("jo").text
    downloads = slack.standin.calls_to("download")
    assert downloads and downloads[-1].headers.get("Authorization") == f"Bearer {slack.standin.token}"
    # Slack announces one upload twice (message.file_share and file_shared): handled once.
    file_id = next(iter(slack.standin.files))
    uid = slack.uid("jo")
    shared = {"type": "file_shared", "file_id": file_id, "user_id": uid, "channel_id": dm_channel(uid),
              "file": {"id": file_id}, "event_ts": "2.000001"}
    before = len(slack.received("jo"))
    await slack.post(event_body(TEAM, uid, shared, "Ev0SHARED"))
    assert len(slack.received("jo")) == before
    assert len(await rows(slack.runtime, "SELECT id FROM inbox WHERE delivery_id = $1", f"file:{file_id}")) == 1
    assert not slack.refusals()


async def test_file_shared_first_lets_the_captioned_message_win(slack):
    """`file_shared` can arrive before the `message` that carries the caption: the caption must not be lost."""
    await make_manager(slack, "rita")
    await slack.upload("rita", "rating.yaml", SPECS["rating_medicine"].read_bytes())
    uid = slack.uid("rita")
    slack.standin.add_file("F0TASKS1", "tasks.jsonl", (SPECS["rating_medicine"].parent.parent / "tasks" /
                                                        "rating_medicine.jsonl").read_bytes())
    info = slack.standin._file_json(slack.standin.files["F0TASKS1"])
    shared = {"type": "file_shared", "file_id": "F0TASKS1", "user_id": uid, "channel_id": dm_channel(uid),
              "file": {"id": "F0TASKS1"}, "event_ts": "3.000001"}
    message = {"type": "message", "subtype": "file_share", "channel": dm_channel(uid), "channel_type": "im",
               "text": "Medication questions", "ts": "3.000002", "files": [info]}

    async def message_a_little_later():
        await asyncio.sleep(0.2)
        return await slack.post(event_body(TEAM, uid, message, "Ev0MSG3"))

    await asyncio.gather(slack.post(event_body(TEAM, uid, shared, "Ev0SHARED3")), message_a_little_later())
    assert "3 new tasks imported" in slack.texts("rita")  # straight into the captioned project, no picker
    assert len(slack.standin.calls_to("download")) == 2  # the spec, then the task file once
    assert not slack.refusals()


async def test_file_shared_event_alone_downloads_through_files_info(slack):
    await make_manager(slack, "kim")
    uid = slack.uid("kim")
    slack.standin.add_file("F0SPEC01", "rating.yaml", SPECS["rating_medicine"].read_bytes())
    shared = {"type": "file_shared", "file_id": "F0SPEC01", "user_id": uid, "channel_id": dm_channel(uid),
              "file": {"id": "F0SPEC01"}, "event_ts": "2.000001"}
    await slack.post(event_body(TEAM, uid, shared, "Ev0SHARED2"))
    assert slack.standin.calls_to("files.info")
    assert "Project Medication questions — rating is created" in slack.last("kim").text
    assert not slack.refusals()


async def test_a_file_over_the_limit_is_not_downloaded_and_the_person_is_told(database_url):
    h = SlackHarness(database_url, max_upload_bytes=1024)
    async with h:
        await make_manager(h, "lu")
        await h.upload("lu", "big.yaml", b"#" * 5000)
        assert "too big" in h.last("lu").text
        assert h.standin.calls_to("download") == []
        assert not h.refusals()


# -- delivery --------------------------------------------------------------------------------------------------


async def test_permanent_refusals_become_delivery_failed_and_edits_fall_back_to_a_new_message(slack):
    slack.uid("mo")
    gone = Delivery(op=SendMessage(message=Reply(blocks=[text("hi")])), platform="slack", workspace=TEAM,
                    chat_id="U0NOBODY1", user_id="U0NOBODY1")
    with pytest.raises(DeliveryFailed) as failed:
        await slack.adapter.deliver(gone)
    assert failed.value.reason == "user_not_found" and failed.value.permanent
    channel = dm_channel(slack_user_id("mo"))
    edit = Delivery(op=EditMessage(message=Reply(blocks=[text("edited")])), platform="slack", workspace=TEAM,
                    chat_id=channel, user_id=slack_user_id("mo"), edit_message_id=f"{channel}:1.999999")
    message_id = await slack.adapter.deliver(edit)
    assert message_id and message_id.startswith(channel + ":") and message_id != edit.edit_message_id
    assert slack.standin.messages_in(channel)[-1]["text"] == "edited"
    sent = await slack.adapter.deliver(Delivery(op=SendMessage(message=Reply(blocks=[text("one")])), platform="slack",
                                                workspace=TEAM, chat_id=channel, user_id=slack_user_id("mo")))
    again = Delivery(op=EditMessage(message=Reply(blocks=[text("two")])), platform="slack", workspace=TEAM,
                     chat_id=channel, user_id=slack_user_id("mo"), edit_message_id=sent)
    assert await slack.adapter.deliver(again) == sent
    assert slack.standin.messages_in(channel)[-1]["text"] == "two"
    assert [r.error for r in slack.refusals()] == ["user_not_found", "message_not_found"]
    slack.standin.refusals.clear()  # both were provoked above


async def test_a_reply_that_would_wait_for_the_edit_tier_is_posted_new_and_bulk_edits_wait(slack):
    """chat.update has one workspace-wide tier (50 a minute): a reply to the person who acted does not queue for it
    when their own channel can take a new message at once; a bulk edit (a live tally) waits and edits in place."""
    slack.uid("pia")
    channel = dm_channel(slack_user_id("pia"))
    slack.adapter.pacer = ChannelPacer(interval=1.0, burst=3, tiers={"chat.update": (0.05, 1)})  # a token per 20 s

    def edit(word: str, message_id: str, *, reply: bool) -> Delivery:
        return Delivery(op=EditMessage(message=Reply(blocks=[text(word)])), platform="slack", workspace=TEAM,
                        chat_id=channel, user_id=slack_user_id("pia"), edit_message_id=message_id,
                        reply_context={"channel_id": channel} if reply else {})

    card = await slack.adapter.deliver(Delivery(op=SendMessage(message=Reply(blocks=[text("card")])),
                                                platform="slack", workspace=TEAM, chat_id=channel,
                                                user_id=slack_user_id("pia")))
    assert await slack.adapter.deliver(edit("first answer", card, reply=True)) == card  # the tier's one token
    posted = await slack.adapter.deliver(edit("second answer", card, reply=True))  # the tier is dry for 20 s
    assert posted != card and posted.startswith(channel + ":")
    assert [m["text"] for m in slack.standin.messages_in(channel)] == ["first answer", "second answer"]
    assert len(slack.standin.calls_to("chat.update")) == 1

    slack.adapter.pacer = ChannelPacer(interval=1.0, burst=3, tiers={"chat.update": (4.0, 1)})  # a token per 0.25 s
    assert await slack.adapter.deliver(edit("tally 1", posted, reply=False)) == posted
    assert await slack.adapter.deliver(edit("tally 2", posted, reply=False)) == posted  # waited, then edited
    assert [m["text"] for m in slack.standin.messages_in(channel)] == ["first answer", "tally 2"]
    assert len(slack.standin.calls_to("chat.update")) == 3


async def test_accepted_but_unprocessed_event_is_recovered_on_start_and_its_retry_does_nothing(database_url):
    """The inbox row was written and Slack acked, then the process died before the turn: the next start
    processes it once, and Slack's retry of the same event afterwards changes nothing."""
    h = SlackHarness(database_url)
    async with h:
        uid = h.uid("ned")
        event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": "help", "ts": "1.1"}
        body = event_body(TEAM, uid, event, "Ev0CRASH1")
        parsed = slack_events.from_message(json.loads(body))
        assert parsed is not None and parsed.delivery_id == "Ev0CRASH1" and parsed.text == "help"
        assert await h.runtime.accept(parsed)  # what the middleware does before the ack; then the crash
        assert [r["processed_at"] for r in await rows(h.runtime, "SELECT processed_at FROM inbox")] == [None]
        await h.restart()
        assert "What you can do" in h.last("ned").text
        await h.post(body, retry_num=1)
        assert len(posted_to(h, "ned")) == 1
        assert len(await rows(h.runtime, "SELECT id FROM inbox")) == 1
        assert not h.refusals()


async def test_panelist_run_serves_slack_on_its_one_http_server(database_url):
    """`app.serve.serve` with Slack settings: /healthz and /slack/events on the same port, a signed command
    answered through the stand-in, a forged one refused."""
    import socket

    from app.serve import serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with SlackApiStandIn(token=TOKEN_RUN, team_id=TEAM) as standin:
        uid = "U0RUN0001"
        standin.add_user(uid)
        settings = Settings(database_url=database_url, slack_bot_token=TOKEN_RUN, slack_signing_secret="run-secret",
                            slack_api_url=standin.base_url, http_port=port)
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop))
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(200):
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                            health = await r.json()
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                assert "slack" in health["adapters"]
                body = slash_command_body(TEAM, uid, "help", trigger_id=standin.new_trigger_id(),
                                          channel_id=dm_channel(uid))
                async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                     headers=signed_headers("wrong-secret", body)) as r:
                    assert r.status == 401
                async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                     headers=signed_headers("run-secret", body)) as r:
                    assert r.status == 200
                for _ in range(200):
                    if standin.calls_to("chat.postMessage"):
                        break
                    await asyncio.sleep(0.05)
                assert "What you can do" in standin.calls_to("chat.postMessage")[0].params["text"]
        finally:
            stop.set()
            assert await asyncio.wait_for(server, 10) == 0
        assert not standin.refusals


async def test_socket_mode_mounts_no_unsigned_http_route(database_url):
    settings = Settings(database_url=database_url, slack_bot_token="xoxb-x", slack_app_token="xapp-x",
                        slack_api_url="http://127.0.0.1:9/api/")
    runtime = build_runtime(settings)
    adapter = SlackAdapter(runtime, settings)
    from app.serve import http_app

    app = http_app(runtime, [adapter])
    assert all(getattr(r.resource, "canonical", "") != "/slack/events" for r in app.router.routes())


def test_a_dm_is_a_command_only_with_its_slash_and_the_core_reads_command_words():
    """The adapter makes `/help` a command and everything else text: a command word without the slash (`next`,
    `log 1h30m rubric`) is the core's to recognise, which knows whether a form waits for that text
    (tests/flows/test_commands.py walks both on every adapter)."""
    body = {"team_id": TEAM, "event_id": "Ev1", "event": {"type": "message", "channel_type": "im", "user": "U1",
                                                           "channel": "D1", "ts": "1.1", "text": ""}}

    def parse(text_: str):
        body["event"]["text"] = text_
        return slack_events.from_message(body)

    assert parse("/help").kind == "command" and parse("/help").name == "help"
    assert parse("/log 1h30m rubric").args == "1h30m rubric"
    assert parse("next").kind == "text" and parse("next").text == "next"
    assert parse("&lt;b&gt; &amp;").text == "<b> &"  # Slack's escapes undone: handlers see what was typed
    body["event"]["bot_id"] = "B1"
    assert parse("next") is None  # the bot's own messages are not events


def test_manifest_declares_what_the_adapter_uses():
    import yaml

    from pathlib import Path

    manifest = yaml.safe_load((Path(__file__).resolve().parent.parent / "slack" / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # Exactly what is used (issue 17, point 4): the scope of every Web API method the adapter calls, of every
    # event it subscribes to, and the slash command; a scope nobody uses (im:read) is a needless ask at install.
    source = "\n".join(p.read_text() for p in
                        (Path(__file__).resolve().parent.parent / "bot" / "adapters" / "slack").glob("*.py")
                        if p.name != "socket_mode.py")  # its client is Socket Mode's, not the Web API
    called = set(re.findall(r"\bclient\.([A-Za-z_0-9]+)\(", source))
    method_scopes = {"chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_postEphemeral": "chat:write",
                     "conversations_open": "im:write", "users_info": "users:read", "files_info": "files:read",
                     "files_upload_v2": "files:write", "views_open": None, "views_publish": None,
                     "views_update": None}
    assert called <= set(method_scopes), f"say which scope these need: {sorted(called - set(method_scopes))}"
    assert called >= {"chat_postMessage", "views_open", "users_info"}  # the scan sees calls at all
    event_scopes = {"message.im": "im:history", "file_shared": "files:read", "app_home_opened": None}
    needed = {method_scopes[m] for m in called} | {"commands"}
    needed |= {event_scopes[e] for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert scopes == needed - {None}
    assert "im:read" not in scopes
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_home_opened", "file_shared"}
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    urls += [c["url"] for c in manifest["features"]["slash_commands"]]
    assert all(u.endswith("/slack/events") for u in urls)
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/panelist"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True


# -- Socket Mode -----------------------------------------------------------------------------------------------


class FakeSocketSlack:
    """`apps.connections.open` plus a websocket endpoint, on loopback. Connection 1 goes quiet (no pongs, no
    frames after hello); later connections say hello, then send one slash command envelope."""

    def __init__(self, command_body: dict) -> None:
        self.opened = 0
        self.connections = 0
        self.acks: list[dict] = []
        self.command_body = command_body
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/apps.connections.open", self._open)
        app.router.add_get("/ws", self._ws)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def _open(self, request: web.Request) -> web.Response:
        assert request.headers.get("Authorization") == "Bearer xapp-test-token"
        self.opened += 1
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/ws?n={self.opened}"})

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        self.connections += 1
        n = self.connections
        ws = web.WebSocketResponse(autoping=False)  # connection 1 never answers pings
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        if n >= 2:
            await ws.send_str(json.dumps({"envelope_id": f"env-{n}", "type": "slash_commands",
                                          "accepts_response_payload": True, "payload": self.command_body}))
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
            elif msg.type == aiohttp.WSMsgType.PING and n >= 2:
                await ws.pong(msg.data)
        return ws


async def test_socket_mode_watchdog_reconnects_a_quiet_socket_and_requests_flow(database_url):
    async with SlackApiStandIn(token="xoxb-socket") as standin:
        uid = "U0SOCKET1"
        standin.add_user(uid)
        body = dict(pair.split("=", 1) for pair in slash_command_body(
            TEAM, uid, "help", trigger_id=standin.new_trigger_id(), channel_id=dm_channel(uid)).split("&"))
        from urllib.parse import unquote_plus

        body = {k: unquote_plus(v) for k, v in body.items()}
        fake = FakeSocketSlack(body)
        await fake.start()
        settings = Settings(database_url=database_url, slack_bot_token="xoxb-socket", slack_app_token="xapp-test-token",
                            slack_api_url=standin.base_url)
        runtime = build_runtime(settings)
        await runtime.start()
        adapter = SlackAdapter(runtime, settings, pacer=ChannelPacer(interval=0.0))
        now = [1000.0]
        runner = SocketModeRunner(adapter.app, "xapp-test-token", quiet_seconds=30.0, check_every=3600,
                                  clock=lambda: now[0], ping_interval=60,
                                  web_client=AsyncWebClient(base_url=f"http://127.0.0.1:{fake.port}/api/"))
        try:
            await runner.start()
            assert fake.opened == 1
            assert await runner.check() is False  # not quiet yet (fake clock)
            now[0] += 31  # 31 s without a frame or a pong on connection 1
            assert await runner.check() is True
            assert runner.reconnects == 1 and fake.opened == 2
            for _ in range(200):  # connection 2 delivers the slash command; Bolt acks it on the socket
                if fake.acks and standin.calls_to("chat.postMessage"):
                    break
                await asyncio.sleep(0.025)
            await adapter.drain()
            assert {"envelope_id": "env-2"}.items() <= fake.acks[0].items()
            inbox = await rows(runtime, "SELECT delivery_id, processed_at FROM inbox")
            assert len(inbox) == 1 and inbox[0]["processed_at"] is not None
            assert "What you can do" in standin.calls_to("chat.postMessage")[-1].params["text"]
            assert await runner.check() is False  # frames on connection 2 count as life
        finally:
            await runner.stop()
            await adapter.stop()
            await runtime.stop()
            await fake.stop()
        assert not standin.refusals


async def test_a_closed_modal_keeps_what_was_typed_as_the_draft(slack):
    await slack.send("kim", "/start")  # a slash command: the form opens as a modal
    modal = slack._modals["kim"]
    modal.set(modal.block("name"), "Kim Lee")
    modal.set(modal.block("years"), "9")
    await slack.close_modal("kim")
    drafts = await rows(slack.runtime, "SELECT vals, status FROM form_sessions")
    # with what users.info said (locale en-US, tz UTC), prefilled in the modal for Kim to confirm (issue 16, point 9)
    assert drafts[0]["status"] == "open" and json.loads(drafts[0]["vals"]) == {
        "name": "Kim Lee", "years": 9, "languages": "English", "timezone": "UTC"}
    await slack.send("kim", "/start")  # reopened, prefilled with the draft
    view = slack.standin.calls_to("views.open")[-1].response["view"]
    assert next(b for b in view["blocks"] if b["block_id"] == "name")["element"]["initial_value"] == "Kim Lee"
    assert not slack.refusals()


# -- malformed and hostile requests (issue 15, point 10) -------------------------------------------------------


async def post_raw(h: SlackHarness, data: bytes, headers: dict[str, str]) -> int:
    async with h.http.post(h.server.make_url("/slack/events"), data=data, headers=headers) as resp:
        await resp.read()
        status = resp.status
    await h.settle()
    return status


def signed(data: bytes, content_type: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict:
    return signed_headers(secret, data, timestamp=timestamp, content_type=content_type)


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
BROKEN_JSON = b'{"type": "event_callback", "event": {"type": "message", "text": "hi"'
BROKEN_FORM = b"payload=%7B%22type%22%3A%22block_actions%22%2C"  # payload= with half a JSON object


async def assert_refused_quietly(h: SlackHarness, caplog, requests: list[tuple[bytes, dict, int]]) -> None:
    for data, headers, expected in requests:
        caplog.clear()
        status = await post_raw(h, data, headers)
        assert status == expected, (data[:60], headers.get("Content-Type"), status)
        ours = [r for r in caplog.records if r.name == "panelist.slack" and r.levelno >= logging.WARNING]
        assert len(ours) == 1, [r.getMessage() for r in caplog.records]
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
        assert "Traceback" not in caplog.text
    assert await rows(h.runtime, "SELECT id FROM inbox") == []
    assert await rows(h.runtime, "SELECT id FROM persons") == []
    assert h.standin.calls_to("chat.postMessage") == []


async def test_unsigned_and_badly_signed_malformed_requests_get_401_before_their_body_is_read(slack, caplog):
    caplog.set_level(logging.INFO)
    now = int(time.time())
    await assert_refused_quietly(slack, caplog, [
        (BROKEN_JSON, {"Content-Type": JSON}, 401),  # no signature at all
        (BROKEN_FORM, {"Content-Type": FORM}, 401),
        (b"\xff\xfe\x00garbage", {"Content-Type": FORM}, 401),
        (b"", {"Content-Type": JSON}, 401),
        (BROKEN_JSON, signed(BROKEN_JSON, JSON, secret="not-the-signing-secret"), 401),
        (BROKEN_FORM, signed(BROKEN_FORM, FORM, secret="not-the-signing-secret"), 401),
        (BROKEN_JSON, signed(BROKEN_JSON, JSON, timestamp=now - 600), 401),  # stale, right secret
        (BROKEN_FORM, signed(BROKEN_FORM, FORM, timestamp=now - 600), 401),
        (BROKEN_JSON, {**signed(BROKEN_JSON, JSON), "X-Slack-Request-Timestamp": "soon"}, 401),
        (BROKEN_JSON, {**signed(BROKEN_JSON, JSON), "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        # signed over its bytes, but not UTF-8: Slack never sends one, and slack_sdk cannot verify it
        (b"command=%2Fpanelist&text=\xff\xfe", signed(b"command=%2Fpanelist&text=\xff\xfe", FORM), 401),
    ])


async def test_signed_requests_with_a_body_that_is_not_a_slack_payload_get_400(slack, caplog):
    caplog.set_level(logging.INFO)
    bodies = [
        (BROKEN_JSON, JSON),
        (b"[1, 2, 3]", JSON),  # JSON, but not an object
        (b'"just a string"', JSON),
        (b"{}", JSON),  # an empty object
        (BROKEN_FORM, FORM),
        (b"payload=", FORM),  # the payload is missing
        (b"payload=%5B%5D", FORM),  # payload=[]
        (b"payload=%FF%FE", FORM),  # percent-encoded bytes that are not UTF-8 inside payload
        (b"", FORM),
    ]
    await assert_refused_quietly(slack, caplog, [(data, signed(data, ctype), 400) for data, ctype in bodies])


def wrong_shapes(uid: str) -> list[dict]:
    """Well-formed JSON objects where Slack always sends something else (signed, so only Slack could send them)."""
    return [
        {"type": "event_callback", "team_id": TEAM, "event": "x", "event_id": "Ev0SHAPE1"},
        {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0SHAPE2",
         "event": {"type": "message", "user": [uid], "channel": 5, "channel_type": "im", "text": 7}},
        {"type": "block_actions", "user": 5},
        {"type": "block_actions", "user": {"id": uid}, "team": {"id": TEAM}, "actions": "x", "trigger_id": "t1"},
        {"type": "block_actions", "user": {"id": uid}, "team": {"id": TEAM}, "actions": [{"value": 7}],
         "trigger_id": "t2"},
        {"type": "view_submission", "user": {"id": uid}, "team": {"id": TEAM}, "view": [], "trigger_id": "t3"},
        {"type": "view_closed", "user": {"id": uid}, "team": {"id": TEAM}, "view": "q"},
    ]


@pytest.mark.parametrize("shape", range(7))
async def test_signed_payloads_of_the_wrong_shape_get_400_not_a_traceback(slack, caplog, shape):
    caplog.set_level(logging.INFO)
    data = json.dumps(wrong_shapes(slack.uid("shape"))[shape]).encode()
    await assert_refused_quietly(slack, caplog, [(data, signed(data, JSON), 400)])


async def test_a_huge_body_is_refused_unread_signed_or_not(slack, caplog):
    caplog.set_level(logging.INFO)
    huge = b'{"type": "event_callback", "event": {"text": "' + b"x" * (3 * 1024 * 1024) + b'"}}'
    await assert_refused_quietly(slack, caplog, [
        (huge, {"Content-Type": JSON}, 413),
        (huge, signed(huge, JSON), 413),
    ])


async def test_after_hostile_requests_a_good_one_goes_through(slack, caplog):
    caplog.set_level(logging.INFO)
    for data, headers in ((BROKEN_JSON, {"Content-Type": JSON}), (BROKEN_FORM, signed(BROKEN_FORM, FORM))):
        assert await post_raw(slack, data, headers) in (400, 401)
    status, _ = await slack.post(slash_command_body(TEAM, slack.uid("ana"), "help", trigger_id=slack.trigger("ana")))
    assert status == 200
    assert "What you can do" in slack.last("ana").text


# -- control characters in inbound text (issue 15, point 9) ----------------------------------------------------


async def test_a_nul_in_a_slack_name_or_message_is_stripped_and_the_person_is_served(slack):
    uid = slack_user_id("nul")
    slack.standin.add_user(uid, name="Ev\x00e\x07\x1b[0m")  # users.info answers this real name
    assert slack.uid("nul") == uid
    event = {"type": "message", "channel": dm_channel(uid), "channel_type": "im", "text": "/help\x00\x01",
             "ts": f"{time.time():.6f}"}
    status, _ = await slack.post(event_body(TEAM, uid, event, slack.new_event_id()))
    assert status == 200
    assert "What you can do" in slack.last("nul").text
    status, _ = await slack.post(slash_command_body(TEAM, uid, "help\x00", trigger_id=slack.trigger("nul")))
    assert status == 200 and "What you can do" in slack.last("nul").text
    names = await rows(slack.runtime, "SELECT display_name FROM identities WHERE user_id = $1", uid)
    assert [n["display_name"] for n in names] == ["Eve[0m"]
    assert [p["display_name"] for p in await rows(slack.runtime, "SELECT display_name FROM persons")] == ["Eve[0m"]
    processed = await rows(slack.runtime, "SELECT id FROM inbox WHERE processed_at IS NOT NULL")
    assert len(processed) == 2
