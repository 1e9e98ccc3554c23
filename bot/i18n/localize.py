"""Turn every `Msg` in a reply, operation or form into the recipient's text, every `UserText` into an isolate
(`bot.i18n.bidi`), leaving literal `str` alone.

Runs once per outgoing message, so it walks only what can hold a `Msg`: models, lists, tuples and dicts.
The input is never mutated: a model or list that holds a `Msg` comes back as a copy; one that holds none comes
back as it is (shared, so nothing downstream may mutate a localized reply).
"""
from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.i18n.bidi import isolate
from bot.i18n.text import COMMAND_FORM, Command, Msg, UserText, command_ref
from bot.i18n.catalog import Catalogs, default_catalogs
from bot.i18n.unchecked import replaced

T = TypeVar("T")

# Values that cannot contain a Msg and are immutable: shared with the copy as they are.
_ATOMS = (str, bytes, int, float, bool, type(None), Enum)


# What a value is, by its exact type (`_kind`): one dict lookup instead of a chain of isinstance checks for
# each of the many values a reply holds. Subclasses of the types below get their own entry the first time.
_ATOM, _MSG, _COMMAND, _USER_TEXT, _MODEL, _LIST, _TUPLE, _NAMED_TUPLE, _DICT, _OTHER = range(10)
_KINDS: dict[type, int] = {}
_BY_BASE = ((_ATOMS, _ATOM), (Msg, _MSG), (Command, _COMMAND), (UserText, _USER_TEXT), (BaseModel, _MODEL),
            (list, _LIST), (tuple, _TUPLE), (dict, _DICT))  # the first that matches, in this order


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = next((k for base, k in _BY_BASE if issubclass(cls, base)), _OTHER)
        if kind == _TUPLE and hasattr(cls, "_fields"):
            kind = _NAMED_TUPLE
        _KINDS[cls] = kind
    return kind


def localize(obj: T, locale: str, tz: str = "UTC", catalogs: Catalogs | None = None, command: str = COMMAND_FORM) -> T:
    """A copy of `obj` with each `Msg` replaced by its translation for `locale` (params shown in zone `tz`), each
    command reference written in the recipient platform's `command` form (`Capabilities.command`).

    A bare `Msg` or `Command` becomes a `str`; everything else keeps its type.
    """
    cats = catalogs if catalogs is not None else default_catalogs()

    def walk(value: Any) -> Any:
        kind = _KINDS.get(type(value))
        if kind is None:
            kind = _kind(type(value))
        if kind == _ATOM or kind == _OTHER:
            return value
        if kind == _MODEL:
            update = {}
            for name, v in value.__dict__.items():
                if _KINDS.get(type(v)) != _ATOM:
                    new = walk(v)
                    if new is not v:
                        update[name] = new
            return replaced(value, update) if update else value
        if kind == _LIST:
            items = []
            changed = False
            for v in value:
                new = v if _KINDS.get(type(v)) == _ATOM else walk(v)
                changed = changed or new is not v
                items.append(new)
            return items if changed else value
        if kind == _MSG:
            return cats.render(value, locale, tz, command)
        if kind == _COMMAND:
            return command_ref(value.name, command)
        if kind == _USER_TEXT:
            return isolate(value.text)
        if kind == _NAMED_TUPLE:
            return type(value)(*[walk(v) for v in value])
        if kind == _TUPLE:
            return tuple([walk(v) for v in value])
        return {k: walk(v) for k, v in value.items()}  # _DICT

    return walk(obj)
