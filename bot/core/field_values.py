"""Typed text → a field value, by field kind; and a field value → what the summary shows.

Parsing only turns text into the right shape; the form's pydantic model decides what is valid.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import ParseError, parse_date
from babel.numbers import NumberFormatError, parse_decimal

from bot.blobs import BlobRef, kind_of
from bot.core.forms import PERSON_KINDS, FieldKind, FieldSpec
from bot.core.typed_choice import match_options, number_parts
from bot.i18n.text import Msg, TextLike, msg

MAX_TEXT = 20_000
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")


class FieldInvalid(Exception):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.key)
        self.message = message


class AskWhich(FieldInvalid):
    """Typed text that reads as several answers ("10-15" for a number): the person picks one of `candidates`."""

    def __init__(self, candidates: list[int]) -> None:
        super().__init__(msg("form.which", typed=""))
        self.candidates = candidates


def _option_by_text(field: FieldSpec, text: str) -> str | None:
    """An option by its value or its literal label (a modal sends values; catalog labels are matched by the
    forms engine, which renders them)."""
    found = match_options(text, [[o.value, *([o.label] if isinstance(o.label, str) else [])]
                                 for o in field.options])
    return field.options[found[0]].value if len(found) == 1 else None


def parse_text(field: FieldSpec, text: str, locale: str) -> Any:
    return _within_bounds(field, _parse_text(field, text, locale))


def _within_bounds(field: FieldSpec, value: Any) -> Any:
    """The limits a field declares itself; a form's model or checker may add its own rules."""
    if isinstance(value, str) and field.kind in (FieldKind.short_text, FieldKind.long_text, *PERSON_KINDS):
        if field.max_length is not None and len(value) > field.max_length:
            raise FieldInvalid(msg("form.error.too_long", max=field.max_length))
        if field.min_length is not None and len(value) < field.min_length:
            raise FieldInvalid(msg("form.error.too_short", min=field.min_length))
    if isinstance(value, (int, float)) and field.kind in (FieldKind.number, FieldKind.scale):
        if field.min is not None and value < field.min:
            raise FieldInvalid(msg("form.error.at_least", min=_num(field.min)))
        if field.max is not None and value > field.max:
            raise FieldInvalid(msg("form.error.at_most", max=_num(field.max)))
    return value


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _parse_text(field: FieldSpec, text: str, locale: str) -> Any:
    if field.verbatim and field.kind in (FieldKind.short_text, FieldKind.long_text) and text.strip():
        text = _LEADING_BLANK_LINES.sub("", text).rstrip()  # the first line's indentation stays
    else:
        text = text.strip()
    if len(text) > MAX_TEXT:
        raise FieldInvalid(msg("form.error.too_long", max=field.max_length or MAX_TEXT))
    if not text:
        raise FieldInvalid(msg("form.error.required"))
    kind = field.kind
    if kind in (FieldKind.short_text, FieldKind.long_text, FieldKind.duration, *PERSON_KINDS):
        return text
    if kind in (FieldKind.number, FieldKind.scale):
        try:
            return _number(text, locale)
        except FieldInvalid:
            parts = number_parts(text)  # "12 años", "12 years"; a range "10-15" asks which
            if not parts:
                raise
        values = [_number(p, locale) for p in parts]
        if len(values) > 1:
            whole = [v for v in dict.fromkeys(values) if isinstance(v, int)]
            if len(whole) == len(values):
                raise AskWhich(whole)
            raise FieldInvalid(msg("form.error.number"))
        return values[0]
    if kind == FieldKind.choice:
        value = _option_by_text(field, text)
        if value is None:
            raise FieldInvalid(msg("form.error.choice"))
        return value
    if kind == FieldKind.multi_choice:
        values = [_option_by_text(field, part) for part in text.split(",") if part.strip()]
        if None in values or not values:
            raise FieldInvalid(msg("form.error.choice"))
        return values
    if kind == FieldKind.date:
        return _date(text, locale).isoformat()
    if kind == FieldKind.file:
        raise FieldInvalid(msg("form.error.file_expected"))
    raise FieldInvalid(msg("form.error.use_buttons"))


def file_value(field: FieldSpec, blob: BlobRef) -> dict[str, Any]:
    """A stored file as a file field's value, if the field accepts its kind."""
    kind = kind_of(blob.mime)
    if field.accept and kind not in field.accept:
        accepted = msg(f"media.kind.{field.accept[0]}") if len(field.accept) == 1 else msg("media.kind.as_asked")
        raise FieldInvalid(msg("form.error.file_kind", kind=msg(f"media.kind.{kind}"), accepted=accepted))
    return blob.model_dump(exclude_none=True)


def _number(text: str, locale: str) -> int | float:
    try:
        value = parse_decimal(text, locale=locale.replace("-", "_"), strict=False)
    except (NumberFormatError, InvalidOperation, ValueError):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise FieldInvalid(msg("form.error.number")) from None
    if not value.is_finite() or abs(value) > Decimal(10) ** 12:
        raise FieldInvalid(msg("form.error.number"))
    return int(value) if value == value.to_integral_value() else float(value)


def parse_raw(field: FieldSpec, raw: Any, locale: str) -> Any:
    """A value from a whole-form submission (Slack modal): strings, lists of strings or None."""
    if raw is None or raw == "" or raw == []:
        return None
    if field.kind == FieldKind.multi_choice:
        items = raw if isinstance(raw, list) else [raw]
        known = {o.value for o in field.options}
        if any(i not in known for i in items):
            raise FieldInvalid(msg("form.error.choice"))
        return list(items)
    if field.kind == FieldKind.choice:
        if raw not in {o.value for o in field.options}:
            raise FieldInvalid(msg("form.error.choice"))
        return raw
    if field.kind == FieldKind.file:  # the adapter stored the modal's file and hands its ref
        ref = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        try:
            return file_value(field, BlobRef.model_validate(ref))
        except ValueError:
            raise FieldInvalid(msg("form.error.file_expected")) from None
    if isinstance(raw, list):
        raw = ", ".join(map(str, raw))
    if field.kind in (FieldKind.number, FieldKind.scale):
        # Modal number inputs always send "7.5", whatever the person's locale.
        return parse_text(field, str(raw), "en")
    return parse_text(field, str(raw), locale)


def display(field: FieldSpec, value: Any) -> list[TextLike]:
    """Pieces that show a value: option labels stay catalog messages so they localize."""
    if value is None or value == "" or value == []:
        return [msg("form.value.empty")]
    labels = {o.value: o.label for o in field.options}
    if field.kind == FieldKind.choice or (field.kind == FieldKind.scale and str(value) in labels):
        return [labels.get(str(value), str(value))]
    if field.kind == FieldKind.file and isinstance(value, dict):
        return [msg("form.value.file", name=str(value.get("name") or value.get("sha256", "")[:12]))]
    if field.kind == FieldKind.multi_choice:
        pieces: list[TextLike] = []
        for i, v in enumerate(value):
            if i:
                pieces.append(", ")
            pieces.append(labels.get(v, str(v)))
        return pieces
    if isinstance(value, list):
        return [", ".join(str(v) for v in value)]
    return [str(value)]


def _date(text: str, locale: str) -> date:
    """ISO (2026-12-20), or the numeric form people write in their language: 20/12/2026 in Spanish,
    12/20/2026 in American English (Babel knows each locale's order)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    if len(text) > 40:
        raise FieldInvalid(msg("form.error.date"))
    try:
        return parse_date(text.strip(), locale=locale)
    except (ParseError, ValueError, IndexError, LookupError):
        raise FieldInvalid(msg("form.error.date")) from None
