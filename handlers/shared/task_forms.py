"""A task type's questions as the forms engine's fields: the one place `domain.questions` meets `bot.core.forms`.

The domain declares what is asked (`task_types.answer_questions`); this module says how a form asks it. Every
caller that shows, summarises or counts an answer form gets its fields here, so the wizard, the modal, the
review summary and the draft count always agree.
"""
from __future__ import annotations

from bot.core.forms import FieldKind, FieldSpec, Option
from domain.project_spec import ProjectSpec
from domain.questions import (
    Choice, FileQuestion, LabelQuestion, MultiLabelQuestion, Question, RatingQuestion, TextQuestion,
)
from domain.task_import import TaskItem
from domain.task_types import answer_questions, rewrites_code

__all__ = ["answer_fields", "field_of"]


def _options(labels: tuple[Choice, ...]) -> list[Option]:
    return [Option(value=c.value, label=c.label) for c in labels]


def field_of(question: Question) -> FieldSpec:
    """One question as one form field (same id, label, help, bounds and conditions)."""
    common = dict(
        id=question.name, label=question.title, help=question.description, required=question.required,
        show_if=[(name, None if allowed is None else list(allowed)) for name, allowed in question.show_if],
    )
    if isinstance(question, LabelQuestion):
        return FieldSpec(kind=FieldKind.choice, options=_options(question.labels), **common)
    if isinstance(question, MultiLabelQuestion):
        return FieldSpec(kind=FieldKind.multi_choice, options=_options(question.labels), **common)
    if isinstance(question, RatingQuestion):
        return FieldSpec(kind=FieldKind.scale, min=question.min, max=question.max, **common)
    if isinstance(question, FileQuestion):
        return FieldSpec(kind=FieldKind.file, accept=list(question.accept), **common)
    if isinstance(question, TextQuestion):
        return FieldSpec(kind=FieldKind.long_text, min_length=question.min_length, max_length=question.max_length,
                         **common)
    raise TypeError(f"no form field for {type(question).__name__}")


def answer_fields(spec: ProjectSpec, item: TaskItem) -> list[FieldSpec]:
    """The form fields an expert fills in for this item, in order."""
    fields = [field_of(q) for q in answer_questions(spec, item)]
    if spec.task_type == "rewrite" and item.responses:  # a rewrite starts from the answer it rewrites
        # and a rewrite of code keeps its indentation as typed
        update = {"prefill": item.responses[0].text, "verbatim": rewrites_code(item)}
        fields = [f.model_copy(update=update) if f.id == "text" else f for f in fields]
    return fields
