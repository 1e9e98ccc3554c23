"""The forms engine: one declared form, walked step by step (Telegram, console) or opened whole (Slack).

The session row (step, values, stage, version) is saved after every step, so a restart or another platform
continues where the person stopped. Every button carries the session id and version: a press on an old message
finds the version moved on and is answered "this button has expired".

Here: walking a form (steps, typed answers, checks, completion). Its buttons are in form_buttons.py, its messages in
form_render.py, and how it shows as a modal in form_modal.py.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field as dataclass_field
from datetime import datetime
from typing import Any, Awaitable, Callable, Mapping

from pydantic import BaseModel, ValidationError

from bot.core.blocks import Reply, button, text
from bot.core.context import Context
from bot.blobs import BlobRef
from bot.core.field_values import AskWhich, FieldInvalid, file_value, parse_raw, parse_text
from bot.core.form_buttons import (
    FORM_BUTTONS, FormBack, FormCancel, FormConfirm, FormDiscard, FormDiscardYes, FormDone, FormDropKept, FormEdit,
    FormGoto, FormInsist, FormKeep, FormNumber, FormPick, FormPress, FormReview, FormSkip, FormStop, FormSuggest,
    FormToggle, FormUseKept,
)
from bot.core.form_modal import fits_a_modal, modal_form, modal_values
from bot.core.form_card import answered_lines, with_answers, with_card
from bot.core.form_render import (
    KEEP_FROM, KEPT, LAST, TEXT_KINDS, answered_count, applicable, next_step, render_discard_question,
    render_edit_picker, render_step, render_summary, render_which,
)
from bot.core.forms import PERSON_KINDS, FieldKind, FieldSpec, FormSpec
from bot.core.operations import CloseForm, EditMessage, FormErrors, Notice, OpenForm, Operation, SendMessage
from bot.core.paste import continues, units
from bot.core.router import Router
from bot.core.typed_choice import match_options, normalize
from bot.i18n.text import Msg, msg
from bot.core.store import FormSession

Builder = Callable[[Context, dict], "FormSpec | Awaitable[FormSpec]"]
Completer = Callable[[Context, Any, FormSession], Awaitable[list[Operation]]]


@dataclass(frozen=True)
class Problem:
    """What a form's checker finds before completing. A soft problem may be overridden ("submit anyway")."""

    field_id: str
    message: Msg
    soft: bool = False


Checker = Callable[[Context, FormSession], Awaitable["Problem | None"]]
# One field's rule that needs the turn (today in the person's zone, what storage holds): given the value entered
# (None when skipped or left empty), all the answers and the form's params, the problem or None. It runs when the
# value is entered, on a modal's submission and again before completing, so the person is sent back to that field.
FieldCheck = Callable[[Context, Any, dict, dict], "Msg | None | Awaitable[Msg | None]"]


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    build: Builder
    model: type[BaseModel] | None
    on_complete: Completer
    check: Checker | None = None
    field_checks: Mapping[str, FieldCheck] = dataclass_field(default_factory=dict)


EXPIRED = [Notice(text=msg("error.button_expired"))]



async def _field_problem(ctx: Context, definition: FormDefinition, session: FormSession, field_id: str, value: Any,
                         values: dict[str, Any]) -> Msg | None:
    check = definition.field_checks.get(field_id)
    if check is None:
        return None
    found = check(ctx, value, values, session.params)
    return await found if inspect.isawaitable(found) else found  # type: ignore[return-value]


async def _checked_errors(ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                          values: dict[str, Any]) -> dict[str, Msg]:
    """Every applicable field's own check, in form order (before the model's, which may only say "the form")."""
    errors: dict[str, Msg] = {}
    for f in applicable(spec, values):
        problem = await _field_problem(ctx, definition, session, f.id, values.get(f.id), values)
        if problem is not None:
            errors[f.id] = problem
    return errors


def _referred(event: Any) -> str:
    """The precise identity (`telegram:123`) of the person a message points at (a forward), or ""."""
    who = getattr(event, "refers_to", None)
    if who is None:
        return ""
    return f"{who.platform}:{who.workspace}/{who.user_id}" if who.workspace else f"{who.platform}:{who.user_id}"


def _unanswered(value: Any) -> bool:
    return value in (None, "", [])


async def _spec(ctx: Context, definition: FormDefinition, session: FormSession) -> FormSpec:
    spec = definition.build(ctx, session.params)
    return await spec if inspect.isawaitable(spec) else spec  # type: ignore[return-value]


def _field_errors(model: type[BaseModel] | None, values: dict[str, Any], only: str | None) -> dict[str, Msg]:
    """Validate with the form's model; keep errors of one field (a wizard step) or all of them."""
    if model is None:
        return {}
    try:
        model.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, Msg] = {}
        for err in exc.errors():
            loc = str(err["loc"][0]) if err.get("loc") else "__root__"
            if only is not None and loc != only:
                continue
            errors.setdefault(loc, _error_message(err))
        return errors
    return {}


def _error_message(err: dict) -> Msg:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        raw = str(ctx.get("error", ""))
        if raw.startswith("key:"):
            return msg(raw[4:])
    table = {
        "missing": ("form.error.required", {}),
        "string_too_short": ("form.error.too_short", {"min": ctx.get("min_length", 1)}),
        "string_too_long": ("form.error.too_long", {"max": ctx.get("max_length", 0)}),
        "too_short": ("form.error.too_few", {"min": ctx.get("min_length", 1)}),
        "too_long": ("form.error.too_many", {"max": ctx.get("max_length", 0)}),
        "greater_than_equal": ("form.error.at_least", {"min": ctx.get("ge", 0)}),
        "less_than_equal": ("form.error.at_most", {"max": ctx.get("le", 0)}),
        "int_parsing": ("form.error.number", {}),
        "int_from_float": ("form.error.whole_number", {}),
        "float_parsing": ("form.error.number", {}),
        "literal_error": ("form.error.choice", {}),
        "enum": ("form.error.choice", {}),
    }
    key, params = table.get(kind, ("form.error.invalid", {}))
    return msg(key, **params)


def at_summary(session: FormSession) -> bool:
    """Whether the person has reached the form's summary (or its edit picker): only Submit is left."""
    return session.stage in ("confirm", "soft", "pick_edit")


class Wizard:
    """Walks the forms declared on a router (`router.form(...)`; `forms` is the root router's `forms`)."""

    def __init__(self, forms: Mapping[str, FormDefinition]) -> None:
        self.forms = forms

    def routes(self) -> Router:
        """The wizard's own routes, registered like any capability's: its buttons (`form.*` actions), and the text
        or file a person sends while a form is open (an empty answer when none is, so later routes get it).
        The runtime includes them ahead of the application's routes."""
        router = Router("forms")

        async def pressed(ctx: Context, event: Any, press: FormPress) -> list[Operation]:
            return await self.on_button(ctx, press)

        async def typed(ctx: Context, event: Any) -> list[Operation]:
            session = await self.open_session(ctx)
            return [] if session is None else await self.on_text(ctx, session, event.text, _referred(event))

        async def uploaded(ctx: Context, event: Any) -> list[Operation]:
            session = await self.open_session(ctx) if event.blob is not None else None
            return [] if session is None else await self.on_file(ctx, session, event.blob)

        for model in FORM_BUTTONS.values():
            router.action(model)(pressed)
        router.text()(typed)
        router.file()(uploaded)
        return router

    async def start(self, ctx: Context, form_id: str, params: dict | None = None,
                    initial: dict | None = None, resume: bool = True, at_summary: bool = False) -> list[Operation]:
        """Open a form (or resume the open one with the same params). `at_summary` shows prefilled answers
        first, with Edit, instead of asking every question again (a rework)."""
        definition = self.forms[form_id]
        if resume:
            for existing in await ctx.uow.forms.open_for(ctx.person.id):
                if existing.form_id == form_id and existing.params == (params or {}):
                    return await self._show(ctx, definition, existing, opening=True, note=msg("form.resumed"))
        session = await ctx.uow.forms.create(ctx.person.id, form_id, params or {}, initial or {}, ctx.now)
        if at_summary:
            session.stage = "confirm"
            await ctx.uow.forms.save(session, ctx.now)
        return await self._show(ctx, definition, session, opening=True)

    async def _show(self, ctx: Context, definition: FormDefinition, session: FormSession,
                    error: Msg | None = None, edit: bool = False, soft: Problem | None = None,
                    opening: bool = False, note: Msg | None = None) -> list[Operation]:
        spec = await _spec(ctx, definition, session)
        # A form opens as a modal only when it starts from a slash command or a button outside a conversation
        # (the home tab). Buttons on messages keep the form in the conversation, walked step by step.
        on_a_message = getattr(ctx.event, "message_id", None) is not None
        if (opening and not on_a_message and ctx.capabilities.modals and fits_a_modal(ctx, session)
                and ctx.event.reply_context.get("trigger_id")):
            said = [SendMessage(message=Reply(blocks=[text(note)]))] if note is not None else []  # a modal has no note
            return said + [OpenForm(session_id=session.id, title=spec.title,
                                    form=modal_form(ctx, spec, modal_values(ctx, spec, session)))]
        if session.stage in ("confirm", "soft"):
            reply = render_summary(session, spec, error, soft, note)
        elif session.stage == "pick_edit":
            reply = render_edit_picker(session, spec)
            if note is not None:  # the picker has no place for one
                reply = reply.model_copy(update={"blocks": [text(note), *reply.blocks]})
        else:
            reply = render_step(session, spec, error, note)
        in_place = edit and ctx.capabilities.edits
        if spec.card and (opening or edit):
            # The card opens with the form and stays in the message each press edits, with the answers chosen so
            # far; a new message (after typed text, or where nothing is edited) leaves it above. Too long for one
            # message, the card goes on its own when the form opens.
            above = answered_lines(session, spec) if session.stage in ("ask", "ask_one") else []
            combined = with_card(ctx, spec.card, reply, above) if opening or in_place else None
            if combined is not None:
                reply = combined
            elif opening:
                return [SendMessage(message=Reply(blocks=list(spec.card))),
                        SendMessage(message=with_answers(reply, above))]
            else:
                reply = with_answers(reply, above)
        return [EditMessage(message=reply)] if in_place else [SendMessage(message=reply)]

    async def open_session(self, ctx: Context) -> FormSession | None:
        sessions = await ctx.uow.forms.open_for(ctx.person.id)
        return sessions[0] if sessions else None

    async def _advance(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                       edit: bool, note: Msg | None = None) -> list[Operation]:
        """Move past the current step: to the next unanswered one when editing from the summary, else the next."""
        following = next_step(spec, session.values, session.step, +1)
        if session.stage == "ask_one" or following is None:
            session.stage = "confirm"
            if not spec.confirm:
                return await self._complete(ctx, definition, session, spec)
        else:
            session.step = following
            if await self._kept_lands(ctx, definition, session, spec):
                note = msg("form.kept_used", label=spec.fields[following].label)
                return await self._advance(ctx, definition, session, spec, edit, note)
        await ctx.uow.forms.save(session, ctx.now)
        return await self._show(ctx, definition, session, edit=edit, note=note)

    async def _kept_lands(self, ctx: Context, definition: FormDefinition, session: FormSession,
                          spec: FormSpec) -> bool:
        """Text kept from a button step becomes the answer of the step just reached when that is the only text
        question left unanswered (anything else is offered there with Use it / Type another instead)."""
        kept = (session.pending or {}).get(KEPT)
        field = spec.fields[session.step]
        if not kept or field.kind not in TEXT_KINDS:
            return False
        open_text = [f for f in applicable(spec, session.values)
                     if f.kind in TEXT_KINDS and _unanswered(session.values.get(f.id))]
        if open_text != [field]:
            return False
        try:
            value = parse_text(field, kept["text"], ctx.locale)
        except FieldInvalid:
            return False
        if await self._value_problem(ctx, definition, session, field, value) is not None:
            return False
        session.values = {**session.values, field.id: value}
        session.pending = {k: v for k, v in session.pending.items() if k != KEPT}
        return True

    async def _value_problem(self, ctx: Context, definition: FormDefinition, session: FormSession,
                             field: FieldSpec, value: Any) -> Msg | None:
        """What is wrong with this value for this field, found at the step: the model's rule for the field,
        then the field's own check."""
        candidate = {**session.values, field.id: value}
        errors = _field_errors(definition.model, candidate, only=field.id)
        if field.id in errors:
            return errors[field.id]
        return await _field_problem(ctx, definition, session, field.id, value, candidate)

    async def _accept_value(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                            value: Any, edit: bool, note: Msg | None = None) -> list[Operation]:
        field = spec.fields[session.step]
        problem = await self._value_problem(ctx, definition, session, field, value)
        if problem is not None:
            return await self._show(ctx, definition, session, error=problem)
        session.values = {**session.values, field.id: value}
        if field.kind in TEXT_KINDS and (session.pending or {}).get(KEPT):
            session.pending = {k: v for k, v in session.pending.items() if k != KEPT}  # answered otherwise
        return await self._advance(ctx, definition, session, spec, edit, note)

    async def on_text(self, ctx: Context, session: FormSession, typed: str, referred: str = "") -> list[Operation]:
        """`referred`: the precise identity a forwarded message points at, the answer when a person is asked."""
        definition = self.forms[session.form_id]
        spec = await _spec(ctx, definition, session)
        if referred and session.stage in ("ask", "ask_one") and spec.fields[session.step].kind in PERSON_KINDS:
            typed = referred
        joined = await self._join_paste(ctx, definition, session, spec, typed)
        if joined is not None:
            return joined
        if session.stage not in ("ask", "ask_one"):
            return await self._show(ctx, definition, session, error=msg("form.error.use_buttons"))
        field = spec.fields[session.step]
        if field.kind in (FieldKind.choice, FieldKind.multi_choice):
            return await self._typed_option(ctx, definition, session, spec, typed)
        try:
            value = parse_text(field, typed, ctx.locale)
        except AskWhich as exc:
            numbers = [button(str(n), FormNumber(session=session.id, version=session.version, option=n))
                       for n in exc.candidates]
            return self._reply(ctx, render_which(session, spec, typed, numbers), edit=False)
        except FieldInvalid as exc:
            if field.kind == FieldKind.scale and exc.message.key == "form.error.number":
                kept = await self._keep_text(ctx, definition, session, spec, typed)
                if kept is not None:
                    return kept
            return await self._show(ctx, definition, session, error=exc.message)
        if field.kind in TEXT_KINDS:
            # Remembered with the answer (saved only if it is accepted): the platform may deliver the rest of a
            # long paste next.
            session.pending = {**session.pending, LAST: {
                "field": field.id, "at": ctx.now.isoformat(), "units": units(typed), "parts": 1,
                "tail": typed[len(typed.rstrip()):]}}
        return await self._accept_value(ctx, definition, session, spec, value, edit=False)

    def _reply(self, ctx: Context, reply: Reply, edit: bool) -> list[Operation]:
        return [EditMessage(message=reply)] if edit and ctx.capabilities.edits else [SendMessage(message=reply)]

    async def _typed_option(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                            typed: str) -> list[Operation]:
        """A typed option label at a choice step picks it; at a multiple choice step toggles it, and a
        comma-separated list is the whole answer. Text that could mean several asks which; text that means none
        is kept."""
        field = spec.fields[session.step]
        names = [[ctx.render(o.label, loc) if not isinstance(o.label, str) else o.label for loc in ctx.locales]
                 + [o.value] for o in field.options]
        s, v = session.id, session.version
        if field.kind == FieldKind.choice:
            found = match_options(typed, names)
            if len(found) == 1:
                return await self._accept_value(ctx, definition, session, spec, field.options[found[0]].value,
                                                edit=False)
            if found:
                return self._reply(ctx, render_which(session, spec, typed, [
                    button(field.options[i].label, FormPick(session=s, version=v, option=i)) for i in found]),
                                   edit=False)
        else:
            parts = [p for p in typed.split(",") if p.strip()] if "," in typed else [typed]
            matches = [match_options(p, names) for p in parts]
            if len(matches) > 1 and all(len(m) == 1 for m in matches):
                # A typed list ("Medicine, Law") is the whole answer, as before; one label toggles that option.
                value = list(dict.fromkeys(field.options[i].value for [i] in matches))
                return await self._accept_value(ctx, definition, session, spec, value, edit=False)
            if matches and all(len(m) == 1 for m in matches):
                chosen = list(session.values.get(field.id) or [])
                for [i] in matches:
                    value = field.options[i].value
                    chosen = [c for c in chosen if c != value] if value in chosen else chosen + [value]
                session.values[field.id] = chosen
                await ctx.uow.forms.save(session, ctx.now)
                return await self._show(ctx, definition, session)
            if len(matches) == 1 and matches[0]:
                return self._reply(ctx, render_which(session, spec, typed, [
                    button(field.options[i].label, FormToggle(session=s, version=v, option=i))
                    for i in matches[0]]), edit=False)
        # A multiple choice's Done, typed ("listo", "done"): the person names the button they see.
        if field.kind == FieldKind.multi_choice and self._names(ctx, typed, "common.done"):
            return await self._accept_value(ctx, definition, session, spec, list(session.values.get(field.id) or []),
                                            edit=False)
        kept = await self._keep_text(ctx, definition, session, spec, typed)
        return kept if kept is not None else await self._show(ctx, definition, session,
                                                              error=msg("form.error.choice"))

    @staticmethod
    def _names(ctx: Context, typed: str, key: str) -> bool:
        """Whether `typed` is a button's label (in any language we speak), case and accents aside."""
        return normalize(typed) in {normalize(ctx.render(msg(key), loc)) for loc in ctx.locales}

    async def _keep_text(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                         typed: str) -> list[Operation] | None:
        """Text typed at a button step is not an answer to it, but it is the person's work: keep it for the next
        text question (offered there, or taken when that is the only one left). None when no text question
        follows to take it."""
        after = [f for f in spec.fields[session.step + 1:] if f.kind in TEXT_KINDS and f.applies(session.values)]
        target = next((f for f in after if _unanswered(session.values.get(f.id))), after[0] if after else None)
        before = session.pending.get(KEPT)
        joins = before and continues(int(before.get("units", 0)), datetime.fromisoformat(before["at"]), ctx.now)
        if target is None or (len(typed.strip()) < KEEP_FROM and not joins):
            return None  # a word or two ("seguro", "3") is a try at this step's answer, not work to keep
        kept = {"text": typed.strip(), "at": ctx.now.isoformat(), "units": units(typed), "parts": 1,
                "tail": typed[len(typed.rstrip()):]}
        if joins:  # the rest of a long paste typed here too: kept whole
            kept.update(text=before["text"] + before.get("tail", "") + typed.rstrip(),
                        parts=int(before.get("parts", 1)) + 1)
        elif before:  # more text: added as a paragraph, never replacing what was kept
            kept.update(text=before["text"] + "\n\n" + kept["text"])
        session.pending = {**session.pending, KEPT: kept}
        await ctx.uow.forms.save(session, ctx.now)
        note = msg("form.joined", count=kept["parts"], length=len(kept["text"]), label=target.label) \
            if kept["parts"] > 1 else None
        return await self._show(ctx, definition, session, note=note,
                                error=msg("form.kept_text", count=len(kept["text"]), label=target.label))

    async def _join_paste(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                          typed: str) -> list[Operation] | None:
        """The rest of a long paste the platform split: joined to the answer it continues, wherever the form
        has moved since (the next step, the summary), and the person is told the whole length."""
        last = (session.pending or {}).get(LAST)
        if not last or not continues(int(last["units"]), datetime.fromisoformat(last["at"]), ctx.now):
            return None
        try:
            field = spec.field(last["field"])
        except KeyError:
            return None
        before = session.values.get(field.id)
        if not isinstance(before, str) or not field.applies(session.values):
            return None
        joined = before + last.get("tail", "") + typed.rstrip()
        parts = int(last.get("parts", 1)) + 1
        limit = field.max_length
        if limit is not None and len(joined) > limit:
            session.pending = {k: v for k, v in session.pending.items() if k != LAST}
            await ctx.uow.forms.save(session, ctx.now)
            return await self._show(ctx, definition, session, error=msg(
                "form.joined_too_long", count=parts, length=len(joined), max=limit, label=field.label))
        problem = await self._value_problem(ctx, definition, session, field, joined)
        if problem is not None:
            return await self._show(ctx, definition, session, error=problem)
        session.values = {**session.values, field.id: joined}
        session.pending = {**session.pending, LAST: {
            **last, "at": ctx.now.isoformat(), "units": units(typed), "parts": parts,
            "tail": typed[len(typed.rstrip()):]}}
        await ctx.uow.forms.save(session, ctx.now)
        return await self._show(ctx, definition, session, note=msg(
            "form.joined", count=parts, length=len(joined), label=field.label))

    async def on_file(self, ctx: Context, session: FormSession, blob: BlobRef) -> list[Operation]:
        """A file while a form is open: the answer at a file step; elsewhere the step is shown again saying so."""
        definition = self.forms[session.form_id]
        spec = await _spec(ctx, definition, session)
        field = spec.fields[session.step] if session.stage in ("ask", "ask_one") else None
        if field is None or field.kind != FieldKind.file:
            return await self._show(ctx, definition, session, error=msg("form.error.unexpected_file"))
        try:
            value = file_value(field, blob)
        except FieldInvalid as exc:
            return await self._show(ctx, definition, session, error=exc.message)
        return await self._accept_value(ctx, definition, session, spec, value, edit=False)

    async def on_button(self, ctx: Context, press: FormPress) -> list[Operation]:
        session = await ctx.uow.forms.get(press.session)
        if (session is None or session.person_id != ctx.person.id or session.status != "open"
                or session.version != press.version):
            return EXPIRED
        definition = self.forms[session.form_id]
        spec = await _spec(ctx, definition, session)
        # A press between two texts means the second is not the rest of a paste.
        session.pending = {k: v for k, v in (session.pending or {}).items() if k != LAST}
        if isinstance(press, FormCancel) and not spec.keep_drafts:
            return await self._cancel(ctx, session)
        if isinstance(press, (FormCancel, FormStop)):
            return [SendMessage(message=Reply(blocks=[text(msg("form.stopped"))]))]
        if isinstance(press, FormDiscard) and spec.keep_drafts:
            reply = render_discard_question(session, spec)
            return [EditMessage(message=reply)] if ctx.capabilities.edits else [SendMessage(message=reply)]
        if isinstance(press, FormDiscardYes) and spec.keep_drafts:
            return await self._cancel(ctx, session, discarded=True)
        if isinstance(press, FormKeep):
            return await self._show(ctx, definition, session, edit=True)
        if isinstance(press, FormConfirm) and session.stage == "confirm":
            return await self._complete(ctx, definition, session, spec)
        if isinstance(press, FormInsist) and session.stage == "soft":
            return await self._complete(ctx, definition, session, spec, insisted=True)
        if (isinstance(press, FormGoto) and session.stage in ("soft", "pick_edit")
                and 0 <= press.option < len(spec.fields)):
            session.step, session.stage = press.option, "ask_one"
        elif isinstance(press, FormEdit) and session.stage == "confirm":
            session.stage = "pick_edit"
        elif isinstance(press, FormReview) and session.stage == "pick_edit":
            session.stage = "confirm"
        elif (isinstance(press, FormBack) and session.stage in ("ask", "ask_one")
              and next_step(spec, session.values, session.step, -1) is not None):
            session.step = next_step(spec, session.values, session.step, -1)
            session.stage = "ask"
        elif session.stage in ("ask", "ask_one"):
            return await self._step_button(ctx, definition, session, spec, press)
        else:
            return EXPIRED
        await ctx.uow.forms.save(session, ctx.now)
        return await self._show(ctx, definition, session, edit=True)

    async def _step_button(self, ctx: Context, definition: FormDefinition, session: FormSession, spec: FormSpec,
                           press: FormPress) -> list[Operation]:
        field = spec.fields[session.step]
        if isinstance(press, FormSkip) and not field.required:
            without = {k: v for k, v in session.values.items() if k != field.id}
            problem = await _field_problem(ctx, definition, session, field.id, None, without)
            if problem is not None:  # this answer may be left out only in some cases (quiet hours need an end)
                return await self._show(ctx, definition, session, error=problem, edit=True)
            session.values = without
            return await self._advance(ctx, definition, session, spec, edit=True)
        if isinstance(press, FormUseKept) and (session.pending or {}).get(KEPT) and field.kind in TEXT_KINDS:
            kept = session.pending[KEPT]["text"]
            try:
                value = parse_text(field, kept, ctx.locale)
            except FieldInvalid as exc:
                return await self._show(ctx, definition, session, error=exc.message, edit=True)
            return await self._accept_value(ctx, definition, session, spec, value, edit=True)
        if isinstance(press, FormDropKept) and (session.pending or {}).get(KEPT):
            session.pending = {k: v for k, v in session.pending.items() if k != KEPT}
            await ctx.uow.forms.save(session, ctx.now)
            return await self._show(ctx, definition, session, edit=True)
        if isinstance(press, FormNumber) and field.kind in (FieldKind.number, FieldKind.scale):
            try:
                value = parse_text(field, str(press.option), "en")  # the field's own bounds
            except FieldInvalid as exc:
                return await self._show(ctx, definition, session, error=exc.message, edit=True)
            return await self._accept_value(ctx, definition, session, spec, value, edit=True)
        if isinstance(press, FormPick) and field.kind == FieldKind.choice and 0 <= press.option < len(field.options):
            return await self._accept_value(ctx, definition, session, spec, field.options[press.option].value, edit=True)
        if isinstance(press, FormPick) and field.kind == FieldKind.scale:
            return await self._accept_value(ctx, definition, session, spec, press.option, edit=True)
        if isinstance(press, FormSuggest) and 0 <= press.option < len(field.suggestions):
            return await self._accept_value(ctx, definition, session, spec, field.suggestions[press.option].value,
                                            edit=True)
        if field.kind == FieldKind.multi_choice:
            chosen = list(session.values.get(field.id) or [])
            if isinstance(press, FormToggle) and 0 <= press.option < len(field.options):
                value = field.options[press.option].value
                chosen = [c for c in chosen if c != value] if value in chosen else chosen + [value]
                session.values[field.id] = chosen
                await ctx.uow.forms.save(session, ctx.now)
                return await self._show(ctx, definition, session, edit=True)
            if isinstance(press, FormDone):
                return await self._accept_value(ctx, definition, session, spec, chosen, edit=True)
        return EXPIRED

    async def _complete(self, ctx: Context, definition: FormDefinition, session: FormSession,
                        spec: FormSpec, insisted: bool = False) -> list[Operation]:
        # Answers to questions that no longer apply (a changed verdict) are not part of the result.
        session.values = {k: v for k, v in session.values.items()
                          if not any(f.id == k and not f.applies(session.values) for f in spec.fields)}
        errors = await _checked_errors(ctx, definition, session, spec, session.values)
        errors = errors or _field_errors(definition.model, session.values, only=None)
        known = {f.id for f in spec.fields}
        if errors and not any(k in known for k in errors):
            # A rule about the form as a whole: say it at the summary, answers kept, rather than at question 1.
            session.stage = "confirm"
            await ctx.uow.forms.save(session, ctx.now)
            return await self._show(ctx, definition, session, error=next(iter(errors.values())))
        errors = {k: v for k, v in errors.items() if k in known}
        problem = None
        if not errors and definition.check is not None:
            problem = await definition.check(ctx, session)
            if problem is not None and problem.soft and insisted:
                problem = None
            elif problem is not None and not problem.soft and problem.field_id not in {f.id for f in spec.fields}:
                # Not about one field (e.g. the item no longer needs answers): say so, keep the draft.
                session.stage = "confirm"
                await ctx.uow.forms.save(session, ctx.now)
                return await self._show(ctx, definition, session, error=problem.message)
            elif problem is not None:
                errors = {problem.field_id: problem.message}
        if errors:
            first = next(iter(errors))
            if problem is not None and problem.soft:
                session.stage = "soft"
                await ctx.uow.forms.save(session, ctx.now)
                return await self._show(ctx, definition, session, soft=problem)
            index = next((i for i, f in enumerate(spec.fields) if f.id == first), 0)
            session.step, session.stage = index, "ask_one"
            await ctx.uow.forms.save(session, ctx.now)
            return await self._show(ctx, definition, session, error=errors[first])
        model = definition.model.model_validate(session.values) if definition.model else dict(session.values)
        session.status = "completed"
        if not await ctx.uow.forms.save(session, ctx.now):
            return EXPIRED  # a concurrent press completed it first: one completion only
        return await definition.on_complete(ctx, model, session)

    async def _cancel(self, ctx: Context, session: FormSession, discarded: bool = False) -> list[Operation]:
        answered = answered_count(session)
        session.status = "cancelled"
        if not await ctx.uow.forms.save(session, ctx.now):
            return EXPIRED  # moved on meanwhile (answered, submitted): nothing is thrown away
        done = msg("form.discarded", count=answered) if discarded else msg("form.cancelled")
        return [SendMessage(message=Reply(blocks=[text(done)]))]

    async def cancel_all(self, ctx: Context) -> tuple[int, int]:
        """Cancel the person's open short forms; forms that keep drafts are left open (a typed /cancel is
        "stop for now" there). How many were cancelled, and how many drafts were kept."""
        cancelled = kept = 0
        for session in await ctx.uow.forms.open_for(ctx.person.id):
            if await self._keeps_drafts(ctx, session):
                kept += 1
                continue
            session.status = "cancelled"
            await ctx.uow.forms.save(session, ctx.now)
            cancelled += 1
        return cancelled, kept

    async def _keeps_drafts(self, ctx: Context, session: FormSession) -> bool:
        definition = self.forms.get(session.form_id)
        if definition is None:
            return False
        try:
            return (await _spec(ctx, definition, session)).keep_drafts
        except Exception:  # a form that can no longer be built (its subject gone) holds nothing worth keeping
            return False

    async def on_submitted(self, ctx: Context, session_id: int, raw: dict[str, Any]) -> list[Operation]:
        """A whole form at once (Slack modal): per-field errors go back in the ack, or the form completes."""
        session = await ctx.uow.forms.get(session_id)
        if session is None or session.person_id != ctx.person.id or session.status != "open":
            return [CloseForm(), Notice(text=msg("error.button_expired"))]
        definition = self.forms[session.form_id]
        spec = await _spec(ctx, definition, session)
        values: dict[str, Any] = {}
        errors: dict[str, Msg] = {}
        for field in spec.fields:
            try:
                value = parse_raw(field, raw.get(field.id), ctx.locale)
            except FieldInvalid as exc:
                errors[field.id] = exc.message
                continue
            if value is not None:
                values[field.id] = value
        # What does not apply to the answers given (the other branch of a choice) is neither kept nor checked.
        while (kept := {k: v for k, v in values.items() if spec.field(k).applies(values)}) != values:
            values = kept  # again: a dropped answer may have been what a later field depended on
        errors = {k: v for k, v in errors.items() if spec.field(k).applies(values)}
        unseen = [f for f in applicable(spec, values) if f.show_if and f.id not in raw]
        if raw and unseen:  # the modal was drawn for other answers (its redraw lost a race): show it again
            session.values = {**session.values, **values}
            await ctx.uow.forms.save(session, ctx.now)
            shown = {**values, **{k: v for k, v in raw.items() if v not in (None, "", [])}}
            return [OpenForm(session_id=session.id, title=spec.title, form=modal_form(ctx, spec, shown))]
        errors = {**_field_errors(definition.model, values, only=None), **errors}
        for f in applicable(spec, values):  # each field's own check, reported on that field
            if f.id not in errors:
                problem = await _field_problem(ctx, definition, session, f.id, values.get(f.id), values)
                if problem is not None:
                    errors[f.id] = problem
        known = {f.id for f in spec.fields}
        if any(k in known for k in errors):  # a rule about the whole form is said by the field that breaks it
            errors = {k: v for k, v in errors.items() if k in known}
        if errors:
            session.values = {**session.values, **values}
            await ctx.uow.forms.save(session, ctx.now)
            return [FormErrors(errors={k if k in known else spec.fields[0].id: v for k, v in errors.items()})]
        session.values = values
        session.stage = "confirm"
        return [CloseForm()] + await self._complete(ctx, definition, session, spec)

    async def on_changed(self, ctx: Context, session_id: int, raw: dict[str, Any]) -> list[Operation]:
        """A choice other fields depend on changed in an open modal: the draft takes what parses of the modal so far
        (a form may offer choices from it, e.g. the zones a typed city names), and the form is shown again with
        what the modal holds, typed text included, so the platform redraws the fields that now apply."""
        session = await ctx.uow.forms.get(session_id)
        if session is None or session.person_id != ctx.person.id or session.status != "open":
            return []
        definition = self.forms[session.form_id]
        spec = await _spec(ctx, definition, session)
        kept = dict(session.values)
        for field in spec.fields:
            if field.id not in raw:
                continue  # not in the modal (it did not apply): what it held waits for its branch to come back
            try:
                value = parse_raw(field, raw[field.id], ctx.locale)
            except FieldInvalid:
                continue
            if value is None:
                kept.pop(field.id, None)
            else:
                kept[field.id] = value
        if kept != session.values:
            session.values = kept
            await ctx.uow.forms.save(session, ctx.now)
            spec = await _spec(ctx, definition, session)
        shown = {**kept, **{k: v for k, v in raw.items() if v not in (None, "", [])}}
        return [OpenForm(session_id=session.id, title=spec.title, form=modal_form(ctx, spec, shown))]

    async def on_closed(self, ctx: Context, session_id: int, raw: dict[str, Any] | None = None) -> list[Operation]:
        """A modal closed without submitting: what parses is kept as the draft (the rest is dropped quietly).
        Closing a form that keeps drafts is "Stop for now", and says so when there are answers to keep."""
        session = await ctx.uow.forms.get(session_id)
        if session is None or session.person_id != ctx.person.id or session.status != "open":
            return []
        spec = await _spec(ctx, self.forms[session.form_id], session)
        stopped = [SendMessage(message=Reply(blocks=[text(msg("form.stopped"))]))] if spec.keep_drafts else []
        kept = dict(session.values)
        started = modal_values(ctx, spec, session)
        for field in (spec.fields if raw else []):
            try:
                value = parse_raw(field, raw.get(field.id), ctx.locale)
            except FieldInvalid:
                continue
            if (field.prefill and session.values.get(field.id) in (None, "")
                    and " ".join(str(value).split()) == " ".join(str(started.get(field.id)).split())):
                continue  # a prefill left as it was is not an answer (a rewrite not begun)
            if value is not None:
                kept[field.id] = value
        if kept != session.values:
            session.values = kept
            if session.stage == "ask":  # resumed in a conversation later: at the first question still open
                session.step = next((i for i, f in enumerate(spec.fields)
                                     if f.applies(kept) and kept.get(f.id) in (None, "", [])), session.step)
            await ctx.uow.forms.save(session, ctx.now)
        return stopped if answered_count(session) else []


class Forms:
    """What a handler may do with forms, as `ctx.forms`: open one, or cancel the person's open ones."""

    def __init__(self, wizard: Wizard, ctx: Context) -> None:
        self._wizard = wizard
        self._ctx = ctx

    async def open(self, form_id: str, params: dict | None = None, initial: dict | None = None,
                   resume: bool = True, at_summary: bool = False) -> list[Operation]:
        """Open a form declared with `router.form` (or resume the person's open one with the same params);
        `initial` prefills answers, `at_summary` shows them first with Edit (a rework)."""
        return await self._wizard.start(self._ctx, form_id, params=params, initial=initial, resume=resume,
                                        at_summary=at_summary)

    async def cancel_all(self) -> tuple[int, int]:
        """Cancel the person's open short forms and keep the drafts of long ones: (cancelled, kept)."""
        return await self._wizard.cancel_all(self._ctx)
