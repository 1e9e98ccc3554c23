"""Reflow text written in a spec file: a YAML block (`instructions: |`) keeps the author's line breaks, which read as
breaks mid-sentence in a chat. Single line breaks join into spaces; a blank line stays a paragraph break; a list
item ("- ", "* ", "• ", "1. ", "2) ") starts its own line, and an indented line under it continues the item."""
from __future__ import annotations

import re

__all__ = ["reflow"]

_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def reflow(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "\n\n".join(_paragraph(p) for p in _PARAGRAPH_BREAK.split(text) if p.strip())


def _paragraph(block: str) -> str:
    lines: list[str] = []
    for raw in block.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if not lines or _ITEM.match(line):
            lines.append(line)
        else:
            lines[-1] = lines[-1] + " " + line
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line) for line in lines)
