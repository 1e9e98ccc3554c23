"""Render a delivery as plain text for a terminal. Buttons become numbered options."""
from __future__ import annotations

import base64
from pathlib import Path

from bot.core.blocks import Button, Buttons, Divider, Fields, File, Heading, Image, LongText, Paragraph, Reply


def render_reply(reply: Reply, files_dir: Path | None = None) -> tuple[str, list[Button]]:
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
        elif isinstance(block, (Image, File)):
            lines.append(_save(block, files_dir))
        elif isinstance(block, Divider):
            lines.append("-" * 20)
    return "\n".join(lines), buttons


def _span(text: object, style: str) -> str:
    return f"*{text}*" if style == "bold" else f"`{text}`" if style == "code" else str(text)


def _save(block: Image | File, files_dir: Path | None) -> str:
    data = base64.b64decode(block.data_b64)
    name = Path(block.filename).name or "file"  # never a path from the payload
    if files_dir is None:
        return f"[{name}: {len(data)} bytes]"
    files_dir.mkdir(parents=True, exist_ok=True)
    path = files_dir / name
    path.write_bytes(data)
    caption = getattr(block, "caption", "") or getattr(block, "alt", "")
    return f"[{name} saved to {path}] {caption}".rstrip()
