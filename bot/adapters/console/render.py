"""Render a delivery as plain text for a terminal. Buttons become numbered options."""
from __future__ import annotations

from pathlib import Path

from bot.core.blocks import (
    Button, Buttons, Code, Divider, Fields, Gallery, Heading, LongText, Media, Paragraph, Reply,
)


def render_reply(reply: Reply, saved: dict[str, Path] | None = None) -> tuple[str, list[Button]]:
    """The text of `reply` and its buttons in order. `saved` maps a media blob's SHA-256 to where the adapter
    wrote it (`media_to_save`); media not saved are described by name and size."""
    saved = saved or {}
    lines: list[str] = []
    buttons: list[Button] = []
    for block in reply.blocks:
        if isinstance(block, Heading):
            lines.append(f"== {block.text} ==")
        elif isinstance(block, Paragraph):
            lines.append("".join(_span(s.text, s.style) for s in block.spans))
        elif isinstance(block, Fields):
            lines.extend(f"{label}: {value}" for label, value in block.items)
        elif isinstance(block, LongText):
            lines.append(f"--- {block.title} ---")
            lines.append(block.text)
            lines.append("---")
        elif isinstance(block, Buttons):
            for row in block.rows:
                cells = []
                for b in row:
                    buttons.append(b)
                    cells.append(f"[{len(buttons)}] {b.label}" if b.payload else f"[{b.label}]({b.url})")
                lines.append("  ".join(cells))
        elif isinstance(block, Media):
            lines.append(_media_line(block, saved))
        elif isinstance(block, Gallery):
            lines.extend(_media_line(item, saved) for item in block.items)
            if block.caption:
                lines.append(str(block.caption))
        elif isinstance(block, Code):
            lines.append(_code(block))
        elif isinstance(block, Divider):
            lines.append("-" * 20)
    return "\n".join(lines), buttons


def _span(text: object, style: str) -> str:
    return f"*{text}*" if style == "bold" else f"`{text}`" if style == "code" else str(text)


def media_to_save(reply: Reply) -> list[Media]:
    """The stored media of `reply`, each once, for the adapter to write to its files folder."""
    found: dict[str, Media] = {}
    for block in reply.blocks:
        for item in block.items if isinstance(block, Gallery) else [block] if isinstance(block, Media) else []:
            found.setdefault(item.blob.sha256, item)
    return list(found.values())


def file_name(media: Media) -> str:
    """A safe name for a saved file: never a path from the payload, and distinct per content."""
    name = Path(media.blob.name).name or media.media
    return f"{media.blob.sha256[:8]}-{name}"


def _media_line(media: Media, saved: dict[str, Path]) -> str:
    name = Path(media.blob.name).name or media.media
    where = saved.get(media.blob.sha256)
    said = f"[{name} saved to {where}]" if where else f"[{name}: {media.blob.size} bytes]"
    return f"{said} {media.caption}".rstrip()


def _code(block: Code) -> str:
    """Numbered lines (so feedback can say "line 12"); the marked span flagged with `>`."""
    lines = block.text.split("\n")
    if len(lines) > 1 and lines[-1] == "":  # a final newline ends the last line; it is not a line of its own
        lines.pop()
    width = len(str(block.first_line + len(lines) - 1))
    low, high = block.mark or (0, -1)
    body = [f"{'>' if low <= n <= high else ' '}{n:>{width}} | {line}"
            for n, line in enumerate(lines, start=block.first_line)]
    head = f"--- {block.title} ({block.language}) ---" if block.title else f"--- {block.language or 'code'} ---"
    return "\n".join([head, *body, "---"])
