"""What a form is about (`FormSpec.context`), as Block Kit above a modal's inputs. Pure functions, no network.

A modal covers the conversation, so the person must see there what they judge: the task's prompt, context and
every response, or the answer under review. The blocks are the same neutral blocks a message shows
(`bot.adapters.slack.render` renders them), with two differences a view imposes:

* a view carries no uploads, so a `LongText` too long for the room is cut at a word and ends with "…", followed
  by its `more` button (the whole text as a message in the conversation) when the handler gave one;
* a view holds at most 100 blocks together with its inputs: every long text gets up to
  `render.LONG_TEXT_MAX_SECTIONS` sections of 3,000 characters, fewer while the whole does not fit, and what
  still does not fit is cut with "…" as a last resort (the inputs always stay).

Images and files are left out (a modal cannot show an upload; the card in the conversation has them).
"""
from __future__ import annotations

from bot.adapters.slack import SLACK, mrkdwn
from bot.adapters.slack import render as r
from bot.core.blocks import Buttons, Divider, Fields, Heading, LongText, Paragraph

size = mrkdwn.size


def _long_text(lt: LongText, max_parts: int) -> list[dict]:
    out: list[dict] = []
    title = r._s(lt.title).strip()
    if title:
        out.append({"type": "section", "text": r.mrkdwn_text(mrkdwn.bold(title))})
    text = r._s(lt.text)
    if not text.strip():
        return out
    parts = r.split_text(text, SLACK.max_section_text, size)
    cut = len(parts) > max_parts
    if cut:  # the shown parts end with "…" at a word; the rest is one press away
        parts = r.split_text(text, SLACK.max_section_text - size(r.ELLIPSIS), size)[:max_parts]
        parts[-1] = parts[-1].rstrip() + r.ELLIPSIS
    out += [{"type": "section", "text": r.plain(p, emoji=False)} for p in parts if p.strip()]
    if cut and lt.more is not None and lt.more.payload is not None:
        out.append({"type": "actions", "elements": [r._button(lt.more)]})
    return out


def _render(blocks: list, max_parts: int) -> list[dict]:
    out: list[dict] = []
    for blk in blocks:
        if isinstance(blk, LongText):
            out += _long_text(blk, max_parts)
        elif isinstance(blk, Heading):
            out += [p.block for p in r._heading(blk)]
        elif isinstance(blk, Paragraph):
            out += [p.block for p in r._paragraph(blk)]
        elif isinstance(blk, Fields):
            out += [p.block for p in r._fields(blk)]
        elif isinstance(blk, Buttons):
            out += [p.block for p in r._buttons(blk)]
        elif isinstance(blk, Divider):
            out.append({"type": "divider"})
        # Image, File: a view cannot carry uploads
    return out


def context_blocks(blocks: list, room: int) -> list[dict]:
    """`blocks` (localized) as at most `room` view blocks, followed by a divider before the inputs."""
    if not blocks or room < 2:
        return []
    room -= 1  # the divider
    out: list[dict] = []
    for max_parts in range(r.LONG_TEXT_MAX_SECTIONS, 0, -1):
        out = _render(blocks, max_parts)
        if len(out) <= room:
            break
    if len(out) > room:
        out = out[:room - 1] + [{"type": "context", "elements": [r.mrkdwn_text(r.ELLIPSIS)]}]
    if not out:
        return []
    # the context's buttons get their own action ids (ctx0, ctx1…), apart from the inputs' `value`
    return r._number_actions(out, prefix="ctx") + [{"type": "divider"}]
