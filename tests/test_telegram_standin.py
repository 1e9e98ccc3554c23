"""The Bot API stand-in, checked with the real python-telegram-bot: good calls pass, what Telegram refuses is refused."""
from __future__ import annotations

import asyncio
import struct
import zlib

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter

from tests.local_server import serving
from tests.telegram_standin import BotApiStandIn, EntityParseError, parse_html

CHAT = 1001


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)])


@pytest.fixture
async def api():
    async with BotApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def bot(api: BotApiStandIn):
    async with telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.file_url) as b:
        yield b


async def refused(api: BotApiStandIn, call, exc_type=BadRequest) -> str:
    """Run `call`, expect PTB to raise `exc_type`, and check the stand-in recorded the refusal."""
    before = len(api.refusals)
    with pytest.raises(exc_type) as info:
        await call
    assert len(api.refusals) == before + 1, "the stand-in should record exactly one refusal"
    if exc_type is BadRequest:  # PTB strips "Bad Request: " and capitalises the detail
        assert info.value.message.lower() in api.refusals[-1].description.lower()
    return api.refusals[-1].description


# -- good calls ----------------------------------------------------------------------------------


async def test_get_me_and_a_good_send_pass(api: BotApiStandIn, bot: telegram.Bot):
    assert bot.username == "panelist_test_bot"  # getMe ran at initialize
    first = await bot.send_message(CHAT, "<b>Task</b> 3 &lt;b&gt; &amp; a &gt; b", parse_mode="HTML",
                                   reply_markup=keyboard("t:3:open"))
    second = await bot.send_message(CHAT, "plain <not html> & fine")
    assert first.text == "Task 3 <b> & a > b"
    assert [(e.type, e.offset, e.length) for e in first.entities] == [("bold", 0, 4)]
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "t:3:open"
    assert second.message_id == first.message_id + 1
    assert [m["text"] for m in api.messages_to(CHAT)] == ["Task 3 <b> & a > b", "plain <not html> & fine"]
    assert api.messages_to(CHAT + 1) == []
    assert api.refusals == []
    sent = api.calls_of("sendMessage")[0]
    assert sent.params["chat_id"] == CHAT and sent.params["parse_mode"] == "HTML"
    assert sent.params["reply_markup"] == {"inline_keyboard": [[{"text": "b0", "callback_data": "t:3:open"}]]}


@pytest.mark.parametrize("html, plain", [
    ("&lt;script&gt; &quot;x&quot; &#128512; &#x41;", '<script> "x" 😀 A'),
    ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
    ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
    ('<pre><code class="language-python">x = 1 &lt; 2</code></pre>', "x = 1 < 2"),
    ("<b>bold <i>both</i></b> <u>u</u> <s>s</s> <code>c</code> <blockquote>q</blockquote>", "bold both u s c q"),
    ("a > b", "a > b"),
])
async def test_valid_html_is_accepted(api: BotApiStandIn, bot: telegram.Bot, html: str, plain: str):
    message = await bot.send_message(CHAT, html, parse_mode="HTML")
    assert message.text == plain
    assert api.refusals == []


async def test_entities_are_measured_in_utf16(bot: telegram.Bot):
    message = await bot.send_message(CHAT, "😀 <b>ok</b>", parse_mode="HTML")
    assert [(e.offset, e.length) for e in message.entities] == [(3, 2)]  # 😀 is two UTF-16 code units


async def test_text_limit_counts_utf16_after_parsing(api: BotApiStandIn, bot: telegram.Bot):
    await bot.send_message(CHAT, "x" * 4096)
    await bot.send_message(CHAT, "😀" * 2048)  # 4096 UTF-16 code units
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")  # each entity is one character
    assert api.refusals == []
    assert "message is too long" in await refused(api, bot.send_message(CHAT, "x" * 4097))
    assert "message is too long" in await refused(api, bot.send_message(CHAT, "😀" * 2049))
    assert "message is too long" in await refused(
        api, bot.send_message(CHAT, "<b>" + "x" * 4097 + "</b>", parse_mode="HTML"))


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("html", [
    "<b>unclosed",
    "stray</b>",
    "<b>crossed</i>",
    "<b><i>x</b></i>",
    "a < b",
    "ends with <",
    "<b",
    "fish & chips",
    "AT&T",
    "&amp without semicolon",
    "&nbsp;",
    "<script>alert(1)</script>",
    "<div>x</div>",
    "line<br/>break",
    "<span>not a spoiler</span>",
    "<a>no href</a>",
    "<!-- comment -->x",
])
async def test_malformed_html_is_refused(api: BotApiStandIn, bot: telegram.Bot, html: str):
    description = await refused(api, bot.send_message(CHAT, html, parse_mode="HTML"))
    assert description.startswith("Bad Request: can't parse entities:")
    assert api.messages_to(CHAT) == []


@pytest.mark.parametrize("html", ["<b>unclosed", "a & b", "<p>x</p>"])
def test_parse_html_raises_for_malformed(html: str):
    with pytest.raises(EntityParseError):
        parse_html(html)


async def test_unknown_method_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    await refused(api, bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": CHAT}), EndPointNotFound)
    assert api.refusals[-1].error_code == 404
    assert api.refusals[-1].params == {"chat_id": str(CHAT)}  # undecoded: there is no spec to type it by


async def test_known_but_unimplemented_method_is_refused_not_faked(api: BotApiStandIn, bot: telegram.Bot):
    description = await refused(api, bot.send_dice(CHAT))
    assert "not implemented by the stand-in" in description


async def test_missing_required_parameter_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    description = await refused(api, bot.do_api_request("sendMessage", api_kwargs={"text": "hi"}))
    assert 'parameter "chat_id" is required' in description


async def test_unknown_parameter_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    description = await refused(api, bot.send_message(CHAT, "hi", api_kwargs={"colour": "red"}))
    assert 'unknown parameter "colour"' in description


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
async def test_empty_text_is_refused(api: BotApiStandIn, bot: telegram.Bot, text: str):
    assert "message text is empty" in await refused(api, bot.send_message(CHAT, text, parse_mode="HTML"))


async def test_callback_data_must_be_1_to_64_bytes(api: BotApiStandIn, bot: telegram.Bot):
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64, "é" * 32))  # 64 bytes each
    for bad in ("x" * 65, "é" * 33, ""):
        assert "BUTTON_DATA_INVALID" in await refused(api, bot.send_message(CHAT, "no", reply_markup=keyboard(bad)))


async def test_inline_button_needs_exactly_one_action(api: BotApiStandIn, bot: telegram.Bot):
    markup = {"inline_keyboard": [[{"text": "both", "callback_data": "x", "url": "https://example.org"}]]}
    await refused(api, bot.do_api_request("sendMessage", api_kwargs={"chat_id": CHAT, "text": "t",
                                                                     "reply_markup": markup}))
    markup = {"inline_keyboard": [[{"text": "bad url", "url": "javascript:alert(1)"}]]}
    assert "BUTTON_URL_INVALID" in await refused(
        api, bot.do_api_request("sendMessage", api_kwargs={"chat_id": CHAT, "text": "t", "reply_markup": markup}))


async def test_caption_over_1024_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    await bot.send_document(CHAT, b"data", filename="a.txt", caption="c" * 1024)
    assert "caption is too long" in await refused(
        api, bot.send_document(CHAT, b"data", filename="a.txt", caption="c" * 1025))
    assert "can't parse entities" in await refused(
        api, bot.send_document(CHAT, b"data", filename="a.txt", caption="<b>x", parse_mode="HTML"))


async def test_edit_of_unknown_message_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    assert "message to edit not found" in await refused(api, bot.edit_message_text("new", CHAT, 999))


async def test_edit_rules(api: BotApiStandIn, bot: telegram.Bot):
    sent = await bot.send_message(CHAT, "<b>v1</b>", parse_mode="HTML", reply_markup=keyboard("a"))
    assert "message is not modified" in await refused(
        api, bot.edit_message_text("<b>v1</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=keyboard("a")))
    # Same text, other style: modified.
    await bot.edit_message_text("v1", CHAT, sent.message_id, reply_markup=keyboard("a"))
    # Same text, other keyboard: modified.
    edited = await bot.edit_message_text("v1", CHAT, sent.message_id, reply_markup=keyboard("b"))
    assert edited.reply_markup.inline_keyboard[0][0].callback_data == "b"
    # Without reply_markup the keyboard goes away, as on Telegram.
    await bot.edit_message_text("v2", CHAT, sent.message_id)
    assert "reply_markup" not in api.messages_to(CHAT)[0]
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard("c"))
    assert "message is not modified" in await refused(
        api, bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard("c")))
    assert api.messages_to(CHAT)[0]["text"] == "v2"
    assert "message is too long" in await refused(api, bot.edit_message_text("x" * 4097, CHAT, sent.message_id))
    document = await bot.send_document(CHAT, b"x", filename="x.txt")
    assert "no text in the message" in await refused(api, bot.edit_message_text("t", CHAT, document.message_id))


async def test_callback_answers(api: BotApiStandIn, bot: telegram.Bot):
    sent = await bot.send_message(CHAT, "pick", reply_markup=keyboard("p:1"))
    update = api.push_update(api.callback_update(CHAT, "p:1", sent.message_id, CHAT))
    received = (await bot.get_updates())[0]
    assert received.callback_query.data == "p:1"
    assert received.callback_query.message.text == "pick"
    query_id = update["callback_query"]["id"]
    assert "MESSAGE_TOO_LONG" in await refused(api, bot.answer_callback_query(query_id, text="n" * 201))
    await bot.answer_callback_query(query_id, text="n" * 200)
    assert api.callback_answers[query_id]["text"] == "n" * 200
    assert "query is too old" in await refused(api, bot.answer_callback_query(query_id))
    assert "query is too old" in await refused(api, bot.answer_callback_query("made-up"))


async def test_wrong_token_and_blocked_chat(api: BotApiStandIn, bot: telegram.Bot):
    with pytest.raises(InvalidToken):
        async with telegram.Bot("123456:wrong", base_url=api.base_url):
            pass
    assert api.refusals[-1].error_code == 401
    api.block_chat(CHAT + 5)
    await refused(api, bot.send_message(CHAT + 5, "hi"), Forbidden)


async def test_rate_limits_answer_429_with_retry_after(bot: telegram.Bot):
    async with BotApiStandIn(per_chat_burst=1, global_limit=3) as limited:
        async with telegram.Bot(limited.token, base_url=limited.base_url) as b:
            await b.send_message(1, "a")
            with pytest.raises(RetryAfter) as info:
                await b.send_message(1, "b")
            assert info.value.retry_after in (1, 1.0) or info.value.retry_after.total_seconds() == 1
            await b.send_message(2, "c")
            await b.send_message(3, "d")
            with pytest.raises(RetryAfter):
                await b.send_message(4, "e")  # global limit: 3 within the window
            assert [r.error_code for r in limited.refusals] == [429, 429]
            assert limited.refusals[0].description.startswith("Too Many Requests: retry after")


async def test_a_short_burst_per_chat_is_allowed_then_429():
    async with BotApiStandIn(per_chat_burst=3, per_chat_rate=0.5) as limited:
        async with telegram.Bot(limited.token, base_url=limited.base_url) as b:
            for text in "abc":
                await b.send_message(1, text)  # the burst
            with pytest.raises(RetryAfter):
                await b.send_message(1, "d")  # a sustained flood is not
            await b.send_message(2, "e")  # another chat has its own bucket
            await b.send_chat_action(1, "typing")  # not a message: never limited
            assert [r.error_code for r in limited.refusals] == [429]


async def test_groups_keep_their_per_minute_window():
    async with BotApiStandIn(per_chat_burst=100, group_limit=2, group_period=60.0) as limited:
        async with telegram.Bot(limited.token, base_url=limited.base_url) as b:
            await b.send_message(-100, "a")
            await b.send_message(-100, "b")
            with pytest.raises(RetryAfter) as info:
                await b.send_message(-100, "c")
            retry = info.value.retry_after
            assert (retry.total_seconds() if hasattr(retry, "total_seconds") else retry) >= 59
            for text in "abc":
                await b.send_message(100, text)  # a private chat has no group window


async def test_no_rate_limits_by_default(api: BotApiStandIn, bot: telegram.Bot):
    for i in range(40):
        await bot.send_message(CHAT, f"m{i}")
    assert api.refusals == []


# -- updates ---------------------------------------------------------------------------------------


async def test_get_updates_offset_confirms_and_forgets(api: BotApiStandIn, bot: telegram.Bot):
    ids = [api.push_update(api.message_update(7, f"m{i}"))["update_id"] for i in range(3)]
    assert [u.update_id for u in await bot.get_updates()] == ids  # unconfirmed: delivered again
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]  # ids[0] is forgotten for good
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1)] == []
    assert api.pending_updates == []
    later = api.push_update(api.message_update(7, "later"))
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1)] == [later["update_id"]]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [later["update_id"]]


async def test_deliver_times_returns_each_update_in_that_many_answers():
    async with BotApiStandIn(deliver_times=3) as api, telegram.Bot(api.token, base_url=api.base_url) as b:
        first = api.push_update(api.message_update(7, "m0"))["update_id"]
        assert [u.update_id for u in await b.get_updates()] == [first]
        assert [u.update_id for u in await b.get_updates(offset=first + 1)] == [first]  # confirmed, yet again
        second = api.push_update(api.message_update(7, "m1"))["update_id"]
        assert [u.update_id for u in await b.get_updates(offset=first + 1)] == [first, second]
        assert [u.update_id for u in await b.get_updates(offset=second + 1)] == [second]  # first: three times
        assert [u.update_id for u in await b.get_updates(offset=second + 1)] == [second]
        assert [u.update_id for u in await b.get_updates(offset=second + 1)] == []
        assert len(api.get_updates_at) == 6 and api.get_updates_at == sorted(api.get_updates_at)


async def test_negative_offset_keeps_only_the_last_updates(api: BotApiStandIn, bot: telegram.Bot):
    ids = [api.push_update(api.message_update(7, f"m{i}"))["update_id"] for i in range(4)]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]


async def test_long_poll_waits_and_is_woken_by_push(api: BotApiStandIn, bot: telegram.Bot):
    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await asyncio.sleep(0.3)
    assert not poll.done()  # a long poll with nothing to give holds the request open
    assert await poll == ()

    async def push_later():
        await asyncio.sleep(0.2)
        api.push_update(api.message_update(7, "wake up"))

    pusher = asyncio.create_task(push_later())
    updates = await bot.get_updates(timeout=10, read_timeout=15)
    await pusher
    assert [u.message.text for u in updates] == ["wake up"]  # woken by the push, not ended by the timeout


async def test_a_second_poller_ends_the_first_with_conflict(api: BotApiStandIn, bot: telegram.Bot):
    first = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.2)
    async with telegram.Bot(api.token, base_url=api.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert [r.error_code for r in api.refusals] == [409]


async def test_update_builders_parse_as_ptb_updates(api: BotApiStandIn, bot: telegram.Bot):
    api.push_update(api.message_update(7, "/next@panelist_test_bot now", username="ann"))
    api.push_update(api.message_update(8, "hello", chat_id=-1001234))
    api.push_update(api.document_update(7, "doc-1", "tasks.csv", 12, mime_type="text/csv"))
    command, group, document = await bot.get_updates()
    assert isinstance(command, Update)
    assert command.message.entities[0].type == "bot_command"
    assert command.message.entities[0].length == len("/next@panelist_test_bot")
    assert command.effective_user.username == "ann"
    assert group.effective_chat.type == "supergroup" and group.message.entities == ()
    assert document.message.document.file_name == "tasks.csv"
    assert document.message.document.file_size == 12


async def test_allowed_updates_filter(api: BotApiStandIn, bot: telegram.Bot):
    api.push_update(api.message_update(7, "text"))
    api.push_update(api.callback_update(7, "x", 1))
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["x"]


async def test_webhook_blocks_get_updates_and_receives_pushes(api: BotApiStandIn, bot: telegram.Bot):
    received: list[tuple[str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    async with serving({"/telegram/webhook": hook}) as base:
        url = f"{base}/telegram/webhook"
        assert await bot.set_webhook(url, secret_token="s3cret_token")
        assert (await bot.get_webhook_info()).url == url
        await refused(api, bot.get_updates(), Conflict)
        update = api.message_update(7, "via webhook")
        assert await api.deliver_to_webhook(update) == 200
        assert received == [("s3cret_token", update)]
        assert "unallowed characters" in await refused(api, bot.set_webhook(url, secret_token="bad token!"))
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()


async def test_set_my_commands(api: BotApiStandIn, bot: telegram.Bot):
    assert await bot.set_my_commands([("next", "Next task"), ("help", "Help")])
    assert await bot.set_my_commands([("next", "Nächste Aufgabe")], language_code="de")
    assert [c.command for c in await bot.get_my_commands()] == ["next", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Nächste Aufgabe"]
    assert "BOT_COMMAND_INVALID" in await refused(api, bot.set_my_commands([("Next!", "bad")]))


# -- files -----------------------------------------------------------------------------------------


async def test_registered_files_can_be_fetched_and_downloaded(api: BotApiStandIn, bot: telegram.Bot):
    api.add_file("doc-1", b"id,prompt\n1,hi\n", "tasks.csv", "text/csv")
    file = await bot.get_file("doc-1")
    assert file.file_size == 15
    assert bytes(await file.download_as_bytearray()) == b"id,prompt\n1,hi\n"
    assert "invalid file_id" in await refused(api, bot.get_file("nope"))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{api.file_url}{api.token}/documents/missing") as response:
            assert response.status == 404


async def test_uploads_are_stored_and_checked(api: BotApiStandIn, bot: telegram.Bot):
    doc = await bot.send_document(CHAT, b"long model output", filename="answer.txt", caption="<b>Answer</b>",
                                  parse_mode="HTML", reply_markup=keyboard("r:1"))
    assert doc.document.file_name == "answer.txt" and doc.caption == "Answer"
    assert api.file_bytes(doc.document.file_id) == b"long model output"
    upload = api.calls_of("sendDocument")[0].params["document"]
    assert upload.filename == "answer.txt" and upload.data == b"long model output"
    photo = await bot.send_photo(CHAT, png(3, 2), filename="chart.png", caption="chart")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    again = await bot.send_document(CHAT + 1, doc.document.file_id)  # re-send by file_id
    assert again.document.file_id == doc.document.file_id
    assert "IMAGE_PROCESS_FAILED" in await refused(api, bot.send_photo(CHAT, b"not an image", filename="x.png"))
    assert "non-empty" in await refused(api, bot.send_document(CHAT, b"", filename="empty.txt"))
    assert "wrong file identifier" in await refused(api, bot.send_document(CHAT, "no-such-file-id"))
    assert [("document" in m, "photo" in m) for m in api.messages_to(CHAT)] == [(True, False), (False, True)]


async def test_ptb_application_polls_replies_answers_and_confirms_on_shutdown(api: BotApiStandIn):
    """The whole PTB polling loop against the stand-in: no spurious refusals, offsets confirmed at stop."""
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler

    app = Application.builder().token(api.token).base_url(api.base_url).base_file_url(api.file_url).build()

    async def start(update, context):
        await update.message.reply_text("Hi <b>there</b>", parse_mode="HTML", reply_markup=keyboard("go"))

    async def pressed(update, context):
        await update.callback_query.answer("ok")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.updater.start_polling(timeout=1, poll_interval=0)
    await app.start()
    try:
        api.push_update(api.message_update(7, "/start"))
        for _ in range(100):
            if api.messages_to(7):
                break
            await asyncio.sleep(0.02)
        [reply] = api.messages_to(7)
        query = api.push_update(api.callback_update(7, "go", reply["message_id"]))["callback_query"]["id"]
        for _ in range(100):
            if query in api.callback_answers:
                break
            await asyncio.sleep(0.02)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert reply["text"] == "Hi there"
    assert api.callback_answers[query]["text"] == "ok"
    assert api.pending_updates == []  # confirmed, so a restart would not see them again
    assert api.refusals == []


# -- command menus ---------------------------------------------------------------------------------------------
async def test_set_my_commands_is_recorded_per_scope_and_language(api: BotApiStandIn, bot: telegram.Bot):
    from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

    await bot.set_my_commands([BotCommand("next", "your next task")])
    await bot.set_my_commands([BotCommand("next", "tu siguiente tarea")], language_code="es")
    await bot.set_my_commands([BotCommand("siguiente", "tu siguiente tarea")], scope=BotCommandScopeChat(CHAT))
    await bot.set_my_commands([BotCommand("help", "help")], scope=BotCommandScopeAllPrivateChats())
    assert api.chat_menu(CHAT) == [{"command": "siguiente", "description": "tu siguiente tarea"}]
    assert api.chat_menu(CHAT, "es") is None and api.chat_menu(CHAT + 1) is None
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(CHAT))] == ["siguiente"]
    assert [c.description for c in await bot.get_my_commands(language_code="es")] == ["tu siguiente tarea"]
    assert [c.command for c in await bot.get_my_commands()] == ["next"]


async def test_a_malformed_command_scope_is_refused(api: BotApiStandIn, bot: telegram.Bot):
    from telegram import BotCommand

    commands = [BotCommand("next", "your next task")]
    for scope in ({"type": "somewhere"}, {"type": "chat"}, {"type": "default", "chat_id": CHAT}):
        await refused(api, bot.do_api_request("setMyCommands", {"commands": commands, "scope": scope}))
    assert api.commands == {}
