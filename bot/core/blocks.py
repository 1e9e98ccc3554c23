"""Neutral reply blocks. One hierarchy serves handlers (text as `Msg`) and renderers (text localized to `str`)."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, SerializeAsAny

from bot.core.actions import ActionData
from bot.blobs import BlobRef, MediaKind
from bot.i18n.text import Command, Msg, TextLike, UserText
from bot.i18n.unchecked import built


class Button(BaseModel):
    label: TextLike
    action: SerializeAsAny[ActionData] | None = None  # what a press asks for; encoded by the codec, never trusted
    payload: str | None = None  # set by the codec before rendering
    url: str | None = None
    style: Literal["primary", "danger"] | None = None


class Span(BaseModel):
    text: TextLike
    style: Literal["plain", "bold", "italic", "code"] = "plain"


class Heading(BaseModel):
    kind: Literal["heading"] = "heading"
    text: TextLike


class Paragraph(BaseModel):
    kind: Literal["paragraph"] = "paragraph"
    spans: list[Span]


class Fields(BaseModel):
    """Label/value pairs, e.g. a profile summary."""

    kind: Literal["fields"] = "fields"
    items: list[tuple[TextLike, TextLike]]


class LongText(BaseModel):
    """Model output or a prompt that may be very long: renderers split it, page it or send it as a file."""

    kind: Literal["long_text"] = "long_text"
    title: TextLike
    text: str
    filename: str = "text.txt"
    # Shows the whole text, for a renderer that must cut it (a modal has no room for files or long parts).
    more: Button | None = None


class Buttons(BaseModel):
    kind: Literal["buttons"] = "buttons"
    rows: list[list[Button]]


class Image(BaseModel):
    """An image a handler made (a chart): its bytes go to the blob store when the turn is staged, and what the
    outbox keeps and an adapter renders is the `Media` block that replaces it."""

    kind: Literal["image"] = "image"
    data_b64: str
    filename: str = "image.png"
    alt: TextLike = ""


class File(BaseModel):
    """A file a handler made (an export, a CSV): stored like `Image`, rendered as a `Media` document."""

    kind: Literal["file"] = "file"
    data_b64: str
    filename: str
    mime: str = "application/octet-stream"
    caption: TextLike = ""


class Media(BaseModel):
    """Stored media to show: a photo, audio, a voice note, a video or a document, with its caption."""

    kind: Literal["media"] = "media"
    media: MediaKind
    blob: BlobRef
    caption: TextLike = ""


class Gallery(BaseModel):
    """Two to ten images (or videos) shown as one set with one caption (Telegram's media group)."""

    kind: Literal["gallery"] = "gallery"
    items: list[Media] = Field(min_length=1, max_length=10)
    caption: TextLike = ""


class Code(BaseModel):
    """Source code, shown monospaced with its language. Renderers split it between lines only, never inside a
    line, and send a long one as a file named `filename` as well. `mark` is a 1-based inclusive line span to
    point at (line-anchored feedback); `first_line` numbers an excerpt."""

    kind: Literal["code"] = "code"
    text: str
    language: str = ""
    title: TextLike = ""
    filename: str = "code.txt"
    first_line: int = 1
    mark: tuple[int, int] | None = None


class Divider(BaseModel):
    kind: Literal["divider"] = "divider"


Block = Annotated[
    Union[Heading, Paragraph, Fields, LongText, Buttons, Image, File, Media, Gallery, Code, Divider],
    Field(discriminator="kind"),
]


class Reply(BaseModel):
    blocks: list[Block] = Field(default_factory=list)
    # The person is asked to type an answer: the console then reads a bare number as text, not a button press.
    expects_text: bool = False

    def buttons(self) -> list[Button]:
        return [b for blk in self.blocks if isinstance(blk, Buttons) for row in blk.rows for b in row]


# Parts of exactly these types are valid as they are: `text` and `button` build them without validating again
# (`bot.i18n.unchecked`; a turn builds dozens). Anything else goes through validation, as before.
_TEXT_TYPES = frozenset({str, Msg, UserText, Command})
_STYLES = (None, "primary", "danger")


def text(*parts: TextLike | Span) -> Paragraph:
    """A paragraph from catalog messages, literal strings and styled spans."""
    spans = []
    for p in parts:
        if type(p) in _TEXT_TYPES:
            spans.append(built(Span, {"text": p, "style": "plain"}, {"text"}))
        else:
            spans.append(p if isinstance(p, Span) else Span(text=p))
    return built(Paragraph, {"kind": "paragraph", "spans": spans}, {"spans"})


def button(label: TextLike, action: ActionData, style: Any = None) -> Button:
    """A button that sends `action` (typed button data, see bot.core.actions) back when pressed."""
    if not action.action_name:
        raise TypeError(f"{type(action).__name__} names no action: give its class a name=")
    if type(label) in _TEXT_TYPES and isinstance(action, ActionData) and style in _STYLES:
        return built(Button, {"label": label, "action": action, "payload": None, "url": None, "style": style},
                     {"label", "action", "style"})
    return Button(label=label, action=action, style=style)

