"""Commands as people type them: canonical names, each catalog's aliases, a command word without the slash,
the closest command to a typo, and the button that runs a command.

Aliases live in the catalogs as `command.<name>.aliases` (space-separated words: `siguiente sig`), so a
translator adds them with the rest of the language. Every alias of every catalog resolves, on every platform
(a Spanish speaker whose phone is set to English still types `/siguiente`); typo suggestions draw only on the
person's own language. Matching ignores case and accents. Canonical names win over aliases, and an alias two
commands claim resolves to neither (tests/test_catalogs.py keeps the shipped catalogs free of both).
"""
from __future__ import annotations

import difflib
import logging
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Reply, button, text
from bot.core.events import CommandEvent
from bot.core.operations import Operation, SendMessage
from bot.core.router import Route, Router, allowed
from bot.i18n.fold import folded
from bot.i18n.text import Command, msg

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.i18n.catalog import Catalogs

log = logging.getLogger(__name__)

WORD_MAX = 80  # a message starting with a command word is a command only when it is this short and one line
SIMILARITY = 0.7  # difflib ratio: "nxet"→"next" is 0.75, "hola"→"help" 0.5


class RunCommand(ActionData, name="cmd"):
    """Run a command as if it had been typed (command buttons, typo suggestions); authorised again when pressed."""

    command: str = Field(alias="c", max_length=32)


def fold(word: str) -> str:
    """Case- and accent-insensitive form: `/Próximo` → `proximo`."""
    return folded(word.strip().lstrip("/"))


def alias_key(name: str) -> str:
    return f"command.{name}.aliases"


class CommandNames:
    """Every name a command answers to, built once from the root router's commands and the catalogs."""

    def __init__(self, commands: Mapping[str, Route], catalogs: "Catalogs") -> None:
        self._commands = commands
        self._by_locale: dict[str, dict[str, tuple[str, str]]] = {}  # locale → folded alias → (as written, name)
        claims: dict[str, set[str]] = {}
        for locale in catalogs.locales():
            for name in commands:
                if not catalogs.has(locale, alias_key(name)):
                    continue
                for alias in catalogs.translate(locale, alias_key(name)).split():
                    folded = fold(alias)
                    if folded and folded not in commands:
                        claims.setdefault(folded, set()).add(name)
                        self._by_locale.setdefault(locale, {})[folded] = (alias.lstrip("/"), name)
        self._clashes = {a for a, names in claims.items() if len(names) > 1}
        for alias in sorted(self._clashes):
            log.warning("command alias %r is claimed by %s; it runs none of them", alias, sorted(claims[alias]))
        self._any = {a: names.pop() for a, names in claims.items() if a not in self._clashes}

    @property
    def clashes(self) -> set[str]:
        return set(self._clashes)

    def aliases(self, locale: str) -> dict[str, str]:
        """Alias as written → command, in one catalog (for tests and /help)."""
        return {shown: name for folded, (shown, name) in self._by_locale.get(locale, {}).items()
                if folded not in self._clashes}

    def resolve(self, typed: str) -> str | None:
        """The command `typed` names (canonical or alias, any case and accents), or None."""
        folded = fold(typed)
        if folded in self._commands:
            return folded
        return self._any.get(folded)

    def word(self, typed: str) -> tuple[str, str] | None:
        """A short one-line message that starts with a command name or alias, without the slash: (command,
        args). Anything longer, or over several lines, is text someone wrote."""
        stripped = typed.strip()
        if not stripped or len(stripped) > WORD_MAX or "\n" in stripped or stripped.startswith("/"):
            return None
        first, _, rest = stripped.partition(" ")
        name = self.resolve(first)
        return (name, rest.strip()) if name else None

    def suggest(self, typed: str, locale: str, roles: set[str]) -> tuple[str, str] | None:
        """The closest command this person may use, as (what to show, command), by the person's own words:
        canonical names and the aliases of their language."""
        candidates: dict[str, tuple[str, str]] = {}
        for loc in dict.fromkeys((locale, locale.replace("-", "_").split("_")[0])):
            for key, (shown, name) in self._by_locale.get(loc, {}).items():
                if key not in self._clashes:
                    candidates[key] = (shown, name)
        for name in self._commands:
            candidates[name] = (name, name)
        usable = {f: c for f, c in candidates.items() if allowed(self._commands[c[1]], roles)}
        best = difflib.get_close_matches(fold(typed), list(usable), n=1, cutoff=SIMILARITY)
        return usable[best[0]] if best else None


def suggestion(typed: str, shown: str, name: str) -> list[Operation]:
    """"I don't know the command /nxet. Did you mean /next?", with a button that runs it."""
    return [SendMessage(message=Reply(blocks=[
        text(msg("error.unknown_command.suggest", command=Command(name=typed), suggestion=Command(name=shown))),
        Buttons(rows=[[button(msg("error.unknown_command.run", command=Command(name=shown)), RunCommand(command=name))]]),
    ]))]


async def run(ctx: "Context", event: Any, name: str, args: str = "") -> list[Operation]:
    """Run command `name` for `event`'s sender as if typed, authorised against their roles now."""
    route = ctx.commands.get(name)
    if route is None:
        return [SendMessage(message=Reply(blocks=[text(msg("error.button_expired"))]))]
    if not allowed(route, ctx.roles):
        return [SendMessage(message=Reply(blocks=[text(msg("error.not_allowed"))]))]
    command = CommandEvent(delivery_id=event.delivery_id, actor=event.actor, conversation=event.conversation,
                           received_at=event.received_at, reply_context=event.reply_context, name=name, args=args)
    ctx.event = command
    return list(await route.handler(ctx, command))


def routes() -> Router:
    """The command button's route, which the runtime includes like the wizard's."""
    router = Router("commands")

    @router.action(RunCommand)
    async def pressed(ctx: "Context", event: Any, press: RunCommand) -> list[Operation]:
        return await run(ctx, event, press.command)

    return router
