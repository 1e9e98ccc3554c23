"""How a task is shown: the instructions, the prompt, every response, and what to do next."""
from __future__ import annotations

from typing import Callable

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, LongText, button, text
from bot.i18n.text import Msg, When, msg, user_text
from bot.i18n.excerpt import excerpt
from domain.project_spec import ProjectSpec
from domain.task_import import TaskItem
from handlers.shared.actions import ShowInstructions, ShowTaskText, SkipTask

INSTRUCTIONS_PREVIEW = 300


def response_title(index: int) -> object:
    letter = chr(ord("A") + index)
    return msg("task.response", letter=letter)


def item_quote(item: TaskItem) -> Msg:
    """Which item: its prompt cut at a word and its id, both isolated (the prompt and the id are a manager's text,
    in any script), so an expert tells one answer of a project from another."""
    return msg("task.item_quote", excerpt=user_text(excerpt(item.prompt)), id=user_text(item.external_id))


def item_text(item: TaskItem, part: str) -> LongText | None:
    """One text of an item as a block: "context", "prompt" or "r<n>" (the n-th response); None if there is none."""
    if part == "context" and item.context:
        return LongText(title=msg("task.context"), text=item.context, filename="context.txt")
    if part == "prompt":
        return LongText(title=msg("task.prompt"), text=item.prompt, filename="prompt.txt")
    if part.startswith("r") and part[1:].isdigit() and int(part[1:]) < len(item.responses):
        i = int(part[1:])
        return LongText(title=response_title(i), text=item.responses[i].text,
                        filename=f"response-{chr(ord('a') + i)}.txt")
    return None


def item_blocks(item: TaskItem, more: Callable[[str], ActionData] | None = None) -> list:
    """The item: its context, prompt and every response. `more(part)` is the action that shows a text whole,
    for a form that must cut it (a modal)."""
    parts = (["context"] if item.context else []) + ["prompt"] + [f"r{i}" for i in range(len(item.responses))]
    blocks = []
    for part in parts:
        block = item_text(item, part)
        if more is not None:
            block = block.model_copy(update={"more": button(msg("form.full_text"), more(part))})
        blocks.append(block)
    return blocks


def _task_header(spec: ProjectSpec, lease_ends) -> list:
    preview = spec.instructions if len(spec.instructions) <= INSTRUCTIONS_PREVIEW else (
        spec.instructions[:INSTRUCTIONS_PREVIEW].rsplit(" ", 1)[0] + " …")
    return [text(msg(f"task_type.{spec.task_type}"), " · ", msg("task.lease_until", at=When(at=lease_ends, style="time"))),
            text(msg("task.instructions_short"), " ", preview)]


def render_task(project_name: str, spec: ProjectSpec, item: TaskItem, assignment_id: int, lease_ends) -> list:
    """The task message. Gold items look exactly like any other: nothing here may tell them apart."""
    blocks: list = [Heading(text=project_name), *_task_header(spec, lease_ends), *item_blocks(item)]
    blocks.append(Buttons(rows=[[
        button(msg("task.show_instructions"), ShowInstructions(assignment=assignment_id)),
        button(msg("task.skip_button"), SkipTask(assignment=assignment_id)),
    ]]))
    return blocks


def task_context(spec: ProjectSpec, item: TaskItem, assignment_id: int, lease_ends) -> list:
    """The task as its form's context (a modal shows it above the questions; the title names the project)."""
    return [*_task_header(spec, lease_ends),
            *item_blocks(item, lambda part: ShowTaskText(assignment=assignment_id, part=part))]


def render_opened(project_name: str, item: TaskItem, assignment_id: int) -> list:
    """What stays in the conversation when the task opens in a window: which item, and the card's buttons."""
    return [text(msg("task.opened_in_window", name=project_name), " ", item_quote(item)),
            Buttons(rows=[[
                button(msg("task.show_instructions"), ShowInstructions(assignment=assignment_id)),
                button(msg("task.skip_button"), SkipTask(assignment=assignment_id)),
            ]])]


def render_answer(spec: ProjectSpec, item: TaskItem, form_values: dict) -> list:
    """An answer as the form's questions and the given values, for a reviewer or a rework summary."""
    from bot.core.blocks import Span
    from bot.core.field_values import display
    from bot.core.forms import FieldKind
    from handlers.shared.task_forms import answer_fields

    lines = []
    for field in answer_fields(spec, item):
        if field.id in form_values and field.applies(form_values):
            shown = display(field, form_values[field.id])
            if field.kind in (FieldKind.short_text, FieldKind.long_text):  # what the expert typed: isolated
                shown = [user_text(p) if isinstance(p, str) else p for p in shown]
            lines.append(text(Span(text=field.label, style="bold"), " ", *shown))
    return lines


def render_expected(spec: ProjectSpec, expected: dict) -> list:
    """The gold answer in words: labels, a preference, scores per criterion, or an order."""
    if "labels" in expected:
        return [text(", ".join(expected["labels"]))]
    if "preference" in expected:
        return [text(msg(f"task.option.{expected['preference']}"))]
    if "scores" in expected:
        return [text(spec.criterion(cid).label, ": ", str(value)) for cid, value in expected["scores"].items()]
    if "order" in expected:
        return [text(" > ".join(" = ".join(group) for group in expected["order"]))]
    return []
