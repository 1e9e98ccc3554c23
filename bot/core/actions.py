"""Typed button data: what a button asks for, declared once per action as a small frozen pydantic model.

    class Decide(ActionData, name="review.decide"):
        submission: int = Field(alias="s")
        decision: Literal["approved", "rework", "rejected"] = Field(alias="d")

    button(msg("review.approve"), Decide(submission=s.id, decision="approved"))

    @router.action(Decide, roles={"reviewer"})
    async def decide(ctx: Context, event, press: Decide) -> list: ...

The class keyword `name` is the route. A field's alias is its key on the wire (the codec packs
`name|key=value,...|owner|mac` into Telegram's 64 bytes), so keep it short, and never give a key a new meaning:
buttons already sent still carry it. A field left at its default is not sent. Fields are small values (int, str,
bool, date, a Literal of strings, a string Enum; optionally None with the default None): dispatch validates a
press into its model once, and a press that does not validate (a missing or extra key, a wrong type, a value out
of range, an unknown name) is answered "this button has expired", like a forged or foreign one. Button data is a
request, never a permission: handlers still authorise every press against storage.
"""
from __future__ import annotations

import re
import types
import typing
from datetime import date
from enum import Enum
from typing import Any, ClassVar, Literal, Mapping, Self, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

MAX_INT = 2**63 - 1  # what a BIGINT column holds: a larger id is refused here, not by the database
MAX_TEXT = 200  # button data is ids, choices and short words
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")  # never "|" (the inline separator) nor a leading "~" (a token)
_KEY = re.compile(r"[A-Za-z0-9_]+")


def _small(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return all(isinstance(m.value, str) for m in annotation)
    return annotation in (int, str, bool, date)


def _optional(annotation: Any) -> Any:
    """`X | None` → X; anything else → None."""
    if get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in get_args(annotation):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else None
    return None


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class ActionData(BaseModel):
    """Base of every button's data. A subclass without `name` is abstract (a family's shared fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    action_name: ClassVar[str] = ""

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name is not None and not _NAME.fullmatch(name):
            raise ValueError(f"{cls.__name__}: action name {name!r} must match {_NAME.pattern}")
        cls.action_name = name or ""  # a named action's subclass does not answer to the same name

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for field_name, field in cls.model_fields.items():
            key = field.alias or field_name
            inner = _optional(field.annotation)
            if not _KEY.fullmatch(key):
                raise TypeError(f"{cls.__name__}.{field_name}: wire key {key!r} must match {_KEY.pattern}")
            if inner is not None and field.default is not None:
                raise TypeError(f"{cls.__name__}.{field_name}: an optional field needs the default None")
            if not _small(inner if inner is not None else field.annotation):
                raise TypeError(f"{cls.__name__}.{field_name}: {field.annotation!r} is not small button data "
                                "(int, str, bool, date, a Literal of strings, a string Enum, or one of them | None)")

    @model_validator(mode="after")
    def _fits(self) -> Self:
        for field_name, value in self.__dict__.items():  # the fields (extra="forbid"): cheaper than model_fields
            if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT - 1 <= value <= MAX_INT:
                raise ValueError(f"{field_name} is out of range")
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise ValueError(f"{field_name} is longer than {MAX_TEXT} characters")
        return self

    def to_wire(self) -> dict[str, str]:
        """The fields as short strings under their wire keys; a field at its default is left out."""
        out: dict[str, str] = {}
        for field_name, field in type(self).model_fields.items():
            value = getattr(self, field_name)
            if not field.is_required() and value == field.default:
                continue
            out[field.alias or field_name] = _wire(value)
        return out

    @classmethod
    def from_wire(cls, values: Mapping[str, Any]) -> Self:
        """Validate what a press carried, by wire key only; raises ValueError (pydantic's ValidationError among
        them) when it is not this action's data."""
        keys = {field.alias or field_name for field_name, field in cls.model_fields.items()}
        unknown = set(values) - keys
        if unknown:
            raise ValueError(f"{cls.__name__} has no wire keys {sorted(unknown)}")
        return cls.model_validate(dict(values))
