"""Event → the handler that answers it. Authorises every command and button press again against storage."""
from __future__ import annotations

from bot.core.actions import ActionData
from bot.core.blocks import Reply, text
from bot.core.codec import ButtonExpired, ModelFor
from bot.core.commands import run, suggestion
from bot.core.context import Context
from bot.core.events import (
    ButtonPressed, CommandEvent, FileUploaded, FormCancelled, FormChanged, FormSubmitted, HomeOpened, TextEvent,
)
from bot.core.operations import Notice, Operation, SendMessage
from bot.core.router import Route, Router, allowed
from bot.i18n.text import Command, msg
from bot.core.wizard import EXPIRED, Wizard

MAX_COMMAND_NAME = 32


def _say(key: str, **params) -> list[Operation]:
    return [SendMessage(message=Reply(blocks=[text(msg(key, **params))]))]


async def _run(route: Route, ctx: Context, event) -> list[Operation]:
    if not allowed(route, ctx.roles):
        return _say("error.not_allowed")
    return list(await route.handler(ctx, event))


def action_models(router: Router) -> ModelFor:
    """An action name → the model of the route that answers it (the forms engine registers its own buttons on the
    runtime's root router like any capability)."""
    def model_for(name: str) -> type[ActionData] | None:
        route = router.actions.get(name)
        return route.action if route is not None else None
    return model_for


async def dispatch(router: Router, wizard: Wizard, ctx: Context, event) -> list[Operation]:
    if isinstance(event, ButtonPressed):
        # Decoded and validated once: a stale, forged, foreign or malformed press ends here, answered alike.
        try:
            press = await ctx.runtime.codec.decode(event.payload, ctx.person.id, ctx.uow.tokens, ctx.now,
                                                   action_models(router))
        except ButtonExpired:
            return EXPIRED
        route = router.actions[press.action_name]  # decoded with this router's models: the route exists
        if not allowed(route, ctx.roles):
            return [Notice(text=msg("error.not_allowed"))]
        return list(await route.handler(ctx, event, press))

    names = ctx.runtime.command_names
    if isinstance(event, CommandEvent):  # a canonical name or an alias from any catalog, any case and accents
        typed = event.name.lower()
        name = names.resolve(typed) if len(typed) <= MAX_COMMAND_NAME else None
        if name is None:
            shown = typed if len(typed) <= MAX_COMMAND_NAME else typed[:MAX_COMMAND_NAME] + "…"
            close = names.suggest(typed, ctx.locale, ctx.roles) if len(typed) <= MAX_COMMAND_NAME else None
            if close is not None:
                return suggestion(shown, *close)
            return _say("error.unknown_command", command=Command(name=shown))
        if name != event.name:
            event = event.model_copy(update={"name": name})
            ctx.event = event
        return await _run(router.commands[name], ctx, event)

    if isinstance(event, TextEvent):
        # In a private chat, `next` or `siguiente` (no slash) runs the command, unless a form is open: then
        # whatever is typed belongs to the form (the wizard's text route, first below, answers it).
        word = names.word(event.text) if event.conversation.is_private else None
        if word is not None and await wizard.open_session(ctx) is None:
            return await run(ctx, event, *word)
        for route in router.text_handlers:
            if allowed(route, ctx.roles):
                ops = list(await route.handler(ctx, event))
                if ops:
                    return ops
        return _say("error.not_understood")

    if isinstance(event, FileUploaded):
        for route in router.file_handlers:
            if allowed(route, ctx.roles):
                ops = list(await route.handler(ctx, event))
                if ops:
                    return ops
        return _say("error.file_unexpected")

    # A modal submitted or closed (Slack) belongs to the form session it names, not to any route.
    if isinstance(event, FormSubmitted):
        return await wizard.on_submitted(ctx, event.session_id, event.values)
    if isinstance(event, FormCancelled):
        return await wizard.on_closed(ctx, event.session_id, event.values)
    if isinstance(event, FormChanged):
        return await wizard.on_changed(ctx, event.session_id, event.values)
    if isinstance(event, HomeOpened):
        ops: list[Operation] = []
        for route in router.home_handlers:
            ops += await route.handler(ctx, event)
        return ops
    return []
