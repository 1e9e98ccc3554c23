"""Commented starting files for `panelist spec new TYPE`, one per task type and one for assessments.

A template is YAML lines and comments; the comments are catalog messages (`spec.template.*`, `spec.field.*`), so a
manager reads them in their language. Every template passes the same parser an upload goes through (tested).
"""
from __future__ import annotations

from collections.abc import Callable

from bot.i18n.text import Msg, msg
from domain.project_spec import DOMAINS, TASK_TYPES

__all__ = ["TEMPLATE_KINDS", "template_lines", "render_template"]

TEMPLATE_KINDS = (*TASK_TYPES, "assessment")

Line = str | Msg  # a YAML line, or a comment line


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _task_specific(task_type: str) -> list[Line]:
    if task_type == "rating":
        return [msg("spec.field.criteria"), "criteria:", "  - {id: accuracy, label: Accuracy, scale: [1, 5]}",
                "  - {id: clarity, label: Clarity, scale: [poor, fair, good]}"]
    if task_type == "ranking":
        return [msg("spec.field.allow_ties"), "allow_ties: false"]
    if task_type == "labeling":
        return [msg("spec.field.labels"), "labels: [positive, negative, neutral]",
                msg("spec.field.multi_label"), "multi_label: false"]
    if task_type == "rewrite":
        return [msg("spec.field.rewrite_chars"), "rewrite_min_chars: 20", "rewrite_max_chars: 2000"]
    return []


def _project(task_type: str) -> list[Line]:
    return [
        msg("spec.template.header", task_type=task_type), "",
        msg("spec.field.name"), "name: My project",
        msg("spec.field.domain", values=_values(DOMAINS)), "domain: medicine",
        msg("spec.field.task_type", values=_values(TASK_TYPES)), f"task_type: {task_type}",
        msg("spec.field.instructions"), "instructions: |", "  Read the prompt and each response carefully.",
        *_task_specific(task_type),
        msg("spec.field.overlap"), "overlap: 1",
        msg("spec.field.lease_minutes"), "lease_minutes: 60",
        msg("spec.field.pay"), "pay:", "  kind: per_task", "  currency: EUR", '  amount: "2.50"',
    ]


def _assessment() -> list[Line]:
    return [
        msg("spec.template.assessment_header"), "",
        msg("spec.field.kind"), "kind: assessment",
        msg("spec.field.assessment_id"), "id: medicine_screening",
        msg("spec.field.domain", values=_values(DOMAINS)), "domain: medicine",
        msg("spec.field.title"), "title: Clinical reasoning screening",
        msg("spec.field.instructions"), "instructions: Answer each question on your own.",
        msg("spec.field.time_limit"), "time_limit_minutes: 20",
        msg("spec.field.pass_score"), "pass_score: 0.7",
        msg("spec.field.items"), "items:",
        '  - {id: q1, type: choice, prompt: "Which is a vital sign?", options: [pulse, height], correct: [pulse]}',
        '  - {id: q2, type: numeric, prompt: "Normal adult resting pulse, per minute?", answer: 70, tolerance: 10}',
        '  - {id: q3, type: written, prompt: "Explain triage in one paragraph.", rubric: "Names urgency and order."}',
    ]


def template_lines(kind: str) -> list[Line]:
    """The template for a task type (or `assessment`)."""
    if kind == "assessment":
        return _assessment()
    if kind not in TASK_TYPES:
        raise KeyError(kind)
    return _project(kind)


def render_template(kind: str, translate: Callable[[Msg], str]) -> str:
    """The template as file text, its comments in the reader's words."""
    out = []
    for line in template_lines(kind):
        if isinstance(line, str):
            out.append(line)
        else:
            out += [f"# {part}".rstrip() for part in translate(line).splitlines()]
    return "\n".join(out) + "\n"
