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

T = TypeVar("T")

# Values that cannot contain a Msg and are immutable: shared with the copy as they are.
_ATOMS = (str, bytes, int, float, bool, type(None), Enum)


def localize(obj: T, locale: str, tz: str = "UTC", catalogs: Catalogs | None = None, command: str = COMMAND_FORM) -> T:
    """A copy of `obj` with each `Msg` replaced by its translation for `locale` (params shown in zone `tz`), each
    command reference written in the recipient platform's `command` form (`Capabilities.command`).

    A bare `Msg` or `Command` becomes a `str`; everything else keeps its type.
    """
    cats = catalogs if catalogs is not None else default_catalogs()

    def walk(value: Any) -> Any:
        if isinstance(value, _ATOMS):
            return value
        if isinstance(value, Msg):
            return cats.render(value, locale, tz, command)
        if isinstance(value, Command):
            return command_ref(value.name, command)
        if isinstance(value, UserText):
            return isolate(value.text)
        if isinstance(value, BaseModel):
            update = {}
            for name, v in value.__dict__.items():
                if not isinstance(v, _ATOMS):
                    new = walk(v)
                    if new is not v:
                        update[name] = new
            return value.model_copy(update=update) if update else value
        if isinstance(value, list):
            items = [walk(v) for v in value]
            return value if all(a is b for a, b in zip(items, value)) else items
        if isinstance(value, tuple):
            items = [walk(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # NamedTuple or plain
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(obj)
