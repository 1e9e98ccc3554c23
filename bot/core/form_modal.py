"""A form shown whole, as a modal: whether it fits one, what its inputs start from, hints written for it."""
from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.forms import FormSpec, RenderedForm
from bot.core.split import split_text, utf16_len
from bot.core.store import FormSession
from bot.i18n.catalog import Catalogs
from bot.i18n.text import Msg


def fits_a_modal(ctx: Context, session: FormSession) -> bool:
    """A draft with an answer longer than a modal's text input is walked in the conversation: a modal would cut it."""
    limit = ctx.capabilities.modal_text
    return limit is None or all(len(v) <= limit for v in session.values.values() if isinstance(v, str))


def modal_values(ctx: Context, spec: FormSpec, session: FormSession) -> dict[str, Any]:
    """What a modal's inputs start from: the answers so far, else a field's prefill cut at a word to what the
    input holds (the whole text stays in the modal's context above)."""
    values = dict(session.values)
    for f in spec.fields:
        if f.prefill and values.get(f.id) in (None, ""):
            limits = [x for x in (f.max_length, ctx.capabilities.modal_text) if x]
            limit = min(limits) if limits else None
            fits = limit is None or utf16_len(f.prefill) <= limit
            values[f.id] = f.prefill if fits else split_text(f.prefill, limit - 1, utf16_len)[0].rstrip() + "…"
    return values


def modal_form(ctx: Context, spec: FormSpec, values: dict[str, Any]) -> RenderedForm:
    """The form as a modal shows it, whether opened or redrawn: hints written for a modal, these values."""
    return RenderedForm(spec=modal_texts(ctx.runtime.catalogs, spec), values=values)


MODAL_VARIANT = ".modal"


def modal_texts(catalogs: Catalogs, spec: FormSpec) -> FormSpec:
    """`spec` as a modal shows it: a field's help written for the step-by-step wizard ("…then press Done") has a
    `<key>.modal` variant in the catalogs for a form shown whole, which has no Done, Skip or Back, only its submit
    and close buttons; that variant is used where it exists."""
    fields = []
    for f in spec.fields:
        help_ = f.help
        if isinstance(help_, Msg) and any(catalogs.has(loc, help_.key + MODAL_VARIANT) for loc in catalogs.locales()):
            f = f.model_copy(update={"help": help_.model_copy(update={"key": help_.key + MODAL_VARIANT})})
        fields.append(f)
    return spec.model_copy(update={"fields": fields, "card": []})  # a modal shows `context`, not the card
