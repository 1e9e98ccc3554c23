"""Forms declared once: fields and the pydantic model that validates them.

Slack shows a form whole as a modal; Telegram and the console walk it as a wizard (see `bot.core.wizard`).
`FormSpec` is data, so a form session (step, values, version) can live in storage and survive restarts.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.blocks import Block
from bot.i18n.text import TextLike


class FieldKind(str, Enum):
    choice = "choice"
    multi_choice = "multi_choice"
    scale = "scale"
    short_text = "short_text"
    long_text = "long_text"
    number = "number"
    duration = "duration"
    date = "date"
    # Someone the form's owner names (one, or several separated by commas): a user picker in a Slack modal
    # (users_select / multi_users_select, whose value is the member id), typed text elsewhere; on Telegram a
    # forwarded message answers with its sender. The application resolves the words to people.
    person = "person"
    people = "people"
    # A file the person sends (a corrected image, a patch, a recording): an upload at that step in a chat, a
    # file input in a Slack modal. The value is the stored file's `BlobRef` as a dict; `accept` narrows the kinds.
    file = "file"


PERSON_KINDS = (FieldKind.person, FieldKind.people)


class Option(BaseModel):
    value: str
    label: TextLike


class FieldSpec(BaseModel):
    id: str
    kind: FieldKind
    label: TextLike
    help: TextLike | None = None
    options: list[Option] = Field(default_factory=list)
    required: bool = True
    min: float | None = None  # scale/number bounds
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    placeholder: TextLike | None = None
    # Suggestions shown as buttons for a free-text field (e.g. common time zones); typing anything else is fine.
    suggestions: list[Option] = Field(default_factory=list)
    # Ask this field only when every condition holds: (field id, allowed values), or (field id, None) for
    # "that field was answered". Wizards skip the rest; a modal shows only the fields that apply, and is redrawn
    # when an answer they depend on changes (`FormChanged`).
    show_if: list[tuple[str, list[str] | None]] = Field(default_factory=list)
    # Text a modal's input starts from when the field has no answer yet (a rewrite starts from the original).
    # Never an answer: wizards ignore it (the text is in the message above, and typing replaces it anyway).
    prefill: str | None = None
    # Text kept as typed but for blank lines before it and whitespace after it (code: indentation is meaning).
    verbatim: bool = False
    # A file field's accepted media kinds (bot.blobs.MEDIA_KINDS); empty: any file.
    accept: list[str] = Field(default_factory=list)

    def applies(self, values: dict[str, Any]) -> bool:
        for field_id, allowed in self.show_if:
            value = values.get(field_id)
            if allowed is None and value in (None, "", []):
                return False
            if allowed is not None and value not in allowed:
                return False
        return True


class FormSpec(BaseModel):
    id: str
    title: TextLike
    fields: list[FieldSpec]
    confirm: bool = True  # show a summary with Edit before completing
    submit_label: TextLike | None = None
    # Long work (a task's answers): leaving is "Stop for now", which keeps the draft, and throwing the answers
    # away is a separate "Discard answers…" that asks first. Short forms keep a plain Cancel.
    keep_drafts: bool = False
    close_label: TextLike | None = None  # a modal's close button ("Cancel" when not given)
    # What the form is about (a task's prompt and responses, the answer under review). A modal covers the
    # conversation, so it shows these above its inputs; wizards ignore them (the card is a message above).
    context: list[Block] = Field(default_factory=list)
    # What a wizard shows above the question in the same message (a task's card, with its buttons): sent with the
    # first question, and kept above each step a button press edits in place (bot.core.form_card). Modals show
    # `context` instead.
    card: list[Block] = Field(default_factory=list)

    def field(self, field_id: str) -> FieldSpec:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


class RenderedForm(BaseModel):
    """A form localized for one person, with its current values, as adapters that open forms whole need it."""

    spec: FormSpec
    values: dict[str, Any] = Field(default_factory=dict)
