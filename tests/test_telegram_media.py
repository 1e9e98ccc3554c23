"""Media and code on Telegram: the real adapter (python-telegram-bot) against the strict Bot API stand-in, which
enforces Telegram's media rules (captions, photo size and dimensions, media groups of 2-10, file ids), on both
backends. What a person sends (photos, audio, voice notes, videos) arrives as `FileUploaded` stored by reference.
"""
from __future__ import annotations

import io
import json

import pytest
import telegram
from PIL import Image as PilImage
from telegram import Update

from app.settings import Settings
from app.wiring import build_runtime
from bot.adapters.telegram.files import FileIds
from bot.adapters.telegram.updates import parse_update
from bot.blobs import BlobRef
from bot.core.blocks import Buttons, Button, Code, Gallery, Media, Reply, text
from bot.core.operations import Delivery, SendMessage
from storage.blobs import LocalBlobStore
from storage.db import open_database
from tests.flows.telegram import telegram_user_id
from tests.telegram_standin import BotApiStandIn, parse_html, utf16_len

USER = "mia"


def picture(width: int = 4, height: int = 3, color: tuple[int, int, int] = (200, 30, 30), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    PilImage.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def chat(telegram_chat):
    return telegram_chat


def uid() -> int:
    return telegram_user_id(USER)


async def deliver(chat, *blocks) -> str | None:
    delivery = Delivery(op=SendMessage(message=Reply(blocks=list(blocks))), platform="telegram",
                        chat_id=str(uid()), user_id=str(uid()))
    return await chat.adapter.deliver(delivery)


async def stored(chat, data: bytes, mime: str, name: str, **dims) -> BlobRef:
    return await chat.runtime.blobs.put(data, mime, name, **dims)


async def remembered(chat, sha: str) -> str | None:
    async with open_database(chat.database_url) as db:
        async with db.transaction() as tx:
            return await tx.fetchval("SELECT file_id FROM platform_files WHERE platform = 'telegram' AND sha256 = $1",
                                     sha)


def sent(chat, method: str) -> list[dict]:
    return [c.params for c in chat.api.calls_of(method)]


# -- every kind of medium --------------------------------------------------------------------------------------


async def test_every_media_kind_is_sent_with_its_method_and_accepted(chat):
    photo = await stored(chat, picture(), "image/png", "chart.png", width=4, height=3)
    audio = await stored(chat, b"ID3\x03fake mp3 frames", "audio/mpeg", "answer.mp3")
    voice = await stored(chat, b"OggS\x00fake opus", "audio/ogg", "note.ogg")
    video = await stored(chat, b"\x00\x00\x00\x18ftypmp42fake", "video/mp4", "clip.mp4")
    doc = await stored(chat, b"%PDF-1.4 fake", "application/pdf", "brief.pdf")
    await deliver(chat, text("Your task"),
                  Media(media="image", blob=photo, caption="Chart <1> & axis"),
                  Media(media="audio", blob=audio, caption="Output A"),
                  Media(media="voice", blob=voice),
                  Media(media="video", blob=video, caption="Clip"),
                  Media(media="document", blob=doc, caption="Brief"),
                  Buttons(rows=[[Button(label="Rate", payload="rate:1")]]))
    assert [c.method for c in chat.api.calls if c.method.startswith("send")] == [
        "sendMessage", "sendPhoto", "sendAudio", "sendVoice", "sendVideo", "sendDocument"]
    messages = chat.api.messages_to(uid())
    assert messages[1]["caption"] == "Chart <1> & axis" and messages[1]["photo"][-1]["width"] == 4
    assert messages[2]["audio"]["file_name"] == "answer.mp3" and "voice" in messages[3]
    assert messages[4]["video"]["file_name"] == "clip.mp4" and messages[5]["document"]["file_name"] == "brief.pdf"
    assert "reply_markup" in messages[5]  # the buttons ride on the last message
    assert chat.api.bytes_uploaded == sum(r.size for r in (photo, audio, voice, video, doc))


async def test_a_long_caption_keeps_every_word(chat):
    photo = await stored(chat, picture(), "image/png", "p.png", width=4, height=3)
    caption = " ".join(f"word{i}" for i in range(400))  # about 3,200 characters
    await deliver(chat, Media(media="image", blob=photo, caption=caption))
    first, rest = chat.api.messages_to(uid())
    assert utf16_len(first["caption"]) <= 1024 and first["caption"].endswith("…")
    assert rest["text"].startswith("…")
    assert (first["caption"][:-1] + " " + rest["text"][1:]).split() == caption.split()


async def test_an_image_telegram_would_refuse_as_a_photo_goes_as_a_document(chat):
    thin = await stored(chat, picture(2, 100), "image/png", "thin.png", width=2, height=100)  # ratio 50
    huge = await stored(chat, picture(9000, 1200), "image/png", "huge.png", width=9000, height=1200)
    await deliver(chat, Media(media="image", blob=thin), Media(media="image", blob=huge))
    assert [m["document"]["file_name"] for m in chat.api.messages_to(uid())] == ["thin.png", "huge.png"]


async def test_a_photo_telegram_refuses_is_sent_again_as_a_document(chat):
    thin = await stored(chat, picture(1, 40), "image/png", "thin.png")  # the ref does not know its size
    fake = await stored(chat, b"\xff\xd8\xff not a jpeg", "image/jpeg", "fake.jpg", width=4, height=4)
    await deliver(chat, Media(media="image", blob=thin, caption="thin"), Media(media="image", blob=fake))
    assert [r.description for r in chat.api.refusals] == ["Bad Request: PHOTO_INVALID_DIMENSIONS",
                                                          "Bad Request: IMAGE_PROCESS_FAILED"]
    shown = chat.api.messages_to(uid())
    assert [m["document"]["file_name"] for m in shown] == ["thin.png", "fake.jpg"] and shown[0]["caption"] == "thin"
    chat.api.refusals.clear()  # expected: Telegram is the judge of what it can show as a photo


# -- galleries ---------------------------------------------------------------------------------------------------


async def gallery_of(chat, n: int, caption: str = "Which is better?") -> list[Media]:
    items = []
    for i in range(n):
        ref = await stored(chat, picture(3, 3, (i * 20 % 256, 10, 10)), "image/png", f"img{i}.png", width=3, height=3)
        items.append(Media(media="image", blob=ref))
    return items


@pytest.mark.parametrize("n, groups, singles", [(1, 0, 1), (2, 1, 0), (10, 1, 0), (11, 1, 1)])
async def test_galleries_are_media_groups_of_two_to_ten(chat, n, groups, singles):
    items = await gallery_of(chat, n)
    # The model keeps a gallery to ten; eleven is built past it to show the renderer would still send it right.
    gallery = Gallery(items=items, caption="Which is better?") if n <= 10 else Gallery.model_construct(
        kind="gallery", items=items, caption="Which is better?")
    await deliver(chat, gallery)
    assert len(chat.api.calls_of("sendMediaGroup")) == groups and len(chat.api.calls_of("sendPhoto")) == singles
    messages = chat.api.messages_to(uid())
    assert len(messages) == n
    assert messages[0]["caption"] == "Which is better?"
    assert [m for m in messages[1:] if "caption" in m] == []
    if groups:
        assert len({m["media_group_id"] for m in messages[:min(n, 10)]}) == 1


async def test_a_gallery_with_buttons_puts_its_caption_and_buttons_after_the_group(chat):
    items = await gallery_of(chat, 2)
    await deliver(chat, Gallery(items=items, caption="Left or right?"),
                  Buttons(rows=[[Button(label="Left", payload="pick:l"), Button(label="Right", payload="pick:r")]]))
    *group, last = chat.api.messages_to(uid())
    assert len(group) == 2 and all("caption" not in m for m in group)
    assert last["text"] == "Left or right?" and last["reply_markup"]["inline_keyboard"][0][0]["text"] == "Left"


async def test_audio_and_documents_are_grouped_only_with_their_kind(chat):
    audio = [await stored(chat, b"ID3" + bytes([i]) * 10, "audio/mpeg", f"a{i}.mp3") for i in range(2)]
    doc = await stored(chat, b"%PDF-1.4 x", "application/pdf", "x.pdf")
    voice = await stored(chat, b"OggS voice", "audio/ogg", "v.ogg")
    photo = (await gallery_of(chat, 1))[0]
    await deliver(chat, Gallery(items=[Media(media="audio", blob=a) for a in audio]
                                + [Media(media="document", blob=doc), Media(media="voice", blob=voice), photo]))
    groups = sent(chat, "sendMediaGroup")
    assert len(groups) == 1 and [m["type"] for m in groups[0]["media"]] == ["audio", "audio"]
    assert [c.method for c in chat.api.calls if c.method.startswith("send")] == [
        "sendMediaGroup", "sendDocument", "sendVoice", "sendPhoto"]


# -- code ----------------------------------------------------------------------------------------------------------


async def test_code_is_sent_as_pre_code_split_between_lines(chat):
    lines = [f"    total += values[{i}]  # <step & {i}>" for i in range(250)]
    source = "def add(values):\n    total = 0\n" + "\n".join(lines) + "\n    return total\n"
    await deliver(chat, Code(text=source, language="Python", title="solution.py"))
    messages = [c.params["text"] for c in chat.api.calls_of("sendMessage")]
    assert len(messages) >= 3
    shown = []
    for html in messages:
        plain, entities = parse_html(html)  # the stand-in's parser: every message is valid on its own
        assert utf16_len(plain) <= 4096
        pre = [e for e in entities if e["type"] == "pre"]
        assert len(pre) == 1 and pre[0]["language"] == "python"
        shown.append(plain[pre[0]["offset"]:pre[0]["offset"] + pre[0]["length"]])
    assert "\n".join(shown) == source.rstrip("\n")  # cut between lines only; indentation kept exactly
    assert chat.api.messages_to(uid())[0]["text"].startswith("solution.py\n")


async def test_long_code_is_also_sent_as_a_file_named_for_its_language(chat):
    source = "\n".join(f"let x{i} = {i} * 2; // line {i}" for i in range(2000))
    await deliver(chat, Code(text=source, language="javascript", mark=(1500, 1502)))
    [document] = [m["document"] for m in chat.api.messages_to(uid()) if "document" in m]
    assert document["file_name"] == "code.js"
    assert chat.api.file_bytes(document["file_id"]).decode() == source
    texts = [m["text"] for m in chat.api.messages_to(uid()) if "text" in m]
    assert 1 <= len(texts) <= 3
    assert any("▶1500 │ let x1499 = 1499 * 2;" in t for t in texts)  # the marked span is shown inline
    assert "⋯" in texts[0]


# -- file_id reuse ------------------------------------------------------------------------------------------------


async def test_the_same_photo_is_uploaded_once(chat):
    photo = await stored(chat, picture(40, 30), "image/png", "chart.png", width=40, height=30)
    await deliver(chat, Media(media="image", blob=photo, caption="first"))
    uploaded = chat.api.bytes_uploaded
    assert uploaded == photo.size
    first = chat.api.messages_to(uid())[-1]
    assert await remembered(chat, photo.sha256) == first["photo"][-1]["file_id"]  # the largest size's id

    await deliver(chat, Media(media="image", blob=photo, caption="again"))
    assert chat.api.bytes_uploaded == uploaded  # a repeat is free
    assert sent(chat, "sendPhoto")[-1]["photo"] == first["photo"][-1]["file_id"]

    chat.adapter.file_ids = FileIds(chat.runtime)  # another process: nothing in memory, the database knows
    chat.adapter._sender._file_ids = chat.adapter.file_ids
    await deliver(chat, Media(media="image", blob=photo))
    assert chat.api.bytes_uploaded == uploaded


async def test_a_gallery_sent_again_uploads_nothing(chat):
    items = await gallery_of(chat, 3)
    await deliver(chat, Gallery(items=items, caption="set"))
    uploaded = chat.api.bytes_uploaded
    assert uploaded == sum(m.blob.size for m in items)
    await deliver(chat, Gallery(items=items, caption="set again"))
    assert chat.api.bytes_uploaded == uploaded
    assert all(not m["media"].startswith("attach://") for m in sent(chat, "sendMediaGroup")[-1]["media"])


async def test_a_file_id_telegram_forgot_is_uploaded_once_more_and_replaced(chat):
    audio = await stored(chat, b"ID3 some audio", "audio/mpeg", "a.mp3")
    await deliver(chat, Media(media="audio", blob=audio))
    old = await remembered(chat, audio.sha256)
    chat.api.forget_file(old)
    await deliver(chat, Media(media="audio", blob=audio))
    assert [u[0] for u in chat.api.uploads] == ["sendAudio", "sendAudio"]  # once more, not more
    assert [r.description for r in chat.api.refusals] == ["Bad Request: wrong file identifier/HTTP URL specified"]
    new = await remembered(chat, audio.sha256)
    assert new and new != old
    chat.api.refusals.clear()  # the refusal of the forgotten id was the point
    await deliver(chat, Media(media="audio", blob=audio))
    assert len(chat.api.uploads) == 2


async def test_a_file_id_of_another_kind_is_not_forced(chat):
    photo = await stored(chat, picture(), "image/png", "p.png", width=4, height=3)
    await deliver(chat, Media(media="image", blob=photo))
    await deliver(chat, Media(media="document", blob=photo))  # the photo's id cannot be a document
    assert [u[0] for u in chat.api.uploads] == ["sendPhoto", "sendDocument"]
    assert "can't use file of type Photo as Document" in chat.api.refusals[0].description
    chat.api.refusals.clear()


# -- what a person sends --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, data, mime, name, expect_mime", [
    ("photo", picture(8, 6, fmt="JPEG"), None, None, "image/jpeg"),
    ("audio", b"ID3 song", "audio/mpeg", "song.mp3", "audio/mpeg"),
    ("voice", b"OggS voice", "audio/ogg", None, "audio/ogg"),
    ("video", b"\x00\x00\x00\x18ftypmp42", "video/mp4", None, "video/mp4"),
])
async def test_photos_audio_voice_and_video_arrive_as_stored_files(chat, kind, data, mime, name, expect_mime):
    update = chat.api.media_update(chat.user_id(USER), kind, f"in-{kind}-1", data, mime_type=mime, file_name=name,
                                   caption="my answer")
    await chat.push(update)
    async with open_database(chat.database_url) as db:
        async with db.transaction() as tx:
            payload = json.loads(await tx.fetchval("SELECT payload FROM inbox ORDER BY id DESC LIMIT 1"))
    assert payload["kind"] == "file" and payload["mime"] == expect_mime and payload["caption"] == "my answer"
    ref = BlobRef.model_validate(payload["blob"])
    assert ref.mime == expect_mime and ref.size == len(data)
    assert await chat.runtime.blobs.read(ref) == data  # the bytes are in the blob store, the row holds a ref
    if kind == "photo":
        assert (ref.width, ref.height) == (8, 6)


async def test_a_sent_file_over_the_limit_arrives_without_bytes(tmp_path):
    api = BotApiStandIn()  # only its update builders
    update = api.media_update(7, "video", "big", b"v" * 2048, mime_type="video/mp4")
    event = await parse_update(Update.de_json(update, None), bot_username="b", max_upload_bytes=1024,
                               blobs=LocalBlobStore(tmp_path))
    assert event.kind == "file" and event.blob is None and event.size == 2048 and event.mime == "video/mp4"


# -- the stand-in enforces the platform's rules (so the tests above can fail) ---------------------------------------


@pytest.fixture
async def api():
    async with BotApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def bot(api):
    async with telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.file_url) as b:
        yield b


async def refused(call) -> str:
    with pytest.raises(telegram.error.TelegramError) as info:
        await call
    return info.value.message.lower()  # PTB capitalizes Telegram's words


async def test_stand_in_refuses_what_telegram_refuses(api, bot):
    png = picture()
    assert "caption is too long" in await refused(bot.send_photo(1, png, caption="x" * 1025))
    await bot.send_photo(1, png, caption="&amp;" * 1024, parse_mode="HTML")  # 1,024 after parsing: accepted
    assert "photo_invalid_dimensions" in await refused(bot.send_photo(1, picture(6000, 4001)))
    assert "photo_invalid_dimensions" in await refused(bot.send_photo(1, picture(1, 21)))
    assert "image_process_failed" in await refused(bot.send_photo(1, b"\xff\xd8\xff not really a jpeg"))
    assert "10 mb" in await refused(bot.send_photo(1, b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024)))
    assert "wrong file identifier" in await refused(bot.send_document(1, "no-such-file-id"))
    one = [telegram.InputMediaPhoto(png)]
    assert "2-10" in await refused(bot.send_media_group(1, one))
    assert "2-10" in await refused(bot.send_media_group(1, [telegram.InputMediaPhoto(png) for _ in range(11)]))
    mixed = [telegram.InputMediaPhoto(png), telegram.InputMediaAudio(b"ID3 x", filename="a.mp3")]
    assert "same type" in await refused(bot.send_media_group(1, mixed))
    assert len(api.refusals) == 9


async def test_stand_in_counts_bytes_and_takes_back_its_file_ids(api, bot):
    png = picture()
    first = await bot.send_photo(1, png)
    assert api.bytes_uploaded == len(png)
    again = await bot.send_photo(1, first.photo[-1].file_id)
    assert api.bytes_uploaded == len(png) and again.photo[-1].file_id == first.photo[-1].file_id
    group = await bot.send_media_group(1, [telegram.InputMediaPhoto(first.photo[-1].file_id),
                                           telegram.InputMediaVideo(b"\x00\x00\x00\x18ftyp", filename="c.mp4")])
    assert [bool(m.photo) for m in group] == [True, False] and group[1].video.file_name == "c.mp4"
    assert group[0].media_group_id == group[1].media_group_id
    for method, field, data in (("send_audio", "audio", b"ID3"), ("send_voice", "voice", b"OggS"),
                                ("send_video", "video", b"\x00\x00\x00\x18ftyp")):
        message = await getattr(bot, method)(1, data)
        assert getattr(message, field).file_id
    assert api.refusals == []


async def test_of_a_photos_sizes_the_largest_that_fits_the_limit_is_taken(api, bot, tmp_path):
    big = picture(64, 48, fmt="JPEG")
    update = api.media_update(7, "photo", "ph", big)
    small = update["message"]["photo"][0]
    event = await parse_update(Update.de_json(update, bot), bot_username="b", max_upload_bytes=len(big) - 1,
                               blobs=LocalBlobStore(tmp_path))
    assert event.blob is not None and event.blob.size == small["file_size"] == 16  # the thumbnail, not nothing
    assert event.mime == "image/jpeg"


async def test_a_message_with_nothing_we_read_is_ignored(tmp_path):
    api = BotApiStandIn()
    update = api.message_update(7, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "s", "file_unique_id": "us", "type": "regular", "width": 1,
                                    "height": 1, "is_animated": False, "is_video": False}
    assert await parse_update(Update.de_json(update, None), bot_username="b", max_upload_bytes=1024,
                              blobs=LocalBlobStore(tmp_path)) is None


async def test_file_ids_without_a_database_only_cost_an_upload(tmp_path, caplog):
    runtime = build_runtime(Settings(database_url=f"sqlite:///{tmp_path}/never-opened.db"))  # never connected
    ids = FileIds(runtime)
    assert await ids.get("0" * 64) is None  # cannot look: upload
    await ids.remember("a" * 64, "F1")  # kept in this process although the database is away
    assert await ids.get("a" * 64) == "F1"
    await ids.forget("a" * 64)
    assert await ids.get("a" * 64) is None
    assert "file ids could not be read" in caplog.text and "F1" not in caplog.text
