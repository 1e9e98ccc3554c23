"""How a task is shown: the instructions, the prompt, every response, and what to do next."""
from __future__ import annotations

from typing import Callable

from bot.core.actions import ActionData
from bot.blobs import BlobRef, kind_of
from handlers.shared.markdown_blocks import markdown_blocks
from bot.core.blocks import Buttons, Code, Gallery, Heading, LongText, Media, Span, button, text
from bot.i18n.text import Msg, When, msg, user_text
from bot.i18n.excerpt import excerpt
from domain.project_spec import ProjectSpec
from domain.task_import import Attachment, Response, TaskItem
from handlers.shared.actions import ShowInstructions, ShowTaskText, SkipTask

INSTRUCTIONS_PREVIEW = 300


def response_title(index: int) -> object:
    letter = chr(ord("A") + index)
    return msg("task.response", letter=letter)


def item_quote(item: TaskItem) -> Msg:
    """Which item: its prompt cut at a word and its id, both isolated (the prompt and the id are a manager's text,
    in any script), so an expert tells one answer of a project from another."""
    return msg("task.item_quote", excerpt=user_text(excerpt(item.prompt)), id=user_text(item.external_id))


# A code response's file name when it is sent as a file: its language's usual extension.
_EXTENSIONS = {
    "python": "py", "py": "py", "diff": "diff", "patch": "patch", "javascript": "js", "js": "js",
    "typescript": "ts", "ts": "ts", "sql": "sql", "java": "java", "c": "c", "cpp": "cpp", "c++": "cpp",
    "csharp": "cs", "c#": "cs", "go": "go", "rust": "rs", "ruby": "rb", "php": "php", "kotlin": "kt",
    "swift": "swift", "scala": "scala", "r": "r", "bash": "sh", "sh": "sh", "shell": "sh", "json": "json",
    "yaml": "yaml", "yml": "yaml", "toml": "toml", "html": "html", "css": "css", "markdown": "md", "md": "md",
}
_GROUPED = ("image", "video")  # what a platform shows together as one set (a Telegram media group)


def code_filename(stem: str, language: str | None) -> str:
    return f"{stem}.{_EXTENSIONS.get((language or '').casefold(), 'txt')}"


def _letter(index: int) -> str:
    return chr(ord("a") + index)


def item_text(item: TaskItem, part: str) -> LongText | Code | None:
    """One text of an item as a block: "context", "prompt" or "r<n>" (the n-th response, as `Code` when it is
    code); None if there is none."""
    if part == "context" and item.context:
        return LongText(title=msg("task.context"), text=item.context, filename="context.txt")
    if part == "prompt":
        return LongText(title=msg("task.prompt"), text=item.prompt, filename="prompt.txt")
    if part.startswith("r") and part[1:].isdigit() and int(part[1:]) < len(item.responses):
        i = int(part[1:])
        response = item.responses[i]
        if not response.text:
            return None  # media only
        if response.format == "code":
            return Code(text=response.text, language=response.language or "", title=response_title(i),
                        filename=code_filename(f"response-{_letter(i)}", response.language))
        return LongText(title=response_title(i), text=response.text, filename=f"response-{_letter(i)}.txt")
    return None


def as_blocks(block: LongText | Code) -> list:
    """A text block as shown: code under its own bold title line (every platform shows a paragraph; not every
    renderer shows a code block's title)."""
    if isinstance(block, Code) and block.title:
        return [text(Span(text=block.title, style="bold")), block.model_copy(update={"title": ""})]
    return [block]


def _caption(title: object | None, alt: str) -> object:
    if title is None:
        return user_text(alt) if alt else ""
    return msg("task.media_titled", title=title, alt=user_text(alt)) if alt else title


def media_blocks(attachments: list[Attachment], title: object | None = None) -> list:
    """Stored media as blocks: images (and videos) together as one `Gallery`, the rest one `Media` each, every one
    captioned with `title` (whose media they are) and its alt text. Media the store does not hold yet (a url not
    fetched) are named by their alt text."""
    shown = [Media(media=a.kind, blob=a.blob, caption=_caption(title, a.alt)) for a in attachments if a.blob]
    missing = [text(msg("task.media_unavailable", kind=msg(f"task.media_kind.{a.kind}"), alt=user_text(a.alt)))
               for a in attachments if a.blob is None]
    grouped = [m for m in shown if m.media in _GROUPED]
    if len(grouped) < 2:
        return shown + missing
    rest = [m for m in shown if m.media not in _GROUPED]
    return [Gallery(items=grouped[:10], caption=title or ""), *grouped[10:], *rest, *missing]


def _image_only(response: Response) -> bool:
    return not response.text and len(response.attachments) == 1 and response.attachments[0].kind == "image" \
        and response.attachments[0].blob is not None


def _responses_gallery(item: TaskItem) -> Gallery | None:
    """Responses that are each one image (two generated images to compare): one set, each captioned with its
    letter, in order; None when the responses are anything else."""
    if not 2 <= len(item.responses) <= 10 or not all(_image_only(r) for r in item.responses):
        return None
    items = [Media(media="image", blob=r.attachments[0].blob,
                   caption=_caption(response_title(i), r.attachments[0].alt)) for i, r in enumerate(item.responses)]
    letters = ", ".join(chr(ord("A") + i) for i in range(len(items)))
    return Gallery(items=items, caption=msg("task.responses_in_order", letters=letters))


def item_media(item: TaskItem) -> list:
    """Every medium of the item, in the order the card shows them (for a message beside a window that shows
    only text)."""
    blocks = media_blocks(item.context_attachments, msg("task.context")) + media_blocks(item.attachments,
                                                                                      msg("task.prompt"))
    gallery = _responses_gallery(item)
    if gallery is not None:
        return blocks + [gallery]
    for i, response in enumerate(item.responses):
        blocks += media_blocks(response.attachments, response_title(i))
    return blocks


MARKDOWN_INLINE = 6_000  # characters of a Markdown response shown formatted; a longer one goes as text or a file


def _markdown(item: TaskItem, part: str) -> bool:
    return part.startswith("r") and item.responses[int(part[1:])].format == "markdown"


def item_blocks(item: TaskItem, more: Callable[[str], ActionData] | None = None) -> list:
    """The item: its context and prompt, each followed by its media, then every response, its media before its text
    (the recording, then its transcript). `more(part)` is the action that shows a text whole, for a form that must
    cut it (a modal: code goes there as plain text, which every modal renderer shows and cuts)."""

    def shown(part: str) -> list:
        block = item_text(item, part)
        if block is None:
            return []
        if more is None and isinstance(block, LongText) and _markdown(item, part) and len(block.text) <= MARKDOWN_INLINE:
            return [text(Span(text=block.title, style="bold")), *markdown_blocks(block.text)]
        if more is not None:
            if isinstance(block, Code):
                block = LongText(title=block.title, text=block.text, filename=block.filename)
            block = block.model_copy(update={"more": button(msg("form.full_text"), more(part))})
        return as_blocks(block)

    blocks = []
    if item.context:
        blocks += shown("context")
    blocks += media_blocks(item.context_attachments, None if item.context else msg("task.context"))
    blocks += shown("prompt") + media_blocks(item.attachments)
    gallery = _responses_gallery(item)
    if gallery is not None:
        return blocks + [gallery]
    for i, response in enumerate(item.responses):
        blocks += media_blocks(response.attachments, response_title(i)) + shown(f"r{i}")
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
            *item_media(item),  # a window shows text only: the media stay here, beside it
            Buttons(rows=[[
                button(msg("task.show_instructions"), ShowInstructions(assignment=assignment_id)),
                button(msg("task.skip_button"), SkipTask(assignment=assignment_id)),
            ]])]


def render_answer(spec: ProjectSpec, item: TaskItem, form_values: dict) -> list:
    """An answer as the form's questions and the given values, for a reviewer or a rework summary."""
    from bot.core.field_values import display
    from bot.core.forms import FieldKind
    from handlers.shared.task_forms import answer_fields

    lines = []
    for field in answer_fields(spec, item):
        if field.id in form_values and field.applies(form_values):
            if field.kind == FieldKind.file and isinstance(form_values[field.id], dict):  # the file itself, shown
                ref = BlobRef.model_validate(form_values[field.id])
                lines.append(Media(media=kind_of(ref.mime), blob=ref, caption=field.label))
                continue
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


SPAN_CONTEXT = 2  # lines shown around a marked span, so the reviewer sees where it sits


def issue_spans(item: TaskItem, answer: dict) -> list:
    """The lines each issue of an error check points at, as the code around them with the span marked."""
    if answer.get("task_type") != "error_check":
        return []
    from domain.code_lines import code_lines

    blocks = []
    for n, issue in enumerate(answer.get("issues") or [], start=1):
        lines = issue.get("lines")
        response = next((r for r in item.responses if r.id == issue.get("response_id")), None)
        if not lines or response is None or response.format != "code":
            continue
        low, high = int(lines[0]), int(lines[1])
        code = code_lines(response.text)
        first = max(1, low - SPAN_CONTEXT)
        title = (msg("review.issue_line", n=n, line=str(low)) if low == high
                 else msg("review.issue_lines", n=n, first=str(low), last=str(high)))
        blocks += as_blocks(Code(text="\n".join(code[first - 1:high + SPAN_CONTEXT]), language=response.language or "",
                                 title=title, first_line=first, mark=(low, high),
                                 filename=code_filename(f"issue-{n}", response.language)))
    return blocks
