"""Refusals a person reads — a spec field, a task line, an amount — as catalog messages, never as sentences.

A rule refuses a value by raising `Invalid(msg("spec.problem.…", …))`; pydantic keeps the exception, and
`problem_messages` turns every error of a `ValidationError` into catalog messages: our own refusals as they were
raised, pydantic's built-in checks (`missing`, `int_type`, `string_too_long`, …) through `input.*` keys whose
English reads exactly as pydantic's own text. The reader's locale is applied when the message is sent (chat) or
printed (CLI); `str()` of an `Invalid` is its English text, for logs, tracebacks and `pytest.raises(match=…)`.
"""
from __future__ import annotations

from typing import Any, Iterable

from bot.i18n.catalog import BASE_LOCALE, default_catalogs
from bot.i18n.text import Msg, msg

__all__ = ["Invalid", "english", "problem_messages", "validation_messages"]


def english(message: Msg) -> str:
    """A message in the base catalog's words (logs and exceptions only; people get their own locale)."""
    return default_catalogs().render(message, BASE_LOCALE)


class Invalid(ValueError):
    """A value refused for reasons a person reads: `messages` are catalog messages (usually one)."""

    def __init__(self, message: Msg, *more: Msg) -> None:
        super().__init__(message.key)
        self.messages: tuple[Msg, ...] = (message, *more)

    @property
    def message(self) -> Msg:
        return self.messages[0]

    def __str__(self) -> str:
        return "; ".join(english(m) for m in self.messages)


# pydantic's built-in checks → catalog keys. The English catalog text of each is pydantic's own message, so an
# English reader sees what they always saw. Context values are passed as text, the way pydantic shows them
# ("1000", not "1,000").
_PLAIN = {
    "missing", "string_type", "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing",
    "bool_type", "bool_parsing", "list_type", "dict_type", "finite_number", "datetime_type", "date_type",
    "none_required",
}
_WITH_CONTEXT = {
    "greater_than": ("gt",),
    "greater_than_equal": ("ge",),
    "less_than": ("lt",),
    "less_than_equal": ("le",),
    "literal_error": ("expected",),
    "enum": ("expected",),
    "string_pattern_mismatch": ("pattern",),
    "model_type": ("class_name",),
    "union_tag_invalid": ("tag", "discriminator", "expected_tags"),
    "union_tag_not_found": ("discriminator",),
}
# Plural by the bound: "at least 1 character", "at least 2 characters".
_PLURAL = {
    "string_too_short": "min_length",
    "string_too_long": "max_length",
}
_LIST_PLURAL = {  # "List should have at least 2 items after validation, not 1"
    "too_short": "min_length",
    "too_long": "max_length",
}


def _builtin(error: dict[str, Any]) -> Msg:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return msg("input.unknown_field")
    if kind in _PLAIN:
        return msg(f"input.{kind}")
    if kind in _WITH_CONTEXT and all(name in ctx for name in _WITH_CONTEXT[kind]):
        return msg(f"input.{kind}", **{name: str(ctx[name]) for name in _WITH_CONTEXT[kind]})
    if kind in _PLURAL and isinstance(ctx.get(_PLURAL[kind]), int):
        bound = _PLURAL[kind]
        return msg(f"input.{kind}", count=ctx[bound], **{bound: str(ctx[bound])})
    if kind in _LIST_PLURAL and ctx.get("field_type") == "List" and isinstance(ctx.get(_LIST_PLURAL[kind]), int):
        bound = _LIST_PLURAL[kind]
        return msg(f"input.list_{kind}", count=ctx[bound], **{bound: str(ctx[bound]),
                                                               "actual_length": str(ctx.get("actual_length"))})
    # Anything else (a check no file of ours has reached yet): pydantic's words, still through the catalog.
    detail = str(error.get("msg", kind)).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg("input.other", detail=detail)


def problem_messages(error: dict[str, Any]) -> list[Msg]:
    """The catalog messages for one entry of `ValidationError.errors()`."""
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, Invalid):
        return list(raised.messages)
    return [_builtin(error)]


def validation_messages(errors: Iterable[dict[str, Any]]) -> list[tuple[tuple[Any, ...], Msg]]:
    """(location, message) for every entry of `ValidationError.errors()`, in order."""
    return [(tuple(e["loc"]), m) for e in errors for m in problem_messages(e)]
