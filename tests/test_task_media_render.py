"""How a task item with media and code is shown (issue 20, points 7-9): the blocks `item_blocks` builds for images,
audio, galleries of image responses and code responses, what a modal gets instead, the reviewer's marked span, and
the console's rendering of them. Items without media come out exactly as before."""
from __future__ import annotations

import pytest

from bot.adapters.console.render import render_reply
from bot.blobs import ref_for
from bot.core.blocks import Code, Gallery, LongText, Media, Paragraph, Reply
from bot.i18n.catalog import Catalogs
from bot.i18n.localize import localize
from domain.task_import import TaskItem
from handlers.shared.actions import ShowTaskText
from handlers.shared.task_render import issue_spans, item_blocks, item_text, render_opened

PNG_A = ref_for(b"\x89PNG a", "image/png", "a.png", width=64, height=48)
PNG_B = ref_for(b"\x89PNG b", "image/png", "b.png", width=64, height=48)
WAV = ref_for(b"RIFF wav", "audio/wav", "clip.wav")
CODE = "import sys\n\ndef head(xs, n):\n    return xs[:n + 1]\n\n\nprint(head([1, 2, 3], 2))\n"


@pytest.fixture(scope="module")
def catalogs():
    return Catalogs.load()


def _att(ref, kind="image", alt=""):
    return {"kind": kind, "alt": alt, "blob": ref.model_dump(mode="json")}


def _item(**fields) -> TaskItem:
    return TaskItem.model_validate({"external_id": "x", "prompt": "Which is better?", **fields})


def _shown(blocks, catalogs) -> str:
    return render_reply(localize(Reply(blocks=blocks), "en", catalogs=catalogs))[0]


def test_an_item_without_media_is_shown_as_before():
    item = _item(context="Some context.", responses=[{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}])
    blocks = item_blocks(item)
    assert [type(b) for b in blocks] == [LongText] * 4
    assert [b.filename for b in blocks] == ["context.txt", "prompt.txt", "response-a.txt", "response-b.txt"]
    assert [b.text for b in blocks] == ["Some context.", "Which is better?", "One.", "Two."]


def test_two_image_responses_are_one_gallery_lettered_in_order(catalogs):
    item = _item(responses=[{"id": "a", "attachments": [_att(PNG_A, alt="red roof")]},
                            {"id": "b", "attachments": [_att(PNG_B, alt="blue roof")]}])
    blocks = item_blocks(item)
    assert isinstance(blocks[-1], Gallery) and [m.blob for m in blocks[-1].items] == [PNG_A, PNG_B]
    shown = _shown(blocks, catalogs)
    assert "Response A — \u2068red roof\u2069" in shown and "Response B — \u2068blue roof\u2069" in shown
    assert shown.index("a.png") < shown.index("b.png") and "Responses A, B, in this order." in shown


def test_a_code_response_is_code_with_its_language_and_file_name(catalogs):
    item = _item(responses=[{"id": "a", "format": "code", "language": "python", "text": CODE},
                            {"id": "b", "format": "code", "language": "diff", "text": "-a\n+b\n"},
                            {"id": "c", "format": "code", "text": "x"}])
    codes = [b for b in item_blocks(item) if isinstance(b, Code)]
    assert [c.filename for c in codes] == ["response-a.py", "response-b.diff", "response-c.txt"]
    assert codes[0].language == "python" and codes[0].text == CODE  # every space kept
    shown = _shown(item_blocks(item), catalogs)
    assert "Response A" in shown and " 4 |     return xs[:n + 1]" in shown
    assert isinstance(item_text(item, "r0"), Code)


def test_a_modal_gets_code_as_text_with_its_whole_text_a_press_away():
    item = _item(responses=[{"id": "a", "format": "code", "language": "python", "text": CODE}])
    blocks = item_blocks(item, lambda part: ShowTaskText(assignment=1, part=part))
    response = blocks[-1]
    assert isinstance(response, LongText) and response.text == CODE and response.more is not None


def test_a_recording_comes_before_its_transcript(catalogs):
    transcription = _item(attachments=[_att(WAV, "audio", "a pharmacist")],
                          responses=[{"id": "t", "text": "Take two tablets."}])
    blocks = item_blocks(transcription)
    audio = next(i for i, b in enumerate(blocks) if isinstance(b, Media))
    transcript = next(i for i, b in enumerate(blocks) if isinstance(b, LongText) and b.text == "Take two tablets.")
    assert blocks[audio].media == "audio" and audio < transcript
    own = _item(responses=[{"id": "t", "text": "Take two tablets.", "attachments": [_att(WAV, "audio")]}])
    blocks = item_blocks(own)  # the recording on the response itself: still first
    assert isinstance(blocks[1], Media) and isinstance(blocks[2], LongText)


def test_an_audio_response_is_judged_by_its_recording(catalogs):
    item = _item(responses=[{"id": "a", "attachments": [_att(WAV, "audio", "the model's reading")]}])
    blocks = item_blocks(item)
    assert [type(b) for b in blocks] == [LongText, Media]  # the prompt, then the recording: no empty text
    assert "Response A — \u2068the model's reading\u2069" in _shown(blocks, catalogs)
    assert item_text(item, "r0") is None


def test_an_image_to_label_follows_the_prompt_and_missing_media_are_named(catalogs):
    item = _item(attachments=[_att(PNG_A, alt="a cat"), {"kind": "image", "url": "https://example.com/x.png",
                                                         "alt": "a dog"}],
                 responses=[{"id": "a", "text": "A caption."}])
    blocks = item_blocks(item)
    assert isinstance(blocks[1], Media) and blocks[1].blob == PNG_A
    assert isinstance(blocks[2], Paragraph)
    assert "(image not available: \u2068a dog\u2069)" in _shown(blocks, catalogs)


def test_the_window_message_keeps_the_media():
    item = _item(responses=[{"id": "a", "attachments": [_att(PNG_A)]}, {"id": "b", "attachments": [_att(PNG_B)]}])
    assert any(isinstance(b, Gallery) for b in render_opened("P", item, 1))


def test_the_reviewer_sees_the_lines_an_issue_names_marked(catalogs):
    item = _item(responses=[{"id": "code", "format": "code", "language": "python", "text": CODE}])
    answer = {"task_type": "error_check", "issues": [
        {"quote": "", "category": "other", "severity": "major", "correction": "xs[:n]", "response_id": "code",
         "lines": [4, 4]},
        {"quote": "import sys", "category": "other", "severity": "minor", "correction": "unused",
         "response_id": "code", "lines": None}]}
    blocks = issue_spans(item, answer)
    code = next(b for b in blocks if isinstance(b, Code))
    assert code.mark == (4, 4) and code.first_line == 2 and code.filename == "issue-1.py"
    assert code.text.split("\n")[2] == "    return xs[:n + 1]"
    shown = _shown(blocks, catalogs)
    assert "Issue 1: line 4" in shown and ">4 |     return xs[:n + 1]" in shown and " 3 | def head" in shown
    assert issue_spans(item, {"task_type": "rating", "scores": {}}) == []


def test_a_card_with_code_or_media_goes_apart_from_its_question():
    """Code goes in messages of its own (split between lines, or as a file too) and media as uploads: a card with
    either is sent on its own, never combined with the question that a press edits in place."""
    from bot.adapters.slack import SLACK
    from bot.adapters.telegram import TELEGRAM
    from bot.core.blocks import text
    from bot.core.form_card import fits

    code = Reply(blocks=[text("Response A"), Code(text="x = 1\n", language="python")])
    media = Reply(blocks=[text("a chart"), Media(media="image", blob=PNG_A)])
    for reply in (code, media):
        assert not fits(reply, TELEGRAM) and not fits(reply, SLACK)
