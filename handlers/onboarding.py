"""/start onboarding and /profile: one declared form, walked as a wizard or opened as a modal.

The same form edits one field of the profile (an Edit button per field on /profile opens it with only that
field). Every step that has a value already offers "Keep current"; a newcomer's steps offer what the platform
says about them (their name, language, time zone) as a "Use …" button, never filled in silently.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Span, button, text
from bot.core.commands import fold
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.router import Router
from bot.i18n.text import msg
from domain.languages import language_name
from domain.profile import DOMAINS, ProfileAnswers
from domain.timezones import COMMON, match_timezone, valid_timezone, zone_for_locale, zone_label
from handlers.shared.actions import RunCommand
from handlers.shared.context import Context
from handlers.shared.replies import command_buttons

router = Router("onboarding")
FORM = "onboarding"
# What /profile can change one at a time, in the order it shows them (the bot's language is /language's).
EDITABLE = ("name", "domains", "years", "credentials", "languages", "timezone", "weekly_hours")
MAX_SUGGESTED_ZONES = 9


class EditProfileField(ActionData, name="profile.edit"):
    field: str = Field(alias="f", max_length=20)


class _WhenSeveralZonesMatch(FieldSpec):
    """The "which of these zones?" step: asked only when the typed city or country names more than one."""

    def applies(self, values: dict[str, Any]) -> bool:
        typed = values.get("timezone")
        return super().applies(values) and isinstance(typed, str) and len(match_timezone(typed)) > 1


def _current(ctx: Context) -> dict[str, Any]:
    """The saved profile as form values (empty before onboarding)."""
    p = ctx.person
    if p.onboarded_at is None:
        return {}
    return {**p.profile, "name": p.display_name, "timezone": p.timezone}


def _hints(ctx: Context) -> dict[str, str]:
    """What the platform says about this person: name, language tag, time zone (whatever it knows)."""
    actor = getattr(ctx.event, "actor", None)
    # The name as first seen: a Telegram button press carries only the first name, and a suggestion's value must
    # be the same when the button is drawn and when it is pressed.
    name = (getattr(ctx.identity, "display_name", None) or getattr(actor, "display_name", None) or "").strip()
    tag = getattr(actor, "locale_hint", None) or getattr(ctx.identity, "locale_hint", None) or ""
    zone = getattr(actor, "tz_hint", None) or zone_for_locale(tag) or ""
    return {"name": name[:100], "locale": tag, "timezone": zone if valid_timezone(zone) else ""}


def _keep_or_use(current: Any, hint: str | None) -> list[Option]:
    """ "Keep current" when there is a value; otherwise the platform's guess as "Use …"."""
    if current not in (None, "", []):
        shown = ", ".join(map(str, current)) if isinstance(current, list) else str(current)
        return [Option(value=shown, label=msg("form.keep_current"))]
    if hint:
        return [Option(value=hint, label=msg("onboarding.use", value=hint[:40]))]
    return []


async def _typed_zone(ctx: Context, params: dict) -> str | None:
    """What this form session holds as the typed time zone (the "which of these?" step offers its matches)."""
    for session in await ctx.uow.forms.open_for(ctx.person.id):
        if session.form_id == FORM and session.params == params:
            typed = session.values.get("timezone")
            return typed if isinstance(typed, str) else None
    return None


def _spoken(ctx: Context, hints: dict[str, str]) -> str:
    """The language the platform says the person uses, named in the language the bot speaks to them."""
    return language_name(hints["locale"].replace("_", "-").split("-")[0], ctx.locale) if hints["locale"] else ""


def _prefill(ctx: Context) -> dict[str, Any]:
    """A newcomer's modal (Slack) shows the platform's name, language and zone in its inputs, to confirm or change:
    a modal has no step to offer them on. Walked step by step, they are "Use …" buttons instead."""
    trigger = getattr(ctx.event, "reply_context", {}).get("trigger_id")
    if not (ctx.capabilities.modals and trigger and getattr(ctx.event, "message_id", None) is None):
        return {}
    hints = _hints(ctx)
    found = {"name": hints["name"], "languages": _spoken(ctx, hints), "timezone": hints["timezone"]}
    return {k: v for k, v in found.items() if v}


async def profile_form(ctx: Context, params: dict) -> FormSpec:
    only = params.get("field")
    current = _current(ctx)
    hints = _hints(ctx)
    spoken = _spoken(ctx, hints)
    zone_offers = _keep_or_use(current.get("timezone"), hints["timezone"])
    offered = {o.value for o in zone_offers}
    zone_offers += [Option(value=z, label=z) for z in COMMON if z not in offered][:MAX_SUGGESTED_ZONES - len(zone_offers)]
    matches = match_timezone(await _typed_zone(ctx, params) or "")
    fields = [
        FieldSpec(id="name", kind=FieldKind.short_text, label=msg("onboarding.name"), max_length=100,
                  suggestions=_keep_or_use(current.get("name"), hints["name"])),
        FieldSpec(id="domains", kind=FieldKind.multi_choice, label=msg("onboarding.domains"),
                  help=msg("onboarding.domains.help"),
                  options=[Option(value=d, label=msg(f"domain.{d}")) for d in DOMAINS]),
        FieldSpec(id="years", kind=FieldKind.number, label=msg("onboarding.years"), min=0, max=70,
                  suggestions=_keep_or_use(current.get("years"), None)),
        FieldSpec(id="credentials", kind=FieldKind.long_text, label=msg("onboarding.credentials"),
                  help=msg("onboarding.credentials.help"), max_length=2000,
                  suggestions=_keep_or_use(current.get("credentials"), None)),
        FieldSpec(id="languages", kind=FieldKind.short_text, label=msg("onboarding.languages"),
                  help=msg("onboarding.languages.help"), max_length=300,
                  suggestions=_keep_or_use(current.get("languages"), spoken)),
        FieldSpec(id="timezone", kind=FieldKind.short_text, label=msg("onboarding.timezone"),
                  help=msg("onboarding.timezone.help"), max_length=100, suggestions=zone_offers),
        # Always declared (step numbers stay put), asked only when the typed zone names several. The condition is
        # declared too, so a modal is redrawn when the zone changes (`applies` says how it depends on it).
        _WhenSeveralZonesMatch(
            id="timezone_pick", kind=FieldKind.choice, required=len(matches) > 1,  # no Skip when it is asked
            show_if=[("timezone", None)],
            label=msg("onboarding.timezone_pick" if len(matches) > 1 else "onboarding.timezone_list"),
            help=msg("onboarding.timezone_pick.help") if len(matches) > 1 else None,
            options=[Option(value=z, label=zone_label(z, ctx.locale)) if len(matches) > 1 else Option(value=z, label=z)
                     for z in (matches if len(matches) > 1 else COMMON)]),
        FieldSpec(id="weekly_hours", kind=FieldKind.number, label=msg("onboarding.weekly_hours"), min=0, max=80,
                  suggestions=_keep_or_use(current.get("weekly_hours"), None)),
    ]
    if only in EDITABLE:
        fields = [f for f in fields if f.id == only or (only == "timezone" and f.id == "timezone_pick")]
    return FormSpec(id=FORM, title=msg("onboarding.title"), submit_label=msg("onboarding.submit"), fields=fields,
                    confirm=only not in EDITABLE)


async def completed(ctx: Context, answers: ProfileAnswers, session) -> list:
    profile = answers.profile()
    first_time = ctx.person.onboarded_at is None
    data = profile.model_dump(exclude={"name", "timezone"})
    await ctx.uow.people.update_profile(ctx.person.id, profile.name, data, profile.timezone, ctx.now)
    only = session.params.get("field")
    await ctx.audit("profile.saved", first_time=first_time, **({"field": only} if only else {}))
    if only in EDITABLE:
        return [ctx.reply(text(msg("profile.field_saved", field=msg(f"profile.field.{only}"))))] + [
            _card(ctx, profile.name, profile.timezone, data)]
    key = "onboarding.done" if first_time else "profile.saved"
    return [ctx.reply(text(msg(key, name=profile.name)), command_buttons("help", "profile"))]


router.form(FORM, model=ProfileAnswers, build=profile_form, on_complete=completed)


@router.command("start", help_key="command.start.help")
async def start(ctx: Context, event) -> list:
    if ctx.person.onboarded_at is not None:
        return [ctx.reply(text(msg("onboarding.welcome_back", name=ctx.person.display_name)),
                          command_buttons("help", "profile"))]
    intro = ctx.reply(Heading(text=msg("onboarding.welcome.title")), text(msg("onboarding.welcome")))
    return [intro] + await ctx.forms.open(FORM, initial=_prefill(ctx))


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


def _card(ctx: Context, name: str, timezone: str | None, data: dict) -> Any:
    """The profile, a line per field, with an Edit button per field."""
    domains: list = []
    for i, d in enumerate(data.get("domains", [])):
        domains += ([", "] if i else []) + [msg(f"domain.{d}")]

    def line(label_key: str, *value: Any) -> Any:
        return text(Span(text=msg(label_key), style="bold"), " ", *value)

    edits = [button(msg(f"profile.edit.{f}"), EditProfileField(field=f)) for f in EDITABLE]
    edits.append(button(msg("profile.edit.language"), RunCommand(command="language")))
    return ctx.reply(
        Heading(text=msg("profile.title")),
        line("onboarding.name", name),
        line("onboarding.domains", *domains),
        line("onboarding.years", msg("profile.years", count=data.get("years", 0))),
        line("onboarding.credentials", data.get("credentials", "")),
        line("onboarding.languages", ", ".join(data.get("languages", []))),
        line("onboarding.timezone", timezone or ""),
        line("onboarding.weekly_hours", msg("profile.hours", count=data.get("weekly_hours", 0))),
        line("profile.bot_language", language_name(ctx.locale, ctx.locale).capitalize()),
        Buttons(rows=[edits[i:i + 2] for i in range(0, len(edits), 2)]),
    )


@router.command("profile", help_key="command.profile.help")
async def show_profile(ctx: Context, event) -> list:
    p = ctx.person
    if p.onboarded_at is None:
        return [ctx.reply(text(msg("profile.none")), command_buttons("start"))]
    return [_card(ctx, p.display_name, p.timezone, p.profile)]


async def _close_other_edits(ctx: Context, params: dict) -> None:
    """One profile form at a time: what is typed next must reach the field the person just chose."""
    for session in await ctx.uow.forms.open_for(ctx.person.id):
        if session.form_id == FORM and session.params != params:
            session.status = "cancelled"
            await ctx.uow.forms.save(session, ctx.now)


@router.action(EditProfileField)
async def edit_field(ctx: Context, event, press: EditProfileField) -> list:
    if ctx.person.onboarded_at is None:  # re-checked against storage: a forged press, or another person's
        return [ctx.notice(msg("profile.none"))]
    if press.field not in EDITABLE:
        return [ctx.notice(msg("error.button_expired"))]
    params = {"field": press.field}
    await _close_other_edits(ctx, params)
    return await ctx.forms.open(FORM, params=params, initial=_current(ctx))


@router.command("profile_edit")
async def edit_profile(ctx: Context, event) -> list:
    await _close_other_edits(ctx, {})
    return await ctx.forms.open(FORM, initial=_current(ctx))
