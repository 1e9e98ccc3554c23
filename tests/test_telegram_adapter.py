"""The Telegram adapter with the real python-telegram-bot against the strict Bot API stand-in, on both backends.

Every test that drives the adapter ends with the stand-in's refusals checked (and every callback query answered).
"""
from __future__ import annotations

import hashlib

import asyncio
import base64
import json
import logging
from datetime import timedelta

import aiohttp
import pytest
from telegram import Update

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.commands import language_code, menu
from bot.adapters.telegram.updates import GROUP_ANONYMOUS_BOT, parse_update, split_command
from app.wiring import build_runtime
from bot.core.adapter import DeliveryFailed
from bot.core.blocks import Buttons, LongText, Reply, button, text
from bot.core.operations import Delivery, EditMessage, SendMessage, Target
from bot.core.form_buttons import FormDone
from app.settings import Settings
from storage.db import open_database
from tests.flows.helpers import PROFILE
from tests.flows.telegram import RecordingStandIn, TelegramHarness, fast_pacer, telegram_user_id
from tests.telegram_standin import parse_html, utf16_len


async def count(url: str, sql: str, *args) -> int:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return int(await tx.fetchval(sql, *args))


async def fetch(url: str, sql: str, *args) -> list[dict]:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return [dict(r) for r in await tx.fetch(sql, *args)]


async def person_id(url: str, identity_user_id: int) -> int:
    return await count(url, "SELECT person_id FROM identities WHERE platform = 'telegram' AND user_id = $1",
                       str(identity_user_id))


@pytest.fixture
def chat(telegram_chat):
    return telegram_chat


def sent_texts(api, method: str = "sendMessage") -> list[str]:
    return [c.params["text"] for c in api.calls_of(method)]


# -- parsing, no network ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("/start", ("start", "")),
    ("/next@panelist_test_bot", ("next", "")),
    ("/grant@Panelist_Test_Bot manager telegram:1", ("grant", "manager telegram:1")),
    ("/link   AB12CD34  ", ("link", "AB12CD34")),
    ("/log\n2h on project", ("log", "2h on project")),
    ("/help@other_bot", None),
    ("//not a command", None),
    ("/ spaced", None),
    ("hello /start", None),
    ("/", None),
])
def test_split_command(raw, expected):
    assert split_command(raw, "panelist_test_bot") == expected


async def test_parse_keys_people_by_numeric_id_and_reads_locale():
    api = RecordingStandIn()  # only its update builders: no server needed
    data = api.message_update(42, "hola", first_name="Ana", username="ana_renamed", language_code="es")
    event = await parse_update(Update.de_json(data, None), bot_username="panelist_test_bot", max_upload_bytes=1024)
    assert event.kind == "text" and event.text == "hola"
    assert event.actor.user_id == "42" and event.actor.key == "telegram:42"
    assert event.actor.locale_hint == "es" and event.actor.display_name == "Ana"
    assert event.conversation.chat_id == "42" and event.conversation.is_private
    assert event.delivery_id == str(data["update_id"])

    press = api.callback_update(42, "payload", 7)
    event = await parse_update(Update.de_json(press, None), bot_username="panelist_test_bot", max_upload_bytes=1024)
    assert event.kind == "button" and event.payload == "payload" and event.message_id == "7"
    assert event.reply_context == {"callback_query_id": press["callback_query"]["id"], "message_id": 7}


async def test_groups_channels_and_anonymous_admins_are_filtered():
    api = RecordingStandIn()

    async def parse(update):
        return await parse_update(Update.de_json(update, None), bot_username="panelist_test_bot", max_upload_bytes=1024)

    assert (await parse(api.message_update(5, "/help", chat_id=-100777))).kind == "command"
    assert await parse(api.message_update(5, "/grant manager telegram:6", chat_id=-100777)) is None
    assert await parse(api.message_update(5, "/link", chat_id=-100777)) is None
    assert await parse(api.message_update(5, "just chatting", chat_id=-100777)) is None
    anonymous = api.message_update(GROUP_ANONYMOUS_BOT, "/help", chat_id=-100777, first_name="Group")
    anonymous["message"]["from"]["is_bot"] = True
    anonymous["message"]["sender_chat"] = {"id": -100777, "type": "supergroup", "title": "Group"}
    assert await parse(anonymous) is None
    on_behalf = api.message_update(5, "/help", chat_id=-100777)
    on_behalf["message"]["sender_chat"] = {"id": -100888, "type": "channel", "title": "News"}
    assert await parse(on_behalf) is None
    channel_post = {"update_id": 99, "channel_post": {"message_id": 1, "date": 0, "text": "/help",
                                                      "chat": {"id": -100999, "type": "channel", "title": "C"}}}
    assert await parse(channel_post) is None


def test_command_menu_is_role_neutral_and_translated():
    runtime = build_runtime(Settings(database_url="sqlite:///unused.db"))
    en = {c.command: c.description for c in menu(runtime.router, runtime.catalogs, "en")}
    es = {c.command: c.description for c in menu(runtime.router, runtime.catalogs, "es")}
    assert {"start", "help", "profile", "language", "link", "cancel"} <= set(en)
    assert "grant" not in en and "revoke" not in en and "addexpert" not in en  # role-gated commands stay out
    assert set(en) == set(es) and en["help"] != es["help"]
    assert language_code("pt_BR") == "pt" and language_code("fil") is None


# -- the adapter against the stand-in -------------------------------------------------------------------


async def test_command_menu_is_set_per_locale(chat):
    keys = {k.split("|")[1]: v for k, v in chat.api.commands.items()}
    assert {"", "en", "es"} <= set(keys)
    assert [c["command"] for c in keys["es"]] == [c["command"] for c in keys["en"]]
    assert "grant" not in [c["command"] for c in keys[""]]


async def test_ten_thousand_character_model_answer_fits_telegram(chat, database_url):
    await chat.send("ana", "/help")
    pid = await person_id(database_url, telegram_user_id("ana"))
    answer = "\n\n".join(f"Paragraph {i}: a model answer with <tags> & ampersands — résumé 👩🏽‍⚕️ " * 6 for i in range(30))
    answer = (answer * 2)[:10_000]
    assert len(answer) == 10_000
    before = len(chat.api.calls)
    delivered = await chat.runtime.send([SendMessage(to=Target.person(pid), message=Reply(blocks=[
        LongText(title="Model answer", text=answer, filename="answer.txt"),
        Buttons(rows=[[button("Rate it", FormDone(session=1, version=1))]]),
    ]))], person_id=pid)
    assert len(delivered) == 1
    calls = [c for c in chat.api.calls[before:] if c.method in ("sendMessage", "sendDocument")]
    assert calls, "nothing was sent"
    shown = ""
    for call in calls:
        if call.method == "sendMessage":
            plain, _ = parse_html(call.params["text"])
            assert utf16_len(plain) <= 4096
            shown += plain
        else:
            shown += call.params["document"].data.decode("utf-8")
    assert "".join(answer.split()) in "".join(shown.split())  # all of it, literally (splits may drop breaks)
    assert "reply_markup" in calls[-1].params and all("reply_markup" not in c.params for c in calls[:-1])

    # Twice as long: a .txt document with the whole answer, byte for byte.
    before = len(chat.api.calls)
    await chat.runtime.send([SendMessage(to=Target.person(pid), message=Reply(blocks=[
        LongText(title="Model answer", text=answer * 2, filename="answer.txt")]))], person_id=pid)
    [doc] = [c for c in chat.api.calls[before:] if c.method == "sendDocument"]
    assert doc.params["document"].data.decode("utf-8") == answer * 2


async def test_markup_in_user_text_is_shown_literally(chat, database_url):
    name = "<b>Bo</b> & <script>alert('x')</script> &amp; <i>"
    await chat.send("bo", "/start")
    await chat.fill_form("bo", {**PROFILE, "name": name})
    chat.clear("bo")
    await chat.send("bo", "/profile")
    assert name in chat.texts("bo")  # as typed: escaped for Telegram, parsed back to the same characters
    await chat.send("bo", "<b>not bold</b> & <script>")
    assert "didn't understand" in chat.last("bo").text


async def test_forged_callback_from_another_person_is_refused(chat, database_url):
    await chat.send("ana", "/start")
    await chat.send("ana", "Ana")  # now on the domains step, with toggle buttons
    item = next(r for r in reversed(chat.received("ana")) if "Medicine" in r.buttons)
    data = item.payloads[item.buttons.index("Medicine")]
    sessions_before = await count(database_url, "SELECT COUNT(*) FROM form_sessions")
    values_before = await fetch(database_url, "SELECT vals, version FROM form_sessions WHERE status = 'open'")
    eve = chat.user_id("eve")
    update = chat.api.callback_update(eve, data, item.message_id)
    chat._queries[update["callback_query"]["id"]] = "eve"
    await chat.push(update)
    answer = chat.api.callback_answers[update["callback_query"]["id"]]
    assert "This button has expired" in answer["text"]
    assert await count(database_url, "SELECT COUNT(*) FROM form_sessions") == sessions_before
    assert await fetch(database_url, "SELECT vals, version FROM form_sessions WHERE status = 'open'") == values_before
    shown = next(m for m in chat.api.messages_to(telegram_user_id("ana")) if m["message_id"] == item.message_id)
    assert [b["callback_data"] for row in shown["reply_markup"]["inline_keyboard"] for b in row] == item.payloads
    assert chat.api.messages_to(telegram_user_id("eve")) == []  # eve got the callback answer, nothing else


async def test_every_callback_query_is_answered_once_and_quickly(chat):
    await chat.send("cy", "/start")
    await chat.send("cy", "Cy")
    await chat.press("cy", "Medicine")  # a toggle: the turn edits the message and has no notice
    answers = chat.api.calls_of("answerCallbackQuery")
    assert len(answers) == 1 and "text" not in answers[0].params  # answered, empty, once
    assert chat.api.calls_of("editMessageText")  # the pressed message was edited in place


async def test_same_update_twice_in_one_batch_is_handled_once(chat, database_url):
    uid = chat.user_id("dan")
    update = chat.api.message_update(uid, "/help")
    chat.api.push_update(update)
    chat.api.push_update(dict(update))  # Telegram redelivering an update the bot did not confirm yet
    await chat.settle(update["update_id"])
    assert len(chat.api.messages_to(uid)) == 1
    assert await count(database_url, "SELECT COUNT(*) FROM inbox WHERE platform = 'telegram'") == 1
    assert await count(database_url, "SELECT COUNT(*) FROM outbox WHERE platform = 'telegram'") == 1
    assert await count(database_url, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.created'") == 1


async def test_kill_between_inbox_write_and_processing(database_url):
    api = await RecordingStandIn().start()
    try:
        # Process 1 accepts the update (inbox row written) and dies before processing and before confirming.
        settings = Settings(database_url=database_url)
        runtime = build_runtime(settings)
        await runtime.start()
        uid = telegram_user_id("eli")
        update = api.push_update(api.message_update(uid, "/help"))
        event = await parse_update(Update.de_json(update, None), bot_username="panelist_test_bot",
                                   max_upload_bytes=settings.max_upload_bytes)
        assert await runtime.accept(event)
        await runtime.stop()
        assert await count(database_url, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 1
        assert api.messages_to(uid) == []

        # Process 2 starts: recovers the inbox row, then receives the same update again from getUpdates.
        harness = TelegramHarness(database_url)
        harness.api = api
        harness._keep_api = True
        await harness.start()
        harness.user_id("eli")
        await harness.settle(update["update_id"])
        await harness.stop()
        assert len(api.messages_to(uid)) == 1
        assert await count(database_url, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
        assert await count(database_url, "SELECT COUNT(*) FROM inbox") == 1
        assert await count(database_url, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL") == 1
        assert api.pending_updates == []
        assert api.refusals == []
    finally:
        await api.stop()


async def test_webhook_checks_the_secret_then_processes(database_url, caplog):
    harness = TelegramHarness(database_url, webhook=True)
    await harness.start()
    try:
        api = harness.api
        assert api.webhook["url"] == harness.webhook_url and api.webhook["secret_token"] == harness.webhook_secret
        uid = harness.user_id("fay")
        caplog.set_level(logging.INFO)
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                            {"X-Telegram-Bot-Api-Secret-Token": harness.webhook_secret + "x"}):
                async with session.post(harness.webhook_url, json=api.message_update(uid, "/help"),
                                        headers=headers) as response:
                    assert response.status == 403
        await harness.adapter.drain()
        assert await count(database_url, "SELECT COUNT(*) FROM inbox") == 0
        assert api.messages_to(uid) == []
        assert harness.webhook_secret not in caplog.text and "secret token" in caplog.text

        update = api.message_update(uid, "/help")
        await harness.push(update)
        assert "/profile" in harness.last("fay").text
        assert await api.deliver_to_webhook(update) == 200  # a redelivery: acknowledged, not handled again
        await harness.adapter.drain()
        assert len(api.messages_to(uid)) == 1
        assert await count(database_url, "SELECT COUNT(*) FROM inbox") == 1
        assert api.calls_of("getUpdates") == []  # webhook mode never polls
    finally:
        refusals = harness.refusals()
        await harness.stop()
    assert not refusals


async def test_webhook_flow_with_buttons(database_url):
    harness = TelegramHarness(database_url, webhook=True)
    async with harness:
        await harness.send("gus", "/start")
        await harness.fill_form("gus", {**PROFILE, "name": "Gus"})
        assert "your profile is saved" in harness.last("gus").text
        refusals = harness.refusals()
    assert not refusals


async def test_upload_over_the_limit_is_refused_clearly(database_url):
    harness = TelegramHarness(database_url, admins=TelegramHarness.identity("boss"), max_upload_bytes=2048)
    async with harness:
        await harness.send("boss", "/help")
        before = len(harness.api.calls_of("getFile"))
        await harness.upload("boss", "spec.yaml", b"name: x\n" + b"#" * 5000)
        assert "too big" in harness.last("boss").text
        assert len(harness.api.calls_of("getFile")) == before  # the size was known: nothing downloaded
        await harness.upload("boss", "tasks.jsonl", b'{"not": "a task"}\n')
        assert "too big" not in harness.last("boss").text
        assert len(harness.api.calls_of("getFile")) == before + 1
        payload = await count(database_url, "SELECT COUNT(*) FROM inbox WHERE payload LIKE '%\"blob\":null%'")
        assert payload == 1
        # the one kept is in the inbox by reference (its SHA-256), never as bytes
        sha = hashlib.sha256(b'{"not": "a task"}\n').hexdigest()
        assert await count(database_url, f"SELECT COUNT(*) FROM inbox WHERE payload LIKE '%{sha}%'") == 1
        assert await count(database_url, "SELECT COUNT(*) FROM inbox WHERE payload LIKE '%a task%'") == 0
        refusals = harness.refusals()
    assert not refusals


async def test_groups_answer_only_allowed_commands_from_people(chat, database_url):
    group = -100555
    uid = chat.user_id("gia")
    chat.api.push_update(chat.api.message_update(uid, "hello group", chat_id=group))
    chat.api.push_update(chat.api.message_update(uid, "/grant manager telegram:1", chat_id=group))
    anonymous = chat.api.message_update(GROUP_ANONYMOUS_BOT, "/help", chat_id=group, first_name="Group")
    anonymous["message"]["from"]["is_bot"] = True
    anonymous["message"]["sender_chat"] = {"id": group, "type": "supergroup", "title": "Group"}
    chat.api.push_update(anonymous)
    last = chat.api.push_update(chat.api.message_update(uid, "/help@panelist_test_bot", chat_id=group))
    await chat.settle(last["update_id"])
    [reply] = chat.api.messages_to(group)
    assert "/profile" in reply["text"]
    assert await count(database_url, "SELECT COUNT(*) FROM inbox") == 1
    assert await count(database_url, "SELECT COUNT(*) FROM identities WHERE user_id = $1",
                       str(GROUP_ANONYMOUS_BOT)) == 0


async def test_deliver_skips_unchanged_edits_and_resends_lost_ones(chat):
    await chat.send("hal", "/help")
    uid = telegram_user_id("hal")
    adapter = chat.adapter

    def delivery(op, edit_id=None):
        return Delivery(op=op, platform="telegram", chat_id=str(uid), user_id=str(uid), edit_message_id=edit_id)

    sent = await adapter.deliver(delivery(SendMessage(message=Reply(blocks=[text("first <version>")]))))
    edits = len(chat.api.calls_of("editMessageText"))
    reply = Reply(blocks=[text("second & final")])
    assert await adapter.deliver(delivery(EditMessage(message=reply), sent)) == sent
    assert await adapter.deliver(delivery(EditMessage(message=reply), sent)) == sent  # unchanged: no call
    assert len(chat.api.calls_of("editMessageText")) == edits + 1
    assert chat.api.messages_to(uid)[-1]["text"] == "second & final"

    # Another process (or a restart) does not share the memory: Telegram's "not modified" counts as done.
    adapter._shown.clear()
    assert await adapter.deliver(delivery(EditMessage(message=reply), sent)) == sent
    assert [r.description for r in chat.api.refusals] == [
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"
        " as a current content and reply markup of the message"]
    assert len([m for m in chat.api.messages_to(uid) if m["text"] == "second & final"]) == 1
    chat.api.refusals.clear()

    # A message that is gone (deleted, or never ours): the edit becomes a fresh message.
    fresh = await adapter.deliver(delivery(EditMessage(message=Reply(blocks=[text("again")])), "999999"))
    assert fresh != "999999" and chat.api.messages_to(uid)[-1]["text"] == "again"
    chat.api.refusals.clear()  # the refused edit of message 999999 is the point of this step


async def test_blocked_chat_fails_permanently_and_outbox_records_it(chat, database_url):
    await chat.send("ivy", "/help")
    uid = telegram_user_id("ivy")
    chat.api.block_chat(uid)
    with pytest.raises(DeliveryFailed) as info:
        await chat.adapter.deliver(Delivery(op=SendMessage(message=Reply(blocks=[text("hi")])), platform="telegram",
                                            chat_id=str(uid), user_id=str(uid)))
    assert info.value.permanent and "blocked" in info.value.reason
    pid = await person_id(database_url, uid)
    await chat.runtime.send([SendMessage(to=Target.person(pid), message=Reply(blocks=[text("hello")]))], person_id=pid)
    assert await count(database_url, "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL") == 1
    chat.api.refusals.clear()  # the 403s were expected


async def test_only_one_process_polls_and_the_other_takes_over(database_url):
    api = await RecordingStandIn().start()
    options = {"adapter_options": {"lease_ttl": timedelta(seconds=6), "poll_timeout": 1.0, "lease_retry": 0.1}}
    first = TelegramHarness(database_url, **options)
    second = TelegramHarness(database_url, **options)
    for h in (first, second):
        h.api, h._keep_api = api, True
    try:
        await first.start()
        assert first.adapter.polling
        # The second process starts its adapter by hand: it must not poll while the first holds the lease.
        second.runtime = build_runtime(second.settings)
        await second.runtime.start()
        await second.start_adapter(wait=False)
        await asyncio.sleep(1.5)
        assert not second.adapter.polling
        polls = len(api.calls_of("getUpdates"))
        await first.send("jo", "/help")
        assert "/profile" in first.last("jo").text
        assert len(api.calls_of("getUpdates")) > polls  # the first kept polling

        await first.stop()  # releases the lease: the second takes over
        await second._wait_for(lambda: second.adapter.polling, "the second process to take over")
        await second.send("jo", "/profile")
        assert api.messages_to(telegram_user_id("jo"))[-1]["text"]
        assert not [r for r in api.refusals if r.error_code == 409], "two processes polled at once"
        assert api.refusals == []
    finally:
        await second.stop()
        await api.stop()


async def test_update_is_not_confirmed_until_it_is_in_the_inbox(chat, database_url, caplog):
    """The poller holds the lease and waits in getUpdates when the database goes away: the update it then
    receives cannot be written to the inbox, so the offset must not move past it; once the database is
    back the same update comes again and is handled once."""
    uid = chat.user_id("kim")
    await chat._wait_for(lambda: chat.api.calls and chat.api.calls[-1].method == "getUpdates", "a waiting poll")
    caplog.set_level(logging.WARNING, logger="panelist.telegram")
    await chat.runtime.db.close()
    update = chat.api.push_update(chat.api.message_update(uid, "/help"))
    await chat._wait_for(lambda: "polling failed" in caplog.text, "the inbox write to fail")
    await asyncio.sleep(0.5)  # more lease attempts fail meanwhile
    assert [u["update_id"] for u in chat.api.pending_updates] == [update["update_id"]]
    assert chat.api.messages_to(uid) == []
    await chat.runtime.db.connect()
    await chat.settle(update["update_id"])
    assert len(chat.api.messages_to(uid)) == 1
    assert await count(database_url, "SELECT COUNT(*) FROM inbox WHERE processed_at IS NOT NULL") == 1


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_panelist_run_serves_telegram(database_url, mode):
    """`panelist run` (app.serve.serve) with PANELIST_TELEGRAM_TOKEN: long polling, or the webhook on its own HTTP server."""
    from pydantic import SecretStr

    from app.serve import serve
    from tests.flows.telegram import free_port

    api = await RecordingStandIn().start()
    port = free_port()
    extra = {}
    if mode == "webhook":
        extra = {"telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
                 "telegram_webhook_secret": SecretStr("run-secret_1")}
    settings = Settings(database_url=database_url, telegram_token=SecretStr(api.token),
                        telegram_api_url=api.base_url, telegram_file_url=api.file_url,
                        http_host="127.0.0.1", http_port=port, **extra)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    uid = 4242
    try:
        async def until(condition):
            for _ in range(1000):
                if condition():
                    return
                assert not server.done(), server.result()
                await asyncio.sleep(0.01)
            raise AssertionError("timed out")

        if mode == "webhook":
            await until(lambda: api.webhook is not None)
            await until(lambda: api.calls_of("getMe") and api.calls_of("setMyCommands"))
            for _ in range(100):  # the HTTP server is up before the adapter has started: 503 until then
                status = await api.deliver_to_webhook(api.message_update(uid, "/help"))
                if status == 200:
                    break
                await asyncio.sleep(0.05)
            assert status == 200
        else:
            await until(lambda: api.calls_of("getUpdates"))
            api.push_update(api.message_update(uid, "/help"))
        await until(lambda: api.messages_to(uid))
        assert "/profile" in api.messages_to(uid)[0]["text"]
    finally:
        stop.set()
        assert await asyncio.wait_for(server, 30) == 0
        await api.stop()
    assert api.refusals == []
    assert (api.calls_of("getUpdates") == []) == (mode == "webhook")


# -- control characters in inbound text (issue 15, point 9) ----------------------------------------------------


async def test_a_nul_in_a_display_name_does_not_break_that_persons_messages(chat, database_url):
    """A NUL in a Telegram first name used to fail every message from that person on PostgreSQL."""
    uid = chat.user_id("nul")
    await chat.push(chat.api.message_update(uid, "/help", first_name="Ev\x00e\x07\x1b[31m"))
    assert "/profile" in chat.last("nul").text
    await chat.push(chat.api.message_update(uid, "/help\x00\x01", first_name="Ev\x00e\x07\x1b[31m"))
    assert len(chat.received("nul")) == 2 and "/profile" in chat.last("nul").text
    names = await fetch(database_url, "SELECT display_name FROM identities WHERE user_id = $1", str(uid))
    assert [n["display_name"] for n in names] == ["Eve[31m"]
    persons = await fetch(database_url, "SELECT display_name FROM persons")
    assert [p["display_name"] for p in persons] == ["Eve[31m"]
    inbox = await fetch(database_url, "SELECT COUNT(*) AS n FROM inbox WHERE processed_at IS NOT NULL")
    assert inbox[0]["n"] == 2


async def test_webhook_refuses_malformed_bodies_with_400_and_wrong_secrets_with_403(database_url, caplog):
    harness = TelegramHarness(database_url, webhook=True)
    await harness.start()
    try:
        api = harness.api
        caplog.set_level(logging.INFO)
        right = {"X-Telegram-Bot-Api-Secret-Token": harness.webhook_secret}
        cases = [
            (b'{"update_id": 5, "message": {"text": "/help"', {**right, "Content-Type": "application/json"}, 400),
            (b"[1, 2]", {**right, "Content-Type": "application/json"}, 400),
            (b'"text"', {**right, "Content-Type": "application/json"}, 400),
            (b"\xff\xfe\x00", {**right, "Content-Type": "application/json"}, 400),
            (b"", right, 400),
            (b'{"update_id": 5, "message": {"text": "/help"', {"Content-Type": "application/json"}, 403),
            (b"\xff\xfe", {"X-Telegram-Bot-Api-Secret-Token": "wrong", "Content-Type": "application/json"}, 403),
        ]
        async with aiohttp.ClientSession() as session:
            for data, headers, expected in cases:
                caplog.clear()
                async with session.post(harness.webhook_url, data=data, headers=headers) as response:
                    assert response.status == expected, (data, expected)
                ours = [r for r in caplog.records if r.name.startswith("panelist") and r.levelno >= logging.WARNING]
                assert len(ours) == 1, caplog.text
                assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
        await harness.adapter.drain()
        assert await count(database_url, "SELECT COUNT(*) FROM inbox") == 0
        assert harness.webhook_secret not in caplog.text
        update = api.message_update(harness.user_id("gus"), "/help")
        await harness.push(update)  # and a real update still goes through
        assert "/profile" in harness.last("gus").text
    finally:
        refusals = harness.refusals()
        await harness.stop()
    assert not refusals
