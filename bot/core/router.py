"""Routers in the aiogram habit: small, one per capability, included into one root.

A route names what it answers (a command, a button action, free text, a file, the home tab) and which roles may
use it. Handlers are `async def handler(ctx, event) -> list[Operation]`; an action's handler also receives the
press as its typed data: `async def handler(ctx, event, press: SomeAction) -> list[Operation]`. A router also
carries the forms its capability declares (`router.form(...)`) and the scheduler ticks it needs
(`@router.tick(every=..., name=...)`): everything an application registers, it registers here, and the root
router is all the runtime reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Mapping, TypeVar

from bot.core.actions import ActionData

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.core.ticks import Tick
    from bot.core.wizard import Builder, Checker, Completer, FieldCheck, FormDefinition

Handler = Callable[..., Awaitable[list]]
A = TypeVar("A", bound=ActionData)
ActionHandler = Callable[[Any, Any, A], Awaitable[list]]


@dataclass(frozen=True)
class Route:
    handler: Handler
    roles: frozenset[str] = frozenset()  # empty: everyone
    help_key: str | None = None  # catalog key describing the command in /help
    action: type[ActionData] | None = None  # an action route: the model its presses are validated into


@dataclass(frozen=True)
class TickRoute:
    """A scheduled tick: `fn(tick)` runs inside a transaction the runtime opens (see bot/core/ticks.py)."""

    fn: "Tick"
    every: float  # seconds between runs
    name: str


@dataclass
class Router:
    name: str
    commands: dict[str, Route] = field(default_factory=dict)
    actions: dict[str, Route] = field(default_factory=dict)
    text_handlers: list[Route] = field(default_factory=list)
    file_handlers: list[Route] = field(default_factory=list)
    home_handlers: list[Route] = field(default_factory=list)
    forms: dict[str, "FormDefinition"] = field(default_factory=dict)
    ticks: dict[str, TickRoute] = field(default_factory=dict)

    def command(self, *names: str, roles: Iterable[str] = (), help_key: str | None = None):
        def register(fn: Handler) -> Handler:
            for n in names:
                self.commands[n] = Route(fn, frozenset(roles), help_key if n == names[0] else None)
            return fn
        return register

    def action(self, model: type[A], roles: Iterable[str] = ()) -> Callable[[ActionHandler[A]], ActionHandler[A]]:
        """Answer presses of buttons built from `model` (a named ActionData); the handler gets the typed press."""
        name = model.action_name
        if not name:
            raise TypeError(f"{model.__name__} names no action: give its class a name=")
        if name in self.actions:
            raise ValueError(f"action {name!r} registered twice ({self.name})")

        def register(fn: ActionHandler[A]) -> ActionHandler[A]:
            self.actions[name] = Route(fn, frozenset(roles), action=model)
            return fn
        return register

    def text(self, roles: Iterable[str] = ()):
        def register(fn: Handler) -> Handler:
            self.text_handlers.append(Route(fn, frozenset(roles)))
            return fn
        return register

    def file(self, roles: Iterable[str] = ()):
        def register(fn: Handler) -> Handler:
            self.file_handlers.append(Route(fn, frozenset(roles)))
            return fn
        return register

    def home(self):
        def register(fn: Handler) -> Handler:
            self.home_handlers.append(Route(fn))
            return fn
        return register

    def form(self, form_id: str, *, build: "Builder", on_complete: "Completer",
             model: "type[BaseModel] | None" = None, check: "Checker | None" = None,
             field_checks: "Mapping[str, FieldCheck] | None" = None) -> "FormDefinition":
        """Declare a form: `build(ctx, params)` gives its fields, `model` validates values field by field (pydantic),
        `check(ctx, session)` runs whole-form rules before completing, `field_checks[field_id](ctx, value, values, params)`
        one field's rules that need the turn (run as the value is entered), `on_complete(ctx, model, session)` answers.
        Handlers open it with `ctx.forms.open(form_id, ...)`."""
        from bot.core.wizard import FormDefinition

        if form_id in self.forms:
            raise ValueError(f"form {form_id!r} registered twice ({self.name})")
        definition = FormDefinition(form_id, build, model, on_complete, check, dict(field_checks or {}))
        self.forms[form_id] = definition
        return definition

    def tick(self, every: float, name: str):
        """Register `async def fn(tick: TickContext) -> int` to run every `every` seconds (see bot/core/ticks.py)."""
        def register(fn: "Tick") -> "Tick":
            if name in self.ticks:
                raise ValueError(f"tick {name!r} registered twice ({self.name})")
            self.ticks[name] = TickRoute(fn, every, name)
            return fn
        return register

    def include(self, *others: "Router") -> "Router":
        for other in others:
            for kind, mine, theirs in (("command", self.commands, other.commands), ("action", self.actions, other.actions),
                                       ("form", self.forms, other.forms), ("tick", self.ticks, other.ticks)):
                for name in theirs.keys() & mine.keys():
                    shown = f"/{name}" if kind == "command" else repr(name)
                    raise ValueError(f"{kind} {shown} registered twice ({other.name})")
            self.commands.update(other.commands)
            self.forms.update(other.forms)
            self.ticks.update(other.ticks)
            self.actions.update(other.actions)
            self.text_handlers.extend(other.text_handlers)
            self.file_handlers.extend(other.file_handlers)
            self.home_handlers.extend(other.home_handlers)
        return self


def allowed(route: Route, roles: set[str]) -> bool:
    """Admins may do what managers may; managers what reviewers may; everyone is an expert."""
    if not route.roles:
        return True
    effective = set(roles)
    if "admin" in effective:
        effective |= {"manager", "reviewer"}
    if "manager" in effective:
        effective.add("reviewer")
    return bool(effective & route.roles)
