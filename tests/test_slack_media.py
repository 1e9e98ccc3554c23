"""Media and code on Slack, end to end: the real adapter and Bolt app, slack_sdk's upload flow against the loopback
stand-in (which enforces getUploadURLExternal → bytes → completeUploadExternal, file names and sizes, and that every
image block names a file the app uploaded), the blob store, and `platform_files` on both backends."""
from __future__ import annotations

import base64
import io
import json
import time

import pytest
from PIL import Image as PILImage

from bot.blobs import BlobRef
from bot.core.blocks import Code, Gallery, Media, Reply, text
from bot.core.forms import FieldKind, FieldSpec, FormSpec, RenderedForm
from bot.core.operations import Delivery, EditMessage, OpenForm, SendMessage
from tests.flows.slack import TEAM, SlackHarness, dm_channel, slack_user_id
from tests.slack_standin.signing import event_body

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def slack(slack_chat):
    return slack_chat


def png(color: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


async def stored(h: SlackHarness, data: bytes, mime: str, name: str) -> BlobRef:
    return await h.runtime.blobs.put(data, mime, name)


def to(h: SlackHarness, user: str, op) -> Delivery:
    uid = h.uid(user)
    return Delivery(op=op, platform="slack", workspace=TEAM, chat_id=uid, user_id=uid)


def ok_calls(h: SlackHarness, method: str) -> list:
    return [c for c in h.standin.calls_to(method) if isinstance(c.response, dict) and c.response.get("ok")]


def blocks_of(call) -> list[dict]:
    blocks = call.params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


async def remembered(h: SlackHarness, sha: str) -> str | None:
    async with h.runtime.db.transaction() as tx:
        return await h.runtime.unit_of_work(tx).platform_files.file_id("slack", TEAM, sha)


# -- images ----------------------------------------------------------------------------------------------------


async def test_an_image_is_uploaded_privately_once_and_shown_by_file_id(slack):
    data = png("red")
    chart = await stored(slack, data, "image/png", "chart.png")
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        text("Is the axis right?"), Media(media="image", blob=chart, caption="Revenue by month")]))))
    complete = ok_calls(slack, "files.completeUploadExternal")
    assert len(complete) == 1 and not complete[0].params.get("channel_id") and not complete[0].params.get("channels")
    fid = complete[0].response["files"][0]["id"]
    assert slack.standin.files[fid].data == data and slack.standin.files[fid].channels == []  # private to the app
    assert ok_calls(slack, "files.info")  # the upload is processed before its id is used
    post = ok_calls(slack, "chat.postMessage")[-1]
    images = [b for b in blocks_of(post) if b["type"] == "image"]
    assert images == [{"type": "image", "slack_file": {"id": fid}, "alt_text": "Revenue by month",
                       "title": {"type": "plain_text", "text": "Revenue by month", "emoji": False}}]
    assert await remembered(slack, chart.sha256) == fid
    assert slack.standin.bytes_uploaded == len(data)

    # The same bytes for someone else, later: no upload, the same file id.
    await slack.adapter.deliver(to(slack, "bo", SendMessage(message=Reply(blocks=[
        Media(media="image", blob=chart.named("again.png"))]))))
    assert slack.standin.bytes_uploaded == len(data)
    assert len(ok_calls(slack, "files.completeUploadExternal")) == 1
    post = ok_calls(slack, "chat.postMessage")[-1]
    assert post.params["channel"] == dm_channel(slack_user_id("bo"))
    assert [b["slack_file"]["id"] for b in blocks_of(post) if b["type"] == "image"] == [fid]
    assert not slack.refusals()


async def test_a_file_deleted_in_slack_is_forgotten_and_uploaded_again(slack):
    chart = await stored(slack, png("blue"), "image/png", "chart.png")
    message = SendMessage(message=Reply(blocks=[Media(media="image", blob=chart)]))
    await slack.adapter.deliver(to(slack, "ana", message))
    old = await remembered(slack, chart.sha256)
    slack.standin.files[old].deleted = True  # someone deleted it in Slack
    await slack.adapter.deliver(to(slack, "ana", message))
    new = await remembered(slack, chart.sha256)
    assert new and new != old
    assert [r.error for r in slack.refusals()] == ["invalid_blocks"]  # the stale id, refused once
    slack.standin.refusals.clear()  # expected and checked: the fixture fails a test on any other refusal
    assert [b["slack_file"]["id"] for b in blocks_of(ok_calls(slack, "chat.postMessage")[-1])
            if b["type"] == "image"] == [new]


async def test_an_image_slack_does_not_see_as_one_is_sent_as_a_file(slack):
    fake = await stored(slack, b"not a picture at all", "image/png", "fake.png")
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        text("Look"), Media(media="image", blob=fake)]))))
    assert await remembered(slack, fake.sha256) is None
    post = ok_calls(slack, "chat.postMessage")[-1]
    assert not [b for b in blocks_of(post) if b["type"] == "image"]
    shared = ok_calls(slack, "files.completeUploadExternal")[-1]
    assert shared.params["channel_id"] == post.response["channel"] and shared.params["thread_ts"] == post.response["ts"]
    assert not slack.refusals()


async def test_a_gallery_is_one_message_with_its_caption_and_an_image_block_each(slack):
    blobs = [await stored(slack, png(c), "image/png", f"{c}.png") for c in ("red", "green", "blue")]
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        Gallery(items=[Media(media="image", blob=b) for b in blobs], caption="Which is better?")]))))
    posts = ok_calls(slack, "chat.postMessage")
    assert len(posts) == 1
    blocks = blocks_of(posts[0])
    assert blocks[0]["type"] == "section" and "Which is better?" in blocks[0]["text"]["text"]
    ids = [b["slack_file"]["id"] for b in blocks if b["type"] == "image"]
    assert ids == [await remembered(slack, b.sha256) for b in blobs] and len(set(ids)) == 3
    assert all(b["alt_text"] == "Which is better?" for b in blocks if b["type"] == "image")
    assert slack.standin.image_block_files[-3:] == ids
    assert not slack.refusals()


# -- audio, video, documents -----------------------------------------------------------------------------------


async def test_audio_video_and_documents_are_files_in_the_thread_of_their_message(slack):
    audio = await stored(slack, b"ID3" + b"\x00" * 500, "audio/mpeg", "../../etc/clip")
    video = await stored(slack, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 300, "video/mp4", "take 1.mp4")
    doc = await stored(slack, b"%PDF-1.4 a report", "application/pdf", "")
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        text("Rate the transcript"), Media(media="audio", blob=audio, caption="Speaker 2"),
        Media(media="video", blob=video), Media(media="document", blob=doc)]))))
    post = ok_calls(slack, "chat.postMessage")[-1]
    shared = ok_calls(slack, "files.completeUploadExternal")
    assert len(shared) == 3  # one upload each: a retry never shares one twice
    assert {(c.params["channel_id"], c.params["thread_ts"]) for c in shared} == {(post.response["channel"],
                                                                                 post.response["ts"])}
    names = [c.response["files"][0]["name"] for c in shared]
    assert names == ["clip.mp3", "take 1.mp4", "document.pdf"]  # no folders; an extension from the type
    assert [f.data for f in slack.standin.uploaded_files()] == [b"ID3" + b"\x00" * 500,
                                                                 b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 300,
                                                                 b"%PDF-1.4 a report"]
    assert ok_calls(slack, "files.completeUploadExternal")[0].params.get("files")
    assert "Speaker 2" in json.dumps(shared[0].params["files"])
    assert not slack.refusals()


async def test_an_edit_keeps_its_files_under_the_edited_message(slack):
    doc = await stored(slack, b"%PDF-1.4 v2", "application/pdf", "v2.pdf")
    first = await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[text("Draft")]))))
    delivery = to(slack, "ana", EditMessage(message=Reply(blocks=[text("Final"), Media(media="document", blob=doc)])))
    delivery.edit_message_id = first
    assert await slack.adapter.deliver(delivery) == first
    shared = ok_calls(slack, "files.completeUploadExternal")[-1]
    assert f"{shared.params['channel_id']}:{shared.params['thread_ts']}" == first
    assert not slack.refusals()


async def test_a_file_over_slacks_limit_is_refused_for_good(slack):
    slack.standin.max_file_bytes = 100
    doc = await stored(slack, b"%PDF-" + b"x" * 200, "application/pdf", "big.pdf")
    from bot.core.adapter import DeliveryFailed

    with pytest.raises(DeliveryFailed) as failed:
        await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
            text("Big"), Media(media="document", blob=doc)]))))
    assert failed.value.permanent and "file_too_large" in failed.value.reason
    assert slack.standin.bytes_uploaded == 0
    assert [r.error for r in slack.refusals()] == ["file_too_large"]
    slack.standin.refusals.clear()  # expected and checked: the fixture fails a test on any other refusal


# -- code ------------------------------------------------------------------------------------------------------


def code_sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("```")]


async def test_code_is_split_between_lines_numbered_and_marked(slack):
    source = "\n".join(f"def f{i}(x):  # returns x < {i} && more" for i in range(1, 241))
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        Code(text=source, language="python", title="diff", mark=(12, 14))]))))
    posts = ok_calls(slack, "chat.postMessage")
    blocks = [b for p in posts for b in blocks_of(p)]
    sections = code_sections(blocks)
    assert len(sections) > 1 and all(len(s.encode("utf-16-le")) // 2 <= 3000 for s in sections)
    rows = [r for s in sections for r in s.removeprefix("```\n").removesuffix("\n```").split("\n")]
    assert len(rows) == 240  # every line whole, in one row, never split across sections
    for n, row in enumerate(rows, start=1):
        number, mark, line = row.split(" ", 2) if not row.startswith(" ") else row.lstrip().split(" ", 2)
        assert int(number) == n and mark == ("▶" if 12 <= n <= 14 else "│")
        assert line == f"def f{n}(x):  # returns x &lt; {n} &amp;&amp; more"
    heading = next(b for b in blocks if b["type"] == "context")["elements"][0]["text"]
    assert "diff" in heading and "`python`" in heading and "12–14" in heading
    assert ok_calls(slack, "files.completeUploadExternal") == []  # short enough: no file
    assert not slack.refusals()


async def test_very_long_code_shows_the_marked_part_and_goes_as_a_file_too(slack):
    source = "\n".join(f"x_{i} = {i}" + " " * 60 + "# pad" for i in range(1, 3001)) + "\n"
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
        Code(text=source, language="python", filename="solution", mark=(2500, 2500))]))))
    sections = code_sections([b for p in ok_calls(slack, "chat.postMessage") for b in blocks_of(p)])
    assert len(sections) == 10
    assert any("2500 ▶ x_2500 = 2500" in s for s in sections)
    shared = ok_calls(slack, "files.completeUploadExternal")
    assert [c.response["files"][0]["name"] for c in shared] == ["solution.py"]
    assert slack.standin.uploaded_files()[-1].data == source.encode()
    assert not slack.refusals()


async def test_one_line_longer_than_a_section_is_cut_into_continuation_rows_and_fences_cannot_close(slack):
    line = "s = '" + "ab```c" * 900 + "'"
    await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[Code(text=line)]))))
    sections = code_sections([b for p in ok_calls(slack, "chat.postMessage") for b in blocks_of(p)])
    assert len(sections) >= 2
    rows = [r for s in sections for r in s[4:-4].split("\n")]
    assert rows[0].startswith("1 │ ") and all(r.startswith("  ↪ ") for r in rows[1:])
    assert all("```" not in s[4:-4] for s in sections)
    assert "".join(r[4:] for r in rows).replace("\u200b", "") == line
    assert not slack.refusals()


# -- the task modal --------------------------------------------------------------------------------------------


def task_form(*context) -> RenderedForm:
    return RenderedForm(spec=FormSpec(id="task", title="Rate", context=list(context), fields=[
        FieldSpec(id="why", kind=FieldKind.long_text, label="Why?")]))


async def test_the_modal_opens_at_once_and_shows_its_image_when_uploaded(slack):
    chart = await stored(slack, png("orange"), "image/png", "chart.png")
    clip = await stored(slack, b"OggS" + b"\x00" * 100, "audio/ogg", "clip.ogg")
    form = task_form(text("Check the chart"), Media(media="image", blob=chart, caption="Sales"),
                     Media(media="audio", blob=clip))
    delivery = to(slack, "ana", OpenForm(session_id=3, title="Rate", form=form))
    delivery.reply_context = {"trigger_id": slack.standin.new_trigger_id()}
    await slack.adapter.deliver(delivery)
    opened = ok_calls(slack, "views.open")[-1].response["view"]
    shown = json.dumps(opened["blocks"], ensure_ascii=False)
    assert "chart.png" in shown and "appears here in a moment" in shown  # no image block before the upload
    assert "clip.ogg" in shown and "cannot be shown in this window" in shown
    assert not [b for b in opened["blocks"] if b["type"] == "image"]
    await slack.adapter.drain()
    updated = ok_calls(slack, "views.update")[-1]
    assert updated.params["view_id"] == opened["id"] and updated.params["hash"] == opened["hash"]
    view = updated.response["view"]
    fid = await remembered(slack, chart.sha256)
    assert [b["slack_file"]["id"] for b in view["blocks"] if b["type"] == "image"] == [fid]
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["why"]  # typed text survives

    # The next time, the image is known: it is in the modal as it opens, and nothing is redrawn.
    again = to(slack, "ana", OpenForm(session_id=4, title="Rate", form=form))
    again.reply_context = {"trigger_id": slack.standin.new_trigger_id()}
    updates = len(ok_calls(slack, "views.update"))
    await slack.adapter.deliver(again)
    await slack.adapter.drain()
    opened = ok_calls(slack, "views.open")[-1].response["view"]
    assert [b["slack_file"]["id"] for b in opened["blocks"] if b["type"] == "image"] == [fid]
    assert len(ok_calls(slack, "views.update")) == updates
    assert not slack.refusals()


async def test_the_modal_through_the_bolt_app_with_a_task_image(slack):
    """A person presses a button in Slack (a signed request to the Bolt app); the modal their turn opens shows the
    image the card before it already uploaded."""
    chart = await stored(slack, png("purple"), "image/png", "axis.png")
    await slack.adapter.deliver(to(slack, "rae", SendMessage(message=Reply(blocks=[
        Media(media="image", blob=chart)]))))
    await slack.send("rae", "/help")  # a real turn through Bolt: the adapter and the stand-in agree on the trigger
    trigger = slack.trigger("rae")
    delivery = to(slack, "rae", OpenForm(session_id=9, title="Rate", form=task_form(Media(media="image", blob=chart))))
    delivery.reply_context = {"trigger_id": trigger}
    await slack.adapter.deliver(delivery)
    opened = ok_calls(slack, "views.open")[-1]
    assert [b["slack_file"]["id"] for b in opened.response["view"]["blocks"] if b["type"] == "image"] == [
        await remembered(slack, chart.sha256)]
    await slack.settle()  # what the person now sees, read back as the harness reads every modal
    assert slack.last("rae", kind="form").text.startswith("Rate")
    assert not slack.refusals()


# -- inbound ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, mimetype", [
    ("photo.png", png("gray"), "image/png"),
    ("memo.ogg", b"OggS" + b"\x01" * 64, "audio/ogg"),
    ("notes.pdf", b"%PDF-1.7 notes", "application/pdf"),
    ("odd.bin", b"\x00\x01", "not a type; at all"),
])
async def test_files_people_share_are_stored_by_content(slack, name, data, mimetype):
    uid = slack.uid("lu")
    await slack.send("lu", "/help")
    fid = f"F0IN{abs(hash(name)) % 10**8:08d}"
    slack.standin.add_file(fid, name, data, mimetype=mimetype)
    info = slack.standin._file_json(slack.standin.files[fid])
    event = {"type": "message", "subtype": "file_share", "channel": dm_channel(uid), "channel_type": "im",
             "text": "", "ts": f"{time.time():.6f}", "files": [info]}
    await slack.post(event_body(TEAM, uid, event, slack.new_event_id()))
    async with slack.runtime.db.transaction() as tx:
        row = await tx.fetchrow("SELECT payload FROM inbox WHERE delivery_id = $1", f"file:{fid}")
    payload = json.loads(row["payload"])
    blob = BlobRef.model_validate(payload["blob"])
    assert base64.b64encode(data).decode()[:12] not in row["payload"] and data.hex()[:24] not in row["payload"]
    assert await slack.runtime.blobs.read(blob) == data and blob.name == name
    assert blob.mime == payload["mime"] == (mimetype if "/" in mimetype and " " not in mimetype
                                            else "application/octet-stream")
    assert not slack.refusals()


# -- the stand-in's upload rules (what the adapter is held to) ---------------------------------------------------


async def test_the_stand_in_enforces_slacks_upload_flow_and_file_references():
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.slack_standin import SlackApiStandIn

    async with SlackApiStandIn(max_file_bytes=1000) as standin:
        client = AsyncWebClient(token=standin.token, base_url=standin.base_url)

        async def refused(call) -> str:
            with pytest.raises(SlackApiError) as err:
                await call
            return err.value.response["error"]

        for name in ("a/b.png", "", "..", "x\x00.png", "é" * 256):
            assert await refused(client.files_getUploadURLExternal(filename=name, length=5)) in (
                "invalid_arguments",)
        assert await refused(client.files_getUploadURLExternal(filename="big.bin", length=1001)) == "file_too_large"
        assert await refused(client.files_getUploadURLExternal(filename="none.bin", length=0)) == "invalid_arguments"

        step1 = await client.files_getUploadURLExternal(filename="p.png", length=len(png("red")))
        fid = step1["file_id"]
        assert await refused(client.files_completeUploadExternal(files=[{"id": fid}])) == "file_upload_not_found"
        async with aiohttp.ClientSession() as http:
            async with http.post(step1["upload_url"], data=b"short") as resp:
                assert resp.status == 400  # not the declared length
            async with http.post(step1["upload_url"], data=png("red")) as resp:
                assert resp.status == 200
        assert standin.bytes_uploaded == len(png("red"))
        channel = (await client.conversations_open(users="U0PERSON1"))["channel"]["id"]
        assert await refused(client.files_completeUploadExternal(
            files=[{"id": fid}], channel_id=channel, thread_ts="1.000001")) == "thread_not_found"
        done = await client.files_completeUploadExternal(files=[{"id": fid}])  # private to the app
        assert done["files"][0]["mimetype"] == ""  # Slack processes the upload after answering
        assert (await client.files_info(file=fid))["file"]["mimetype"] == "image/png"
        assert await refused(client.files_completeUploadExternal(files=[{"id": fid}])) == "file_already_completed"

        ok = await client.chat_postMessage(channel=channel, text="x", blocks=[
            {"type": "image", "slack_file": {"id": fid}, "alt_text": "red"}])
        assert ok["ok"] and standin.image_block_files == [fid]
        text_file = await client.files_upload_v2(content=b"plain words", filename="t.txt")
        for bad in ("F99999999", text_file["file"]["id"]):  # unknown; not an image
            with pytest.raises(SlackApiError) as err:
                await client.chat_postMessage(channel=channel, text="x", blocks=[
                    {"type": "image", "slack_file": {"id": bad}, "alt_text": "a"}])
            assert err.value.response["error"] == "invalid_blocks"
            assert "invalid slack file" in err.value.response["errors"][0]
        trigger = standin.new_trigger_id()
        assert await refused(client.views_open(trigger_id=trigger, view={
            "type": "modal", "title": {"type": "plain_text", "text": "T"},
            "blocks": [{"type": "image", "slack_file": {"id": "F99999999"}, "alt_text": "a"}]})) == "invalid_arguments"
        standin.files[fid].deleted = True
        assert await refused(client.chat_postMessage(channel=channel, text="x", blocks=[
            {"type": "image", "slack_file": {"id": fid}, "alt_text": "red"}])) == "invalid_blocks"


# -- retries through the outbox (the runtime's own send path: staging stores the bytes, the row holds a ref) --------


class _Clock:
    def __init__(self) -> None:
        from datetime import datetime, timezone

        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


async def _send_to(h: SlackHarness, user: str, reply: Reply) -> None:
    from bot.core.operations import Target
    from domain.identity import parse_identity

    key = parse_identity(h.identity(user))
    async with h.runtime.db.transaction() as tx:
        pid = int(await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                    " AND user_id = $3", key.platform, key.workspace, key.user_id))
    await h.runtime.send([SendMessage(to=Target.person(pid), message=reply)], person_id=pid)


async def _outbox_row(h: SlackHarness, words: str) -> dict:
    async with h.runtime.db.transaction() as tx:
        rows = await tx.fetch("SELECT parts_done, attempts, sent_at, failed_at FROM outbox WHERE payload LIKE $1",
                              f"%{words}%")
    assert len(rows) == 1
    return dict(rows[0])


async def test_a_failed_image_upload_posts_nothing_and_the_retry_posts_the_message_once(database_url):
    from datetime import timedelta

    from bot.core.blocks import Image

    h = SlackHarness(database_url, clock=_Clock())
    async with h:
        await h.send("ana", "/help")
        channel = dm_channel(slack_user_id("ana"))
        h.standin.fail("files.getUploadURLExternal", "internal_error", 500)
        await _send_to(h, "ana", Reply(blocks=[text("Zebra totals"), Image(
            data_b64=base64.b64encode(png("teal")).decode(), filename="chart.png", alt="the chart")]))
        posts = lambda: [m for m in h.standin.messages_in(channel) if "Zebra totals" in str(m)]  # noqa: E731
        assert posts() == []  # the image belongs in the message: without its file id the message waits
        row = await _outbox_row(h, "Zebra totals")
        assert row["parts_done"] == 0 and row["attempts"] == 1 and row["sent_at"] is None and row["failed_at"] is None
        h.clock.now += timedelta(hours=1)
        for _ in range(3):
            await h.runtime.sweep_outbox()
        assert len(posts()) == 1
        assert [b["type"] for b in posts()[0]["blocks"]] == ["section", "image"]
        assert [f.name for f in h.standin.uploaded_files()] == ["chart.png"] and h.standin.files[
            posts()[0]["blocks"][1]["slack_file"]["id"]].channels == []
        assert (await _outbox_row(h, "Zebra totals"))["sent_at"] is not None
        assert not h.refusals()


async def test_a_retry_uploads_only_the_file_that_failed_in_the_thread_of_the_message_sent_before(database_url):
    from datetime import timedelta

    from bot.core.blocks import File

    h = SlackHarness(database_url, clock=_Clock())
    async with h:
        await h.send("ana", "/help")
        channel = dm_channel(slack_user_id("ana"))
        h.standin.fail("files.getUploadURLExternal", "internal_error", 500, times=1)
        await _send_to(h, "ana", Reply(blocks=[text("Quarter report"), File(
            data_b64=base64.b64encode(b"%PDF-1.4 q3").decode(), filename="q3.pdf", mime="application/pdf"), File(
            data_b64=base64.b64encode(b"a,b\n1,2\n").decode(), filename="q3.csv", mime="text/csv")]))
        posts = lambda: [m for m in h.standin.messages_in(channel) if "Quarter report" in m["text"]]  # noqa: E731
        assert len(posts()) == 1 and h.standin.uploaded_files() == []
        assert (await _outbox_row(h, "Quarter report"))["parts_done"] == 1
        h.clock.now += timedelta(hours=1)
        for _ in range(3):
            await h.runtime.sweep_outbox()
        assert len(posts()) == 1, "the text was posted once, however often the row was retried"
        files = h.standin.uploaded_files()
        assert [f.name for f in files] == ["q3.pdf", "q3.csv"]
        assert all(f.thread_ts == posts()[0]["ts"] and f.channels == [channel] for f in files)
        assert (await _outbox_row(h, "Quarter report"))["sent_at"] is not None
        assert not h.refusals()


async def test_a_medium_missing_from_the_blob_store_fails_for_good_and_posts_nothing(slack):
    from bot.blobs import ref_for
    from bot.core.adapter import DeliveryFailed

    ghost = ref_for(png("black"), "image/png", "ghost.png")  # a ref, but the bytes were never stored here
    with pytest.raises(DeliveryFailed) as failed:
        await slack.adapter.deliver(to(slack, "ana", SendMessage(message=Reply(blocks=[
            text("Look"), Media(media="image", blob=ghost)]))))
    assert failed.value.permanent and "blob store" in failed.value.reason
    assert ok_calls(slack, "chat.postMessage") == [] and slack.standin.bytes_uploaded == 0
