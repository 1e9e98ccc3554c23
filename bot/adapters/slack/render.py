"""Neutral replies and forms as Slack Block Kit. Pure functions, no network.

Messages (`render_messages`, `render_message`), the home tab (`render_home`), modals (`render_modal`), modal
state back to raw values (`parse_view_submission`) and per-field errors (`render_form_errors`).

Every text the renderer receives is a localized, literal `str`:

* in `mrkdwn` objects it is escaped and neutralised by `bot.adapters.slack.mrkdwn` (`*bold*` typed by a person
  shows as typed, `<!channel>` pings nobody) and the object carries `verbatim: true`;
* in `plain_text` objects (headers, button labels, options, modal title/labels, long model output) it is put
  unchanged: Slack shows plain_text as it is and parses neither markup nor mentions there, so escaping would
  only show `&amp;` to the reader.

Limits enforced here (the same the test stand-in enforces): 50 blocks per message and 100 per view, section
text 3000, 10 fields per section of 2000 each, header 150, 25 elements per actions block, button text 75,
button value 2000, action_id unique per message, 100 options per select, option text 75 and value 150,
modal title/submit/close 24. Those the core shares with other platforms (message text and blocks, section text,
button text and value) are read from `bot.adapters.slack.SLACK`, the adapter's capabilities; the rest are
Block Kit details named below.

Choices:

* A reply that needs more than 50 blocks becomes several messages (`render_messages`); when it is split, every
  actions block moves to the last message, so the buttons come after all the content. `render_message` must
  give one message (e.g. for `chat.update`): it keeps the buttons and cuts the content, ending with "…".
* `LongText` (model output, prompts) goes in `plain_text` sections (shown exactly, no markup parsed), split on
  paragraph, line, then word boundaries into ≤ 3000-character parts. When it would need more than
  `LONG_TEXT_MAX_SECTIONS` sections, the message shows the first part ending with "…" and attaches the whole
  text as a UTF-8 `.txt` upload titled with the LongText title.
* Media (see docs/slack.md, "Media and code"): an image whose Slack file id is known (`file_ids`, blob sha256 →
  `F…`, which the adapter fills by uploading the image privately first) is an `image` block with `slack_file`, so
  private media never need a public URL; a `Gallery` is its caption and one image block per image, in one
  message. Audio, voice, video, documents, and images without an id, become uploads `(filename, BlobRef or
  bytes, title)` of the last message: the adapter reads the bytes from the blob store only when it sends them,
  and shares them in the message's thread. The home tab cannot carry uploads: they are dropped there.
* `Code` becomes code blocks of whole numbered lines (`bot.adapters.slack.code`); very long code shows its first
  sections (or those around the marked span) and is uploaded whole as a file with the language's extension.
* A choice with more than 100 options becomes a `static_select` with `option_groups` of ≤ 100 options each
  (up to 10,000 options), each group labelled "first – last" by its options' labels. No external data source.
* A multi-choice with ≤ 10 options shows checkboxes, otherwise a `multi_static_select` (groups beyond 100).
  A scale shows radio buttons when it has ≤ 10 points, otherwise a `static_select`.
* Numbers use `number_input` with decimals allowed; durations a one-line `plain_text_input`.
* Lengths are counted in UTF-16 code units (see `mrkdwn.size`), never more permissive than Slack.
* Modals set `notify_on_close` so closing one reaches the bot as a cancelled form.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable, Mapping, NamedTuple

from bot.adapters.slack import SLACK, modal_branches, mrkdwn
from bot.adapters.slack import code as code_blocks
from bot.blobs import BlobRef
from bot.core.blocks import (
    Button, Buttons, Code, Divider, Fields, File, Gallery, Heading, Image, LongText, Media, Paragraph, Reply, Span,
)
from bot.core.forms import FieldKind, FieldSpec, Option, RenderedForm
from bot.core.operations import OpenForm
from bot.core.split import split_text

size = mrkdwn.size  # limits are checked in UTF-16 code units

MAX_VIEW_BLOCKS = 100
FALLBACK_TEXT = 3000  # the notification text; Slack allows 40,000 but shows far less
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
HEADER_TEXT = 150
ACTIONS_PER_BLOCK = 25
BUTTON_URL = 3000
OPTIONS_PER_SELECT = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
CHECKBOX_OPTIONS = 10
MODAL_TITLE = 24
MODAL_BUTTON = 24
INPUT_LABEL = 2000
PLACEHOLDER = 150
TEXT_INPUT_MAX = SLACK.modal_text or 3000
LONG_TEXT_MAX_SECTIONS = 10
ELLIPSIS = "…"

Upload = tuple[str, "bytes | BlobRef", str]  # (filename, content or the stored blob, title)
FileIds = Mapping[str, str]  # blob sha256 → the Slack file id of that image, uploaded earlier
IMAGE_ALT = 2000
IMAGE_TITLE = 2000
MIME_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
                   "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/wav": ".wav", "audio/x-wav": ".wav",
                   "audio/mp4": ".m4a", "video/mp4": ".mp4", "video/webm": ".webm", "application/pdf": ".pdf",
                   "text/plain": ".txt", "text/csv": ".csv"}


class SlackMessage(NamedTuple):
    """One Slack message: unpacks as `(text, blocks, uploads)`."""

    text: str
    blocks: list[dict]
    uploads: list[Upload]


class _Piece(NamedTuple):
    block: dict
    fallback: str  # mrkdwn-safe text for the notification fallback
    is_action: bool = False


# ----------------------------------------------------------------------------------------------------------------
# text objects
# ----------------------------------------------------------------------------------------------------------------


def _s(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"renderers take localized str, got {type(text).__name__}: {text!r}")
    return text


def plain(text: str, limit: int | None = None, emoji: bool = True) -> dict:
    """A plain_text object holding `text` literally, shortened to `limit` with "…" (never empty)."""
    t = _s(text)
    if limit is not None:
        t = mrkdwn.truncate(t, limit)
    if not t.strip():
        t = t or " "
    return {"type": "plain_text", "text": t, "emoji": emoji}


def mrkdwn_text(rendered: str) -> dict:
    """A mrkdwn object for text already rendered by `bot.adapters.slack.mrkdwn`."""
    return {"type": "mrkdwn", "text": rendered, "verbatim": True}


# ----------------------------------------------------------------------------------------------------------------
# blocks
# ----------------------------------------------------------------------------------------------------------------


def _section(rendered: str) -> _Piece:
    return _Piece({"type": "section", "text": mrkdwn_text(rendered)}, rendered)


def _paragraph(p: Paragraph) -> list[_Piece]:
    parts = [(_s(sp.text), sp.style) for sp in p.spans if _s(sp.text)]
    if not parts:
        return []
    rendered = "".join(mrkdwn.styled(t, st) for t, st in parts)
    if not rendered.strip():
        return []
    if size(rendered) <= SLACK.max_section_text:
        return [_section(rendered)]
    # Too long for one section: pack rendered spans, splitting any span that alone is too long.
    chunks: list[str] = []
    for t, st in parts:
        def measure(x: str, st: str = st) -> int:
            return size(mrkdwn.styled(x, st))
        for piece in split_text(t, SLACK.max_section_text - 4, measure):
            chunks.append(mrkdwn.styled(piece, st))
    out: list[_Piece] = []
    current = ""
    for c in chunks:
        if current and size(current) + size(c) > SLACK.max_section_text:
            out.append(_section(current))
            current = ""
        current += c
    if current.strip():
        out.append(_section(current))
    return out


def _heading(h: Heading) -> list[_Piece]:
    text = _s(h.text).strip()
    if not text:
        return []
    if size(text) <= HEADER_TEXT:
        return [_Piece({"type": "header", "text": plain(text)}, mrkdwn.bold(text))]
    rendered = mrkdwn.bold(mrkdwn.truncate(text, SLACK.max_section_text - 200))
    return [_section(rendered)]


def _fields(f: Fields) -> list[_Piece]:
    rendered: list[str] = []
    for label, value in f.items:
        label, value = _s(label), _s(value)
        head = mrkdwn.bold(label) if label.strip() else ""
        body = mrkdwn.literal(value) if value.strip() else ""
        if not head and not body:
            continue
        text = f"{head}\n{body}" if head and body else (head or body)
        if size(text) > FIELD_TEXT:
            text = mrkdwn.cut(text, FIELD_TEXT)
        rendered.append(text)
    out = []
    for i in range(0, len(rendered), FIELDS_PER_SECTION):
        group = rendered[i: i + FIELDS_PER_SECTION]
        out.append(_Piece({"type": "section", "fields": [mrkdwn_text(t) for t in group]}, " · ".join(group)))
    return out


def _long_text(lt: LongText) -> tuple[list[_Piece], list[Upload]]:
    pieces: list[_Piece] = []
    title = _s(lt.title).strip()
    if title:
        pieces.append(_section(mrkdwn.bold(title)))
    text = _s(lt.text)
    if not text.strip():
        return pieces, []
    parts = split_text(text, SLACK.max_section_text, size)
    uploads: list[Upload] = []
    if len(parts) > LONG_TEXT_MAX_SECTIONS:
        first = split_text(text, SLACK.max_section_text - size(ELLIPSIS), size)[0]
        parts = [first.rstrip() + ELLIPSIS]
        filename = lt.filename if lt.filename.lower().endswith(".txt") else lt.filename + ".txt"
        uploads.append((filename, text.encode("utf-8"), title or filename))
    for part in parts:
        if part.strip():
            pieces.append(_Piece({"type": "section", "text": plain(part, emoji=False)},
                                 mrkdwn.literal(part)))
    return pieces, uploads


def _button(b: Button) -> dict:
    el: dict[str, Any] = {"type": "button", "text": plain(_s(b.label), SLACK.button_text)}
    if b.url:
        if size(b.url) > BUTTON_URL:
            raise ValueError(f"button url longer than {BUTTON_URL} characters")
        el["url"] = b.url
    if b.payload is not None:
        if len(b.payload.encode()) > SLACK.payload_bytes:
            raise ValueError(f"button payload longer than {SLACK.payload_bytes} bytes; encode it as a token")
        el["value"] = b.payload
    elif not b.url:
        raise ValueError(f"button {b.label!r} has neither an encoded payload nor a url")
    if b.style:
        el["style"] = b.style
    return el


def _buttons(bs: Buttons) -> list[_Piece]:
    out = []
    for row in bs.rows:
        for i in range(0, len(row), ACTIONS_PER_BLOCK):
            els = [_button(b) for b in row[i: i + ACTIONS_PER_BLOCK]]
            if els:
                out.append(_Piece({"type": "actions", "elements": els}, "", True))
    return out


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def media_filename(blob: BlobRef, kind: str) -> str:
    """A file name Slack takes: the original name without folders or control characters, never empty, with an
    extension (from the MIME type) when it had none."""
    name = _UNSAFE_NAME.sub("_", (blob.name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._")
    if not name:
        name = kind
    if "." not in name:
        name += MIME_EXTENSIONS.get(blob.mime, "")
    return name[:200]


def images_in(blocks: Iterable[Any]) -> list[BlobRef]:
    """The distinct images of `blocks` (Media and Gallery items), in order: what needs a Slack file id."""
    seen: dict[str, BlobRef] = {}
    for blk in blocks:
        items = [blk] if isinstance(blk, Media) else list(blk.items) if isinstance(blk, Gallery) else []
        for m in items:
            if m.media == "image":
                seen.setdefault(m.blob.sha256, m.blob)
    return list(seen.values())


def image_block(file_id: str, alt: str, title: str = "") -> dict:
    block: dict[str, Any] = {"type": "image", "slack_file": {"id": file_id},
                             "alt_text": mrkdwn.truncate(alt.strip() or "image", IMAGE_ALT)}
    if title.strip():
        block["title"] = plain(title.strip(), IMAGE_TITLE, emoji=False)
    return block


def _media(m: Media, file_ids: FileIds, caption: str = "") -> tuple[list[_Piece], list[Upload]]:
    name = media_filename(m.blob, m.media)
    caption = _s(m.caption) or caption
    fid = file_ids.get(m.blob.sha256) if m.media == "image" else None
    if fid:
        return [_Piece(image_block(fid, caption or name, _s(m.caption)), mrkdwn.literal(caption or name))], []
    return [], [(name, m.blob, caption or name)]


def _gallery(g: Gallery, file_ids: FileIds) -> tuple[list[_Piece], list[Upload]]:
    pieces: list[_Piece] = []
    uploads: list[Upload] = []
    caption = _s(g.caption)
    if caption.strip():
        pieces += _paragraph(Paragraph(spans=[Span(text=caption)]))
    for m in g.items:
        p, u = _media(m, file_ids, caption)
        pieces += p
        uploads += u
    return pieces, uploads


def _code(c: Code) -> tuple[list[_Piece], list[Upload]]:
    pieces: list[_Piece] = []
    head = code_blocks.heading(c, _s(c.title))
    if head:
        pieces.append(_Piece({"type": "context", "elements": [mrkdwn_text(head)]}, head))
    texts, cut = code_blocks.sections(c)
    pieces += [_section(t) for t in texts]
    if not cut:
        return pieces, []
    pieces.append(_Piece({"type": "context", "elements": [mrkdwn_text(ELLIPSIS)]}, ""))
    name = code_blocks.filename(c)
    return pieces, [(name, c.text.encode("utf-8"), _s(c.title).strip() or name)]


def _pieces(reply: Reply, file_ids: FileIds | None = None) -> tuple[list[_Piece], list[Upload]]:
    file_ids = file_ids or {}
    pieces: list[_Piece] = []
    uploads: list[Upload] = []
    for blk in reply.blocks:
        if isinstance(blk, Heading):
            pieces += _heading(blk)
        elif isinstance(blk, Paragraph):
            pieces += _paragraph(blk)
        elif isinstance(blk, Fields):
            pieces += _fields(blk)
        elif isinstance(blk, LongText):
            p, u = _long_text(blk)
            pieces += p
            uploads += u
        elif isinstance(blk, Buttons):
            pieces += _buttons(blk)
        elif isinstance(blk, (Media, Gallery, Code)):
            p, u = (_media(blk, file_ids) if isinstance(blk, Media) else _gallery(blk, file_ids)
                    if isinstance(blk, Gallery) else _code(blk))
            pieces += p
            uploads += u
        elif isinstance(blk, (Image, File)):
            raise TypeError("inline file bytes reach a renderer only through staging, which stores them")
        elif isinstance(blk, Divider):
            pieces.append(_Piece({"type": "divider"}, ""))
        else:  # pragma: no cover - the Block union is closed
            raise TypeError(f"unknown block {type(blk).__name__}")
    return pieces, uploads


def _number_actions(blocks: list[dict], prefix: str = "a") -> list[dict]:
    """Copy blocks, giving every interactive element a unique action_id (a0, a1, …) in order."""
    n = 0
    out = []
    for b in blocks:
        if b["type"] == "actions":
            els = []
            for el in b["elements"]:
                els.append({**el, "action_id": f"{prefix}{n}"})
                n += 1
            b = {**b, "elements": els}
        out.append(b)
    return out


def _fallback(pieces: Iterable[_Piece], uploads: list[Upload]) -> str:
    texts = [p.fallback for p in pieces if p.fallback.strip()]
    text = "\n".join(texts)
    if not text.strip():
        text = ", ".join(mrkdwn.literal(u[2]) for u in uploads) or ELLIPSIS
    return mrkdwn.cut(text, FALLBACK_TEXT)


def _as_reply(reply: Any) -> Reply:
    if isinstance(reply, Reply):
        return reply
    op = getattr(reply, "op", None)  # a Delivery
    message = getattr(op if op is not None else reply, "message", None)  # or SendMessage/EditMessage/PublishHome
    if isinstance(message, Reply):
        return message
    raise TypeError(f"expected a Reply (or an operation carrying one), got {type(reply).__name__}")


def _fit(pieces: list[_Piece], limit: int) -> list[_Piece]:
    """Cut content so that content + every actions block fits `limit`, marking the cut with "…"."""
    if len(pieces) <= limit:
        return pieces
    actions = [p for p in pieces if p.is_action][:limit - 1]
    content = [p for p in pieces if not p.is_action]
    room = limit - len(actions) - 1
    return content[:max(room, 0)] + [_Piece({"type": "context", "elements": [mrkdwn_text(ELLIPSIS)]}, "")] + actions


def render_messages(reply: Any, file_ids: FileIds | None = None) -> list[SlackMessage]:
    """The reply as one or more Slack messages of ≤ `SLACK.max_blocks` blocks; buttons on the last one.
    `file_ids` holds the Slack file ids of images already uploaded (sha256 → id); the others are uploads."""
    pieces, uploads = _pieces(_as_reply(reply), file_ids)
    max_blocks = SLACK.max_blocks
    if len(pieces) <= max_blocks:
        groups = [pieces]
    else:
        ordered = [p for p in pieces if not p.is_action] + [p for p in pieces if p.is_action]
        groups = [ordered[i: i + max_blocks] for i in range(0, len(ordered), max_blocks)]
    out = []
    for i, group in enumerate(groups):
        last = i == len(groups) - 1
        out.append(SlackMessage(_fallback(group, uploads if last else []),
                                _number_actions([p.block for p in group]),
                                list(uploads) if last else []))
    return out


def render_message(reply: Any, file_ids: FileIds | None = None) -> SlackMessage:
    """The reply as exactly one Slack message (for edits): content is cut to fit 50 blocks, buttons kept."""
    pieces, uploads = _pieces(_as_reply(reply), file_ids)
    pieces = _fit(pieces, SLACK.max_blocks)
    return SlackMessage(_fallback(pieces, uploads), _number_actions([p.block for p in pieces]), uploads)


def render_text(text: str) -> str:
    """A literal sentence as safe mrkdwn, e.g. for `chat.postEphemeral` notices."""
    return mrkdwn.cut(mrkdwn.literal(_s(text)), SLACK.max_text) or ELLIPSIS


def render_home(reply: Any, file_ids: FileIds | None = None) -> dict:
    """A home tab view (≤ 100 blocks; images with a Slack file id show, other uploads cannot and are dropped)."""
    pieces, _ = _pieces(_as_reply(reply), file_ids)
    pieces = _fit(pieces, MAX_VIEW_BLOCKS)
    return {"type": "home", "blocks": _number_actions([p.block for p in pieces])}


# ----------------------------------------------------------------------------------------------------------------
# modals
# ----------------------------------------------------------------------------------------------------------------


def _option(o: Option) -> dict:
    value = _s(o.value)
    if not value or size(value) > OPTION_VALUE:
        raise ValueError(f"option value must be 1..{OPTION_VALUE} characters: {value!r}")
    return {"text": plain(_s(o.label), OPTION_TEXT), "value": value}


def _options(opts: list[Option]) -> list[dict]:
    out = [_option(o) for o in opts]
    values = [o["value"] for o in out]
    if len(set(values)) != len(values):
        raise ValueError("option values must be unique within a field")
    if not out:
        raise ValueError("a choice field needs at least one option")
    return out


def _grouped(options: list[dict]) -> dict:
    """`options` when ≤ 100, else `option_groups` of ≤ 100 labelled by their first and last option."""
    if len(options) <= OPTIONS_PER_SELECT:
        return {"options": options}
    if len(options) > OPTIONS_PER_SELECT * 100:
        raise ValueError("more than 10,000 options cannot be shown in a static select")
    groups = []
    for i in range(0, len(options), OPTIONS_PER_SELECT):
        chunk = options[i: i + OPTIONS_PER_SELECT]
        first = mrkdwn.truncate(chunk[0]["text"]["text"], 35)
        last = mrkdwn.truncate(chunk[-1]["text"]["text"], 35)
        groups.append({"label": plain(f"{first} – {last}", OPTION_TEXT), "options": chunk})
    return {"option_groups": groups}


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


SLACK_MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,63}")


def _scale_options(f: FieldSpec) -> list[Option]:
    if f.options:
        return f.options
    lo = int(f.min if f.min is not None else 1)
    hi = int(f.max if f.max is not None else 5)
    if hi < lo:
        raise ValueError(f"scale {f.id}: max below min")
    return [Option(value=str(n), label=str(n)) for n in range(lo, hi + 1)]


def _select(options: list[dict], current: Any, multi: bool, placeholder: dict | None) -> dict:
    el: dict[str, Any] = {"type": "multi_static_select" if multi else "static_select", "action_id": "value",
                          **_grouped(options)}
    if placeholder:
        el["placeholder"] = placeholder
    _initial(el, options, current, multi)
    return el


def _initial(el: dict, options: list[dict], current: Any, multi: bool) -> None:
    if current is None or current == [] or current == "":
        return
    by_value = {o["value"]: o for o in options}
    if multi:
        chosen = [by_value[_scalar(v)] for v in (current if isinstance(current, (list, tuple, set)) else [current])
                  if _scalar(v) in by_value]
        if chosen:
            el["initial_options"] = chosen
    elif _scalar(current) in by_value:
        el["initial_option"] = by_value[_scalar(current)]


def _element(f: FieldSpec, current: Any) -> dict:
    placeholder = plain(_s(f.placeholder), PLACEHOLDER) if f.placeholder else None
    kind = f.kind
    if kind == FieldKind.choice:
        return _select(_options(f.options), current, False, placeholder)
    if kind == FieldKind.multi_choice:
        options = _options(f.options)
        if len(options) <= CHECKBOX_OPTIONS:
            el: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": options}
            _initial(el, options, current, True)
            return el
        return _select(options, current, True, placeholder)
    if kind == FieldKind.scale:
        options = _options(_scale_options(f))
        if len(options) <= CHECKBOX_OPTIONS:
            el = {"type": "radio_buttons", "action_id": "value", "options": options}
            _initial(el, options, current, False)
            return el
        return _select(options, current, False, placeholder)
    if kind in (FieldKind.short_text, FieldKind.long_text, FieldKind.duration):
        el = {"type": "plain_text_input", "action_id": "value"}
        if kind == FieldKind.long_text:
            el["multiline"] = True
        if f.min_length is not None:
            el["min_length"] = max(0, min(int(f.min_length), TEXT_INPUT_MAX))
        max_len = TEXT_INPUT_MAX if f.max_length is None else max(1, min(int(f.max_length), TEXT_INPUT_MAX))
        if f.max_length is not None or kind == FieldKind.long_text:
            el["max_length"] = max_len
        if "min_length" in el and el["min_length"] > max_len:
            el["min_length"] = max_len
        if placeholder:
            el["placeholder"] = placeholder
        if current not in (None, ""):
            el["initial_value"] = mrkdwn.head(_s(str(current)), max_len)
        return el
    if kind == FieldKind.number:
        el = {"type": "number_input", "action_id": "value", "is_decimal_allowed": True}
        if f.min is not None:
            el["min_value"] = _scalar(f.min)
        if f.max is not None:
            el["max_value"] = _scalar(f.max)
        if placeholder:
            el["placeholder"] = placeholder
        if current not in (None, ""):
            try:
                el["initial_value"] = _scalar(float(current))
            except (TypeError, ValueError):
                pass  # a draft holding something unparsable: start empty rather than be refused
        return el
    if kind in (FieldKind.person, FieldKind.people):
        return _user_picker(kind == FieldKind.people, current, placeholder)
    if kind == FieldKind.file:
        el = {"type": "file_input", "action_id": "value", "max_files": 1}
        types = sorted({t for k in f.accept for t in FILE_TYPES.get(k, ())})
        if types:
            el["filetypes"] = types
        return el
    if kind == FieldKind.date:
        el = {"type": "datepicker", "action_id": "value"}
        if placeholder:
            el["placeholder"] = placeholder
        if isinstance(current, datetime):
            el["initial_date"] = current.date().isoformat()
        elif isinstance(current, date):
            el["initial_date"] = current.isoformat()
        elif isinstance(current, str) and current:
            try:
                el["initial_date"] = date.fromisoformat(current[:10]).isoformat()
            except ValueError:
                pass
        return el
    raise ValueError(f"unknown field kind {kind!r}")  # pragma: no cover


# What a file field accepts, as Slack's file_input `filetypes` (extensions).
FILE_TYPES = {"image": ("png", "jpg", "jpeg", "gif", "webp"), "audio": ("mp3", "m4a", "ogg", "wav", "flac", "opus"),
              "voice": ("ogg", "opus", "m4a", "mp3"), "video": ("mp4", "webm", "mov"),
              "document": ("pdf", "txt", "csv", "json", "md", "patch", "diff", "py", "docx")}


def _user_picker(multi: bool, current: Any, placeholder: dict | None) -> dict:
    """Slack's own people picker: its value is the member id, which the application resolves like a typed one.
    A draft keeps what was picked when it is member ids (typed names elsewhere are not preselected)."""
    el: dict[str, Any] = {"type": "multi_users_select" if multi else "users_select", "action_id": "value"}
    if placeholder:
        el["placeholder"] = placeholder
    picked = [p.strip() for p in str(current or "").split(",") if SLACK_MEMBER_ID.fullmatch(p.strip())]
    if picked and multi:
        el["initial_users"] = picked[:100]
    elif picked:
        el["initial_user"] = picked[0]
    return el


def render_modal(
    rendered_form: RenderedForm | dict,
    session_id: int,
    callback_id: str = "panelist_form",
    *,
    title: str | None = None,
    submit_label: str | None = None,
    close_label: str | None = None,
    file_ids: FileIds | None = None,
    notes: dict[str, str] | None = None,
) -> dict:
    """A modal view for the whole form: one input block per field that applies to the form's values (block_id =
    field id, action_id "value"); see `modal_branches` for fields that depend on others.

    `title`, `submit_label` and `close_label` should be localized by the caller; without them the form's own
    title and submit label are used, and "Submit"/"Cancel" as a last resort.
    """
    if isinstance(rendered_form, dict):
        rendered_form = RenderedForm.model_validate(rendered_form)
    spec = rendered_form.spec
    if len(spec.fields) > MAX_VIEW_BLOCKS:
        raise ValueError(f"a modal holds at most {MAX_VIEW_BLOCKS} fields")
    from bot.adapters.slack.modal_context import context_blocks  # it renders with this module's helpers

    shown = modal_branches.shown_fields(spec, rendered_form.values)  # only what applies (other branches hidden)
    blocks = context_blocks(spec.context, MAX_VIEW_BLOCKS - len(shown), file_ids, notes)  # what the form is about, on top
    for f in shown:
        if not f.id or len(f.id) > 255:
            raise ValueError(f"field id must be 1..255 characters: {f.id!r}")
        block: dict[str, Any] = {
            "type": "input",
            "block_id": f.id,
            "label": plain(_s(f.label), INPUT_LABEL),
            "element": _element(f, rendered_form.values.get(f.id)),
            "optional": not f.required,
        }
        if f.help:
            block["hint"] = plain(_s(f.help), INPUT_LABEL)
        blocks.append(modal_branches.dispatching(block, f, spec))
    submit = submit_label if submit_label is not None else (spec.submit_label or "Submit")
    return {
        "type": "modal",
        "callback_id": callback_id,
        # Slack allows 24 characters: cut at a word, so the title still reads ("Rate the legal…")
        "title": plain(mrkdwn.truncate_at_word(_s(title if title is not None else spec.title) or ELLIPSIS, MODAL_TITLE)),
        "submit": plain(_s(submit), MODAL_BUTTON),
        "close": plain(_s(close_label if close_label is not None else (spec.close_label or "Cancel")), MODAL_BUTTON),
        "private_metadata": str(session_id),
        "notify_on_close": True,
        "blocks": blocks,
    }


def render_open_form(op: OpenForm, callback_id: str = "panelist_form", *, submit_label: str | None = None,
                     close_label: str | None = None, file_ids: FileIds | None = None,
                     notes: dict[str, str] | None = None) -> dict:
    """The modal for an `OpenForm` operation (its title, session id and rendered form); see `modal_context` for
    `file_ids` and `notes`."""
    return render_modal(op.form, op.session_id, callback_id, title=_s(op.title), submit_label=submit_label,
                        close_label=close_label, file_ids=file_ids, notes=notes)


def form_images(op: OpenForm) -> list[BlobRef]:
    """The images an `OpenForm`'s context shows."""
    form = op.form if isinstance(op.form, RenderedForm) else RenderedForm.model_validate(op.form)
    return images_in(form.spec.context)


def parse_view_submission(view: dict) -> dict[str, str | list[str] | None]:
    """Raw values from `view.state.values` by block id (= field id): str, list of str, or None when empty.

    Selects and radio buttons give the option value; multi-selects and checkboxes a list of values; text and
    number inputs the typed string; date pickers "YYYY-MM-DD"; file inputs the first file's id.
    """
    values = ((view or {}).get("state") or {}).get("values") or {}
    out: dict[str, str | list[str] | None] = {}
    for block_id, actions in values.items():
        if not actions:
            continue
        state = actions.get("value") or next(iter(actions.values()))
        out[block_id] = _state_value(state or {})
    return out


def _state_value(state: dict) -> str | list[str] | None:
    t = state.get("type")
    if t in ("static_select", "external_select", "radio_buttons"):
        opt = state.get("selected_option")
        return opt.get("value") if opt else None
    if t in ("multi_static_select", "multi_external_select", "checkboxes"):
        return [o.get("value") for o in state.get("selected_options") or []]
    if t == "datepicker":
        return state.get("selected_date")
    if t == "timepicker":
        return state.get("selected_time")
    if t == "datetimepicker":
        v = state.get("selected_date_time")
        return None if v is None else str(v)
    if t in ("users_select", "multi_users_select"):
        return state.get("selected_user") if t == "users_select" else list(state.get("selected_users") or [])
    if t == "file_input":  # not a string anyone could type: the adapter stores the file and puts its ref here
        files = state.get("files") or []
        return {"slack_file_id": str(files[0].get("id"))} if files and files[0].get("id") else None
    if t in ("conversations_select", "channels_select"):
        return state.get("selected_conversation") or state.get("selected_channel")
    v = state.get("value")  # plain_text_input, number_input, email_text_input, url_text_input
    return None if v is None else str(v)


def render_form_errors(errors: dict[str, str]) -> dict:
    """The `response_action: errors` answer to a view submission; messages are plain text per block id."""
    return {"response_action": "errors",
            "errors": {field_id: mrkdwn.truncate(_s(msg), INPUT_LABEL) for field_id, msg in errors.items()}}
