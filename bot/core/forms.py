"""Forms declared once: fields and the pydantic model that validates them.

Slack shows a form whole as a modal; Telegram and the console walk it as a wizard (see `bot.core.wizard`).
`FormSpec` is data, so a form session (step, values, version) can live in storage and survive restarts.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, Field

from bot.core.text import TextLike


class FieldKind(str, Enum):
    choice = "choice"
    multi_choice = "multi_choice"
    scale = "scale"
    short_text = "short_text"
    long_text = "long_text"
    number = "number"
    duration = "duration"
    date = "date"
    file = "file"


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


class FormSpec(BaseModel):
    id: str
    title: TextLike
    fields: list[FieldSpec]
    confirm: bool = True  # show a summary with Edit before completing
    submit_label: TextLike | None = None

    def field(self, field_id: str) -> FieldSpec:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


class RenderedForm(BaseModel):
    """A form localized for one person, with its current values, as adapters that open forms whole need it."""

    spec: FormSpec
    values: dict[str, Any] = Field(default_factory=dict)
