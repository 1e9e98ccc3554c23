"""What a form is about (`FormSpec.context`), as Block Kit above a modal's inputs. Pure functions, no network.

A modal covers the conversation, so the person must see there what they judge: the task's prompt, context and
every response, or the answer under review. The blocks are the same neutral blocks a message shows
(`bot.adapters.slack.render` renders them), with two differences a view imposes:

* a view carries no uploads, so a `LongText` too long for the room is cut at a word and ends with "…", followed
  by its `more` button (the whole text as a message in the conversation) when the handler gave one;
* a view holds at most 100 blocks together with its inputs: every long text gets up to
  `render.LONG_TEXT_MAX_SECTIONS` sections of 3,000 characters, fewer while the whole does not fit, and what
  still does not fit is cut with "…" as a last resort (the inputs always stay).

Media (a view carries no uploads, and `views.open` must happen within 3 s of the press, too soon to upload):

* an image whose Slack file id is known (`file_ids`: uploaded before, remembered in `platform_files`) is an image
  block with `slack_file`;
* an image without one is a context line naming it with `notes["pending"]`: the adapter opens the modal at once,
  uploads the image privately, and redraws the modal with `views.update` (inputs keep what was typed) — or, if
  the upload fails, with `notes["unavailable"]`;
* audio, video and documents cannot be played in a view: a context line names each with `notes["unavailable"]`.

`Code` shows as in a message (numbered lines, marked span), in fewer sections when room is short.
"""
from __future__ import annotations

from bot.adapters.slack import SLACK, mrkdwn
from bot.adapters.slack import render as r
from bot.core.blocks import Buttons, Code, Divider, Fields, Gallery, Heading, LongText, Media, Paragraph, Span

size = mrkdwn.size
ICONS = {"image": "🖼", "audio": "🔊", "voice": "🔊", "video": "🎬", "document": "📄"}


def _media(m: Media, file_ids: r.FileIds, notes: dict[str, str], caption: str = "") -> list[dict]:
    name = r.media_filename(m.blob, m.media)
    caption = r._s(m.caption) or caption
    fid = file_ids.get(m.blob.sha256) if m.media == "image" else None
    if fid:
        return [r.image_block(fid, caption or name, r._s(m.caption))]
    note = notes.get("pending" if m.media == "image" else "unavailable", "").replace("{name}", name)
    line = f"{ICONS.get(m.media, '📄')} " + mrkdwn.bold(name)
    if caption.strip() and caption.strip() != name:
        line += " — " + mrkdwn.literal(caption.strip())
    if note.strip():
        line += " · " + mrkdwn.italic(note.strip())
    return [{"type": "context", "elements": [r.mrkdwn_text(mrkdwn.cut(line, SLACK.max_section_text))]}]


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


def _render(blocks: list, max_parts: int, file_ids: r.FileIds, notes: dict[str, str]) -> list[dict]:
    out: list[dict] = []
    for blk in blocks:
        if isinstance(blk, Media):
            out += _media(blk, file_ids, notes)
        elif isinstance(blk, Gallery):
            caption = r._s(blk.caption)
            if caption.strip():
                out += [p.block for p in r._paragraph(Paragraph(spans=[Span(text=caption)]))]
            for m in blk.items:
                out += _media(m, file_ids, notes, caption)
        elif isinstance(blk, Code):
            head = r.code_blocks.heading(blk, r._s(blk.title))
            if head:
                out.append({"type": "context", "elements": [r.mrkdwn_text(head)]})
            texts, cut = r.code_blocks.sections(blk)
            out += [{"type": "section", "text": r.mrkdwn_text(t)} for t in texts[:max_parts]]
            if cut or len(texts) > max_parts:
                out.append({"type": "context", "elements": [r.mrkdwn_text(r.ELLIPSIS)]})
        elif isinstance(blk, LongText):
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
    return out


def context_blocks(blocks: list, room: int, file_ids: r.FileIds | None = None,
                   notes: dict[str, str] | None = None) -> list[dict]:
    """`blocks` (localized) as at most `room` view blocks, followed by a divider before the inputs. `file_ids`: Slack
    file ids of images by sha256; `notes`: localized "pending"/"unavailable" remarks, `{name}` the file's name."""
    file_ids, notes = file_ids or {}, notes or {}
    if not blocks or room < 2:
        return []
    room -= 1  # the divider
    out: list[dict] = []
    for max_parts in range(r.LONG_TEXT_MAX_SECTIONS, 0, -1):
        out = _render(blocks, max_parts, file_ids, notes)
        if len(out) <= room:
            break
    if len(out) > room:
        out = out[:room - 1] + [{"type": "context", "elements": [r.mrkdwn_text(r.ELLIPSIS)]}]
    if not out:
        return []
    # the context's buttons get their own action ids (ctx0, ctx1…), apart from the inputs' `value`
    return r._number_actions(out, prefix="ctx") + [{"type": "divider"}]
