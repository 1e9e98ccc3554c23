"""/help, /language, /cancel. (The button that runs a command is the core's: bot/core/commands.py.)"""
from __future__ import annotations

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Span, button, text
from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import Command, msg
from handlers.shared.help_order import command_menu, listed_commands
from domain.languages import match_locale, own_name
from handlers.shared.replies import command_buttons, say

router = Router("common")


class SetLanguage(ActionData, name="lang.set"):
    locale: str = Field(alias="l", max_length=35)


@router.command("help", help_key="command.help.help")
async def show_help(ctx: Context, event) -> list:
    lines = [text(Span(text=Command(name=name), style="code"), " — ", msg(route.help_key))
             for name, route in listed_commands(ctx.commands, ctx.roles)]
    return [ctx.reply(Heading(text=msg("help.title")), text(msg("help.intro")), *lines)]


@router.command("language", help_key="command.language.help")
async def choose_language(ctx: Context, event) -> list:
    wanted = (getattr(event, "args", "") or "").strip()
    if wanted:  # "español", "espanol", "Spanish", "inglés", "es", "es-MX": whatever names one of ours
        return await _set_language(ctx, match_locale(wanted, ctx.locales) or wanted)
    return [ctx.reply(text(msg("language.choose")), _language_buttons(ctx))]


def _language_buttons(ctx: Context) -> Buttons:
    names = [button(own_name(code), SetLanguage(locale=code)) for code in ctx.locales]
    return Buttons(rows=[names[i:i + 3] for i in range(0, len(names), 3)])


@router.action(SetLanguage)
async def language_pressed(ctx: Context, event, press: SetLanguage) -> list:
    return await _set_language(ctx, press.locale)


async def _set_language(ctx: Context, code: str) -> list:
    if code not in ctx.locales:
        available = ", ".join(own_name(c) for c in ctx.locales)
        return [ctx.reply(text(msg("language.unknown", code=code[:20], available=available)), _language_buttons(ctx))]
    await ctx.uow.people.set_locale(ctx.person.id, code)
    await ctx.audit("language.set", locale=code)
    ctx.locale = code  # the confirmation already speaks the new language
    return [say("language.set"), command_menu(ctx.commands, ctx.roles)]  # the chat's menu follows the language


@router.command("cancel", help_key="command.cancel.help")
async def cancel(ctx: Context, event) -> list:
    # Short forms (profile, language…) are cancelled; a task's answers are never thrown away by a typed word:
    # there /cancel is "stop for now", and discarding is the form's own two-step "Discard answers…".
    cancelled, kept = await ctx.forms.cancel_all()
    if kept:
        lines = [text(msg("cancel.done"))] if cancelled else []
        return [ctx.reply(*lines, text(msg("cancel.kept_drafts", count=kept)), command_buttons("drafts"))]
    return [say("cancel.done") if cancelled else say("cancel.nothing")]
