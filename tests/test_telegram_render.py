"""The Telegram renderer: pure checks on the calls it produces, and the same calls run with the real
python-telegram-bot against the strict Bot API stand-in (which refuses what Telegram refuses)."""
from __future__ import annotations

import struct
import zlib

import pytest
import telegram
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.adapters.telegram.code_block import CUT_MARK, GAP, MARK, code_messages, filename_of, language_of
from bot.adapters.telegram.media_calls import split_caption
from bot.adapters.telegram.html import Run, escape, plain_text, split_runs, to_html, truncate
from bot.adapters.telegram.render import RenderError, TgCall, render, render_reply
from bot.blobs import BlobRef
from bot.core.blocks import Button, Buttons, Code, Divider, Gallery, Fields, File, Heading, LongText, Media, Reply, Span, text
from bot.core.forms import FormSpec, RenderedForm
from bot.core.operations import CloseForm, Delivery, EditMessage, Notice, OpenForm, SendMessage
from bot.core.split import utf16_len
from storage.blobs import LocalBlobStore
from tests.telegram_standin import BotApiStandIn, parse_html

CHAT = 4242
HOSTILE = '<b>not bold</b> & <script>alert("x")</script> &amp; &lt; a<b 5>3 </i> &#169; "q"'


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b""))


def send(*blocks, chat: str = str(CHAT), **context) -> Delivery:
    return Delivery(op=SendMessage(message=Reply(blocks=list(blocks))), platform="telegram", chat_id=chat, reply_context=context)


def edit(message_id: int | None, *blocks) -> Delivery:
    return Delivery(op=EditMessage(message=Reply(blocks=list(blocks))), platform="telegram", chat_id=str(CHAT),
                    edit_message_id=None if message_id is None else str(message_id))


def buttons(*payloads: str) -> Buttons:
    return Buttons(rows=[[Button(label=f"Do {p}", payload=p) for p in payloads]])


def parsed(call: TgCall, key: str = "text") -> tuple[str, list[dict]]:
    return parse_html(call.kwargs[key])


def words(n: int) -> str:
    """A text of about n characters in paragraphs and lines, each word unique so order can be checked."""
    out, size, i = [], 0, 0
    while size < n:
        word = f"w{i}"
        sep = "\n\n" if i % 97 == 96 else "\n" if i % 13 == 12 else " "
        out.append(word + sep)
        size += len(word) + len(sep)
        i += 1
    return "".join(out)[:n].rstrip()


@pytest.fixture
async def api():
    async with BotApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def bot(api: BotApiStandIn):
    async with telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.file_url) as b:
        yield b


async def execute(bot: telegram.Bot, calls: list[TgCall]) -> list:
    return [await getattr(bot, call.ptb_name)(**call.kwargs) for call in calls]


# -- text and escaping ---------------------------------------------------------------------------


def test_user_text_is_literal_and_escaped():
    [call] = render(send(Heading(text="Task <1> & co"), text(HOSTILE, Span(text="<i>x</i>", style="code"))))
    assert call.method == "sendMessage" and call.kwargs["parse_mode"] == "HTML"
    assert "<script>" not in call.kwargs["text"] and "&amp;amp;" in call.kwargs["text"]
    plain, entities = parsed(call)
    assert plain == "Task <1> & co\n" + HOSTILE + "<i>x</i>"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, len("Task <1> & co")),
        ("code", len("Task <1> & co\n" + HOSTILE), len("<i>x</i>")),
    ]


async def test_hostile_text_is_accepted_by_the_stand_in_verbatim(api: BotApiStandIn, bot: telegram.Bot):
    [message] = await execute(bot, render(send(text(HOSTILE))))
    assert message.text == HOSTILE and message.entities == ()
    assert api.refusals == []


def test_spans_heading_fields_and_divider():
    [call] = render(send(
        Heading(text="Profile"),
        text("Hello ", Span(text="Ann", style="bold"), ", you are ", Span(text="great", style="italic"),
             " at ", Span(text="x<y", style="code")),
        Fields(items=[("Name", "Ann <Lee>"), ("Rate & fee", "40 USD")]),
        Divider(),
        text("end"),
    ))
    assert call.kwargs["text"] == (
        "<b>Profile</b>\n"
        "Hello <b>Ann</b>, you are <i>great</i> at <code>x&lt;y</code>\n\n"
        "<b>Name</b>: Ann &lt;Lee&gt;\n<b>Rate &amp; fee</b>: 40 USD\n\n"
        "──────────\n\nend"
    )


def test_localize_before_rendering():
    from bot.i18n.text import msg

    with pytest.raises(RenderError, match="localize"):
        render(send(text(msg("task.title"))))


# -- splitting -----------------------------------------------------------------------------------


async def test_ten_thousand_characters_split_with_buttons_on_the_last_part(api: BotApiStandIn, bot: telegram.Bot):
    body = words(10_000)
    calls = render(send(Heading(text="Model answer"), text(body), buttons("rate:1", "skip:1")))
    assert [c.method for c in calls] == ["sendMessage"] * 3
    assert ["reply_markup" in c.kwargs for c in calls] == [False, False, True]
    plains = [parsed(c)[0] for c in calls]
    assert all(utf16_len(p) <= 4096 for p in plains)
    # Nothing lost, nothing reordered: only the separators at the cuts are dropped.
    assert " ".join(plains).split() == ("Model answer\n" + body).split()
    # The heading stays bold in the first part only.
    assert parsed(calls[0])[1][0] == {"type": "bold", "offset": 0, "length": len("Model answer")}
    messages = await execute(bot, calls)
    assert api.refusals == []
    assert [m.reply_markup is not None for m in messages] == [False, False, True]
    assert [b.callback_data for b in messages[-1].reply_markup.inline_keyboard[0]] == ["rate:1", "skip:1"]
    assert len(api.messages_to(CHAT)) == 3


def test_emoji_and_rtl_are_measured_in_utf16():
    # 3000 code points but 6000 UTF-16 code units: counting characters would send one message Telegram refuses.
    emoji = "😀" * 3000
    calls = render(send(text(emoji)))
    assert len(calls) == 2
    assert [utf16_len(parsed(c)[0]) for c in calls] == [4096, 6000 - 4096]
    assert "".join(parsed(c)[0] for c in calls) == emoji  # a hard cut never splits a surrogate pair
    rtl = " ".join(["שלום", "مرحبا", "👩‍⚕️", "עולם"] * 600)
    parts = render(send(text(rtl)))
    assert len(parts) >= 2
    assert all(utf16_len(parsed(c)[0]) <= 4096 for c in parts)
    assert " ".join(parsed(c)[0] for c in parts) == rtl


def test_escaping_does_not_count_towards_the_limit():
    # 4096 ampersands are 20480 characters of HTML but 4096 characters after parsing: one message.
    [call] = render(send(text("&" * 4096)))
    assert len(call.kwargs["text"]) == 5 * 4096
    assert parsed(call)[0] == "&" * 4096
    assert len(render(send(text("&" * 4097)))) == 2


def test_a_styled_run_cut_by_a_split_is_closed_and_reopened():
    long_bold = " ".join(["bold"] * 1500)  # 7499 characters in one <b>
    calls = render(send(text("intro ", Span(text=long_bold, style="bold"), " outro")))
    assert len(calls) == 2
    for call in calls:
        plain, entities = parsed(call)  # raises if a tag were cut or left open
        assert any(e["type"] == "bold" for e in entities)
    assert calls[0].kwargs["text"].startswith("intro <b>bold") and calls[0].kwargs["text"].endswith("</b>")
    assert calls[1].kwargs["text"].startswith("<b>bold") and calls[1].kwargs["text"].endswith("</b> outro")


_token = st.sampled_from(list("ab <>&;\"'\n") + ["😀", "ש", "\u200f", "&amp;", "\n\n", "é", "word "])


@settings(max_examples=300, deadline=None)
@given(
    runs=st.lists(st.tuples(st.lists(_token, max_size=30).map("".join),
                            st.sampled_from(["plain", "bold", "italic", "code"])), max_size=12),
    limit=st.integers(min_value=2, max_value=60),
)
def test_every_split_part_is_valid_html_within_the_limit(runs, limit):
    source = [Run(t, s) for t, s in runs]
    parts = split_runs(source, limit)
    kept = []
    for part in parts:
        html = to_html(part)
        plain, _ = parse_html(html)  # never a cut tag or entity
        assert plain == plain_text(part)
        assert utf16_len(plain) <= limit
        assert plain.strip()
        kept.append(plain)
    # Parts are in order and each is a piece of the source text.
    whole, position = plain_text(source), 0
    for plain in kept:
        found = whole.find(plain, position)
        assert found >= 0
        position = found + len(plain)


def test_truncate_counts_utf16_and_keeps_surrogates_whole():
    assert truncate("short", 10) == "short"
    cut = truncate("😀" * 10, 7)
    assert cut == "😀😀😀…" and utf16_len(cut) <= 7


# -- long text, images, files --------------------------------------------------------------------


async def test_long_text_inline_when_it_fits_in_three_messages(api: BotApiStandIn, bot: telegram.Bot):
    body = words(3 * 4096 - 1600)  # paragraph packing leaves some room in each part
    calls = render(send(LongText(title="Answer A", text=body), buttons("pick:a")))
    assert [c.method for c in calls] == ["sendMessage"] * 3
    await execute(bot, calls)
    assert api.refusals == []


async def test_very_long_text_goes_as_a_txt_document(api: BotApiStandIn, bot: telegram.Bot):
    body = words(20_000) + " <model> & done 😀"
    calls = render(send(text("Compare the answers."), LongText(title="Answer <A>", text=body, filename="answer-a.txt"),
                        buttons("pick:a")))
    assert [c.method for c in calls] == ["sendMessage", "sendDocument"]
    document = calls[1].kwargs
    assert document["document"] == body.encode("utf-8") and document["filename"] == "answer-a.txt"
    assert document["caption"] == "Answer &lt;A&gt;"
    assert "reply_markup" in document and "reply_markup" not in calls[0].kwargs
    _, sent = await execute(bot, calls)
    assert api.refusals == []
    assert sent.caption == "Answer <A>"
    assert api.file_bytes(sent.document.file_id).decode("utf-8") == body


async def test_images_and_files_keep_their_place(api: BotApiStandIn, bot: telegram.Bot, tmp_path):
    blobs = LocalBlobStore(tmp_path)
    chart = await blobs.put(png(), "image/png", "chart.png")
    table = await blobs.put(b"id,hours\n1,3\n", "text/csv", "hours.csv")
    calls = render(send(
        Heading(text="Chart"),
        Media(media="image", blob=chart, caption="Weekly hours <draft>"),
        text("The export:"),
        Media(media="document", blob=table, caption="c" * 2000),
        buttons("export:again"),
    ))
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto", "sendMessage", "sendDocument", "sendMessage"]
    # the file stays a reference until it is sent
    assert calls[1].kwargs["photo"] == chart and calls[1].kwargs["caption"] == "Weekly hours &lt;draft&gt;"
    # a caption too long is cut with an ellipsis, and the rest follows as text: nothing is lost
    assert utf16_len(calls[3].kwargs["caption"]) == 1024 and calls[3].kwargs["caption"].endswith("…")
    assert calls[4].kwargs["text"].startswith("…")
    assert len(calls[3].kwargs["caption"]) - 1 + len(calls[4].kwargs["text"]) - 1 == 2000
    assert ["reply_markup" in c.kwargs for c in calls] == [False, False, False, False, True]
    messages = await execute(bot, [TgCall(c.method, {k: telegram.InputFile(await blobs.read(v), filename=v.name)
                                                     if isinstance(v, BlobRef) else v for k, v in c.kwargs.items()})
                                   for c in calls])
    assert api.refusals == []
    assert messages[1].photo[-1].width == 1
    assert messages[3].document.file_name == "hours.csv"
    assert api.file_bytes(messages[3].document.file_id) == b"id,hours\n1,3\n"


def test_bytes_a_handler_made_never_reach_the_renderer():
    with pytest.raises(RenderError, match="staging"):
        render(send(File(data_b64="aGk=", filename="x.bin")))


# -- buttons -------------------------------------------------------------------------------------


def test_buttons_rows_urls_and_styles():
    [call] = render(send(text("Choose"), Buttons(rows=[
        [Button(label="Approve", payload="rv:9:ok", style="primary"), Button(label="Reject", payload="rv:9:no", style="danger")],
        [Button(label="Guidelines", url="https://example.org/guide?a=1&b=2")],
    ])))
    markup = call.kwargs["reply_markup"]
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["Approve", "Reject"], ["Guidelines"]]
    assert markup.inline_keyboard[0][1].style == "danger"
    assert markup.inline_keyboard[1][0].url == "https://example.org/guide?a=1&b=2"


@pytest.mark.parametrize("payload, ok", [("x" * 64, True), ("é" * 32, True), ("x" * 65, False), ("é" * 33, False),
                                         ("", False)])
def test_payload_must_fit_64_bytes(payload: str, ok: bool):
    delivery = send(text("t"), buttons(payload))
    if ok:
        assert render(delivery)[0].kwargs["reply_markup"].inline_keyboard[0][0].callback_data == payload
    else:
        with pytest.raises(RenderError, match="bytes"):
            render(delivery)


def test_button_without_payload_or_with_both_is_refused():
    with pytest.raises(RenderError, match="exactly one"):
        render(send(text("t"), Buttons(rows=[[Button(label="x")]])))
    with pytest.raises(RenderError, match="exactly one"):
        render(send(text("t"), Buttons(rows=[[Button(label="x", payload="p", url="https://example.org")]])))


def test_buttons_alone_have_nothing_to_ride_on():
    with pytest.raises(RenderError, match="needs text"):
        render(send(buttons("a")))


# -- edits and other operations ------------------------------------------------------------------


async def test_edit_replaces_text_and_keyboard(api: BotApiStandIn, bot: telegram.Bot):
    [original] = await execute(bot, render(send(text("Ping: are you available?"), buttons("av:yes", "av:no"))))
    calls = render(edit(original.message_id, text("Thanks — ", Span(text="noted", style="bold")), buttons("av:undo")))
    assert [c.method for c in calls] == ["editMessageText"]
    assert calls[0].kwargs["message_id"] == original.message_id and calls[0].kwargs["chat_id"] == CHAT
    [edited] = await execute(bot, calls)
    assert api.refusals == []
    assert edited.text == "Thanks — noted"
    assert [b.callback_data for b in edited.reply_markup.inline_keyboard[0]] == ["av:undo"]
    # Without buttons the keyboard goes.
    await execute(bot, render(edit(original.message_id, text("Done."))))
    assert "reply_markup" not in api.messages_to(CHAT)[0]
    assert api.refusals == []


async def test_long_edit_edits_the_first_part_and_sends_the_rest(api: BotApiStandIn, bot: telegram.Bot):
    [original] = await execute(bot, render(send(text("short"), buttons("a"))))
    calls = render(edit(original.message_id, text(words(6000)), buttons("b")))
    assert [c.method for c in calls] == ["editMessageText", "sendMessage"]
    assert "reply_markup" not in calls[0].kwargs and "reply_markup" in calls[1].kwargs
    await execute(bot, calls)
    assert api.refusals == []
    first, second = api.messages_to(CHAT)
    assert "reply_markup" not in first and second["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"


def test_edit_without_a_known_message_sends_fresh():
    assert [c.method for c in render(edit(None, text("x")))] == ["sendMessage"]


async def test_notice_answers_the_callback_query(api: BotApiStandIn, bot: telegram.Bot):
    update = api.push_update(api.callback_update(CHAT, "x", 1))
    query_id = update["callback_query"]["id"]
    delivery = Delivery(op=Notice(text="Saved <draft> " + "y" * 300), platform="telegram", chat_id=str(CHAT),
                        reply_context={"callback_query_id": query_id})
    [call] = render(delivery)
    assert call.method == "answerCallbackQuery" and utf16_len(call.kwargs["text"]) == 200
    assert call.kwargs["text"].startswith("Saved <draft> ")  # plain text: callback answers have no markup
    await execute(bot, [call])
    assert api.refusals == [] and query_id in api.callback_answers
    fallback = render(Delivery(op=Notice(text="a < b"), platform="telegram", chat_id=str(CHAT)))
    assert [(c.method, c.kwargs["text"]) for c in fallback] == [("sendMessage", "a &lt; b")]


def test_forms_are_not_opened_whole_on_telegram():
    assert render(Delivery(op=CloseForm(), platform="telegram", chat_id="1")) == []
    form = RenderedForm(spec=FormSpec(id="f", title="t", fields=[]))
    with pytest.raises(RenderError, match="wizard"):
        render(Delivery(op=OpenForm(session_id=1, title="t", form=form), platform="telegram", chat_id="1"))


def test_ptb_names_and_purity():
    calls = render_reply(Reply(blocks=[text("x")]), CHAT)
    assert calls == [TgCall("sendMessage", {"chat_id": CHAT, "text": "x", "parse_mode": "HTML"})]
    assert TgCall("editMessageText").ptb_name == "edit_message_text"
    assert TgCall("answerCallbackQuery").ptb_name == "answer_callback_query"
    assert escape("<&>") == "&lt;&amp;&gt;"
    assert render(send()) == []


def test_a_command_menu_is_set_for_this_chat_only():
    from bot.core.operations import CommandMenu, MenuCommand

    op = CommandMenu(commands=[MenuCommand(name="next", description="tu  siguiente\ntarea"),
                               MenuCommand(name="Bad-Name", description="dropped: Telegram refuses it"),
                               MenuCommand(name="log", description="x" * 300),
                               MenuCommand(name="empty", description="  ")])
    (call,) = render(Delivery(op=op, platform="telegram", chat_id=str(CHAT)))
    assert call.method == "setMyCommands" and call.ptb_name == "set_my_commands"
    assert call.kwargs["scope"] == telegram.BotCommandScopeChat(CHAT)
    commands = call.kwargs["commands"]
    assert [c.command for c in commands] == ["next", "log"]
    assert commands[0].description == "tu siguiente tarea" and len(commands[1].description) == 256


# -- code ----------------------------------------------------------------------------------------


def pre_of(html: str) -> tuple[str, dict]:
    plain, entities = parse_html(html)
    [pre] = [e for e in entities if e["type"] == "pre"]
    return plain[pre["offset"]:pre["offset"] + pre["length"]], pre


async def test_code_is_literal_inside_pre_code_with_a_clean_language(api: BotApiStandIn, bot: telegram.Bot):
    source = 'if a < b && c > d:\n\tprint("</code></pre><b>x</b> &amp;")\n'
    calls = render(send(Code(text=source, language=' C++"><script>', title="Check <this>")))
    [call] = calls
    assert call.kwargs["text"].startswith('<b>Check &lt;this&gt;</b>\n<pre><code class="language-c++script">')
    body, pre = pre_of(call.kwargs["text"])
    assert body == source.rstrip("\n") and pre["language"] == "c++script"  # tab and spacing kept exactly
    [message] = await execute(bot, calls)
    assert api.refusals == [] and message.text.endswith(source.rstrip("\n"))


@pytest.mark.parametrize("language, expected", [("Python", "python"), ("C#", "c#"), ("objective-c", "objective-c"),
                                                ("<x y=1>", "xy1"), ("", ""), ("a" * 80, "a" * 32)])
def test_code_language_is_reduced_to_safe_characters(language, expected):
    assert language_of(Code(text="x", language=language)) == expected


@pytest.mark.parametrize("filename, language, expected", [
    ("code.txt", "python", "code.py"), ("solution", "go", "solution.go"), ("fix.patch", "python", "fix.patch"),
    ("../../etc/passwd", "rust", "passwd.rs"), ("C:\\x\\main.txt", "c++", "main.cpp"), ("notes.txt", "klingon", "notes.txt"),
    ("", "sql", "code.sql"),
])
def test_a_code_file_is_named_for_its_language(filename, language, expected):
    assert filename_of(Code(text="x", language=language, filename=filename)) == expected


def test_an_anchored_span_is_numbered_and_marked():
    source = "\n".join(f"line {n}" for n in range(10, 16))
    [call] = render(send(Code(text=source, language="python", first_line=10, mark=(12, 13))))
    body, _ = pre_of(call.kwargs["text"])
    assert body.split("\n") == [" 10 │ line 10", " 11 │ line 11", f"{MARK}12 │ line 12", f"{MARK}13 │ line 13",
                                " 14 │ line 14", " 15 │ line 15"]
    # without an anchor, code is shown as it is
    [plain] = render(send(Code(text=source)))
    assert pre_of(plain.kwargs["text"])[0] == source


async def test_a_line_longer_than_a_message_is_the_only_cut_inside_a_line(api: BotApiStandIn, bot: telegram.Bot):
    long_line = "x = '" + "é😀" * 2000 + "'"
    source = "first()\n" + long_line + "\nlast()"
    calls = render(send(Code(text=source, language="python")))
    pieces = [pre_of(c.kwargs["text"])[0] for c in calls]
    assert all(utf16_len(parse_html(c.kwargs["text"])[0]) <= 4096 for c in calls)
    joined = "\n".join(pieces)
    # the long line starts right after "first()" and goes on in the next message, the cut marked
    assert len(calls) == 2 and joined.count(CUT_MARK) == 1 and pieces[0].startswith("first()\nx = '")
    assert joined.replace(CUT_MARK + "\n", "") == source  # nothing lost; lines stay whole elsewhere
    await execute(bot, calls)
    assert api.refusals == []


_code_line = st.lists(st.sampled_from(list("ab <>&;\t") + ["😀", "ש", "&amp;", "    "]), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_code_line, min_size=1, max_size=30), limit=st.integers(min_value=8, max_value=120),
       title=st.sampled_from(["", "T", "main.py"]))
@example(lines=["", "aa&amp;"], limit=8, title="T")  # a blank first line once left the title on a full message
def test_code_is_split_between_lines_for_any_limit(lines, limit, title):
    source = "\n".join(lines)
    shown = code_messages(Code(text=source, language="js"), title, limit, max_messages=10_000)
    if not source.strip():
        return
    bodies = []
    for html in shown.texts:
        plain, _ = parse_html(html)  # valid Telegram HTML on its own: no entity cut
        assert utf16_len(plain) <= limit
        bodies.append(pre_of(html)[0])
    # nothing lost or reordered (blank lines at a cut between messages may go: a message cannot be blank)
    joined = "\n".join(bodies).replace(CUT_MARK + "\n", "")
    assert [ln.rstrip() for ln in joined.split("\n") if ln.strip()] == [
        ln.rstrip() for ln in source.split("\n") if ln.strip()]
    # a line that fits a message is never cut
    room = limit - (utf16_len(title) + 1 if title else 0)
    for line in source.rstrip("\n").split("\n"):
        if utf16_len(line) <= room and line.strip():
            assert any(line in body.split("\n") for body in bodies)


def test_long_code_shows_an_excerpt_and_sends_the_whole_file():
    source = "\n".join(f"SELECT {i} FROM t;" for i in range(3000))
    calls = render(send(Code(text=source, language="SQL", title="query"), buttons("ok:1")))
    assert [c.method for c in calls] == ["sendMessage", "sendDocument"]
    body, _ = pre_of(calls[0].kwargs["text"])
    assert body.endswith(GAP) and body.startswith("SELECT 0 FROM t;")
    assert calls[1].kwargs["document"] == source.encode() and calls[1].kwargs["filename"] == "code.sql"
    assert "reply_markup" in calls[1].kwargs


def test_empty_code_shows_only_its_title():
    assert [c.kwargs["text"] for c in render(send(Code(text="\n\n", title="Nothing here")))] == ["<b>Nothing here</b>"]
    assert render(send(Code(text=""))) == []


# -- captions and galleries ----------------------------------------------------------------------


def test_a_caption_is_cut_between_words_in_utf16_and_the_rest_is_kept():
    assert split_caption("short") == ("short", "")
    text = "😀 " * 700  # 1,400 characters, 2,100 UTF-16 code units
    caption, rest = split_caption(text)
    assert utf16_len(caption) <= 1024 and caption.endswith("…") and rest.startswith("…")
    assert (caption[:-1] + " " + rest[1:]).split() == text.split()
    person = "\u2068" + "palabra " * 200 + "\u2069 end"  # a person's text (an isolate) cut in the middle
    caption, rest = split_caption(person)
    assert caption.count("\u2068") == caption.count("\u2069")  # closed in the caption, reopened in the rest
    assert rest.count("\u2068") == rest.count("\u2069")


async def test_gallery_captions_and_hostile_text(api: BotApiStandIn, bot: telegram.Bot, tmp_path):
    blobs = LocalBlobStore(tmp_path)
    a = await blobs.put(png(), "image/png", "a.png", width=1, height=1)
    b = await blobs.put(png() + b"\x00", "image/png", "b.png", width=1, height=1)
    calls = render(send(Gallery(items=[Media(media="image", blob=a, caption="left <img>"),
                                       Media(media="image", blob=b, caption="right & co")],
                                caption=HOSTILE)))
    [call] = calls
    assert call.method == "sendMediaGroup"
    first, second = call.kwargs["media"]
    assert parse_html(first.caption)[0] == HOSTILE + "\n\nleft <img>" and first.media == a
    assert parse_html(second.caption)[0] == "right & co" and second.parse_mode == "HTML"
    resolved = [type(m)(media=await blobs.read(m.media), caption=m.caption, parse_mode=m.parse_mode)
                for m in call.kwargs["media"]]
    messages = await bot.send_media_group(CHAT, resolved)
    assert api.refusals == [] and messages[0].caption == HOSTILE + "\n\nleft <img>"
