"""A form walked step by step, as messages: a step, the summary, the edit picker, the discard question."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.blocks import Button, Buttons, Heading, Reply, Span, button, text
from bot.core.field_values import display
from bot.core.form_buttons import (
    FormBack, FormCancel, FormConfirm, FormDiscard, FormDiscardYes, FormDone, FormDropKept, FormEdit, FormGoto, FormInsist, FormKeep, FormPick, FormReview, FormSkip, FormStop, FormSuggest, FormToggle, FormUseKept,
)
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.store import FormSession
from bot.i18n.excerpt import excerpt
from bot.i18n.text import Msg, msg, user_text

if TYPE_CHECKING:
    from bot.core.wizard import Problem


TEXT_KINDS = (FieldKind.short_text, FieldKind.long_text)
KEEP_FROM = 20  # characters: shorter text at a button step is a mistyped choice, longer text is kept as work
KEPT, LAST = "kept", "last"  # session.pending: text kept from a button step; the last typed answer (a paste part)


def _nav(session: FormSession, spec: FormSpec, field: FieldSpec) -> list[list[Button]]:
    s, v = session.id, session.version
    row = []
    if next_step(spec, session.values, session.step, -1) is not None:
        row.append(button(msg("common.back"), FormBack(session=s, version=v)))
    if not field.required:
        row.append(button(msg("common.skip"), FormSkip(session=s, version=v)))
    if not spec.keep_drafts:
        return [row + [button(msg("common.cancel"), FormCancel(session=s, version=v), style="danger")]]
    return [row + [button(msg("form.stop"), FormStop(session=s, version=v))], *_discard_row(session)]


def _leave_rows(session: FormSession, spec: FormSpec) -> list[list[Button]]:
    """The ways out of a summary, each on its own row, apart from Submit."""
    s, v = session.id, session.version
    if not spec.keep_drafts:
        return [[button(msg("common.cancel"), FormCancel(session=s, version=v), style="danger")]]
    return [[button(msg("form.stop"), FormStop(session=s, version=v))], *_discard_row(session)]


def _discard_row(session: FormSession) -> list[list[Button]]:
    answered = answered_count(session)
    if not answered:
        return []
    return [[button(msg("form.discard"), FormDiscard(session=session.id, version=session.version),
                    style="danger")]]


def answered_count(session: FormSession) -> int:
    return sum(1 for v in session.values.values() if v not in (None, "", []))


def render_discard_question(session: FormSession, spec: FormSpec) -> Reply:
    s, v = session.id, session.version
    return Reply(blocks=[Heading(text=spec.title), text(msg("form.discard_question", count=answered_count(session))),
                         Buttons(rows=[[button(msg("form.discard_yes"), FormDiscardYes(session=s, version=v),
                                               style="danger"),
                                        button(msg("form.keep"), FormKeep(session=s, version=v), style="primary")]])])


def applicable(spec: FormSpec, values: dict[str, Any]) -> list[FieldSpec]:
    return [f for f in spec.fields if f.applies(values)]


def _position(spec: FormSpec, session: FormSession) -> int:
    return sum(1 for f in spec.fields[: session.step + 1] if f.applies(session.values))


def next_step(spec: FormSpec, values: dict[str, Any], step: int, direction: int) -> int | None:
    i = step + direction
    while 0 <= i < len(spec.fields):
        if spec.fields[i].applies(values):
            return i
        i += direction
    return None


def render_step(session: FormSession, spec: FormSpec, error: Msg | None = None, note: Msg | None = None) -> Reply:
    field = spec.fields[session.step]
    s, v = session.id, session.version
    blocks: list[Any] = [
        Heading(text=spec.title),
        text(msg("form.step", current=_position(spec, session), total=len(applicable(spec, session.values)))),
    ]
    if note is not None:
        blocks.append(text(note))
    if error is not None:
        blocks.append(text(Span(text=error, style="bold")))
    blocks.append(text(Span(text=field.label, style="bold")))
    if field.help:
        blocks.append(text(field.help))
    current = session.values.get(field.id)
    if current not in (None, "", []) and field.kind not in (FieldKind.multi_choice,):
        blocks.append(text(msg("form.current"), " ", *display(field, current)))
    rows: list[list[Button]] = []
    kept = (session.pending or {}).get(KEPT)
    if kept and field.kind in TEXT_KINDS:  # text typed at an earlier button step, offered for this answer
        blocks.append(text(msg("form.kept_offer", label=field.label)))
        blocks.append(text(Span(text=user_text(excerpt(kept["text"], 160)), style="italic")))
        rows.append([button(msg("form.kept_use"), FormUseKept(session=s, version=v), style="primary"),
                     button(msg("form.kept_other"), FormDropKept(session=s, version=v))])
    if field.kind == FieldKind.choice:
        opts = [button(o.label, FormPick(session=s, version=v, option=i)) for i, o in enumerate(field.options)]
        rows += [opts[i:i + 2] for i in range(0, len(opts), 2)]
    elif field.kind == FieldKind.multi_choice:
        chosen = set(current or [])
        opts = [
            button(o.label, FormToggle(session=s, version=v, option=i), style="primary" if o.value in chosen else None)
            for i, o in enumerate(field.options)
        ]
        rows += [opts[i:i + 2] for i in range(0, len(opts), 2)]
        if chosen:
            blocks.append(text(msg("form.chosen"), " ", *display(field, [o.value for o in field.options if o.value in chosen])))
        rows.append([button(msg("common.done"), FormDone(session=s, version=v), style="primary")])
    elif field.kind == FieldKind.scale and field.min is not None and field.max is not None and field.max - field.min <= 10:
        rows.append([button(str(n), FormPick(session=s, version=v, option=n))
                     for n in range(int(field.min), int(field.max) + 1)])
    if field.suggestions:
        sugg = [button(o.label, FormSuggest(session=s, version=v, option=i)) for i, o in enumerate(field.suggestions)]
        rows += [sugg[i:i + 3] for i in range(0, len(sugg), 3)]
    rows += _nav(session, spec, field)
    blocks.append(Buttons(rows=rows))
    expects_text = field.kind not in (FieldKind.choice, FieldKind.multi_choice, FieldKind.file)
    return Reply(blocks=blocks, expects_text=expects_text)


def render_summary(session: FormSession, spec: FormSpec, error: Msg | None = None,
                   soft: Problem | None = None, note: Msg | None = None) -> Reply:
    s, v = session.id, session.version
    blocks: list[Any] = [Heading(text=spec.title)]
    if note is not None:
        blocks.append(text(note))
    blocks.append(text(msg("form.summary")))
    for f in applicable(spec, session.values):
        blocks.append(text(Span(text=f.label, style="bold"), " ", *display(f, session.values.get(f.id))))
    if error is not None:
        blocks.append(text(Span(text=error, style="bold")))
    rows = [[
        button(spec.submit_label or msg("common.confirm"), FormConfirm(session=s, version=v), style="primary"),
        button(msg("common.edit"), FormEdit(session=s, version=v)),
    ], *_leave_rows(session, spec)]
    if soft is not None:
        blocks.append(text(Span(text=soft.message, style="bold")))
        index = next((i for i, f in enumerate(spec.fields) if f.id == soft.field_id), 0)
        rows = [[
            button(msg("form.fix_it"), FormGoto(session=s, version=v, option=index), style="primary"),
            button(msg("form.submit_anyway"), FormInsist(session=s, version=v)),
        ], *_leave_rows(session, spec)]
    blocks.append(Buttons(rows=rows))
    return Reply(blocks=blocks)


def render_which(session: FormSession, spec: FormSpec, typed: str, candidates: list[Button]) -> Reply:
    """Typed text that could mean several options (or numbers): which one, with just those buttons."""
    field = spec.fields[session.step]
    rows = [candidates[i:i + 2] for i in range(0, len(candidates), 2)] + _nav(session, spec, field)
    return Reply(blocks=[Heading(text=spec.title), text(Span(text=field.label, style="bold")),
                         text(msg("form.which", typed=user_text(excerpt(typed, 60)))), Buttons(rows=rows)])


def render_edit_picker(session: FormSession, spec: FormSpec) -> Reply:
    s, v = session.id, session.version
    opts = [button(f.label, FormGoto(session=s, version=v, option=i))
            for i, f in enumerate(spec.fields) if f.applies(session.values)]
    rows = [opts[i:i + 2] for i in range(0, len(opts), 2)]
    rows.append([button(msg("common.back"), FormReview(session=s, version=v))])
    return Reply(blocks=[Heading(text=spec.title), text(msg("form.edit_which")), Buttons(rows=rows)])
