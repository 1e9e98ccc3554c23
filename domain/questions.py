"""What an answer asks, declared as data: the question types a task type is made of.

Read like Argilla v2's question classes (`LabelQuestion`, `MultiLabelQuestion`, `RatingQuestion`,
`TextQuestion`): each names the answer field it fills (`name`), what the expert reads (`title`, `description`,
catalog messages or the manager's own words) and the bounds the answer must keep. No chat and no forms here:
`handlers.shared.task_forms` turns questions into the forms engine's fields, and `task_types.validate_answer`
checks what comes back.
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n.text import TextLike

__all__ = [
    "Choice", "Condition", "LabelQuestion", "MultiLabelQuestion", "Question", "RatingQuestion", "TextQuestion",
]

# Ask a question only when an earlier answer allows it: (question name, allowed values), or (question name,
# None) for "that question was answered".
Condition = tuple[str, Union[tuple[str, ...], None]]


class Choice(BaseModel):
    """One answer a label question offers: the stored `value` and what the expert reads."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: TextLike


class _Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: TextLike
    description: TextLike | None = None
    required: bool = True
    show_if: tuple[Condition, ...] = ()


class LabelQuestion(_Question):
    """Choose one of `labels`."""

    kind: Literal["label"] = "label"
    labels: tuple[Choice, ...]


class MultiLabelQuestion(_Question):
    """Choose any of `labels` (at least one when required)."""

    kind: Literal["multi_label"] = "multi_label"
    labels: tuple[Choice, ...]


class RatingQuestion(_Question):
    """A whole number from `min` to `max` on a numeric scale."""

    kind: Literal["rating"] = "rating"
    min: int
    max: int


class TextQuestion(_Question):
    """Free text, `min_length` to `max_length` characters once stripped."""

    kind: Literal["text"] = "text"
    min_length: int | None = None
    max_length: int | None = None


class FileQuestion(_Question):
    """A file the expert sends: one of `accept` (media kinds; empty: any)."""

    kind: Literal["file"] = "file"
    accept: tuple[str, ...] = ()


Question = Annotated[
    Union[LabelQuestion, MultiLabelQuestion, RatingQuestion, TextQuestion, FileQuestion], Field(discriminator="kind")
]
