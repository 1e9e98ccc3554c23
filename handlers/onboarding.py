"""/start onboarding and /profile: one declared form, walked as a wizard or opened as a modal."""
from __future__ import annotations

from bot.core.blocks import Heading, Span, text
from bot.core.commands import fold
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.router import Router
from bot.i18n.text import msg
from domain.profile import DOMAINS, ExpertProfile
from domain.timezones import COMMON
from handlers.shared.replies import command_buttons

router = Router("onboarding")
FORM = "onboarding"


def profile_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(
        id=FORM,
        title=msg("onboarding.title"),
        submit_label=msg("onboarding.submit"),
        fields=[
            FieldSpec(id="name", kind=FieldKind.short_text, label=msg("onboarding.name"), max_length=100),
            FieldSpec(id="domains", kind=FieldKind.multi_choice, label=msg("onboarding.domains"),
                      help=msg("onboarding.domains.help"),
                      options=[Option(value=d, label=msg(f"domain.{d}")) for d in DOMAINS]),
            FieldSpec(id="years", kind=FieldKind.number, label=msg("onboarding.years"), min=0, max=70),
            FieldSpec(id="credentials", kind=FieldKind.long_text, label=msg("onboarding.credentials"),
                      help=msg("onboarding.credentials.help"), max_length=2000),
            FieldSpec(id="languages", kind=FieldKind.short_text, label=msg("onboarding.languages"),
                      help=msg("onboarding.languages.help"), max_length=300),
            FieldSpec(id="timezone", kind=FieldKind.short_text, label=msg("onboarding.timezone"),
                      help=msg("onboarding.timezone.help"),
                      suggestions=[Option(value=z, label=z) for z in COMMON[:9]]),
            FieldSpec(id="weekly_hours", kind=FieldKind.number, label=msg("onboarding.weekly_hours"), min=0, max=80),
        ],
    )


async def completed(ctx: Context, profile: ExpertProfile, session) -> list:
    first_time = ctx.person.onboarded_at is None
    await ctx.uow.people.update_profile(
        ctx.person.id, profile.name, profile.model_dump(exclude={"name", "timezone"}), profile.timezone, ctx.now
    )
    await ctx.audit("profile.saved", first_time=first_time)
    key = "onboarding.done" if first_time else "profile.saved"
    return [ctx.reply(text(msg(key, name=profile.name)), command_buttons("help", "profile"))]


router.form(FORM, model=ExpertProfile, build=profile_form, on_complete=completed)


def _initial(ctx: Context) -> dict:
    p = ctx.person
    return {"name": p.display_name, "timezone": p.timezone, **p.profile} if p.onboarded_at else {}


@router.command("start", help_key="command.start.help")
async def start(ctx: Context, event) -> list:
    if ctx.person.onboarded_at is not None:
        return [ctx.reply(text(msg("onboarding.welcome_back", name=ctx.person.display_name)),
                          command_buttons("help", "profile"))]
    intro = ctx.reply(Heading(text=msg("onboarding.welcome.title")), text(msg("onboarding.welcome")))
    return [intro] + await ctx.forms.open(FORM)


def _greeting_locale(ctx: Context, typed: str) -> str | None:
    """The language whose greeting ("hola", "hi") the message starts with, if any."""
    words = fold(typed).replace(",", " ").replace("!", " ").replace("¡", " ").replace(".", " ").split()
    if not words or len(typed) > 40:
        return None
    for locale in [ctx.locale] + [loc for loc in ctx.locales if loc != ctx.locale]:
        if words[0] in fold(ctx.render(msg("onboarding.greetings"), locale)).split():
            return locale
    return None


@router.text()
async def newcomer(ctx: Context, event) -> list:
    """Whatever someone types before onboarding ("hola", "hi", a question) gets the welcome and a Start button,
    in the language of their greeting unless they chose one with /language."""
    if ctx.person.onboarded_at is not None:
        return []
    spoken = _greeting_locale(ctx, event.text)
    if spoken is not None and spoken != ctx.locale and ctx.person.locale is None:
        await ctx.uow.people.set_locale(ctx.person.id, spoken)
        ctx.locale = spoken
    return [ctx.reply(Heading(text=msg("onboarding.welcome.title")), text(msg("onboarding.greeting")),
                      command_buttons("start"))]


@router.command("profile", help_key="command.profile.help")
async def show_profile(ctx: Context, event) -> list:
    p = ctx.person
    if p.onboarded_at is None:
        return [ctx.reply(text(msg("profile.none")), command_buttons("start"))]
    domains = [msg(f"domain.{d}") for d in p.profile.get("domains", [])]
    joined: list = []
    for i, d in enumerate(domains):
        joined += ([", "] if i else []) + [d]
    return [ctx.reply(
        Heading(text=msg("profile.title")),
        text(Span(text=msg("onboarding.name"), style="bold"), " ", p.display_name),
        text(Span(text=msg("onboarding.domains"), style="bold"), " ", *joined),
        text(Span(text=msg("onboarding.years"), style="bold"), " ", msg("profile.years", count=p.profile.get("years", 0))),
        text(Span(text=msg("onboarding.credentials"), style="bold"), " ", p.profile.get("credentials", "")),
        text(Span(text=msg("onboarding.languages"), style="bold"), " ", ", ".join(p.profile.get("languages", []))),
        text(Span(text=msg("onboarding.timezone"), style="bold"), " ", p.timezone or ""),
        text(Span(text=msg("onboarding.weekly_hours"), style="bold"), " ",
             msg("profile.hours", count=p.profile.get("weekly_hours", 0))),
        command_buttons("profile_edit", "language"),
    )]


@router.command("profile_edit")
async def edit_profile(ctx: Context, event) -> list:
    return await ctx.forms.open(FORM, initial=_initial(ctx))
