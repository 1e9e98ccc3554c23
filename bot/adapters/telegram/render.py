"""Render a `Delivery` into Bot API calls: pure data, no network.

Each `TgCall` names a Bot API method and the keyword arguments of the matching python-telegram-bot
method (`getattr(bot, call.ptb_name)(**call.kwargs)`), so the adapter executes calls and tests read them.

Rules:
- Every `str` in a delivery is literal and HTML-escaped; style comes only from blocks and spans
  (heading and field labels bold, spans bold / italic / code). Messages use parse_mode HTML.
- Blocks keep their order. Consecutive text blocks (heading, paragraph, fields, divider, inline long
  text) form one text, separated by blank lines (a heading by a single line break). Media, galleries and code
  are separate calls in their place (bot/adapters/telegram/media_calls.py, code_block.py).
- A text longer than `TELEGRAM.max_text` (4096) UTF-16 code units (after entity parsing) is split by
  `bot.core.split.split_text` (paragraph, line, word) into several messages; tags are closed and reopened
  per part, so no part cuts a tag or an entity.
- `LongText` is shown inline (and split like any text) when, split on its own, it needs at most
  `LONG_TEXT_INLINE_MESSAGES` (3) messages (next to other text it may start a part earlier); longer, it is sent as a UTF-8 `.txt` document named
  `LongText.filename` with the title as caption.
- All button rows form one inline keyboard on the last message sent (text, photo or document).
  A button is `callback_data=payload` (1 to `TELEGRAM.payload_bytes` (64) bytes, else `RenderError`) or a url
  button.
- `EditMessage` with a known `edit_message_id` edits the first text part (`editMessageText`, with the
  keyboard when that part is the last); further parts are sent as new messages. Without a message id,
  or when the reply starts with an image or file, it is sent fresh. An edit without buttons removes
  the old keyboard (Telegram drops it when `reply_markup` is omitted). Telegram answers an edit that
  changes nothing with "message is not modified": the adapter should treat that as success.
- `Notice` answers the callback query in `reply_context["callback_query_id"]` (plain text, cut to 200);
  without one it is sent as a message. `PublishHome` is sent as a message (Telegram has no home tab);
  `CommandMenu` is setMyCommands scoped to the chat;
  `CloseForm` renders to nothing; `OpenForm` / `FormErrors` raise: Telegram walks forms as a wizard.
- Captions longer than 1024 UTF-16 code units are cut between words with an ellipsis, and the rest is sent as
  text right after the medium. A media group cannot carry a keyboard: when a gallery ends a reply with buttons,
  its caption (or ⬆️) is the text after it that carries them.
- `Code` is `<pre><code class="language-…">`, split between lines; long code is also sent as a file.
"""
from __future__ import annotations

import re
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.telegram import TELEGRAM
from bot.adapters.telegram.calls import PARSE_MODE, TgCall
from bot.adapters.telegram.code_block import code_messages
from bot.adapters.telegram.html import Run, escape, plain_text, split_runs, to_html, truncate
from bot.adapters.telegram.media_calls import MAX_CAPTION, Rendered, gallery_calls, media_call, split_caption
from bot.core.blocks import (
    Button,
    Buttons,
    Code,
    Divider,
    Fields,
    File,
    Gallery,
    Heading,
    Image,
    LongText,
    Media,
    Paragraph,
    Reply,
)
from bot.adapters.telegram.commands import COMMAND_NAME, MAX_COMMANDS, MAX_DESCRIPTION as MAX_COMMAND_DESCRIPTION
from bot.core.operations import (
    CloseForm,
    CommandMenu,
    Delivery,
    EditMessage,
    FormErrors,
    Notice,
    OpenForm,
    PublishHome,
    SendMessage,
)
from bot.core.split import utf16_len

MAX_CALLBACK_ANSWER = 200
LONG_TEXT_INLINE_MESSAGES = 3
DIVIDER = "\u2500" * 10
ABOVE = "\u2b06\ufe0f"  # ⬆️ carries the buttons of a reply that ends with a media group (which cannot carry them)


class RenderError(ValueError):
    """The delivery cannot be shown on Telegram as it is (a bug upstream, not a user error)."""


def render(delivery: Delivery) -> list[TgCall]:
    """The calls that show `delivery` in its Telegram chat."""
    op = delivery.op
    chat_id = _chat_id(delivery.chat_id)
    if isinstance(op, SendMessage):
        return render_reply(op.message, chat_id)
    if isinstance(op, EditMessage):
        message_id = int(delivery.edit_message_id) if delivery.edit_message_id else None
        return render_reply(op.message, chat_id, edit_message_id=message_id)
    if isinstance(op, Notice):
        return [render_notice(_literal(op.text), chat_id, delivery.reply_context.get("callback_query_id"))]
    if isinstance(op, PublishHome):
        return render_reply(op.message, chat_id)
    if isinstance(op, CloseForm):
        return []
    if isinstance(op, CommandMenu):
        return [render_command_menu(op, chat_id)]
    if isinstance(op, (OpenForm, FormErrors)):
        raise RenderError(f"{op.kind}: Telegram has no modal forms; forms are walked as a wizard")
    raise RenderError(f"unknown operation {type(op).__name__}")


def render_command_menu(op: CommandMenu, chat_id: int | str) -> TgCall:
    """setMyCommands for this chat only: the menu other chats see (per language) stays as it is."""
    commands = [BotCommand(c.name, truncate(" ".join(str(c.description).split()), MAX_COMMAND_DESCRIPTION))
                for c in op.commands if COMMAND_NAME.fullmatch(c.name) and str(c.description).strip()]
    return TgCall("setMyCommands", {"commands": commands[:MAX_COMMANDS], "scope": BotCommandScopeChat(chat_id)})


def render_notice(text: str, chat_id: int | str, callback_query_id: str | None) -> TgCall:
    if callback_query_id:
        return TgCall("answerCallbackQuery", {"callback_query_id": str(callback_query_id),
                                              "text": truncate(text, MAX_CALLBACK_ANSWER)})
    return TgCall("sendMessage", {"chat_id": chat_id, "text": escape(text), "parse_mode": PARSE_MODE})


def render_reply(reply: Reply, chat_id: int | str, *, edit_message_id: int | None = None) -> list[TgCall]:
    """The calls that show `reply`; with `edit_message_id`, the first text part edits that message."""
    calls: list[TgCall] = []
    runs: list[Run] = []
    rows: list[list[Button]] = []
    after_heading = False

    def add_text(block_runs: list[Run], heading: bool = False) -> None:
        nonlocal after_heading
        if runs:
            runs.append(Run("\n" if after_heading else "\n\n"))
        runs.extend(block_runs)
        after_heading = heading

    def flush() -> None:
        nonlocal after_heading
        if plain_text(runs).strip():
            for part in split_runs(runs, TELEGRAM.max_text):
                calls.append(TgCall("sendMessage", {"chat_id": chat_id, "text": to_html(part),
                                                    "parse_mode": PARSE_MODE}))
        runs.clear()
        after_heading = False

    def with_media(rendered: Rendered) -> None:
        """Media calls in their place; caption text that did not fit goes as text right after them."""
        calls.extend(rendered.calls)
        if rendered.overflow.strip():
            add_text([Run(rendered.overflow)])
            flush()

    has_buttons = any(isinstance(b, Buttons) and any(b.rows) for b in reply.blocks)
    for index, block in enumerate(reply.blocks):
        if isinstance(block, Heading):
            add_text([Run(_literal(block.text), "bold")], heading=True)
        elif isinstance(block, Paragraph):
            add_text([Run(_literal(span.text), span.style) for span in block.spans])
        elif isinstance(block, Fields):
            field_runs: list[Run] = []
            for i, (label, value) in enumerate(block.items):
                if i:
                    field_runs.append(Run("\n"))
                field_runs += [Run(_literal(label), "bold"), Run(": "), Run(_literal(value))]
            add_text(field_runs)
        elif isinstance(block, Divider):
            add_text([Run(DIVIDER)])
        elif isinstance(block, LongText):
            title = _literal(block.title)
            long_runs = [Run(title, "bold"), Run("\n"), Run(block.text)] if title else [Run(block.text)]
            if (utf16_len(block.text) <= LONG_TEXT_INLINE_MESSAGES * TELEGRAM.max_text
                    and len(split_runs(long_runs, TELEGRAM.max_text)) <= LONG_TEXT_INLINE_MESSAGES):
                add_text(long_runs)
            else:
                flush()
                shown, rest = split_caption(title)
                with_media(Rendered([TgCall("sendDocument", {
                    "chat_id": chat_id, "document": block.text.encode("utf-8"), "filename": block.filename,
                    **_caption(shown),
                })], rest))
        elif isinstance(block, Media):
            flush()
            with_media(media_call(block, chat_id, _literal(block.caption)))
        elif isinstance(block, Gallery):
            flush()
            caption = _literal(block.caption)
            carries_buttons = has_buttons and not any(not isinstance(b, Buttons) for b in reply.blocks[index + 1:])
            if carries_buttons and len(block.items) > 1:
                # A media group cannot carry a keyboard: its caption goes as the text after it, with the buttons.
                with_media(gallery_calls(block.items, "", chat_id, lambda m: _literal(m.caption)))
                add_text([Run(caption if caption.strip() else ABOVE)])
            else:
                with_media(gallery_calls(block.items, caption, chat_id, lambda m: _literal(m.caption)))
        elif isinstance(block, Code):
            flush()
            shown = code_messages(block, _literal(block.title), TELEGRAM.max_text, LONG_TEXT_INLINE_MESSAGES)
            calls.extend(TgCall("sendMessage", {"chat_id": chat_id, "text": html, "parse_mode": PARSE_MODE})
                         for html in shown.texts)
            if shown.document is not None:
                data, filename = shown.document
                calls.append(TgCall("sendDocument", {"chat_id": chat_id, "document": data, "filename": filename,
                                                     **_caption(filename)}))
        elif isinstance(block, (Image, File)):
            raise RenderError("inline file bytes reach a renderer only through staging, which stores them")
        elif isinstance(block, Buttons):
            rows.extend(row for row in block.rows if row)
        else:  # pragma: no cover - the Block union is closed
            raise RenderError(f"unknown block {type(block).__name__}")
    flush()

    if rows:
        if not calls:
            raise RenderError("a reply with buttons needs text, an image or a file to carry them")
        if calls[-1].method == "sendMediaGroup":
            calls.append(TgCall("sendMessage", {"chat_id": chat_id, "text": ABOVE, "parse_mode": PARSE_MODE}))
        calls[-1].kwargs["reply_markup"] = keyboard(rows)

    if edit_message_id is not None and calls and calls[0].method == "sendMessage":
        first = calls[0]
        calls[0] = TgCall("editMessageText", {"chat_id": chat_id, "message_id": edit_message_id, **{
            k: v for k, v in first.kwargs.items() if k != "chat_id"}})
    return calls


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in rows])


def _button(button: Button) -> InlineKeyboardButton:
    label = _literal(button.label)
    if not label.strip():
        raise RenderError("a button needs a label")
    if (button.payload is None) == (button.url is None):
        raise RenderError(f"button {label!r} needs exactly one of payload (encoded by the codec) or url")
    if button.payload is not None:
        size = len(button.payload.encode("utf-8"))
        if not 1 <= size <= TELEGRAM.payload_bytes:
            raise RenderError(f"button {label!r}: payload is {size} bytes, Telegram takes 1-{TELEGRAM.payload_bytes}")
        return InlineKeyboardButton(label, callback_data=button.payload, style=button.style)
    return InlineKeyboardButton(label, url=button.url, style=button.style)


def _caption(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    return {"caption": escape(truncate(text, MAX_CAPTION)), "parse_mode": PARSE_MODE}


def _literal(text: object) -> str:
    if not isinstance(text, str):
        raise RenderError(f"expected localized text (str), got {type(text).__name__}: localize before rendering")
    return text


def _chat_id(chat_id: str) -> int | str:
    return int(chat_id) if re.fullmatch(r"-?\d+", chat_id or "") else chat_id
