"""A card and its question share a message only when the platform shows them as one: what `form_card.fits` says
fits renders, on Telegram and on Slack, as exactly one message with no upload (so it can be edited in place)."""
from __future__ import annotations

import base64

import pytest

from bot.adapters.slack import SLACK
from bot.adapters.slack.render import render_messages
from bot.adapters.telegram import TELEGRAM
from bot.adapters.telegram.render import render_reply
from bot.core.blocks import Button, Buttons, Heading, Image, LongText, Reply, Span, text
from bot.core.form_card import ONE_MESSAGE, fits, with_answers


def _reply(prompt: int, responses: list[int], options: int = 5, symbols: bool = False) -> Reply:
    word = "a&b <c> " if symbols else "answer "
    body = lambda n: (word * (n // len(word) + 1))[:n]  # noqa: E731
    rows = [[Button(label=f"option {i}", payload=f"p{i}")] for i in range(options)]
    return Reply(blocks=[
        Heading(text="Tenancy pairs"), text("Compare two answers · held for you until 3:05 AM"),
        LongText(title="Prompt", text=body(prompt)),
        *(LongText(title=f"Response {chr(65 + i)}", text=body(n)) for i, n in enumerate(responses)),
        text("Step 1 of 2"), text(Span(text="Which response is better overall?", style="bold")),
        Buttons(rows=rows),
    ])


CASES = [(80, [200, 150], 5, False), (500, [1500, 1500], 6, False), (400, [1700, 1800], 6, False),
         (300, [1800, 1850], 3, True), (300, [1500, 1500], 3, True), (100, [3900], 2, False), (50, [1000] * 3, 60, False), (10, [100], 48, False)]


@pytest.mark.parametrize("prompt,responses,options,symbols", CASES)
def test_what_fits_renders_as_one_message(prompt, responses, options, symbols):
    reply = _reply(prompt, responses, options, symbols)
    if fits(reply, TELEGRAM):
        calls = render_reply(reply, 1, edit_message_id=7)
        assert [c.method for c in calls] == ["editMessageText"]
    if fits(reply, SLACK):
        messages = render_messages(reply)
        assert len(messages) == 1 and not messages[0].uploads and len(messages[0].blocks) <= SLACK.max_blocks


def test_a_long_card_or_a_picture_does_not_fit():
    assert fits(_reply(80, [200, 150]), TELEGRAM) and fits(_reply(80, [200, 150]), SLACK)
    too_long = _reply(400, [ONE_MESSAGE // 2, ONE_MESSAGE // 2])
    assert not fits(too_long, TELEGRAM) and not fits(too_long, SLACK)  # Slack could hold it: a card this long stays apart
    assert len(render_reply(too_long, 1)) > 1  # where Telegram would have split it
    many_buttons = _reply(10, [100], options=60)
    assert fits(many_buttons, TELEGRAM) and not fits(many_buttons, SLACK)  # 50 blocks per Slack message
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    assert not fits(Reply(blocks=[text("a chart"), Image(data_b64=png)]), TELEGRAM)


def test_answers_go_below_the_heading():
    step = Reply(blocks=[Heading(text="Tenancy pairs"), text("Step 2 of 2")])
    shown = with_answers(step, [text("Which response is better overall? A is much better")])
    assert [b.kind for b in shown.blocks] == ["heading", "paragraph", "paragraph"]
    assert shown.blocks[1].spans[0].text.endswith("A is much better")
    assert with_answers(step, []) is step
