"""A form's card and its question in one message: what the form is about (a task's card), the answers given so
far and the question, so opening a task is one message and a button step edits that message in place.

Every step needs the card in view (the expert justifies a choice by the responses above it), so the card stays in
the message a button press edits. When the card and the question together would not fit one message of the
platform, they go as two (the card, then the question), as the platform could not edit a split message in place.
"""
from __future__ import annotations

from math import ceil
from typing import Any

from bot.core.capabilities import Capabilities
from bot.core.blocks import Block, Buttons, Fields, Heading, LongText, Paragraph, Reply, Span, text
from bot.core.context import Context
from bot.core.field_values import display
from bot.core.forms import FieldKind, FormSpec
from bot.core.split import utf16_len
from bot.core.store import FormSession
from bot.i18n.localize import localize
from bot.i18n.text import user_text

# The most text a card and its question share one message with, on any platform: a Telegram message (4,096
# UTF-16 units). Longer, the card is a long read on its own; on Slack it would be split into several sections and
# uploads that an edit could not carry.
ONE_MESSAGE = 4096
SEPARATOR = 2  # the blank line renderers put between blocks


def answered_lines(session: FormSession, spec: FormSpec) -> list[Paragraph]:
    """The answers given before the current step, one line each (label and answer), so the message a press edits
    still shows what was chosen."""
    lines = []
    for f in spec.fields[:session.step]:
        value = session.values.get(f.id)
        if not f.applies(session.values) or value in (None, "", []):
            continue
        shown = display(f, value)
        if f.kind in (FieldKind.short_text, FieldKind.long_text):  # what the person typed: isolated
            shown = [user_text(p) if isinstance(p, str) else p for p in shown]
        lines.append(text(Span(text=f.label, style="bold"), " ", *shown))
    return lines


def with_card(ctx: Context, card: list[Block], reply: Reply, above: list[Block] = ()) -> Reply | None:
    """`card`, then `above`, then `reply` (without its own heading when the card has one), as one message with every
    button at the end (the reply's first, then the card's); None when that would not fit one message."""
    content = [b for b in card if not isinstance(b, Buttons)]
    body = list(reply.blocks)
    if body and isinstance(body[0], Heading) and any(isinstance(b, Heading) for b in content):
        body = body[1:]
    rows = [row for b in body if isinstance(b, Buttons) for row in b.rows]
    rows += [row for b in card if isinstance(b, Buttons) for row in b.rows]
    blocks = [*content, *above, *(b for b in body if not isinstance(b, Buttons))]
    if rows:
        blocks.append(Buttons(rows=rows))
    combined = Reply(blocks=blocks, expects_text=reply.expects_text)
    return combined if fits_one_message(ctx, combined) else None


def with_answers(reply: Reply, above: list[Block]) -> Reply:
    """`reply` with `above` after its heading: the answers so far, in a step edited in place without its card."""
    if not above:
        return reply
    at = 1 if reply.blocks and isinstance(reply.blocks[0], Heading) else 0
    return reply.model_copy(update={"blocks": [*reply.blocks[:at], *above, *reply.blocks[at:]]})


def fits_one_message(ctx: Context, reply: Reply) -> bool:
    """Whether `reply` shows as one message of this platform, in the person's language."""
    caps = ctx.capabilities
    return fits(localize(reply, ctx.locale, ctx.tz, ctx.runtime.catalogs, caps.command), caps)


def fits(shown: Any, caps: Capabilities) -> bool:
    """Whether a localized reply shows as one message of a platform with `caps`, counted as its renderer counts
    (text in UTF-16 units, never more than `ONE_MESSAGE`; blocks and sections on Slack), with no file or image of
    its own. It may say no to a reply that would just fit (separators are counted generously), never the reverse."""
    limit = min(caps.max_text or ONE_MESSAGE, ONE_MESSAGE)
    section = caps.max_section_text
    chars = blocks = 0
    for block in shown.blocks:
        if isinstance(block, (Heading, Paragraph)):
            shown_text = block.text if isinstance(block, Heading) else "".join(s.text for s in block.spans)
            size = utf16_len(shown_text)
            escaped = size + 4 * sum(shown_text.count(c) for c in "&<>")  # `&amp;` counts in a Slack section
            pieces = ceil(escaped / section) if section else 1
        elif isinstance(block, Fields):
            size = sum(utf16_len(label) + utf16_len(value) + 3 for label, value in block.items)
            pieces = ceil(len(block.items) / 10)
        elif isinstance(block, LongText):
            size = utf16_len(block.title) + 1 + utf16_len(block.text)
            pieces = 1 + (ceil(utf16_len(block.text) / section) if section else 0)
        elif isinstance(block, Buttons):
            size, pieces = 0, len(block.rows)
        else:  # an image, a file, a divider: its own message or upload on some platform
            return False
        chars += size + SEPARATOR
        blocks += max(pieces, 1)
    return chars <= limit and (caps.max_blocks is None or blocks <= caps.max_blocks)
