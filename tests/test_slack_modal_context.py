"""A form's context in a Slack modal (bot.adapters.slack.modal_context): above the inputs, within a view's 100
blocks and a section's 3,000 characters, long texts cut at a word with their "whole text" button; the view is
valid Block Kit by the stand-in's checks."""
from __future__ import annotations

from bot.adapters.slack.render import render_modal
from bot.core.blocks import Button, Image, LongText, text
from bot.core.forms import FieldKind, FieldSpec, FormSpec, RenderedForm
from tests.slack_standin.server import validate_view


def _form(context: list, fields: int = 1) -> RenderedForm:
    return RenderedForm(spec=FormSpec(id="f", title="Task", context=context, fields=[
        FieldSpec(id=f"q{n}", kind=FieldKind.long_text, label=f"Question {n}") for n in range(fields)]))


def _long(n: int, chars: int) -> LongText:
    words = " ".join(f"w{n}x{i}" for i in range(chars // 6))
    return LongText(title=f"Response {n}", text=words, more=Button(label="Send me the whole text", payload=f"p{n}"))


def test_many_long_texts_share_the_view_and_each_keeps_its_button():
    texts = [_long(n, 40_000) for n in range(10)]
    view = render_modal(_form(texts, fields=8), 7)
    assert validate_view(view) == []
    blocks = view["blocks"]
    assert len(blocks) <= 100
    assert [b["block_id"] for b in blocks if b["type"] == "input"] == [f"q{n}" for n in range(8)]  # inputs all kept
    assert blocks[-9]["type"] == "divider"  # the context ends before the inputs
    shown = [b for b in blocks if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    for n in range(10):
        mine = [b["text"]["text"] for b in shown if b["text"]["text"].startswith(f"w{n}x")]
        assert mine and mine[-1].endswith("…") and all(len(t) <= 3000 for t in mine)
        assert mine[-1][:-1].split()[-1].startswith(f"w{n}x")  # cut between words
    buttons = [el for b in blocks if b["type"] == "actions" for el in b["elements"]]
    assert [el["value"] for el in buttons] == [f"p{n}" for n in range(10)]
    assert len({el["action_id"] for el in buttons}) == 10


def test_short_texts_are_whole_and_have_no_button():
    view = render_modal(_form([text("Rating · until 14:00"), _long(0, 2_000),
                               Image(data_b64="", filename="x.png")]), 7)
    assert validate_view(view) == []
    types = [b["type"] for b in view["blocks"]]
    assert "actions" not in types and types[-2:] == ["divider", "input"]
    assert any(b.get("text", {}).get("text") == _long(0, 2_000).text for b in view["blocks"])


def test_a_form_without_context_is_only_its_inputs():
    view = render_modal(_form([]), 7)
    assert [b["type"] for b in view["blocks"]] == ["input"]
